"""Booking an appointment: the form, its choices loaded off the UI thread, its draft."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.records import Appointment, Pupil, Site, Stay
from desktop.services import Changes, Waymark
from desktop.tasks import TaskRunner

from ..common import set_tab_order
from ..drafts import DraftedDialog, Fields, not_drafted, read_fields, write_fields
from ..widgets import DATE_FORMAT, Banner, from_qdate, from_qtime, to_qdate
from .shared import ID_ROLE, next_working_day


@dataclass
class BookingChoices:
    pupils: list[Pupil]
    sites: list[Site]
    stays: dict[str, Stay]  # pupil id -> current stay
    today: date


def load_choices(app: Waymark) -> BookingChoices:
    return BookingChoices(app.list_pupils(), app.list_sites(), app.current_stays(), app.today())


class BookAppointmentDialog(DraftedDialog):
    """Book a teaching slot: when, how long, where, and for whom (siblings together).
    Kept as a draft while filled in: one per pupil it was opened for (or one from the
    appointments list)."""

    booked = Signal(str)  # the new appointment's id

    def __init__(
        self,
        app: Waymark,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        pupil_id: str | None = None,
        site_id: str | None = None,
        day: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.app, self.runner = app, runner
        self._pupil_id, self._site_id, self._day = pupil_id, site_id, day
        self._choices: BookingChoices | None = None
        self._saving = False
        self.setWindowTitle("Book an appointment")
        self.setAccessibleName("Book an appointment")
        self.setModal(True)

        self.date = QDateEdit()
        self.date.setDisplayFormat(DATE_FORMAT)
        self.date.setCalendarPopup(True)
        self.time = QTimeEdit()
        self.time.setDisplayFormat("HH:mm")
        self.time.setTime(self.time.time().fromString("10:00", "HH:mm"))
        self.minutes = QSpinBox()
        self.minutes.setRange(5, 480)
        self.minutes.setSingleStep(15)
        self.minutes.setValue(60)
        self.minutes.setSuffix(" min")
        self.site = QComboBox()
        self.site.addItem("No site (home, ward or elsewhere)", None)
        self.find = QLineEdit()
        self.find.setPlaceholderText("Find a pupil by name")
        self.find.setClearButtonEnabled(True)
        self.here_only = QCheckBox("Only pupils staying at this &site")
        self.pupils = QListWidget()
        self.pupils.setMinimumHeight(160)
        self.notes = QLineEdit()
        self.notes.setPlaceholderText("e.g. Weekly teaching visit; bring reading books")
        self.banner = Banner(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.book_button = self.buttons.addButton("&Book", QDialogButtonBox.ButtonRole.AcceptRole)
        self.book_button.setObjectName("primary")
        self.book_button.setDefault(True)
        self.book_button.setEnabled(False)
        self.book_button.setToolTip("Book (Ctrl+Return)")
        for widget, name in (
            (self.date, "Date"),
            (self.time, "Start time"),
            (self.minutes, "Length in minutes"),
            (self.site, "Site"),
            (self.find, "Find a pupil"),
            (self.here_only, "Only pupils staying at this site"),
            (self.pupils, "Pupils to see: check each one"),
            (self.notes, "Notes"),
            (self.book_button, "Book"),
            (self.buttons.button(QDialogButtonBox.StandardButton.Cancel), "Cancel"),
        ):
            widget.setAccessibleName(name)

        when = QHBoxLayout()
        when.addWidget(self.date)
        when.addWidget(QLabel("at"))
        when.addWidget(self.time)
        when.addWidget(QLabel("for"))
        when.addWidget(self.minutes)
        when.addStretch(1)
        form = QFormLayout()
        form.addRow(self._buddy("&When:", self.date), when)
        form.addRow(self._buddy("Sit&e:", self.site), self.site)
        pupils = QVBoxLayout()
        pupils.addWidget(self.find)
        pupils.addWidget(self.here_only)
        pupils.addWidget(self.pupils)
        self.chosen = QLabel()
        self.chosen.setObjectName("hint")
        self.chosen.setAccessibleName("Pupils chosen")
        pupils.addWidget(self.chosen)
        form.addRow(self._buddy("&Pupils:", self.find), pupils)
        form.addRow(self._buddy("&Notes:", self.notes), self.notes)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        set_tab_order(self.date, self.time, self.minutes, self.site, self.find, self.here_only, self.pupils, self.notes)

        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.submit)
        self.site.currentIndexChanged.connect(self._filter)
        self.here_only.toggled.connect(self._filter)
        self.find.textChanged.connect(self._filter)
        self.pupils.itemChanged.connect(self._update_chosen)
        self.resize(560, 500)

        not_drafted(self.find, self.here_only)  # they only find pupils
        self.keep_drafts("appointment", pupil_id or "", title="appointment", context={"pupil_id": pupil_id or ""})
        self.pupils.itemChanged.connect(lambda *_: self.drafts.changed())
        self.loading_started()  # a kept draft's pupils go back once the pupils are listed
        self.banner.show_message("Loading pupils and sites…", "info")
        self.runner.run(lambda: load_choices(app), self._loaded, self._load_failed)

    def _load_failed(self, message: str) -> None:
        self._failed(message)
        self.loading_finished()

    # Kept as a draft: the fields, and the pupils checked in the list.
    def draft_fields(self) -> Fields:
        return {**read_fields(self), "pupils": sorted(self.checked_pupils())}

    def restore_draft(self, values: Fields) -> None:
        write_fields(self, values)
        wanted = set(values.get("pupils", []))
        self.pupils.blockSignals(True)
        for row in range(self.pupils.count()):
            item = self.pupils.item(row)
            item.setCheckState(Qt.CheckState.Checked if item.data(ID_ROLE) in wanted else Qt.CheckState.Unchecked)
        self.pupils.blockSignals(False)
        self._filter()
        self._update_chosen()

    def draft_description(self) -> tuple[str, dict] | None:
        names = [
            self.pupils.item(row).text()
            for row in range(self.pupils.count())
            if self.pupils.item(row).checkState() == Qt.CheckState.Checked
        ]
        who = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
        return (f"appointment for {who}" if who else "appointment"), {"pupil_id": self._pupil_id or ""}

    @staticmethod
    def _buddy(text: str, widget: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(widget)
        return label

    # --- loading -----------------------------------------------------------------------------

    def _failed(self, message: str) -> None:
        self._saving = False
        self.banner.show_message(message)
        self.book_button.setEnabled(self._choices is not None)

    def _loaded(self, choices: BookingChoices) -> None:
        self._choices = choices
        self.banner.clear_message()
        self.date.setDate(to_qdate(self._day or next_working_day(choices.today)))
        self.date.setMinimumDate(to_qdate(choices.today))
        for site in choices.sites:
            self.site.addItem(site.name, site.id)
        stay = choices.stays.get(self._pupil_id) if self._pupil_id else None
        site_id = self._site_id or (stay.site_id if stay else None)
        chosen = self._pupil_siblings(choices, self._pupil_id, site_id)
        self.pupils.blockSignals(True)
        for pupil in choices.pupils:
            item = QListWidgetItem(pupil.display_name)
            item.setData(ID_ROLE, pupil.id)
            stay_here = choices.stays.get(pupil.id)
            item.setData(Qt.ItemDataRole.UserRole + 3, stay_here.site_id if stay_here else None)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if pupil.id in chosen else Qt.CheckState.Unchecked)
            self.pupils.addItem(item)
        self.pupils.blockSignals(False)
        self.site.setCurrentIndex(max(self.site.findData(site_id), 0))
        self.here_only.setChecked(site_id is not None)
        self._filter()
        self._update_chosen()
        self.book_button.setEnabled(True)
        self.date.setFocus()
        self.loading_finished()

    @staticmethod
    def _pupil_siblings(choices: BookingChoices, pupil_id: str | None, site_id: str | None) -> set[str]:
        """The pupil, and brothers and sisters staying at the same site: families book together."""
        if not pupil_id:
            return set()
        pupil = next((p for p in choices.pupils if p.id == pupil_id), None)
        if pupil is None or site_id is None:
            return {pupil_id}
        return {pupil_id} | {
            p.id
            for p in choices.pupils
            if p.surname == pupil.surname and (s := choices.stays.get(p.id)) is not None and s.site_id == site_id
        }

    def _filter(self) -> None:
        site_id = self.site.currentData()
        self.here_only.setEnabled(site_id is not None)
        here_only = self.here_only.isChecked() and site_id is not None
        needle = self.find.text().strip().casefold()
        for row in range(self.pupils.count()):
            item = self.pupils.item(row)
            visible = item.checkState() == Qt.CheckState.Checked or (
                (not here_only or item.data(Qt.ItemDataRole.UserRole + 3) == site_id)
                and (not needle or needle in item.text().casefold())
            )
            item.setHidden(not visible)

    def checked_pupils(self) -> list[str]:
        return [
            self.pupils.item(row).data(ID_ROLE)
            for row in range(self.pupils.count())
            if self.pupils.item(row).checkState() == Qt.CheckState.Checked
        ]

    def _update_chosen(self) -> None:
        names = [
            self.pupils.item(row).text()
            for row in range(self.pupils.count())
            if self.pupils.item(row).checkState() == Qt.CheckState.Checked
        ]
        self.chosen.setText(f"Booking for: {', '.join(names)}" if names else "No pupil chosen yet.")

    # --- saving ------------------------------------------------------------------------------

    def appointment(self) -> Appointment:
        return Appointment(
            pupil_ids=self.checked_pupils(),
            site_id=self.site.currentData(),
            starts_at=datetime.combine(from_qdate(self.date.date()), from_qtime(self.time.time())),
            minutes=self.minutes.value(),
            notes=self.notes.text().strip(),
        )

    def submit(self) -> None:
        if self._saving or self._choices is None:
            return
        appointment = self.appointment()
        if not appointment.pupil_ids:
            self.banner.show_message("Choose at least one pupil to see.")
            self.find.setFocus()
            return
        self._saving = True
        self.book_button.setEnabled(False)
        self.runner.run(lambda: self.app.book_appointment(appointment), self._saved, self._failed)

    def _saved(self, changes: Changes) -> None:
        self._saving = False
        self.draft_saved_as_record()
        self.booked.emit(changes.id)
        self.accept()
