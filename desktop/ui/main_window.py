"""The main window: the lock pages, the workspace that holds a session, the
status bar and the idle lock.

A session's widgets live in one `Workspace`, made at unlock and destroyed at
lock: locking cannot leave a pupil's name behind in some forgotten view. Every
service call goes through the task runner; callbacks that arrive after the
session ended are dropped.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QByteArray, QEvent, QObject, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QFontMetrics, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enums import Cohort

if TYPE_CHECKING:  # the services (SQLAlchemy, SQLCipher) load after the unlock window shows
    from desktop.services import CaseloadRow, Changes, Settings, SyncStatus, Waymark
    from desktop.tasks import TaskRunner

from .backup import BackupReminder, Backups
from .calendar_dialog import CalendarDialog
from .caseload_model import COHORT_LABELS, HEADERS, CaseloadFilter, CaseloadModel, CaseloadProxy, Column
from .common import STYLE, label, report_error, set_tab_order
from .drafts import DraftsBar, is_private, keep_all_drafts, open_drafts
from .getting_started import GettingStarted
from .pupil_dialog import AddPupilDialog
from .settings_dialog import SettingsDialog
from .unlock import FirstRunPage, NewProfile, UnlockPage
from .visit_dialog import VisitDialog
from .widgets import set_available

ORGANISATION = "Waymark"
APPLICATION = "Waymark"

# Entities whose change can alter a caseload line (name, site, cohort, last visit, attention).
CASELOAD_ENTITIES = frozenset(
    {"pupil", "school", "site", "stay", "provision_episode", "visit", "folder", "plan", "review", "action", "absence"}
)

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


UNFINISHED_MARKER = "waymark.init"  # store/profile.py's INIT_MARKER: a profile `init` began and never finished


def profile_folder_used(data_dir: Path) -> bool:
    """True unless the profile folder is missing, empty, or holds only a profile whose
    making was cut short (first run then makes it afresh, as `waymark init` does)."""
    return data_dir.is_dir() and any(data_dir.iterdir()) and not (data_dir / UNFINISHED_MARKER).exists()


class IdleWatcher(QObject):
    """Signals `idle` after a quiet spell. An app-wide event filter restarts the
    timer on any key, click, wheel or pointer movement in any window."""

    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self._watching = False

    def start(self, milliseconds: int) -> None:
        self._timer.setInterval(max(1, milliseconds))
        self._timer.start()
        if not self._watching:
            QApplication.instance().installEventFilter(self)
            self._watching = True

    def stop(self) -> None:
        self._timer.stop()
        if self._watching:
            QApplication.instance().removeEventFilter(self)
            self._watching = False

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self._timer.start()
        return False


class LockKey(QObject):
    """Ctrl+L locks from every window while a session is open: a modal form, the print
    preview, the work pack library. (The main window's own Lock action only sees keys
    typed in the main window; a modal dialog blocks it.)"""

    pressed = Signal()

    def __init__(self, sequence: QKeySequence, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sequence = sequence
        self._watching = False

    def start(self) -> None:
        if not self._watching:
            QApplication.instance().installEventFilter(self)
            self._watching = True

    def stop(self) -> None:
        if self._watching:
            QApplication.instance().removeEventFilter(self)
            self._watching = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            pressed = QKeySequence(event.keyCombination())
            if pressed.matches(self._sequence) == QKeySequence.SequenceMatch.ExactMatch:
                self.pressed.emit()
                return True
        return False


# --- the workspace: one unlocked session ----------------------------------------------------


class Workspace(QWidget):
    """Caseload, pupil record and appointments for one open profile."""

    status_message = Signal(str)
    counts_changed = Signal(int, int)  # shown, total
    settings_requested = Signal()  # an unsaved Settings form is reopened: the window opens it

    def __init__(self, app: Waymark, runner: TaskRunner, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app, self.runner, self.settings = app, runner, settings
        self.closed = False
        self._visit_dialog: VisitDialog | None = None
        self._loaded_once = False
        self._select_next: str | None = None  # a pupil just added, to select once the caseload reloads
        self._needing = 0
        self._filtering = False
        self._shown_pupil: str | None = None
        self._show_later = QTimer(self)
        self._show_later.setSingleShot(True)
        self._show_later.setInterval(250)
        self._show_later.timeout.connect(self._show_current)
        self._build()
        runner.did_change.connect(self._on_change)
        self.restore_state()
        self.reload()

    def offer_drafts(self) -> None:
        """Offer what was kept unsaved (the window calls this once it listens to the workspace)."""
        self.call(self.app.drafts, self._offer_drafts)

    def _build(self) -> None:
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search names, UPN or base school  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the caseload")
        self.cohort = QComboBox()
        self.cohort.setAccessibleName("Filter by cohort")
        self.cohort.addItem("All cohorts", None)
        for cohort in Cohort:
            self.cohort.addItem(COHORT_LABELS[cohort], cohort.value)  # Qt keeps a StrEnum as a plain str
        self.site = QComboBox()
        self.site.setAccessibleName("Filter by site")
        self.school = QComboBox()
        self.school.setAccessibleName("Filter by base school")
        for combo in (self.site, self.school):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
        self.attention = QCheckBox("Needs &attention")
        self.attention.setAccessibleName("Show only pupils who need attention")
        self._fill_choice(self.site, "All sites", [])
        self._fill_choice(self.school, "All base schools", [])

        self.model = CaseloadModel(self)
        self.proxy = CaseloadProxy(self.model, self)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Caseload")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, as keyboard users expect
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        header.setSectionHidden(Column.UPN, True)  # searchable, but rarely read: shown on request
        header.setSectionHidden(Column.COHORT, True)  # a filter above says it; shown on request
        self._columns_fitted = False  # the user has set their own widths (or we have fitted them once)
        self._fitting = False
        self._wanted: dict[int, int] = {}  # each column's width for its content, capped
        self._dragging = False  # the user is dragging a column's edge
        self._user_sized = False  # the user has dragged a column or chosen the columns
        header.sectionResized.connect(self._section_resized)
        header.viewport().installEventFilter(self)
        self.table.viewport().installEventFilter(self)

        find = QHBoxLayout()
        find.addWidget(self.search, 1)
        find.addWidget(self.attention)
        filters = QHBoxLayout()
        filters.addWidget(self._labelled("&Cohort:", self.cohort))
        filters.addWidget(self.cohort, 1)
        filters.addWidget(self._labelled("&Site:", self.site))
        filters.addWidget(self.site, 2)
        filters.addWidget(self._labelled("&Base school:", self.school))
        filters.addWidget(self.school, 2)

        self.shown_label = label("", "hint")
        # A new, empty profile shows what to do first instead of an empty table.
        self.getting_started = GettingStarted()
        self.getting_started.add_school_requested.connect(self.add_school)
        self.getting_started.add_pupil_requested.connect(self.add_pupil)
        self.finders = QWidget()
        finders = QVBoxLayout(self.finders)
        finders.setContentsMargins(0, 0, 0, 0)
        finders.addLayout(find)
        finders.addLayout(filters)
        self.caseload_pages = QStackedWidget()
        self.caseload_pages.addWidget(self.table)
        self.caseload_pages.addWidget(self.getting_started)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(8, 8, 4, 4)
        column.addWidget(self.finders)
        column.addWidget(self.caseload_pages, 1)
        column.addWidget(self.shown_label)

        # Imported here, not at the top: the record views (QtCharts, the services) are
        # not needed to show the unlock window, so they load after it.
        from .appointments import AppointmentsView
        from .record import PupilView

        self.pupil_view = PupilView(self.app, self.runner, self)
        self.pupil_view.setAccessibleName("Pupil record")
        self.pupil_view.log_visit_requested.connect(self.log_visit)
        self.pupil_view.print_requested.connect(self.print_report)
        self.pupil_view.print_period_requested.connect(
            lambda kind, pupil_id, start, end: self.print_report(kind, pupil_id, start=start, end=end)
        )

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.pupil_view)
        # The record keeps its width as the window changes size; the caseload takes the rest.
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setChildrenCollapsible(False)

        self.appointments = AppointmentsView(self.app, self.runner, self)
        self.appointments.setAccessibleName("Appointments")
        self.appointments.pupil_requested.connect(self.open_pupil)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setAccessibleName("Caseload and appointments")
        self.tabs.addTab(self.splitter, "Caseload")
        self.tabs.addTab(self.appointments, "Appointments")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.drafts_bar = DraftsBar()
        self.drafts_bar.reopen_requested.connect(self.reopen_draft)
        self.drafts_bar.discard_requested.connect(
            lambda draft: self.call(lambda: self.app.discard_draft(draft.kind, draft.key))
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.drafts_bar)
        layout.addWidget(self.tabs)

        set_tab_order(self.search, self.cohort, self.site, self.school, self.attention, self.table)
        self.search.textChanged.connect(self._filters_changed)
        self.cohort.currentIndexChanged.connect(self._filters_changed)
        self.site.currentIndexChanged.connect(self._filters_changed)
        self.school.currentIndexChanged.connect(self._filters_changed)
        self.attention.toggled.connect(self._filters_changed)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.activated.connect(lambda index: self.log_visit(self.proxy.pupil_id(index.row())))

    @staticmethod
    def _labelled(text: str, buddy: QWidget) -> QLabel:
        widget = QLabel(text)
        widget.setBuddy(buddy)
        return widget

    @staticmethod
    def _fill_choice(combo: QComboBox, everything: str, choices: list[tuple[str, str]]) -> None:
        """Refill a filter combo, keeping the current choice when it still exists."""
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, None)
        for key, text in sorted(choices, key=lambda c: c[1].casefold()):
            combo.addItem(text, key)
        combo.setCurrentIndex(max(0, combo.findData(current)) if current else 0)
        combo.blockSignals(False)

    # --- running service calls for this session ---------------------------------------

    def call(
        self,
        task: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        """Run a service call; drop its result if the session has ended meanwhile."""

        def done(result: Any) -> None:
            if not self.closed and on_done:
                on_done(result)

        def failed(message: str) -> None:
            if not self.closed:
                (on_error or self.status_message.emit)(message)

        self.runner.run(task, done, failed)

    # --- caseload ----------------------------------------------------------------------

    def reload(self) -> None:
        if not self._loaded_once:
            self.shown_label.setText("Loading the caseload…")
        self.call(self.app.caseload, self._loaded)

    def _loaded(self, rows: list[CaseloadRow]) -> None:
        current, self._select_next = self._select_next or self.current_pupil_id(), None
        self._fill_choice(self.site, "All sites", list({(r.site_id, r.site) for r in rows if r.site_id}))
        self._fill_choice(
            self.school, "All base schools", list({(r.base_school_id, r.base_school) for r in rows if r.base_school_id})
        )
        self._needing = sum(1 for r in rows if r.attention)
        self._show_getting_started(not rows)
        self.model.set_rows(rows)
        self.proxy.sort(self.table.horizontalHeader().sortIndicatorSection(), self._sort_order())
        self._apply_filter()
        self._fit_columns()
        first_load = not self._loaded_once
        self._loaded_once = True
        shown = self._shown_pupil
        if shown and not any(r.pupil_id == shown for r in rows):
            # Gone from the caseload: if gone from the laptop too (a sync removed a pupil who is
            # no longer this user's), the record must not stay on screen.
            self.call(lambda: self.app.get_pupil(shown), None, lambda _message: self._forget_shown(shown))
        if current and self.select_pupil(current):
            return
        if first_load and self.proxy.rowCount():
            self.table.selectRow(0)

    def _show_getting_started(self, empty: bool) -> None:
        if empty:
            self.call(lambda: len(self.app.list_schools()), self.getting_started.set_schools)
        if empty == (self.caseload_pages.currentWidget() is self.getting_started):
            return
        had_focus = self.table.hasFocus()
        self.caseload_pages.setCurrentWidget(self.getting_started if empty else self.table)
        if empty and had_focus:
            self.getting_started.pupil_button.setFocus()
        self.finders.setVisible(not empty)
        self.pupil_view.placeholder.setText(
            "Add a pupil to see their record here." if empty else "Select a pupil to see their record."
        )

    def _fit_columns(self) -> None:
        """Size columns to their content once, then fit them to the table's width, so a
        1366x768 laptop shows Name to Base school with no sideways scrolling: the wide
        columns give way (their text elided, never their header). The user's own widths
        are kept once they drag a column."""
        if self._columns_fitted or not self.model.rowCount():
            return
        metrics = self.table.fontMetrics()
        caps = {Column.NAME: 24, Column.SITE: 22, Column.SCHOOL: 24, Column.ATTENTION: 22}
        sample = range(min(self.model.rowCount(), 300))  # enough to see the widths; cheap at 5,000
        for column in Column:
            texts = [self.model.index(row, column).data() or "" for row in sample]
            widest = max([metrics.horizontalAdvance(t) for t in texts] + [self._header_width(column)])
            cap = caps.get(column, 40) * metrics.averageCharWidth()
            self._wanted[column] = max(min(widest, cap) + 20, self._header_width(column))
        self._fit_to_view()

    def _header_width(self, column: Column) -> int:
        """What the header needs: its text in bold (the stylesheet's), padding, the sort arrow."""
        font = QFont(self.table.horizontalHeader().font())
        font.setBold(True)
        return QFontMetrics(font).horizontalAdvance(HEADERS[column]) + 12 + 20

    def _fit_to_view(self) -> None:
        if self._columns_fitted or not self._wanted:
            return
        header = self.table.horizontalHeader()
        shown = [c for c in Column if not header.isSectionHidden(c)]
        room = self.table.viewport().width()
        widths = {c: self._wanted[c] for c in shown}
        over = sum(widths.values()) - room
        # The columns that can give way, down to what their header needs: where a pupil is
        # first (site, then base school), then what needs attention, and the name last.
        for elastic in ((Column.SITE, Column.SCHOOL), (Column.ATTENTION,), (Column.NAME,)):
            while over > 0:
                slack = {c: widths[c] - self._header_width(c) for c in elastic if c in widths}
                slack = {c: spare for c, spare in slack.items() if spare > 0}
                if not slack:
                    break
                share = sum(slack.values())
                cut = min(over, share)
                for c, spare in slack.items():
                    widths[c] -= min(spare, -(-cut * spare // share))  # round up, never below the header
                over = sum(widths.values()) - room
        self._fitting = True
        try:
            for column, width in widths.items():
                header.resizeSection(column, width)
        finally:
            self._fitting = False

    def _section_resized(self, *_args: object) -> None:
        if self._dragging and not self._fitting:
            self._columns_fitted = self._user_sized = True  # the user dragged a column: their widths from now on

    def _show_column(self, column: Column, on: bool) -> None:
        self.table.horizontalHeader().setSectionHidden(column, not on)
        self._user_sized = True  # their choice of columns is kept
        self._fit_to_view()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_to_view()
        elif watched is self.table.horizontalHeader().viewport():
            if event.type() == QEvent.Type.MouseButtonPress:
                self._dragging = True
            elif event.type() == QEvent.Type.MouseButtonRelease:
                self._dragging = False
        return super().eventFilter(watched, event)

    def _column_menu(self, position: QPoint) -> None:
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        menu.setAccessibleName("Columns")
        for column in Column:
            if column == Column.NAME:
                continue
            action = menu.addAction(HEADERS[column])
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.toggled.connect(lambda on, c=column: self._show_column(c, on))
        menu.popup(header.mapToGlobal(position))

    def _sort_order(self) -> Qt.SortOrder:
        return self.table.horizontalHeader().sortIndicatorOrder()

    def _filters_changed(self) -> None:
        self._apply_filter()

    def current_filter(self) -> CaseloadFilter:
        return CaseloadFilter(
            text=self.search.text(),
            cohort=Cohort(self.cohort.currentData()) if self.cohort.currentData() else None,
            site_id=self.site.currentData(),
            school_id=self.school.currentData(),
            attention_only=self.attention.isChecked(),
        )

    def _apply_filter(self) -> None:
        self._filtering = True
        try:
            self.proxy.set_filter(self.current_filter())
        finally:
            self._filtering = False
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        pupils = "pupil" if total == 1 else "pupils"
        text = f"{total:,} {pupils}" if shown == total else f"Showing {shown:,} of {total:,} {pupils}"
        if self._needing:
            text += f" · {self._needing:,} need attention"
        self.shown_label.setText(text)
        self.counts_changed.emit(shown, total)

    def current_pupil_id(self) -> str | None:
        index = self.table.selectionModel().currentIndex()
        return self.proxy.pupil_id(index.row()) if index.isValid() else None

    def select_pupil(self, pupil_id: str) -> bool:
        row = self.proxy.proxy_row_for(pupil_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.proxy.index(row, 0))
        return True

    def _current_changed(self) -> None:
        # While a search narrows the list the current row hops from pupil to pupil;
        # loading each record would slow every keystroke, so wait until typing pauses.
        if self._filtering:
            self._show_later.start()
        else:
            self._show_later.stop()
            self._show_current()

    def _forget_shown(self, pupil_id: str) -> None:
        if self._shown_pupil == pupil_id:
            self._shown_pupil = None
            self.pupil_view.clear()

    def _show_current(self) -> None:
        pupil_id = self.current_pupil_id()
        if pupil_id and pupil_id != self._shown_pupil:
            self._shown_pupil = pupil_id
            self.pupil_view.show_pupil(pupil_id)  # the view refreshes itself on did_change

    def _on_change(self, changes: Changes) -> None:
        if self.closed:
            return
        if changes.entities & CASELOAD_ENTITIES:
            self.reload()  # the record and appointment views follow did_change themselves

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.appointments:
            self.appointments.refresh()

    # --- commands ----------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.tabs.setCurrentWidget(self.splitter)
        self.search.setFocus()
        self.search.selectAll()

    def show_caseload(self) -> None:
        self.tabs.setCurrentWidget(self.splitter)
        self.table.setFocus()

    def open_pupil(self, pupil_id: str) -> None:
        """Show a pupil's record in the caseload tab (clearing filters that would hide them)."""
        self.tabs.setCurrentWidget(self.splitter)
        if self.proxy.proxy_row_for(pupil_id) < 0:
            self.search.clear()
            self.cohort.setCurrentIndex(0)
            self.site.setCurrentIndex(0)
            self.school.setCurrentIndex(0)
            self.attention.setChecked(False)
        self.select_pupil(pupil_id)

    def show_appointments(self) -> None:
        self.tabs.setCurrentWidget(self.appointments)

    def log_visit(self, pupil_id: str | None = None, *, draft_key: str | None = None) -> VisitDialog:
        """Open Log a visit for a pupil (the selected one by default); `draft_key`
        reopens a visit kept as a draft."""
        if self._visit_dialog is not None and self._visit_dialog.isVisible():
            self._visit_dialog.raise_()
            self._visit_dialog.activateWindow()
            return self._visit_dialog
        pupil_id = pupil_id or self.current_pupil_id()
        dialog = VisitDialog(self.app, self.runner, self.model.rows(), self, draft_key=draft_key)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda _changes: self.status_message.emit(dialog.summary()))
        dialog.destroyed.connect(lambda: setattr(self, "_visit_dialog", None))
        self._visit_dialog = dialog
        dialog.open()
        dialog.start_for(pupil_id)
        return dialog

    def add_pupil(self) -> AddPupilDialog:
        dialog = AddPupilDialog(self.app, self.runner, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._pupil_added)
        dialog.open()
        dialog.start()
        return dialog

    def add_school(self) -> QDialog:
        from .places import SchoolDialog

        dialog = SchoolDialog(self.app, self.runner, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda _id: self.status_message.emit("School added."))
        dialog.open()
        return dialog

    def _pupil_added(self, pupil_id: str) -> None:
        self.search.clear()  # the new pupil must not be hidden by an old search
        if not self.select_pupil(pupil_id):  # not loaded yet: select it when the reload lands
            self._select_next = pupil_id
        self.status_message.emit("Pupil added.")

    def open_packs(self) -> QDialog:
        from .packs import PackLibraryDialog

        dialog = PackLibraryDialog(self.app, self.runner, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def print_report(self, kind: str, record_id: str, **options: object) -> None:
        """Render a report off the UI thread, then preview it exactly as it will print.
        A long one (the summary of a big caseload) shows progress and can be cancelled.
        A visit report whose family has someone who needs help reading offers large print."""
        from .print_preview import PrintPreviewDialog
        from .progress import LongWork

        self.status_message.emit("Preparing the report…")
        work = LongWork("Preparing the report…", self)
        app = self.app

        def render() -> tuple[bytes, str, list[str]]:
            pdf, title = app.report_pdf(kind, record_id, progress=work.tick, **options)
            readers = app.needs_reading_help(record_id) if kind == "visit" else []
            return pdf, title, readers

        def show(result: tuple[bytes, str, list[str]]) -> None:
            work.close()
            pdf, title, readers = result
            offer = ""
            if readers:
                who = " and ".join([", ".join(readers[:-1]), readers[-1]] if len(readers) > 1 else readers)
                offer = f"{who} {'needs' if len(readers) == 1 else 'need'} help reading."
            dialog = PrintPreviewDialog(
                pdf,
                title,
                self,
                large_print_offer=offer,
                rerender=lambda large: self._rerender(dialog, record_id, large),
            )
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.show()
            self.status_message.emit("")

        def failed(message: str) -> None:
            work.close()
            self.status_message.emit("")
            report_error(self, message)

        work.stopped.connect(lambda: self.status_message.emit("Report cancelled."))
        self.call(render, show, failed)

    def _rerender(self, dialog: QDialog, visit_id: str, large_print: bool) -> None:
        """The visit report again, its parent's copy in large print or not, into the same preview."""

        def done(result: tuple[bytes, str]) -> None:
            if shiboken6.isValid(dialog):
                dialog.replace_pdf(result[0])

        def failed(message: str) -> None:
            if shiboken6.isValid(dialog):
                dialog.large_print_action.setEnabled(True)
                dialog.banner.show_message(message)

        self.call(lambda: self.app.report_pdf("visit", visit_id, large_print=large_print), done, failed)

    # --- drafts ------------------------------------------------------------------------------

    def _offer_drafts(self, drafts: list) -> None:
        """After unlocking (or starting again after a crash): one unsaved form opens again
        as it was left; several wait in the bar, a Reopen and a Discard for each. A private
        form (a concern) never opens by itself: it waits in the bar (see ui/drafts/)."""
        self.drafts_bar.set_drafts(self._not_open(drafts))
        waiting = self.drafts_bar.drafts
        if len(waiting) == 1 and not is_private(waiting[0]):
            self.reopen_draft(waiting[0])
        elif len(waiting) == 1:  # a private form: it waits to be asked for
            self.status_message.emit(f"You have an unsaved {waiting[0].title}: reopen it above the caseload.")
        elif waiting:
            self.status_message.emit(
                f"You have {len(waiting)} unsaved forms: reopen or discard each above the caseload."
            )

    def _not_open(self, drafts: list) -> list:
        opened = open_drafts(self)
        return [d for d in drafts if (d.kind, d.key) not in opened]

    def refresh_drafts(self) -> None:
        """A form closed: offer what is kept now (a form kept for later joins the bar)."""
        if self.closed:
            return
        self.call(self.app.drafts, lambda drafts: self.drafts_bar.set_drafts(self._not_open(drafts)))

    def reopen_draft(self, draft) -> QDialog | None:
        """Open the form a draft belongs to; the form finds its draft and puts it back."""
        self.drafts_bar.remove(draft.kind, draft.key)
        self.status_message.emit(f"You have an unsaved {draft.title}; here it is as you left it.")
        pupil_id = draft.context.get("pupil_id") or ""
        if draft.kind == "school":
            return self.add_school()
        if draft.kind == "pupil":
            return self.add_pupil()
        if draft.kind == "visit":
            return self.log_visit(pupil_id or None, draft_key=draft.key)
        if draft.kind == "settings":
            self.settings_requested.emit()
            return None
        if draft.kind == "pack":
            return self.open_packs().add_pack()
        if draft.kind == "appointment" and not pupil_id:
            self.show_appointments()
            return self.appointments.book()
        pupil_id = pupil_id or draft.key
        if pupil_id:
            self.open_pupil(pupil_id)
            return self.pupil_view.open_form(draft.kind, pupil_id)
        return None

    # --- state and lock -------------------------------------------------------------------

    def save_state(self) -> None:
        self.settings.setValue("caseload/splitter", self.splitter.saveState())
        # Only the user's own widths and columns are kept: ours are fitted afresh to the window
        # (an unfitted header, saved from an empty caseload, would otherwise stick for good).
        if self._user_sized:
            self.settings.setValue("caseload/header", self.table.horizontalHeader().saveState())
        else:
            self.settings.remove("caseload/header")

    def restore_state(self) -> None:
        # First use: the record takes what its tabs need and the caseload the rest, so a
        # 1366x768 laptop shows names and every tab whole; the user's own split is kept after.
        counts = self.fontMetrics().horizontalAdvance(" (999)")  # "Visits (26)" once a record is shown
        record = max(self.pupil_view.minimumWidth(), self.pupil_view.tabs.tabBar().sizeHint().width() + counts + 24)
        self.splitter.setSizes([1366 - 24 - record, record])
        for key, restore in (
            ("caseload/splitter", self.splitter.restoreState),
            ("caseload/header", self._restore_header),
        ):
            value = self.settings.value(key)
            if isinstance(value, QByteArray):
                restore(value)

    def _restore_header(self, state: QByteArray) -> None:
        if self.table.horizontalHeader().restoreState(state):
            self._columns_fitted = self._user_sized = True  # the user's widths, not ours

    def clear(self) -> None:
        """Forget everything shown: on lock, before the workspace is destroyed."""
        self.closed = True
        self._show_later.stop()
        self._shown_pupil = None
        for dialog in self.findChildren(QDialog):
            dialog.reject()
        self.search.clear()
        self.model.clear()
        self.pupil_view.clear()
        self.appointments.clear()
        self.shown_label.clear()
        self.drafts_bar.set_drafts([])


# --- the window ------------------------------------------------------------------------------------


def format_sync(status: SyncStatus) -> str:
    if not status.server:
        # Until this profile is set up to sync there is nothing "sent" or "waiting": say so.
        return "Not connected to a server"
    if status.unsent == 0:
        waiting = "All changes sent"
    elif status.unsent == 1:
        waiting = "1 change waiting to sync"
    else:
        waiting = f"{status.unsent:,} changes waiting to sync"
    last = "never"
    if status.last_sync:
        try:
            when = datetime.fromisoformat(status.last_sync)
            last = when.strftime("%d/%m/%Y %H:%M") if when.date() != date.today() else when.strftime("today %H:%M")
        except ValueError:
            last = status.last_sync
    return f"{waiting} · Last sync: {last}"


class MainWindow(QMainWindow):
    """The one window: first run or unlock while locked, the workspace while open."""

    session_opened = Signal()
    session_locked = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        data_dir: Path,
        settings: QSettings,
        *,
        passphrase_hint: str = "",
        scrypt_n: int | None = None,
        today: Callable[[], date] | None = None,
    ) -> None:
        super().__init__()
        self.runner, self.data_dir, self.settings = runner, Path(data_dir), settings
        self._scrypt_n, self._today = scrypt_n, today
        self.app: Waymark | None = None
        self.workspace: Workspace | None = None
        self.sync_controller = None  # a SyncController while a profile is open
        self._settings_cache: Settings | None = None
        self.setWindowTitle("Waymark")
        self.setStyleSheet(STYLE)
        self.idle = IdleWatcher(self)
        self.idle.idle.connect(lambda: self.lock("idle"))
        self.lock_key = LockKey(QKeySequence("Ctrl+L"), self)
        self.lock_key.pressed.connect(lambda: self.lock())

        self.pages = QStackedWidget()
        self.pages.setObjectName("pages")
        self.first_run = FirstRunPage(str(self.data_dir))
        self.unlock_page = UnlockPage(str(self.data_dir), passphrase_hint)
        self.pages.addWidget(self.first_run)
        self.pages.addWidget(self.unlock_page)
        self.setCentralWidget(self.pages)
        self.first_run.create_requested.connect(self._create)
        self.unlock_page.unlock_requested.connect(self._unlock)
        self.unlock_page.keyring_requested.connect(self._unlock_with_keyring)
        self.first_run.quit_requested.connect(self.close)
        self.unlock_page.quit_requested.connect(self.close)

        self._build_actions()
        self._build_status_bar()
        self.runner.busy_changed.connect(self._busy_changed)
        self.runner.did_change.connect(self._on_change)
        self._sync_timer = QTimer(self)
        self._sync_timer.setInterval(60_000)
        self._sync_timer.timeout.connect(self.refresh_sync_status)
        self._set_session_actions(False)
        self._restore_geometry()

    # --- construction ----------------------------------------------------------------------

    def _action(self, text: str, slot: Callable[[], Any], shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)  # shortcuts work with the menu bar hidden, too
        return action

    def _build_actions(self) -> None:
        self.log_visit_action = self._action("&Log a visit…", self.log_visit, QKeySequence.StandardKey.New)
        # Ctrl+N from anywhere in the app, dialogs included (modal dialogs still block it).
        self.log_visit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.add_pupil_action = self._action("&Add a pupil…", self._add_pupil, "Ctrl+Shift+N")
        self.add_school_action = self._action("Add a &school…", self._add_school)
        self.find_action = self._action("&Find a pupil", self._focus_search, QKeySequence.StandardKey.Find)
        self.refresh_action = self._action("&Refresh", self._refresh, QKeySequence.StandardKey.Refresh)
        self.caseload_action = self._action("&Caseload", self._show_caseload, "Ctrl+1")
        self.appointments_action = self._action("&Appointments", self._show_appointments, "Ctrl+2")
        self.packs_action = self._action("&Work packs…", self._open_packs, "Ctrl+Shift+P")
        self.settings_action = self._action("&Settings…", self._open_settings, QKeySequence.StandardKey.Preferences)
        self.summary_action = self._action("Print the caseload s&ummary…", self._print_summary, "Ctrl+Shift+S")
        self.backup_action = self._action("&Back up…", lambda: self.backups.choose_and_back_up())
        self.calendar_action = self._action("School term &dates…", self.open_calendar)
        self.audit_action = self._action("Audit &trail…", self.open_audit_trail)
        self.sync_now_action = self._action("S&ync now", self.sync_now, "F9")
        self.connect_action = self._action("Connect to the LA ser&ver…", self.open_connect)
        self.conflicts_action = self._action("Sync co&nflicts…", self.open_conflicts)
        self.lock_action = self._action("Loc&k", self.lock, "Ctrl+L")
        self.quit_action = self._action("&Quit", self.close, "Ctrl+Q")  # not StandardKey.Quit: Windows has none
        self.shortcuts_action = self._action(
            "&Keyboard shortcuts", self._show_shortcuts, QKeySequence.StandardKey.HelpContents
        )
        self.about_action = self._action("&About Waymark", self._show_about)
        self.log_visit_action.setToolTip("Log a visit (Ctrl+N)")
        self.lock_action.setToolTip("Lock Waymark now (Ctrl+L)")

        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        file_menu.setToolTipsVisible(True)  # a disabled item says why
        file_menu.addAction(self.summary_action)
        file_menu.addAction(self.audit_action)
        file_menu.addSeparator()
        file_menu.addAction(self.sync_now_action)
        file_menu.addAction(self.connect_action)
        file_menu.addAction(self.conflicts_action)
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addAction(self.backup_action)
        file_menu.addAction(self.calendar_action)
        file_menu.addSeparator()
        file_menu.addAction(self.lock_action)
        file_menu.addAction(self.quit_action)
        pupil_menu = self.pupil_menu = menus.addMenu("&Pupils")
        pupil_menu.addAction(self.log_visit_action)
        pupil_menu.addAction(self.add_pupil_action)
        pupil_menu.addAction(self.add_school_action)
        pupil_menu.addSeparator()
        pupil_menu.addAction(self.packs_action)
        view_menu = self.view_menu = menus.addMenu("&View")
        view_menu.addAction(self.caseload_action)
        view_menu.addAction(self.appointments_action)
        view_menu.addAction(self.find_action)
        view_menu.addSeparator()
        view_menu.addAction(self.refresh_action)
        help_menu = menus.addMenu("&Help")
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)

        self.toolbar = QToolBar("Main toolbar")
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addAction(self.log_visit_action)
        self.toolbar.addAction(self.add_pupil_action)
        self.toolbar.addAction(self.packs_action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)
        self.who_label = label("", "hint")
        self.toolbar.addWidget(self.who_label)
        self.toolbar.addAction(self.lock_action)
        self.addToolBar(self.toolbar)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.sync_label = QLabel("")
        self.sync_label.setAccessibleName("Sync status")
        self.sync_error = label("", "syncError")
        self.sync_error.setAccessibleName("Sync error")
        self.sync_error.hide()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: "working"
        self.busy.setMaximumWidth(110)
        self.busy.setMaximumHeight(14)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName("Working")
        self.busy.hide()
        self._busy_delay = QTimer(self)
        self._busy_delay.setSingleShot(True)
        self._busy_delay.setInterval(250)  # quick work never flashes the indicator
        self._busy_delay.timeout.connect(self.busy.show)
        self.backup_reminder = BackupReminder()
        self.backups = Backups(self, self.runner, self.backup_reminder, self._status_message)
        bar.addPermanentWidget(self.backup_reminder)
        bar.addPermanentWidget(self.sync_error)
        bar.addPermanentWidget(self.busy)
        bar.addPermanentWidget(self.sync_label)

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            return
        # First start: on a small screen (the usual 1366x768 LA laptop) the whole of it, so
        # the caseload and a record fit side by side; on a larger one a comfortable window.
        screen = QApplication.primaryScreen()
        available = screen.availableGeometry() if screen else None
        width, height = 1280, 760
        if available is not None:
            if available.width() <= 1440:
                width, height = available.width(), available.height()
            else:
                width, height = min(width, available.width() - 40), min(height, available.height() - 40)
        self.resize(width, height)

    # --- session ------------------------------------------------------------------------------

    def start(self) -> None:
        """Show first run when there is no profile yet, else the unlock screen.

        The services (SQLAlchemy, SQLCipher: most of the start-up cost) load on a
        background thread while the user types the passphrase, so the choice of page
        is made without them: a missing or empty folder means first run; anything
        else is offered for unlocking, and the store says if it is not a profile."""
        if profile_folder_used(self.data_dir):
            self.pages.setCurrentWidget(self.unlock_page)
            self.unlock_page.reset()
            self._offer_keyring()
        else:
            self.pages.setCurrentWidget(self.first_run)
            self.first_run.start()
        threading.Thread(target=importlib.import_module, args=("desktop.services",), daemon=True).start()

    @property
    def is_locked(self) -> bool:
        return self.app is None

    def _create(self, form: NewProfile) -> None:
        """Make the profile on the store thread. A progress dialog (after a moment) moves
        with each step and counts the seconds: on a busy machine this can take a while.
        It cannot be cancelled halfway: a half-made profile would be worse than waiting."""
        from .progress import LongWork

        self.first_run.set_busy(True)
        options = {"scrypt_n": self._scrypt_n} if self._scrypt_n else {}
        work = self.creating = LongWork(
            "Creating your encrypted profile…", self, delay_ms=400, show_elapsed=True, cancellable=False
        )

        def create() -> tuple[Waymark, Settings]:
            from desktop.services import Waymark

            app = Waymark.create_profile(
                self.data_dir,
                form.passphrase,
                service_name=form.service_name,
                worker_name=form.worker_name,
                service_kind=form.service_kind,
                progress=work.part(0, 100),
                **options,
            )
            return app, app.settings()

        def done(opened: tuple[Waymark, Settings]) -> None:
            work.close()
            self._opened(opened)

        def failed(message: str) -> None:
            work.close()
            self.first_run.set_busy(False)
            self.first_run.show_error(message)

        self.runner.run(create, done, failed)

    def _unlock(self, passphrase: str) -> None:
        self.unlock_page.set_busy(True)

        def open_profile() -> tuple[Waymark, Settings] | None:
            from desktop.services import Waymark, WrongPassphrase

            try:
                app = Waymark.open_profile(self.data_dir, passphrase, via="app", scrypt_n=self._scrypt_n)
            except WrongPassphrase:
                return None  # an answer, not an error: the user simply tries again
            return app, app.settings()

        def done(result: tuple[Waymark, Settings] | None) -> None:
            if result is None:
                self.unlock_page.set_busy(False)
                self.unlock_page.show_error("That passphrase is not right. Check Caps Lock and try again.")
                return
            self._opened(result)

        def failed(message: str) -> None:
            self.unlock_page.set_busy(False)
            self.unlock_page.show_error(message)

        self.runner.run(open_profile, done, failed)

    def _offer_keyring(self) -> None:
        """Show 'Unlock with the system keyring' when this profile keeps its key there.
        Asked on the store thread: a secret store can be slow to answer."""
        self.unlock_page.keyring_button.hide()
        data_dir = self.data_dir

        def kept() -> bool:
            from desktop.services import keyring_unlock

            return keyring_unlock.recall(data_dir) is not None

        self.runner.run(kept, lambda yes: self.unlock_page.keyring_button.setVisible(bool(yes)), lambda _m: None)

    def _unlock_with_keyring(self) -> None:
        self.unlock_page.set_busy(True)
        data_dir = self.data_dir

        def open_profile() -> tuple[Waymark, Settings] | None:
            from desktop.services import Waymark

            app = Waymark.open_with_keyring(data_dir)
            return (app, app.settings()) if app else None

        def done(result: tuple[Waymark, Settings] | None) -> None:
            if result is None:
                self.unlock_page.set_busy(False)
                self.unlock_page.keyring_button.hide()
                self.unlock_page.show_error("The system keyring could not unlock Waymark. Enter your passphrase.")
                return
            self._opened(result)

        def failed(message: str) -> None:
            self.unlock_page.set_busy(False)
            self.unlock_page.show_error(message)

        self.runner.run(open_profile, done, failed)

    def open_audit_trail(self, pupil_id: str | None = None) -> QDialog | None:
        """File → Audit trail: filtered by pupil and date, with a check of the chain."""
        if self.app is None or self.workspace is None:
            return None
        from .audit_view import AuditDialog

        dialog = AuditDialog(self.app, self.runner, self.workspace, pupil_id=pupil_id)  # wall-clock days
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # nothing of it outlives a lock
        dialog.open()
        return dialog

    def _opened(self, opened: tuple[Waymark, Settings]) -> None:
        app, settings = opened
        if self._today is not None:
            app.today = self._today
        self.app = app
        self._apply_settings(settings)
        self.first_run.set_busy(False)
        self.unlock_page.reset()
        self.workspace = Workspace(app, self.runner, self.settings, self)
        self.workspace.status_message.connect(self._status_message)
        self.workspace.counts_changed.connect(self._caseload_counted)
        self.workspace.settings_requested.connect(self._open_settings)
        self.pages.addWidget(self.workspace)
        self.pages.setCurrentWidget(self.workspace)
        self._set_session_actions(True)
        if self.workspace._loaded_once:  # the caseload came back before we listened
            self._caseload_counted(0, self.workspace.model.rowCount())
        self.lock_key.start()
        self.refresh_sync_status()
        self._sync_timer.start()
        self._start_sync(app)
        self.workspace.table.setFocus()
        self.backups.opened(app)
        self.workspace.offer_drafts()
        self.session_opened.emit()

    def _caseload_counted(self, _shown: int, total: int) -> None:
        set_available(
            self.summary_action,
            total > 0,
            "The LA caseload summary: the tracking-sheet columns and counts",
            "The caseload is empty: there is nobody to summarise yet.",
        )

    def _apply_settings(self, settings: Settings) -> None:
        self._settings_cache = settings
        self.idle.start(int(settings.auto_lock_minutes * 60_000))
        title = f"Waymark — {settings.service_name}" if settings.service_name else "Waymark"
        self.setWindowTitle(title)
        self.who_label.setText(settings.worker_name)

    def lock(self, reason: str = "by the user") -> None:
        """Clear every view, close the profile and show the unlock screen. The lock
        is written to the audit trail (with `reason`) as the profile closes."""
        if self.app is None:
            return
        self.idle.stop()
        self.lock_key.stop()
        self._sync_timer.stop()
        if self.sync_controller is not None:
            self.sync_controller.stop()
            self.sync_controller = None
        # Every open form's draft is saved now, queued on the store thread ahead of the close.
        keep_all_drafts(self)
        app, workspace = self.app, self.workspace
        self.app, self.workspace = None, None
        if workspace is not None:
            workspace.save_state()
            workspace.clear()
            self.pages.removeWidget(workspace)
            workspace.hide()
        for dialog in self.findChildren(QDialog):
            dialog.close()
        self._set_session_actions(False)
        self.setWindowTitle("Waymark")
        self.who_label.clear()
        self.sync_label.clear()
        self.sync_error.hide()
        self.backups.closed()
        self.statusBar().clearMessage()
        self.pages.setCurrentWidget(self.unlock_page)
        self.unlock_page.reset()

        # Close on the store thread, after any work still queued; the workspace goes
        # only then, so late results find it cleared rather than deleted.
        def closed(_result: object = None) -> None:
            if workspace is not None:
                workspace.deleteLater()

        self.runner.run(lambda: app.lock(reason), closed, lambda _message: closed())
        self._offer_keyring()
        self.session_locked.emit()

    def _set_session_actions(self, unlocked: bool) -> None:
        for action in (
            self.log_visit_action,
            self.add_pupil_action,
            self.add_school_action,
            self.find_action,
            self.refresh_action,
            self.caseload_action,
            self.appointments_action,
            self.packs_action,
            self.summary_action,
            self.audit_action,
            self.sync_now_action,
            self.connect_action,
            self.conflicts_action,
            self.settings_action,
            self.backup_action,
            self.calendar_action,
            self.lock_action,
        ):
            action.setEnabled(unlocked)
        self.toolbar.setVisible(unlocked)
        for menu in (self.pupil_menu, self.view_menu):
            menu.menuAction().setVisible(unlocked)

    # --- commands -------------------------------------------------------------------------------

    def log_visit(self, pupil_id: str | None = None) -> VisitDialog | None:
        return self.workspace.log_visit(pupil_id) if self.workspace else None

    def add_pupil(self) -> AddPupilDialog | None:
        return self.workspace.add_pupil() if self.workspace else None

    def _add_pupil(self) -> None:
        self.add_pupil()

    def add_school(self) -> QDialog | None:
        return self.workspace.add_school() if self.workspace else None

    def _add_school(self) -> None:
        self.add_school()

    def _focus_search(self) -> None:
        if self.workspace:
            self.workspace.focus_search()

    def _refresh(self) -> None:
        if self.workspace:
            self.workspace.reload()
            self.refresh_sync_status()

    def _show_caseload(self) -> None:
        if self.workspace:
            self.workspace.show_caseload()

    def _show_appointments(self) -> None:
        if self.workspace:
            self.workspace.show_appointments()

    def _open_packs(self) -> None:
        if self.workspace:
            self.workspace.open_packs()

    def _print_summary(self) -> None:
        if self.workspace:
            self.workspace.print_report("summary", "")

    def _open_settings(self) -> None:
        if self.app is None or self._settings_cache is None:
            return
        app = self.app

        def read() -> tuple[Settings, dict]:  # the LA's policy may have arrived with a background sync
            return app.settings(), app.la_policy()

        def show(found: tuple[Settings, dict]) -> None:
            if self.app is app:
                self._settings_cache, policy = found
                self.open_settings(policy.get("keyring_unlock") != "forbidden", policy)

        self.runner.run(read, show, lambda message: report_error(self, message))

    def open_settings(self, keyring_allowed: bool = True, policy: dict | None = None) -> SettingsDialog | None:
        if self.app is None or self._settings_cache is None:
            return None
        dialog = SettingsDialog(
            self.app, self.runner, self._settings_cache, self.workspace, keyring_allowed=keyring_allowed, policy=policy
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        app = self.app

        def save() -> None:
            values = dialog.values()
            keyring = dialog.keyring_change()
            passphrase = ""
            if keyring:
                passphrase, ok = QInputDialog.getText(
                    self,
                    "Unlock with the system keyring",
                    "Your passphrase, to confirm:",
                    QLineEdit.EchoMode.Password,
                )
                if not ok:
                    keyring = None

            def apply() -> Settings:
                settings = app.update_settings(**values)
                if keyring:
                    app.enable_keyring_unlock(passphrase)
                elif keyring is False:
                    app.disable_keyring_unlock()
                return app.settings() if keyring is not None else settings

            self.runner.run(
                apply,
                lambda settings: self.app is app and self._apply_settings(settings),
                lambda message: report_error(self, message),
            )

        dialog.accepted.connect(save)
        dialog.open()
        return dialog

    def open_calendar(self) -> CalendarDialog | None:
        """The school term dates every rule counts school days on; import an LA's."""
        if self.app is None:
            return None
        dialog = CalendarDialog(self.app, self.runner, self.workspace)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _show_shortcuts(self) -> None:
        rows = [
            ("Ctrl+N", "Log a visit (from anywhere)"),
            ("Ctrl+Return", "Save the visit"),
            ("Ctrl+Shift+N", "Add a pupil"),
            ("Ctrl+F", "Search the caseload"),
            ("Ctrl+1 / Ctrl+2", "Caseload / Appointments"),
            ("Ctrl+Shift+P", "Work pack library"),
            ("F5", "Refresh"),
            ("F9", "Sync with the LA server now"),
            ("Ctrl+L", "Lock now"),
            ("Ctrl+Q", "Quit"),
            ("Alt+letter", "Jump to the field with that letter underlined"),
        ]
        table = "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>" for k, v in rows)
        box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts", f"<table>{table}</table>", parent=self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _show_about(self) -> None:
        from desktop import __version__

        text = (
            f"<b>Waymark {__version__}</b><p>Records and visit reports for teachers of children "
            "out of school. Your records are stored encrypted on this computer.</p>"
        )
        box = QMessageBox(QMessageBox.Icon.Information, "About Waymark", text, parent=self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # --- status bar -----------------------------------------------------------------------------

    def _status_message(self, message: str) -> None:
        if message:
            self.statusBar().showMessage(message, 8000)
        else:
            self.statusBar().clearMessage()

    def _busy_changed(self, busy: bool) -> None:
        if busy:
            self._busy_delay.start()
        else:
            self._busy_delay.stop()
            self.busy.hide()

    def _on_change(self, changes: Changes) -> None:
        self.refresh_sync_status()
        if self.sync_controller is not None and changes.ids != ("sync",):  # not what a pull just brought
            self.sync_controller.note_change()

    # --- sync with the LA server (desktop/ui/sync_ui.py) ------------------------------------------

    def _start_sync(self, app: Waymark) -> None:
        from desktop.services.sync import SyncService

        from .sync_ui import SyncController

        self.sync_controller = SyncController(self.runner, SyncService(app), self)
        self.sync_controller.state_changed.connect(self._sync_state)
        self.sync_controller.synced.connect(lambda _outcome: self.refresh_sync_status())
        self.sync_controller.synced.connect(lambda _outcome: self._settings_after_sync(app))
        self.sync_controller.start()

    def _settings_after_sync(self, app: Waymark) -> None:
        """A sync may bring the LA's policy (a shorter idle lock): take it at once.
        Unchanged settings leave the idle countdown alone."""

        def changed(settings: Settings) -> None:
            if self.app is app and settings != self._settings_cache:
                self._apply_settings(settings)

        self.runner.run(app.settings, changed, lambda message: report_error(self, message))

    def _sync_state(self, words: str) -> None:
        if words:
            self.statusBar().showMessage(words, 0 if words.endswith("…") else 10_000)

    def sync_now(self) -> None:
        """File → Sync now (F9)."""
        if self.sync_controller is not None:
            self.sync_controller.sync_now()

    def open_connect(self) -> QDialog | None:
        if self.app is None:
            return None
        from desktop.services.sync import SyncService

        from .sync_ui import ConnectDialog

        dialog = ConnectDialog(self.runner, SyncService(self.app), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.connected.connect(self.sync_now)
        dialog.open()
        return dialog

    def open_conflicts(self) -> QDialog | None:
        if self.app is None:
            return None
        from desktop.services.sync import SyncService

        from .sync_ui import ConflictsDialog

        dialog = ConflictsDialog(self.runner, SyncService(self.app), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.resolved.connect(lambda: self.sync_controller and self.sync_controller.note_change())
        dialog.open()
        return dialog

    def refresh_sync_status(self) -> None:
        app = self.app
        if app is None:
            return

        def show(status: SyncStatus) -> None:
            if self.app is not app:
                return
            self.sync_label.setText(format_sync(status))
            self.sync_error.setText(f"Sync problem: {status.last_error}" if status.last_error else "")
            self.sync_error.setVisible(bool(status.last_error))

        self.runner.run(app.sync_status, show, lambda message: self.app is app and self._status_message(message))

    # --- closing ----------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.lock("the app was closed")
        self.idle.stop()
        event.accept()
