"""Appointments: upcoming teaching slots by day and by site, and booking one.

On a family's arrival the officer books teaching visits, and families phone to
book their own slots (DOMAIN.md, "Visits and sessions"). `AppointmentsView`
lists what is booked; with `set_pupil` the same view shows one pupil's slots
on the pupil record. `BookAppointmentDialog` is used from both.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.records import Appointment, Pupil, Site, Stay
from desktop.services import Changes, Waymark
from desktop.tasks import TaskRunner

from .common import set_tab_order
from .drafts import DraftedDialog, Fields, not_drafted, read_fields, write_fields
from .widgets import DATE_FORMAT, Banner, fmt_date, fmt_day, fmt_time, from_qdate, from_qtime, to_qdate

ID_ROLE = Qt.ItemDataRole.UserRole + 1
PUPILS_ROLE = Qt.ItemDataRole.UserRole + 2

WATCHED = frozenset({"appointment", "pupil", "site"})


def fmt_length(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


# --- the list ---------------------------------------------------------------------------


@dataclass
class Slots:
    """What the view shows, fetched in one background call."""

    appointments: list[Appointment]
    names: dict[str, str]  # pupil id -> display name
    sites: dict[str, Site]
    today: date


def load_slots(app: Waymark, start: date, days: int, site_id: str | None, pupil_id: str | None) -> Slots:
    appointments = app.list_appointments(start, start + timedelta(days=days - 1), site_id=site_id, pupil_id=pupil_id)
    names = {}
    for appointment in appointments:
        for pid in appointment.pupil_ids:
            if pid not in names:
                names[pid] = app.get_pupil(pid).display_name
    return Slots(appointments, names, {s.id: s for s in app.list_sites()}, app.today())


class AppointmentsView(QWidget):
    """Upcoming teaching slots, grouped by day or by site, with Book… and Cancel.

    `set_pupil(id)` turns it into one pupil's list (the pupil record's tab)."""

    pupil_requested = Signal(str)  # double-click: open this pupil's record

    RANGES = (("Next 7 days", 7), ("Next 14 days", 14), ("Next 4 weeks", 28), ("Next 12 weeks", 84))

    def __init__(self, app: Waymark, runner: TaskRunner, parent: QWidget | None = None, *, compact: bool = False):
        super().__init__(parent)
        self.app, self.runner = app, runner
        self._compact = compact
        self._pupil_id: str | None = None
        self._active = False  # false after clear() until the next refresh()
        self._generation = 0
        self._slots: Slots | None = None
        self.setAccessibleName("Appointments")

        self.heading = QLabel("Upcoming teaching slots")
        self.heading.setObjectName("sectionTitle")
        self.range = QComboBox()
        self.range.setAccessibleName("Show appointments for")
        for text, days in self.RANGES:
            self.range.addItem(text, days)
        self.range.setCurrentIndex(3 if compact else 1)
        self.site = QComboBox()
        self.site.setAccessibleName("Site")
        self.site.addItem("All sites", None)
        self.by_day = QPushButton("By &day")
        self.by_site = QPushButton("By s&ite")
        self.group = QButtonGroup(self)
        for button, name in ((self.by_day, "Group by day"), (self.by_site, "Group by site")):
            button.setCheckable(True)
            button.setAccessibleName(name)
            self.group.addButton(button)
        self.by_day.setChecked(True)
        self.book_button = QPushButton("&Book…")
        self.book_button.setObjectName("primary")
        self.book_button.setAccessibleName("Book an appointment")
        self.cancel_button = QPushButton("Cancel appointment…")
        self.cancel_button.setAccessibleName("Cancel the selected appointment")
        self.cancel_button.setEnabled(False)

        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Appointments list")
        self.tree.setStyleSheet("QTreeWidget::item { padding: 4px 2px; }")
        self.tree.setColumnCount(5)
        self.tree.setHeaderLabels(["When", "Length", "Pupils", "Site", "Notes"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((190, 80, 230, 230)):
            self.tree.setColumnWidth(column, width)
        self.empty = QLabel()
        self.empty.setObjectName("hint")
        self.empty.setWordWrap(True)
        self.empty.setAccessibleName("No appointments")
        self.banner = Banner(self)

        bar = QHBoxLayout()
        bar.addWidget(self.heading)
        bar.addStretch(1)
        for widget in (self.range, self.site, self.by_day, self.by_site, self.cancel_button, self.book_button):
            bar.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty)
        set_tab_order(self.range, self.site, self.by_day, self.by_site, self.cancel_button, self.book_button, self.tree)
        if compact:
            for widget in (self.site, self.by_day, self.by_site):
                widget.hide()
            self.heading.setText("Booked teaching slots")
            # In a pupil's record the header's Boo&k does the same: one letter, one button.
            self.book_button.setText("Book…")

        self.range.currentIndexChanged.connect(self.refresh)
        self.site.currentIndexChanged.connect(self.refresh)
        self.group.buttonToggled.connect(lambda _b, checked: checked and self._fill())
        self.book_button.clicked.connect(self.book)
        self.cancel_button.clicked.connect(self._confirm_cancel)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.tree.itemActivated.connect(self._activated)
        runner.did_change.connect(self._on_change)

    # --- public -------------------------------------------------------------------------

    def set_pupil(self, pupil_id: str | None) -> None:
        """Show one pupil's slots (None: everyone's) and load them."""
        self._pupil_id = pupil_id
        self.refresh()

    def refresh(self) -> None:
        self._active = True
        self._generation += 1
        generation = self._generation
        start = self.app.today()
        days = self.range.currentData()
        site_id = self.site.currentData()
        pupil_id = self._pupil_id
        self.runner.run(
            lambda: load_slots(self.app, start, days, site_id, pupil_id),
            lambda slots: self._loaded(generation, slots),
            self._failed,
        )

    def clear(self) -> None:
        """Drop every appointment and name (the app is locking)."""
        self._active = False
        self._generation += 1
        self._slots = None
        self._pupil_id = None
        self.tree.clear()
        self.empty.setText("")
        self.banner.clear_message()
        self.cancel_button.setEnabled(False)
        self.site.blockSignals(True)
        while self.site.count() > 1:
            self.site.removeItem(1)
        self.site.setCurrentIndex(0)
        self.site.blockSignals(False)

    def book(self) -> BookAppointmentDialog:
        """Open the booking dialog, pre-filled with this pupil or the chosen site."""
        site_id = None if self._pupil_id else self.site.currentData()
        dialog = BookAppointmentDialog(self.app, self.runner, self, pupil_id=self._pupil_id, site_id=site_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def cancel_appointment(self, appointment_id: str) -> None:
        self.runner.run(lambda: self.app.cancel_appointment(appointment_id), None, self.banner.show_message)

    def selected_id(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, ID_ROLE) if item and item.isSelected() else None

    # --- loading ------------------------------------------------------------------------

    def _on_change(self, changes: Changes) -> None:
        if self._active and changes.entities & WATCHED:
            self.refresh()

    def _failed(self, message: str) -> None:
        self.banner.show_message(message)

    def _loaded(self, generation: int, slots: Slots) -> None:
        if generation != self._generation:
            return  # a later refresh, or a lock, has overtaken this one
        self.banner.clear_message()
        self._slots = slots
        self._update_sites(slots.sites)
        self._fill()

    def _update_sites(self, sites: dict[str, Site]) -> None:
        chosen = self.site.currentData()
        self.site.blockSignals(True)
        while self.site.count() > 1:
            self.site.removeItem(1)
        for site in sorted(sites.values(), key=lambda s: s.name):
            self.site.addItem(site.name, site.id)
        index = self.site.findData(chosen)
        self.site.setCurrentIndex(max(index, 0))
        self.site.blockSignals(False)

    def _fill(self) -> None:
        slots = self._slots
        selected = self.selected_id()
        self.tree.clear()
        if slots is None:
            return
        by_site = self.by_site.isChecked() and not self._compact
        self.tree.setColumnWidth(0, 240 if by_site else 190)
        groups: dict[str, list[Appointment]] = defaultdict(list)
        for appointment in slots.appointments:
            if by_site:
                site = slots.sites.get(appointment.site_id)
                key = site.name if site else "No site (home, ward or elsewhere)"
            else:
                key = fmt_day(appointment.starts_at.date())
            groups[key].append(appointment)
        keys = sorted(groups) if by_site else list(groups)  # days arrive in date order
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for key in keys:
            appointments = groups[key]
            title = key
            if not by_site and appointments[0].starts_at.date() == slots.today:
                title = f"Today — {key}"
            heading = QTreeWidgetItem([f"{title}  ({len(appointments)})"])
            heading.setFont(0, bold)
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for column in range(self.tree.columnCount()):
                heading.setBackground(column, QBrush(QColor("#e8eef6")))
            heading.setData(0, Qt.ItemDataRole.AccessibleTextRole, f"{title}, {len(appointments)} booked")
            self.tree.addTopLevelItem(heading)
            heading.setFirstColumnSpanned(True)
            for appointment in appointments:
                self.tree.addTopLevelItem(self._row(appointment, slots, by_site))
        count = len(slots.appointments)
        days = self.range.currentText().lower()
        self.empty.setVisible(count == 0)
        self.tree.setVisible(count > 0)
        self.empty.setText(f"Nothing booked in the {days}. Use Book… to add a teaching slot." if count == 0 else "")
        if selected:
            for i in range(self.tree.topLevelItemCount()):
                if self.tree.topLevelItem(i).data(0, ID_ROLE) == selected:
                    self.tree.setCurrentItem(self.tree.topLevelItem(i))
        self._selection_changed()

    @staticmethod
    def _row(appointment: Appointment, slots: Slots, by_site: bool) -> QTreeWidgetItem:
        start = appointment.starts_at
        end = start + timedelta(minutes=appointment.minutes)
        times = f"{fmt_time(start)}–{fmt_time(end)}"
        site = slots.sites.get(appointment.site_id)
        pupils = ", ".join(slots.names.get(pid, "") for pid in appointment.pupil_ids) or "—"
        when = f"{start:%a} {fmt_date(start.date())}, {times}" if by_site else times
        place = site.name if site else "—"
        item = QTreeWidgetItem([f"    {when}", fmt_length(appointment.minutes), pupils, place, appointment.notes])
        item.setData(0, ID_ROLE, appointment.id)
        item.setData(0, PUPILS_ROLE, list(appointment.pupil_ids))
        item.setData(
            0,
            Qt.ItemDataRole.AccessibleTextRole,
            f"{fmt_day(start.date())} {times}, {fmt_length(appointment.minutes)}, {pupils}",
        )
        item.setToolTip(2, pupils)
        item.setToolTip(4, appointment.notes)
        return item

    # --- actions ------------------------------------------------------------------------

    def _selection_changed(self) -> None:
        self.cancel_button.setEnabled(self.selected_id() is not None)

    def _activated(self, item: QTreeWidgetItem) -> None:
        pupils = item.data(0, PUPILS_ROLE)
        if pupils and not self._pupil_id:
            self.pupil_requested.emit(pupils[0])

    def _confirm_cancel(self) -> None:
        appointment_id = self.selected_id()
        if appointment_id is None:
            return
        item = self.tree.currentItem()
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Cancel appointment",
            f"Cancel the slot for {item.text(2)}?\nThe family should be told.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText("Cancel the slot")
        box.button(QMessageBox.StandardButton.No).setText("Keep it")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(lambda: self.cancel_appointment(appointment_id))
        box.open()


# --- booking ------------------------------------------------------------------------------


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
