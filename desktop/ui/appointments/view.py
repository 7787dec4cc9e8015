"""The list of what is booked, by day and by site; with `set_pupil`, one pupil's
slots on the pupil record."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.records import Appointment, Site
from desktop.services import Changes, Waymark
from desktop.tasks import TaskRunner

from ..common import set_tab_order
from ..widgets import Banner, fmt_date, fmt_day, fmt_time, set_available
from .booking import BookAppointmentDialog
from .shared import ID_ROLE, PUPILS_ROLE, WATCHED, fmt_length


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
        self._why_not = ""  # why this laptop may not book or cancel (a school's: set_limits)
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

    def set_limits(self, why_not: str) -> None:
        """A school's laptop: the LA's server keeps appointments with the service, so
        booking or cancelling here would be refused. '' offers both again."""
        self._why_not = why_not
        set_available(self.book_button, not why_not, "Book an appointment", why_not)
        self._selection_changed()

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
        if self._why_not:
            set_available(self.cancel_button, False, "", self._why_not)
        else:
            set_available(
                self.cancel_button,
                self.selected_id() is not None,
                "Cancel the selected appointment",
                "Select an appointment to cancel it.",
            )

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
