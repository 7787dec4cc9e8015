"""The one window: first run or unlock while locked, the workspace while open. Its
parts are mixins, a file each: the session, the actions, settings, the status bar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget

if TYPE_CHECKING:  # the services (SQLAlchemy, SQLCipher) load after the unlock window shows
    from desktop.services import Settings, Waymark
    from desktop.tasks import TaskRunner

from ..common import STYLE
from ..unlock import FirstRunPage, UnlockPage
from .actions import WindowActions
from .idle import AppKey, IdleWatcher
from .session import Session
from .settings import SettingsCommand
from .status import StatusAndSync
from .workspace import Workspace

ORGANISATION = "Waymark"
APPLICATION = "Waymark"


class MainWindow(Session, WindowActions, SettingsCommand, StatusAndSync, QMainWindow):
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
        self.limits = None  # what the user's role may change on the LA's server (apply_limits), once known
        self._settings_cache: Settings | None = None
        self.setWindowTitle("Waymark")
        self.setStyleSheet(STYLE)
        self.idle = IdleWatcher(self)
        self.idle.idle.connect(lambda: self.lock("idle"))
        self.lock_key = AppKey(QKeySequence("Ctrl+L"), self)
        self.lock_key.pressed.connect(lambda: self.lock())
        # Ctrl+Q from inside a form too: closing locks, which keeps every open draft.
        self.quit_key = AppKey(QKeySequence("Ctrl+Q"), self)
        self.quit_key.pressed.connect(self.close)

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

    # --- closing ----------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.lock("the app was closed")
        self.idle.stop()
        event.accept()
