"""File → Back up…, and the weekly reminder.

A backup is an encrypted copy of the profile in one file (see
desktop/store/backup.py), made on the store thread while the app stays open.
When a week has passed without one, a reminder sits in the status bar with a
"Back up now…" button until the user backs up, or says "Later" for this session.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths, Signal
from PySide6.QtWidgets import QFileDialog, QFrame, QHBoxLayout, QPushButton, QWidget

from .common import label, report_error

if TYPE_CHECKING:
    from desktop.services import Waymark
    from desktop.tasks import TaskRunner


def suggested_backup_name(today: date) -> str:
    return f"waymark-backup-{today:%Y-%m-%d}.zip"


class BackupReminder(QFrame):
    """'No backup for 9 days' with a button: lives in the status bar, hidden until due."""

    back_up_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backupReminder")
        self.setAccessibleName("Backup reminder")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.text = label("", "hint")
        self.button = QPushButton("&Back up now…")
        self.later = QPushButton("Later")
        self.later.setFlat(True)
        row.addWidget(self.text)
        row.addWidget(self.button)
        row.addWidget(self.later)
        self.button.clicked.connect(self.back_up_requested)
        self.later.clicked.connect(self.hide)
        self.hide()

    def show_reminder(self, message: str | None) -> None:
        self.text.setText(message or "")
        self.setVisible(bool(message))


class Backups:
    """Makes backups for the main window: asks where, runs the copy on the store
    thread, tells the user, and keeps the reminder up to date."""

    def __init__(
        self,
        parent: QWidget,
        runner: TaskRunner,
        reminder: BackupReminder,
        status: Callable[[str], None],
    ) -> None:
        self.parent, self.runner, self.reminder, self.status = parent, runner, reminder, status
        self.app: Waymark | None = None
        reminder.back_up_requested.connect(self.choose_and_back_up)

    def opened(self, app: Waymark) -> None:
        """A profile was unlocked: remind if a week has passed without a backup."""
        from desktop.services.backups import backup_reminder

        self.app = app
        self.runner.run(
            lambda: backup_reminder(app), lambda text: self.app is app and self.reminder.show_reminder(text)
        )

    def closed(self) -> None:
        self.app = None
        self.reminder.show_reminder(None)

    def choose_and_back_up(self) -> None:
        if self.app is None:
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        path, _ = QFileDialog.getSaveFileName(
            self.parent,
            "Back up the profile",
            str(Path(folder) / suggested_backup_name(self.app.today())),
            "Waymark backups (*.zip)",
        )
        if path:
            self.back_up_to(Path(path))

    def back_up_to(self, path: Path, on_done: Callable[[bool], None] | None = None) -> None:
        """Write an encrypted backup to `path` on the store thread; `on_done(ok)` after."""
        from desktop.services.backups import make_backup

        app = self.app
        if app is None:
            return
        if path.suffix.lower() != ".zip":
            path = path.with_name(path.name + ".zip")

        def done(info) -> None:
            self.reminder.show_reminder(None)
            self.status(f"Backed up to {info.path.name} (encrypted). Keep a copy away from this computer.")
            if on_done:
                on_done(True)

        def failed(message: str) -> None:
            report_error(self.parent, f"The backup was not made. {message}")
            if on_done:
                on_done(False)

        self.runner.run(lambda: make_backup(app, path), done, failed)
