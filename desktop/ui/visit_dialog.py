"""Log a visit: quicker than the paper form.

Opened pre-filled by the services (`visit_defaults`): today, where the pupil is
staying, the siblings seen there last time (checked), the usual times and
subjects. A typical visit is: Ctrl+N, type what was covered, Alt+S ("same as
last time" for work set), Alt+F and a note for the family, Ctrl+Return — six
interactions, keyboard only. Every field has a mnemonic (Alt+letter).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QDateTime, QStringListModel, Qt, QTime, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import rules
from desktop.domain.enums import Outcome, PlaceType, Visibility
from desktop.domain.records import Site, Visit, VisitNote

if TYPE_CHECKING:  # the services load after the unlock window shows
    from desktop.services import CaseloadRow, Changes, Waymark
    from desktop.tasks import TaskRunner

from .common import label, set_tab_order


@dataclass
class VisitContext:
    """What the dialog needs, fetched in one background call."""

    visit: Visit
    last_work_set: str
    subjects: list[str]
    sites: list[Site]


def load_context(app: Waymark, pupil_id: str | None) -> VisitContext:
    return VisitContext(
        visit=app.visit_defaults(pupil_id),
        last_work_set=app.last_work_set(pupil_id) if pupil_id else "",
        subjects=app.known_subjects(),
        sites=app.list_sites(),
    )


def split_subjects(text: str) -> list[str]:
    return [s.strip() for s in text.split(",") if s.strip()]


class SubjectsEdit(QLineEdit):
    """Comma-separated subjects; type-ahead completes the subject being typed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = QStringListModel(self)
        self._completer = QCompleter(self._model, self)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self._completer.setWidget(self)
        self._completer.activated.connect(self._insert)
        self.textEdited.connect(self._complete)

    def set_subjects(self, subjects: Sequence[str]) -> None:
        self._model.setStringList(list(subjects))

    def _current_word(self) -> str:
        return self.text()[: self.cursorPosition()].split(",")[-1].strip()

    def _complete(self) -> None:
        word = self._current_word()
        if not word:
            self._completer.popup().hide()
            return
        self._completer.setCompletionPrefix(word)
        if self._completer.completionCount():
            self._completer.complete()
        else:
            self._completer.popup().hide()

    def _insert(self, subject: str) -> None:
        before = self.text()[: self.cursorPosition()]
        after = self.text()[self.cursorPosition() :]
        head = before.rsplit(",", 1)[0] + ", " if "," in before else ""
        self.setText(f"{head}{subject}, {after.lstrip(', ')}".rstrip())
        self.setCursorPosition(len(head) + len(subject) + 2)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        popup = self._completer.popup()
        if popup.isVisible() and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # Enter with nothing highlighted takes the first match, as type-ahead should.
            popup.hide()
            self._insert(self._completer.currentCompletion())
            return
        super().keyPressEvent(event)


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


def _text_box(name: str, lines: int = 3) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setAccessibleName(name)
    box.setTabChangesFocus(True)  # Tab moves on, as in every other field
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 14)
    return box


class VisitDialog(QDialog):
    """Log one visit or session; siblings seen together share it."""

    saved = Signal(object)  # Changes

    def __init__(
        self,
        app: Waymark,
        runner: TaskRunner,
        caseload: Sequence[CaseloadRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.app, self.runner = app, runner
        self._caseload = {row.pupil_id: row for row in caseload}
        self._context: VisitContext | None = None
        self._saving = False
        self.setWindowTitle("Log a visit")
        self.setAccessibleName("Log a visit")
        self.setModal(True)
        self._build()
        self.resize(940, 620)

    # --- layout ---------------------------------------------------------------------

    def _build(self) -> None:
        self.date = DateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
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
        self.add_pupil = QLineEdit()
        self.add_pupil.setPlaceholderText("Type a name or UPN")
        self.outcome = QComboBox()
        for outcome in Outcome:
            self.outcome.addItem(outcome.label, outcome.value)
        self.has_next = QCheckBox("Ne&xt visit booked:")
        self.next_visit = DateTimeEdit()
        self.next_visit.setDisplayFormat("ddd dd/MM/yyyy HH:mm")
        self.next_visit.setCalendarPopup(True)
        self.next_visit.setEnabled(False)
        self.has_next.toggled.connect(self.next_visit.setEnabled)

        self.subjects = SubjectsEdit()
        self.subjects.setPlaceholderText("English, Maths")
        self.work_covered = _text_box("Work covered", lines=5)
        self.work_set = QLineEdit()
        self.same_as_last = QPushButton("&Same as last time")
        self.work_returned = QLineEdit()
        self.work_returned.setPlaceholderText("What came back, and whether it was marked")
        self.levels = QLineEdit()
        self.levels.setPlaceholderText("Levels reached, learning gaps, help needed")
        self.family_note = _text_box("Note for the family: the family will see this", lines=4)
        self.professional_note = _text_box("Professionals only: not on the parent's copy", lines=4)

        names = {
            self.date: "Date of visit",
            self.start: "Start time",
            self.end: "End time",
            self.place: "Place",
            self.site: "Site",
            self.pupils: "Pupils seen",
            self.add_pupil: "Add another pupil",
            self.outcome: "Outcome",
            self.has_next: "Next visit booked",
            self.next_visit: "Next visit date and time",
            self.subjects: "Subjects",
            self.work_set: "Work set",
            self.same_as_last: "Same work set as last time",
            self.work_returned: "Work returned and marked",
            self.levels: "Levels, learning gaps and needs",
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
        who.addWidget(self._buddy("P&upils seen (tick each child taught):", self.pupils))
        who.addWidget(self.pupils, 1)
        who.addWidget(self._buddy("&Add another pupil:", self.add_pupil))
        who.addWidget(self.add_pupil)

        left = QVBoxLayout()
        left.addLayout(when)
        left.addLayout(who, 1)

        what = QFormLayout()
        what.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        what.addRow(self._buddy("Su&bjects:", self.subjects), self.subjects)
        what.addRow(self._buddy("&Work covered:", self.work_covered), self.work_covered)
        work_set_row = QHBoxLayout()
        work_set_row.addWidget(self.work_set, 1)
        work_set_row.addWidget(self.same_as_last)
        what.addRow(self._buddy("Work s&et:", self.work_set), work_set_row)
        what.addRow(self._buddy("Work &returned:", self.work_returned), self.work_returned)
        what.addRow(self._buddy("Le&vels and needs:", self.levels), self.levels)

        right = QVBoxLayout()
        right.addLayout(what)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 2)
        columns.addSpacing(16)
        columns.addLayout(right, 3)

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
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addSpacing(4)
        layout.addLayout(columns, 1)
        layout.addSpacing(8)
        layout.addLayout(notes)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

        order = [
            self.date,
            self.start,
            self.end,
            self.place,
            self.site,
            self.outcome,
            self.has_next,
            self.next_visit,
            self.pupils,
            self.add_pupil,
            self.subjects,
            self.work_covered,
            self.work_set,
            self.same_as_last,
            self.work_returned,
            self.levels,
            self.family_note,
            self.professional_note,
            self.save_button,
            self.cancel_button,
        ]
        set_tab_order(*order)

        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self, activated=self.save)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self.same_as_last.clicked.connect(self._same_as_last)
        self.start.timeChanged.connect(self._update_hours)
        self.end.timeChanged.connect(self._update_hours)
        self.outcome.currentIndexChanged.connect(self._update_hours)
        self._build_pupil_completer()

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

    # --- filling ------------------------------------------------------------------------

    def start_for(self, pupil_id: str | None) -> None:
        """Load the defaults for a pupil (or a blank visit) in the background."""
        self.setEnabled(False)
        self.runner.run(lambda: load_context(self.app, pupil_id), self._fill, self._load_failed)

    def _load_failed(self, message: str) -> None:
        self.setEnabled(True)
        self.show_error(message)

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
        self.subjects.set_subjects(context.subjects)
        self.subjects.setText(", ".join(visit.subjects))
        self.same_as_last.setEnabled(bool(context.last_work_set))
        self.same_as_last.setToolTip(context.last_work_set or "No work was set last time")
        self.next_visit.setDateTime(QDateTime(today.addDays(7), QTime(start.hour, start.minute)))
        self._fill_pupils(visit)
        self._update_hours()
        first = self._caseload.get(visit.pupil_ids[0]) if visit.pupil_ids else None
        self.heading.setText(f"Log a visit — {first.name}" if first else "Log a visit")
        (self.work_covered if visit.pupil_ids else self.add_pupil).setFocus()

    def _fill_pupils(self, visit: Visit) -> None:
        """The pupils seen last time, checked; other children at the same site, unchecked."""
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
        row = self._caseload.get(pupil_id)
        text = row.name if row else "Pupil not on the caseload"
        if row:
            text += f" — {rules.format_nc_year(row.nc_year)}"
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, pupil_id)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.pupils.addItem(item)

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

    def _same_as_last(self) -> None:
        if self._context and self._context.last_work_set:
            self.work_set.setText(self._context.last_work_set)

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

    def visit(self) -> Visit:
        """The visit as the form stands."""
        base = self._context.visit if self._context else None
        day = self.date.date().toPython()
        notes = [
            VisitNote(text=self.family_note.toPlainText().strip(), visibility=Visibility.FAMILY),
            VisitNote(text=self.professional_note.toPlainText().strip(), visibility=Visibility.PROFESSIONAL),
        ]
        return Visit(
            date=day,
            start=self.start.time().toPython(),
            end=self.end.time().toPython(),
            place_type=PlaceType(self.place.currentData()),
            site_id=self.site.currentData(),
            worker=base.worker if base else "",
            pupil_ids=self.pupil_ids(),
            subjects=split_subjects(self.subjects.text()),
            work_covered=self.work_covered.toPlainText().strip(),
            work_set=self.work_set.text().strip(),
            work_returned=self.work_returned.text().strip(),
            levels_and_needs=self.levels.text().strip(),
            outcome=Outcome(self.outcome.currentData()),
            next_appointment=self.next_visit.dateTime().toPython() if self.has_next.isChecked() else None,
            notes=[n for n in notes if n.text],
        )

    def save(self) -> None:
        if self._saving or not self.isEnabled():
            return
        visit = self.visit()
        if not visit.pupil_ids:
            self.show_error("Tick at least one pupil who was seen.")
            self.pupils.setFocus()
            return
        self._saving = True
        self.save_button.setEnabled(False)
        self.error.hide()
        self.runner.run(lambda: self.app.log_visit(visit), self._saved, self._save_failed)

    def _saved(self, changes: Changes) -> None:
        self._saving = False
        self.saved.emit(changes)
        self.accept()

    def _save_failed(self, message: str) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.show_error(message)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def summary(self) -> str:
        """One line for the status bar once saved."""
        visit = self.visit()
        names = [self._caseload[p].name.split()[0] for p in visit.pupil_ids if p in self._caseload]
        who = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names) or "the pupil"
        if visit.outcome is not Outcome.HELD:
            return f"Visit recorded for {who}: {visit.outcome.label.lower()}."
        hours = round(visit.hours, 2)
        return f"Visit logged for {who} ({hours:g} {'hour' if hours == 1 else 'hours'})."


def _round_down(moment: time) -> time:
    """Now, to the quarter hour below: a sensible start for a visit logged on the spot."""
    return time(moment.hour, moment.minute - moment.minute % 15)
