"""The form of Log a visit: its fields, labels (every one with a mnemonic) and tab order."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enums import NotSeenReason, PlaceType

from ..common import click_at_once, label, set_tab_order
from ..drafts import not_drafted
from ..widgets import DATE_FORMAT, Banner
from .context import OUTCOMES
from .edits import DateEdit, DateTimeEdit, TimeEdit
from .entry import EntryForm, SubjectsEdit, WorkPanel, text_box


class VisitForm:
    """Mixed into `VisitDialog`: builds the form; the dialog handles what it does."""

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
