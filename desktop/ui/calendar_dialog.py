"""File → School term dates: the academic years the rules count school days in,
where each year's dates come from, and importing an LA's own (CSV or iCalendar)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .widgets import Banner, esc, set_available

if TYPE_CHECKING:  # the window opens before the services load (tests/desktop/test_app_entry.py)
    from desktop.services import CalendarImport, CalendarYear, Waymark
    from desktop.tasks import TaskRunner

FILE_FILTER = "Term dates (*.ics *.csv);;iCalendar (*.ics);;CSV (*.csv);;All files (*)"


class CalendarDialog(QDialog):
    """The school calendar in use. Every rule that counts school days reads it:
    the 15-day trigger, weekly hours, exclusions, part-time timetables."""

    def __init__(self, app: Waymark, runner: TaskRunner, parent: QWidget | None = None, *, why_not: str = "") -> None:
        super().__init__(parent)
        self.app, self.runner = app, runner
        self.setWindowTitle("School term dates")
        self.setAccessibleName("School term dates")
        self.banner = Banner(self)
        intro = QLabel(
            "School days are counted on these term dates: holidays, INSET days and bank holidays do not count. "
            "Waymark ships a typical pattern for England; import your LA's own dates (the CSV or iCalendar file "
            "it publishes) to replace a year. Years not listed count every weekday."
        )
        intro.setWordWrap(True)
        self.years = QTreeWidget()
        self.years.setAccessibleName("Academic years")
        self.years.setHeaderLabels(["Year", "School days", "Terms", "Dates from"])
        self.years.setRootIsDecorated(False)
        self.years.setColumnWidth(0, 80)
        self.years.setColumnWidth(1, 110)
        self.years.setColumnWidth(2, 60)
        self.import_button = QPushButton("&Import an LA's dates…")
        self.import_button.setAccessibleName("Import an LA's term dates")
        self.reset_button = QPushButton("Use the &default for this year")
        self.reset_button.setAccessibleName("Use the England default for the selected year")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.reset_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.banner)
        layout.addWidget(self.years, 1)
        layout.addWidget(buttons)
        self.why_not = why_not  # a school's laptop: the LA's term dates come from the LA's server
        set_available(self.import_button, not why_not, "Import an LA's term dates from CSV or iCalendar", why_not)
        self.import_button.clicked.connect(self.choose_file)
        self.reset_button.clicked.connect(self.reset_selected)
        self.years.itemSelectionChanged.connect(self._selection)
        self.resize(620, 380)
        self.reload()

    def reload(self) -> None:
        self.runner.run(self.app.calendar_years, self._fill, self._failed)

    def _fill(self, years: list[CalendarYear]) -> None:
        if not shiboken6.isValid(self):
            return
        self.years.clear()
        for year in years:
            item = QTreeWidgetItem([year.label, str(year.school_days), str(len(year.terms)), year.source])
            item.setData(0, Qt.ItemDataRole.UserRole, year.year)
            item.setData(1, Qt.ItemDataRole.UserRole, year.imported)
            item.setToolTip(3, year.source)
            self.years.addTopLevelItem(item)
        self._selection()

    def _selection(self) -> None:
        items = self.years.selectedItems()
        if self.why_not:
            set_available(self.reset_button, False, "", self.why_not)
            return
        self.reset_button.setEnabled(bool(items) and bool(items[0].data(1, Qt.ItemDataRole.UserRole)))

    def _failed(self, message: str) -> None:
        if shiboken6.isValid(self):
            self.banner.show_message(message)

    def choose_file(self) -> QFileDialog:
        """Non-blocking, so the idle lock is never stuck behind it."""
        chooser = QFileDialog(self, "Import an LA's term dates", str(Path.home()), FILE_FILTER)
        chooser.setFileMode(QFileDialog.FileMode.ExistingFile)
        chooser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        chooser.fileSelected.connect(self.import_file)
        chooser.open()
        return chooser

    def import_file(self, path: str) -> None:
        self.banner.clear_message()
        self.runner.run(lambda: self.app.import_calendar_file(Path(path)), self._imported, self._failed)

    def _imported(self, done: CalendarImport) -> None:
        self.runner.did_change.emit(done.changes)  # every school-day count moves
        if not shiboken6.isValid(self):
            return
        lines = [f"Imported {y.label} from {esc(y.source)}: {y.school_days} school days." for y in done.years]
        lines += [esc(note) for note in done.notes]
        self.banner.show_message("<br>".join(lines), "warn" if done.notes else "info")
        self.reload()

    def reset_selected(self) -> None:
        items = self.years.selectedItems()
        if not items:
            return
        year = items[0].data(0, Qt.ItemDataRole.UserRole)

        def reset_done(changes) -> None:
            if shiboken6.isValid(self):
                self.banner.show_message(f"{items[0].text(0)} uses the England default again.", "info")
                self.reload()

        self.runner.run(lambda: self.app.reset_calendar_year(year), reset_done, self._failed)
