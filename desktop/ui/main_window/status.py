"""The status bar: messages, the busy indicator, the backup reminder and the sync
line (`format_sync`), and syncing with the LA server (desktop/ui/sync/)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar

if TYPE_CHECKING:  # the services (SQLAlchemy, SQLCipher) load after the unlock window shows
    from desktop.services import Changes, Settings, SyncStatus, Waymark

from ..backup import BackupReminder, Backups
from ..common import label, report_error
from ..widgets import set_available


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


class StatusAndSync:
    """Mixed into `MainWindow`: the status bar and the sync controller."""

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.sync_label = QLabel("")
        self.sync_label.setAccessibleName("Sync status")
        self.sync_error = label("", "syncError")
        self.sync_error.setAccessibleName("Sync error")
        # The server's words (a refusal's reason, an error's detail) and the address typed: text, never HTML.
        self.sync_label.setTextFormat(Qt.TextFormat.PlainText)
        self.sync_error.setTextFormat(Qt.TextFormat.PlainText)
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

    # --- sync with the LA server (desktop/ui/sync/) --------------------------------------------

    def _start_sync(self, app: Waymark) -> None:
        from desktop.services.sync import SyncService

        from ..sync import SyncController

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
        bar = self.statusBar()
        if words:
            bar.showMessage(words, 0 if words.endswith("…") else 10_000)
        elif bar.currentMessage().endswith("…"):  # "Syncing…" with nothing to sync to: take it down
            bar.clearMessage()

    def sync_now(self) -> None:
        """File → Sync now (F9)."""
        if self.sync_controller is not None:
            self.sync_controller.sync_now(asked=True)

    def open_connect(self) -> QDialog | None:
        if self.app is None:
            return None
        from desktop.services.sync import SyncService

        from ..sync import ConnectDialog

        dialog = ConnectDialog(self.runner, SyncService(self.app), self, after_login=self.sync_now)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_conflicts(self) -> QDialog | None:
        if self.app is None:
            return None
        from desktop.services.sync import SyncService

        from ..sync import ConflictsDialog

        # Under the workspace, as every drafted form: closing it refreshes the drafts bar.
        dialog = ConflictsDialog(self.runner, SyncService(self.app), self.workspace or self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.resolved.connect(lambda: self.sync_controller and self.sync_controller.note_change())
        dialog.open()
        return dialog

    def open_not_sent(self) -> QDialog | None:
        """File → Changes not sent: what the server refused, to copy, save or discard."""
        if self.app is None:
            return None
        from desktop.services.sync import SyncService

        from ..not_sent import NotSentDialog

        dialog = NotSentDialog(self.runner, SyncService(self.app), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.discarded.connect(self.refresh_sync_status)
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
            problem = status.last_error or ""
            if status.not_sent and "Changes not sent" not in problem:
                kept = "1 change" if status.not_sent == 1 else f"{status.not_sent:,} changes"
                problem = f"{problem} {kept} not sent: File → Changes not sent…".strip()
            self.sync_error.setText(f"Sync problem: {problem}" if problem else "")
            self.sync_error.setVisible(bool(problem))
            set_available(
                self.not_sent_action,
                status.not_sent > 0,
                "Changes the LA's server refused, kept with the words typed",
                "Every change made here has been sent or is waiting to be sent.",
            )
            if self.limits is None or self.limits.role != status.role:
                self.apply_limits(status.role)

        self.runner.run(app.sync_status, show, lambda message: self.app is app and self._status_message(message))
