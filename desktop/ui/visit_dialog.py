"""Log a visit: quicker than the paper form.

Opened pre-filled by the services (`visit_defaults`): today, where the pupil is
staying, the siblings seen there last time (ticked), the usual times, and each
child's subjects from their own last visit. A typical visit is: Ctrl+N, type
what was covered, Alt+S ("same as last time": each child's own work set), Alt+F
and a note for the family, Ctrl+Return. Every field has a mnemonic (Alt+letter).

Each child on the visit has their own entry. While *Same work for all* is on
(the common case) one form serves every child; turned off (Alt+L), each child
gets a tab of their own (Alt+1, Alt+2, …), starting from what was typed for
all. A child who was there but not taught is marked *not seen* with a reason
(Alt+C, for the child selected in the list): they count no hours.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDateTimeEdit,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import rules
from desktop.domain.enums import NotSeenReason, Outcome, PlaceType, Visibility
from desktop.domain.records import Site, Visit, VisitEntry, VisitNote

if TYPE_CHECKING:  # the services load after the unlock window shows
    from desktop.services import CaseloadRow, Changes, Waymark
    from desktop.tasks import TaskRunner

from .common import click_at_once, label, set_tab_order
from .drafts import DraftedDialog, Fields, not_drafted
from .visit_entry import EntryForm, SubjectsEdit, Work, WorkPanel, split_subjects, text_box
from .widgets import DATE_FORMAT, Banner

__all__ = ["SubjectsEdit", "VisitContext", "VisitDialog", "load_context", "split_subjects"]

# The outcome of the whole visit. "Pupil unwell" is said child by child now (not seen: unwell).
OUTCOMES = [o for o in Outcome if o is not Outcome.PUPIL_UNWELL]


@dataclass
class VisitContext:
    """What the dialog needs, fetched in one background call."""

    visit: Visit
    last: dict[str, VisitEntry]  # each child's own entry at the last visit they were seen
    subjects: list[str]
    sites: list[Site]


def load_context(app: Waymark, pupil_id: str | None) -> VisitContext:
    visit = app.visit_defaults(pupil_id)
    return VisitContext(
        visit=visit,
        last=app.last_entries(visit.pupil_ids),
        subjects=app.known_subjects(),
        sites=app.list_sites(),
    )


class _TabLeaves:
    """Tab leaves a date or time field at once, instead of stepping through its
    day, month and year: the form is filled by Tab and Alt+letter."""

    def focusNextPrevChild(self, forward: bool) -> bool:
        return QWidget.focusNextPrevChild(self, forward)


class DateEdit(_TabLeaves, QDateEdit):
    pass


class TimeEdit(_TabLeaves, QTimeEdit):
    pass


class DateTimeEdit(_TabLeaves, QDateTimeEdit):
    pass


class VisitDialog(DraftedDialog):
    """Log one visit or session; siblings seen together share it, each with their own entry.
    Kept as a draft while it is typed, one draft per visit started: `draft_key` reopens
    a kept one, and a new visit gets a key of its own (see drafts.py)."""

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

    # --- layout ---------------------------------------------------------------------

    def _build(self) -> None:
        self.date = DateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat(DATE_FORMAT)  # 22 Nov 2026, as every date in the app
        self.start = TimeEdit()
        self.end = TimeEdit()
        for edit in (self.start, self.end):
            edit.setDisplayFormat("HH:mm")
        self.hours = label("", "hint")
        self.place = QComboBox()
        for place in PlaceType:
            self.place.addItem(place.label, place.value)  # Qt keeps a StrEnum as a plain str
        self.site = QComboBox()
        self.pupils = QListWidget()
        self.pupils.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        self.seen = QComboBox()
        self.seen.addItem("Seen and taught", None)
        for reason in NotSeenReason:
            self.seen.addItem(f"Not seen: {reason.label.lower()}", reason.value)
        self.add_pupil = QLineEdit()
        self.add_pupil.setPlaceholderText("Type a name or UPN")
        not_drafted(self.add_pupil)  # it finds a child to tick: the ticked children are kept
        self.outcome = QComboBox()
        for outcome in OUTCOMES:
            self.outcome.addItem(outcome.label, outcome.value)
        self.has_next = QCheckBox("Ne&xt visit booked:")
        self.next_visit = DateTimeEdit()
        self.next_visit.setDisplayFormat(f"ddd {DATE_FORMAT} HH:mm")
        self.next_visit.setCalendarPopup(True)
        self.next_visit.setEnabled(False)
        self.has_next.toggled.connect(self.next_visit.setEnabled)
        click_at_once(self.has_next)  # Alt+X then Tab reaches the date at once

        self.work = WorkPanel()
        self.same_for_all, self.shared, self.child_tabs = self.work.same_for_all, self.work.shared, self.work.child_tabs
        self.family_note = text_box("Note for the family: the family will see this", lines=4)
        self.professional_note = text_box("Professionals only: not on the parent's copy", lines=4)

        names = {
            self.date: "Date of visit",
            self.start: "Start time",
            self.end: "End time",
            self.place: "Place",
            self.site: "Site",
            self.pupils: "Pupils on this visit",
            self.seen: "Was the selected child seen",
            self.add_pupil: "Add another pupil",
            self.outcome: "Outcome",
            self.has_next: "Next visit booked",
            self.next_visit: "Next visit date and time",
        }
        for widget, name in names.items():
            widget.setAccessibleName(name)

        when = QFormLayout()
        when.addRow(self._buddy("&Date:", self.date), self.date)
        times = QHBoxLayout()
        times.addWidget(self.start)
        times.addWidget(self._buddy("e&nd:", self.end))
        times.addWidget(self.end)
        times.addWidget(self.hours, 1)
        start_label = self._buddy("S&tart:", self.start)
        when.addRow(start_label, times)
        when.addRow(self._buddy("&Place:", self.place), self.place)
        when.addRow(self._buddy("S&ite:", self.site), self.site)
        when.addRow(self._buddy("Outco&me:", self.outcome), self.outcome)
        when.addRow(self.has_next, self.next_visit)

        who = QVBoxLayout()
        who.addWidget(self._buddy("P&upils on this visit (tick each child):", self.pupils))
        who.addWidget(self.pupils, 1)
        seen_row = QHBoxLayout()
        seen_row.addWidget(self._buddy("The selected &child was:", self.seen))
        seen_row.addWidget(self.seen, 1)
        who.addLayout(seen_row)
        who.addWidget(self._buddy("&Add another pupil:", self.add_pupil))
        who.addWidget(self.add_pupil)

        left = QVBoxLayout()
        left.addLayout(when)
        left.addLayout(who, 1)

        columns = QHBoxLayout()
        columns.addLayout(left, 2)
        columns.addSpacing(16)
        columns.addWidget(self.work, 3)

        # Who reads a note is said in the label itself, in words and colour.
        notes = QGridLayout()
        notes.setHorizontalSpacing(16)
        family = self._buddy("Note for the &family — the family will see this", self.family_note)
        family.setObjectName("familyNote")
        professional = self._buddy("Pr&ofessionals only — not on the parent's copy", self.professional_note)
        professional.setObjectName("professionalNote")
        notes.addWidget(family, 0, 0)
        notes.addWidget(self.family_note, 1, 0)
        notes.addWidget(professional, 0, 1)
        notes.addWidget(self.professional_note, 1, 1)

        self.error = label("", "error", wrap=True)
        self.error.setAccessibleName("Problem saving the visit")
        self.error.hide()
        self.save_button = QPushButton("Save visit")
        self.save_button.setObjectName("primary")
        self.save_button.setToolTip("Save (Ctrl+Return)")
        self.save_button.setAccessibleName("Save visit")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel")
        buttons = QHBoxLayout()
        buttons.addWidget(label("Ctrl+Return saves · Esc cancels", "hint"))
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)

        self.heading = label("Log a visit", "heading")
        self.banner = Banner(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.banner)
        layout.addSpacing(4)
        layout.addLayout(columns, 1)
        layout.addSpacing(8)
        layout.addLayout(notes)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self._set_tab_order()

        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self, activated=self.save)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self.pupils.itemChanged.connect(self._pupils_changed)
        self.pupils.currentRowChanged.connect(self._show_seen)
        self.seen.currentIndexChanged.connect(self._seen_changed)
        self.start.timeChanged.connect(self._update_hours)
        self.end.timeChanged.connect(self._update_hours)
        self.outcome.currentIndexChanged.connect(self._update_hours)
        self._build_pupil_completer()

    def _set_tab_order(self) -> None:
        """Down the left column, then the work (the shared form, or each child's in
        turn: only the visible one is visited), then the notes and the buttons."""
        set_tab_order(
            self.date,
            self.start,
            self.end,
            self.place,
            self.site,
            self.outcome,
            self.has_next,
            self.next_visit,
            self.pupils,
            self.seen,
            self.add_pupil,
            *self.work.fields(),
            self.family_note,
            self.professional_note,
            self.save_button,
            self.cancel_button,
        )

    @staticmethod
    def _buddy(text: str, widget: QWidget) -> QLabel:
        buddy = QLabel(text)
        buddy.setBuddy(widget)
        return buddy

    def _build_pupil_completer(self) -> None:
        self._choices = {}
        for row in sorted(self._caseload.values(), key=lambda r: r.name.casefold()):
            where = row.site or row.base_school
            text = f"{row.name} ({row.upn or 'no UPN'}{', ' + where if where else ''})"
            self._choices[text] = row.pupil_id
        completer = QCompleter(list(self._choices), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.activated.connect(self._choose_pupil)
        self.add_pupil.setCompleter(completer)
        self.add_pupil.returnPressed.connect(lambda: self._choose_pupil(self.add_pupil.text()))

    # --- the shared fields for the old, single-form callers --------------------------

    @property
    def subjects(self) -> SubjectsEdit:
        return self.shared.subjects

    @property
    def work_covered(self):
        return self.shared.work_covered

    @property
    def work_set(self) -> QLineEdit:
        return self.shared.work_set

    @property
    def same_as_last(self) -> QPushButton:
        return self.shared.same_as_last

    @property
    def work_returned(self) -> QLineEdit:
        return self.shared.work_returned

    @property
    def levels(self) -> QLineEdit:
        return self.shared.levels

    def entry_form(self, pupil_id: str) -> EntryForm:
        """The form that holds this child's work now: their own, or the one for all."""
        return self.work.form_for(pupil_id)

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
        start = visit.start or _round_down(datetime.now().time())
        end = visit.end or (datetime.combine(visit.date, start) + timedelta(hours=1)).time()
        self.start.setTime(QTime(start.hour, start.minute))
        self.end.setTime(QTime(end.hour, end.minute))
        self.place.setCurrentIndex(max(0, self.place.findData(PlaceType(visit.place_type).value)))
        self.site.clear()
        self.site.addItem("No site", None)
        for site in context.sites:
            self.site.addItem(site.name, site.id)
        self.site.setCurrentIndex(max(0, self.site.findData(visit.site_id)) if visit.site_id else 0)
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
        return Visit(
            date=self.date.date().toPython(),
            start=self.start.time().toPython(),
            end=self.end.time().toPython(),
            place_type=PlaceType(self.place.currentData()),
            site_id=self.site.currentData(),
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


# --- the draft ------------------------------------------------------------------------------


def _work_dict(work: Work) -> dict:
    return {
        "subjects": list(work.subjects),
        "work_covered": work.work_covered,
        "work_set": work.work_set,
        "work_returned": work.work_returned,
        "levels_and_needs": work.levels_and_needs,
    }


def _work(values: dict) -> Work:
    return Work(
        subjects=tuple(values.get("subjects", ())),
        work_covered=values.get("work_covered", ""),
        work_set=values.get("work_set", ""),
        work_returned=values.get("work_returned", ""),
        levels_and_needs=values.get("levels_and_needs", ""),
    )


def visit_draft(dialog: VisitDialog) -> Fields:
    """Everything the visit form holds, the children's own work and reasons included."""
    return {
        "date": dialog.date.date().toPython().isoformat(),
        "start": dialog.start.time().toString("HH:mm"),
        "end": dialog.end.time().toString("HH:mm"),
        "place": dialog.place.currentData(),
        "site": dialog.site.currentData(),
        "outcome": dialog.outcome.currentData(),
        "next": dialog.next_visit.dateTime().toString("yyyy-MM-dd HH:mm") if dialog.has_next.isChecked() else None,
        "pupils": [
            [
                dialog.pupils.item(i).data(Qt.ItemDataRole.UserRole),
                dialog.pupils.item(i).checkState() == Qt.CheckState.Checked,
            ]
            for i in range(dialog.pupils.count())
        ],
        "not_seen": {pupil_id: reason.value for pupil_id, reason in dialog.work.not_seen.items()},
        "same_for_all": dialog.work.same_for_all.isChecked(),
        "shared": _work_dict(dialog.work.shared.work()),
        "children": {pupil_id: _work_dict(form.work()) for pupil_id, form in dialog.work.forms.items()},
        "child_notes": {pupil_id: list(form.notes()) for pupil_id, form in dialog.work.forms.items()},
        "family_note": dialog.family_note.toPlainText(),
        "professional_note": dialog.professional_note.toPlainText(),
    }


def restore_visit_draft(dialog: VisitDialog, values: Fields) -> None:
    """Put a kept visit back: its pupils ticked as they were, each child's own work."""
    try:
        day = datetime.strptime(values["date"], "%Y-%m-%d").date()
        dialog.date.setDate(QDate(day.year, day.month, day.day))
        for edit, key in ((dialog.start, "start"), (dialog.end, "end")):
            moment = datetime.strptime(values[key], "%H:%M").time()
            edit.setTime(QTime(moment.hour, moment.minute))
    except (KeyError, ValueError):
        pass  # an old or damaged draft keeps today's date and the usual times
    for combo, key in ((dialog.place, "place"), (dialog.site, "site"), (dialog.outcome, "outcome")):
        index = combo.findData(values.get(key))
        if index >= 0:
            combo.setCurrentIndex(index)
    if values.get("next"):
        moment = datetime.strptime(values["next"], "%Y-%m-%d %H:%M")
        dialog.has_next.setChecked(True)
        dialog.next_visit.setDateTime(
            QDateTime(QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute))
        )
    dialog._quiet = True
    dialog.pupils.clear()
    for pupil_id, checked in values.get("pupils", []):
        if pupil_id in dialog._caseload:
            dialog._add_pupil_item(pupil_id, checked=checked)
    dialog._quiet = False
    work = dialog.work
    work.not_seen = {
        pupil_id: NotSeenReason(reason)
        for pupil_id, reason in values.get("not_seen", {}).items()
        if pupil_id in dialog._caseload
    }
    children = dialog.pupil_ids()
    work.names.update({pupil_id: dialog._name(pupil_id) for pupil_id in children})
    work._quiet = True
    work.same_for_all.setChecked(bool(values.get("same_for_all", True)))
    work.shared.set_work(_work(values.get("shared", {})))
    work._quiet = False
    own = {pupil_id: _work(w) for pupil_id, w in values.get("children", {}).items() if pupil_id in children}
    work.set_children(children, start_from=own)
    for pupil_id, kept in own.items():
        work.forms[pupil_id].set_work(kept)
    for pupil_id, (family, professional) in values.get("child_notes", {}).items():
        if pupil_id in work.forms:
            work.forms[pupil_id].set_notes(family, professional)
    work.set_children(children)
    for i in range(dialog.pupils.count()):
        item = dialog.pupils.item(i)
        item.setText(dialog._pupil_text(item.data(Qt.ItemDataRole.UserRole)))
    dialog.family_note.setPlainText(values.get("family_note", ""))
    dialog.professional_note.setPlainText(values.get("professional_note", ""))
    missing = [p for p in children if p not in work.last]
    if missing:  # "Same as last time" needs each child's own last visit
        dialog.runner.run(lambda: dialog.app.last_entries(missing), work.add_last)
    dialog._set_tab_order()
    dialog._update_hours()
    first = dialog._caseload.get(children[0]) if children else None
    dialog.heading.setText(f"Log a visit — {first.name}" if first else "Log a visit")


def _round_down(moment: time) -> time:
    """Now, to the quarter hour below: a sensible start for a visit logged on the spot."""
    return time(moment.hour, moment.minute - moment.minute % 15)
