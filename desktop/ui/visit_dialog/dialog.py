"""`VisitDialog`: filling, each child's work, saving and the draft."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QListWidgetItem,
    QWidget,
)

from desktop.domain import rules
from desktop.domain.enums import NotSeenReason, Outcome, PlaceType, Visibility
from desktop.domain.records import Visit, VisitEntry, VisitNote

if TYPE_CHECKING:  # the services load after the unlock window shows
    from desktop.services import CaseloadRow, Changes, Waymark
    from desktop.tasks import TaskRunner

from ..drafts import DraftedDialog, Fields
from ..widgets import set_available
from .context import VisitContext, load_context
from .draft import restore_visit_draft, visit_draft
from .edits import round_down
from .entry import Work
from .layout import VisitForm


class VisitDialog(VisitForm, DraftedDialog):
    """Log one visit or session; siblings seen together share it, each with their own entry.
    Kept as a draft while it is typed, one draft per visit started: `draft_key` reopens
    a kept one, and a new visit gets a key of its own (see ui/drafts/)."""

    saved = Signal(object)  # Changes

    def __init__(
        self,
        app: Waymark,
        runner: TaskRunner,
        caseload: Sequence[CaseloadRow],
        parent: QWidget | None = None,
        *,
        draft_key: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.app, self.runner = app, runner
        self._caseload = {row.pupil_id: row for row in caseload}
        self._context: VisitContext | None = None
        self._saving = False
        self._quiet = False  # set while the dialog fills itself, so no handler reacts
        self.site_allowed, self.no_professional = True, ""  # a school's laptop narrows both (_apply_limits)
        self.setWindowTitle("Log a visit")
        self.setAccessibleName("Log a visit")
        self.setModal(True)
        self._build()
        self.work.names = {pupil_id: row.name for pupil_id, row in self._caseload.items()}
        self.work.order = self._name_order  # each child's tab by surname, then first name
        self.resize(980, 640)
        self.keep_drafts("visit", draft_key if draft_key is not None else uuid.uuid4().hex, title="visit")
        self.loading_started()  # until start_for has filled the defaults
        self.pupils.itemChanged.connect(self._pupil_ticked)

    # --- filling ------------------------------------------------------------------------

    def start_for(self, pupil_id: str | None) -> None:
        """Load the defaults for a pupil (or a blank visit) in the background."""
        self.setEnabled(False)
        self.runner.run(lambda: load_context(self.app, pupil_id), self._fill, self._load_failed)

    def _load_failed(self, message: str) -> None:
        self.setEnabled(True)
        self.show_error(message)
        self.loading_finished()

    def _fill(self, context: VisitContext) -> None:
        self.setEnabled(True)
        self._context = context
        visit = context.visit
        today = QDate(visit.date.year, visit.date.month, visit.date.day)
        self.date.setMaximumDate(today)
        self.date.setDate(today)
        start = visit.start or round_down(datetime.now().time())
        end = visit.end or (datetime.combine(visit.date, start) + timedelta(hours=1)).time()
        self.start.setTime(QTime(start.hour, start.minute))
        self.end.setTime(QTime(end.hour, end.minute))
        self.place.setCurrentIndex(max(0, self.place.findData(PlaceType(visit.place_type).value)))
        self.site.clear()
        self.site.addItem("No site", None)
        for site in context.sites:
            self.site.addItem(site.name, site.id)
        self.site.setCurrentIndex(max(0, self.site.findData(visit.site_id)) if visit.site_id else 0)
        self._apply_limits(context.role)
        self.work.subjects = context.subjects
        self.next_visit.setDateTime(QDateTime(today.addDays(7), QTime(start.hour, start.minute)))
        self._quiet = True
        self._fill_pupils(visit)
        self._quiet = False
        self.work.names.update({p: self._name(p) for p in visit.pupil_ids})
        usual = {e.pupil_id: Work(subjects=tuple(e.subjects)) for e in visit.entries}
        self.work.start(visit.pupil_ids, usual, context.last)
        self._set_tab_order()
        self._update_hours()
        first = self._caseload.get(visit.pupil_ids[0]) if visit.pupil_ids else None
        self.heading.setText(f"Log a visit — {first.name}" if first else "Log a visit")
        if visit.pupil_ids:
            self.work.focus_work()
        else:
            self.add_pupil.setFocus()
        self.drafts.watch()
        self.loading_finished()

    def _apply_limits(self, role: str) -> None:
        """A school's laptop: no site and no professional-only notes, which the LA's
        server would refuse (sync/protocol/serving.py); each field says why."""
        from desktop.services.role_limits import limits_for

        limits = limits_for(role)
        self.site_allowed = limits.may_fill("visit", "site_id")
        if not self.site_allowed:
            self.site.setCurrentIndex(0)  # "No site"
            set_available(self.site, False, "", limits.why_no_place)
        self.no_professional = "" if limits.may_write_professional else limits.why_no_professional
        self.work.no_professional = self.no_professional
        if self.no_professional:
            self.professional_note.clear()
            self.professional_note.setPlaceholderText(self.no_professional)
            set_available(self.professional_note, False, "", self.no_professional)
            for form in self.work.forms.values():
                form.refuse_professional(self.no_professional)

    def _fill_pupils(self, visit: Visit) -> None:
        """The pupils seen last time, ticked; other children at the same site, not ticked."""
        self.pupils.clear()
        wanted = list(visit.pupil_ids)
        if visit.site_id:
            wanted += [r.pupil_id for r in self._caseload.values() if r.site_id == visit.site_id]
        for pupil_id in dict.fromkeys(wanted):
            self._add_pupil_item(pupil_id, checked=pupil_id in visit.pupil_ids)
        if self.pupils.count():
            self.pupils.setCurrentRow(0)

    def _add_pupil_item(self, pupil_id: str, checked: bool) -> None:
        for i in range(self.pupils.count()):
            item = self.pupils.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == pupil_id:
                item.setCheckState(Qt.CheckState.Checked if checked else item.checkState())
                return
        item = QListWidgetItem(self._pupil_text(pupil_id))
        item.setData(Qt.ItemDataRole.UserRole, pupil_id)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.pupils.addItem(item)

    def _name_order(self, pupil_id: str) -> tuple:
        """Where a child comes among the visit's children: by surname, then first name, with
        the caseload's Unicode collation (domain/collation.py), as their copies print."""
        row = self._caseload.get(pupil_id)
        return (0, row.sort_key) if row and row.sort_key else (1, self._name(pupil_id).casefold())

    def _name(self, pupil_id: str) -> str:
        row = self._caseload.get(pupil_id)
        return row.name if row else "Pupil not on the caseload"

    def _pupil_text(self, pupil_id: str) -> str:
        row = self._caseload.get(pupil_id)
        text = self._name(pupil_id) + (f" — {rules.format_nc_year(row.nc_year)}" if row else "")
        reason = self.work.not_seen.get(pupil_id)
        return text + (f" · not seen: {reason.label.lower()}" if reason else "")

    def _choose_pupil(self, text: str) -> None:
        pupil_id = self._choices.get(text)
        if pupil_id is None:
            matches = [pid for choice, pid in self._choices.items() if text.casefold() in choice.casefold()]
            pupil_id = matches[0] if len(matches) == 1 else None
        if pupil_id is None:
            return
        first = not self.pupil_ids()
        self.add_pupil.clear()
        if first:
            self.start_for(pupil_id)  # the first pupil chosen brings their defaults with them
        else:
            self._add_pupil_item(pupil_id, checked=True)

    # --- each child's work -------------------------------------------------------------

    def _pupils_changed(self, item: QListWidgetItem) -> None:
        """A child ticked or unticked: their tab comes or goes, and their last visit is fetched."""
        if self._quiet:
            return
        pupil_id = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked and pupil_id not in self.work.last:
            self.runner.run(lambda: self.app.last_entries([pupil_id]), self.work.add_last)
        self.work.names.setdefault(pupil_id, self._name(pupil_id))
        self.work.set_children(self.pupil_ids())
        self._set_tab_order()
        self.drafts.watch()  # the new child's own form

    def _show_seen(self, row: int) -> None:
        item = self.pupils.item(row) if row >= 0 else None
        reason = self.work.not_seen.get(item.data(Qt.ItemDataRole.UserRole)) if item else None
        quiet, self._quiet = self._quiet, True
        self.seen.setCurrentIndex(max(0, self.seen.findData(reason.value if reason else None)))
        self._quiet = quiet

    def _seen_changed(self) -> None:
        item = self.pupils.currentItem()
        if self._quiet or item is None:
            return
        pupil_id = item.data(Qt.ItemDataRole.UserRole)
        value = self.seen.currentData()
        if value is not None and item.checkState() != Qt.CheckState.Checked:
            item.setCheckState(Qt.CheckState.Checked)  # not seen, but on the visit
        self.work.set_not_seen(pupil_id, NotSeenReason(value) if value else None)
        item.setText(self._pupil_text(pupil_id))

    def _update_hours(self) -> None:
        minutes = self.start.time().secsTo(self.end.time()) // 60
        if self.outcome.currentData() != Outcome.HELD.value:
            self.hours.setText("no contact time")
        elif minutes <= 0:
            self.hours.setText("ends before it starts")
        else:
            self.hours.setText(f"{minutes // 60} h {minutes % 60:02d} min")

    # --- saving ---------------------------------------------------------------------

    def pupil_ids(self) -> list[str]:
        return [
            self.pupils.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.pupils.count())
            if self.pupils.item(i).checkState() == Qt.CheckState.Checked
        ]

    def entries(self) -> list[VisitEntry]:
        """Each ticked child's entry as the form stands; a child not taught keeps
        only the work left for them."""
        held = self.outcome.currentData() == Outcome.HELD.value
        entries = []
        for pupil_id in self.pupil_ids():
            work = self.entry_form(pupil_id).work()
            reason = self.work.not_seen.get(pupil_id)
            taught = held and reason is None
            entries.append(
                VisitEntry(
                    pupil_id=pupil_id,
                    seen=reason is None,
                    not_seen_reason=reason,
                    subjects=list(work.subjects) if taught else [],
                    work_covered=work.work_covered if taught else "",
                    work_returned=work.work_returned if taught else "",
                    levels_and_needs=work.levels_and_needs if taught else "",
                    work_set=work.work_set,
                )
            )
        return entries

    def visit(self) -> Visit:
        """The visit as the form stands."""
        base = self._context.visit if self._context else None
        notes = [
            VisitNote(text=self.family_note.toPlainText().strip(), visibility=Visibility.FAMILY),
            VisitNote(text=self.professional_note.toPlainText().strip(), visibility=Visibility.PROFESSIONAL),
        ]
        for pupil_id, (family, professional) in self.work.child_notes().items():  # on that child's copies only
            notes.append(VisitNote(text=family, visibility=Visibility.FAMILY, pupil_id=pupil_id))
            notes.append(VisitNote(text=professional, visibility=Visibility.PROFESSIONAL, pupil_id=pupil_id))
        if self.no_professional:  # a school's laptop (even a draft typed before it was one)
            notes = [n for n in notes if n.visibility is not Visibility.PROFESSIONAL]
        return Visit(
            date=self.date.date().toPython(),
            start=self.start.time().toPython(),
            end=self.end.time().toPython(),
            place_type=PlaceType(self.place.currentData()),
            site_id=self.site.currentData() if self.site_allowed else None,
            worker=base.worker if base else "",
            outcome=Outcome(self.outcome.currentData()),
            next_appointment=self.next_visit.dateTime().toPython() if self.has_next.isChecked() else None,
            entries=self.entries(),
            notes=[n for n in notes if n.text],
        )

    def save(self) -> None:
        if self._saving or not self.isEnabled():
            return
        visit = self.visit()
        if not visit.pupil_ids:
            self.show_error("Tick at least one pupil on this visit.")
            self.pupils.setFocus()
            return
        self._saving = True
        self.save_button.setEnabled(False)
        self.error.hide()
        self.runner.run(lambda: self.app.log_visit(visit), self._saved, self._save_failed)

    def _saved(self, changes: Changes) -> None:
        self._saving = False
        self.draft_saved_as_record()
        self.saved.emit(changes)
        self.accept()

    def _save_failed(self, message: str) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.show_error(message)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _pupil_ticked(self, _item: QListWidgetItem) -> None:
        self.drafts.changed()  # the list is not a field the keeper watches by itself

    # Kept as a draft: the form's own shape (children, their own work), not its fields' names.
    def draft_fields(self) -> Fields:
        return visit_draft(self)

    def restore_draft(self, values: Fields) -> None:
        restore_visit_draft(self, values)

    def draft_description(self) -> tuple[str, dict] | None:
        ids = self.pupil_ids()
        who = self.children_named(ids)
        return (f"visit for {who}" if who else "visit"), {"pupil_id": ids[0] if ids else ""}

    def children_named(self, ids: list[str]) -> str:
        """ "Lily and Noah Smith" for siblings of one surname, else "Ellie Lee and Tom Price";
        in surname order, as their tabs and copies."""
        ids = sorted(ids, key=self._name_order)
        names = [self._name(p) for p in ids]
        rows = [self._caseload.get(p) for p in ids]
        # A caseload row's sort key is name_key(surname, forename): its third part is the surname.
        surnames = {row.sort_key[2] for row in rows if row and len(row.sort_key) > 2}
        if (
            len(ids) > 1
            and len(surnames) == 1
            and all(row and row.name.endswith(f" {row.sort_key[2]}") for row in rows)
        ):
            surname = surnames.pop()
            names = [name[: -len(surname) - 1] for name in names]
            return f"{', '.join(names[:-1])} and {names[-1]} {surname}"
        return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)

    def summary(self) -> str:
        """One line for the status bar once saved."""
        visit = self.visit()

        def names(ids: list[str]) -> str:
            found = [self._name(p).split()[0] for p in ids]
            return ", ".join(found[:-1]) + f" and {found[-1]}" if len(found) > 1 else "".join(found) or "the pupil"

        if visit.outcome is not Outcome.HELD:
            return f"Visit recorded for {names(visit.pupil_ids)}: {visit.outcome.label.lower()}."
        taught = [e.pupil_id for e in visit.entries if e.seen]
        missed = "; ".join(f"{names([e.pupil_id])} {e.not_seen_text.lower()}" for e in visit.entries if not e.seen)
        hours = round(visit.hours, 2)
        if not taught:
            return f"Visit recorded: {missed}."
        line = f"Visit logged for {names(taught)} ({hours:g} {'hour' if hours == 1 else 'hours'})"
        return line + (f"; {missed}." if missed else ".")
