"""The workspace: one unlocked session's caseload, pupil record and appointments.

Made at unlock and destroyed at lock, so locking cannot leave a pupil's name
behind in some forgotten view. Its parts are mixins, a file each: the caseload
pane, its columns, the commands it opens and the unsaved forms it offers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QSplitter, QTabWidget, QVBoxLayout, QWidget

if TYPE_CHECKING:  # the services (SQLAlchemy, SQLCipher) load after the unlock window shows
    from desktop.services import Changes, Waymark
    from desktop.tasks import TaskRunner

from ...drafts import DraftsBar
from ...visit_dialog import VisitDialog
from ...widgets import set_available
from .caseload import CaseloadPane
from .columns import ColumnFitting
from .commands import WorkspaceCommands
from .unsaved import UnsavedForms

# Entities whose change can alter a caseload line (name, site, cohort, last visit, attention).
CASELOAD_ENTITIES = frozenset(
    {"pupil", "school", "site", "stay", "provision_episode", "visit", "folder", "plan", "review", "action", "absence"}
)


class Workspace(CaseloadPane, ColumnFitting, WorkspaceCommands, UnsavedForms, QWidget):
    """Caseload, pupil record and appointments for one open profile."""

    status_message = Signal(str)
    counts_changed = Signal(int, int)  # shown, total
    settings_requested = Signal()  # an unsaved Settings form is reopened: the window opens it
    conflicts_requested = Signal()  # merges of sync conflicts kept for later: the window opens the view

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
        self.limits = None  # RoleLimits once the sync status is known (set_limits)
        runner.did_change.connect(self._on_change)
        self.restore_state()
        self.reload()

    def set_limits(self, role: str) -> None:
        """What this laptop's user may change on the LA's server (a school's: less). The
        window calls this with each sync status; the pupil record reads its own."""
        from desktop.services.role_limits import limits_for

        self.limits = limits = limits_for(role)
        self.appointments.set_limits("" if limits.may_write("appointment") else limits.why_not("appointment"))
        for button, allowed, what, why in (
            (self.getting_started.pupil_button, limits.may_add_pupils, "Add a pupil", limits.why_no_pupils),
            (self.getting_started.school_button, limits.may_write("school"), "Add a school", limits.why_not("school")),
        ):
            set_available(button, allowed, what, why)

    def offer_drafts(self) -> None:
        """Offer what was kept unsaved (the window calls this once it listens to the workspace)."""
        self.call(self.app.drafts, self._offer_drafts)

    def _build(self) -> None:
        left = self._build_caseload()

        # Imported here, not at the top: the record views (QtCharts, the services) are
        # not needed to show the unlock window, so they load after it.
        from ...appointments import AppointmentsView
        from ...record import PupilView

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

        self._connect_caseload()

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

    def _on_change(self, changes: Changes) -> None:
        if self.closed:
            return
        if changes.entities & CASELOAD_ENTITIES:
            self.reload()  # the record and appointment views follow did_change themselves

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.appointments:
            self.appointments.refresh()

    # --- moving about ---------------------------------------------------------------------

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
