"""Opening and closing a session: first run, unlock (by passphrase or the system
keyring), the workspace made at unlock and everything cleared at lock."""

from __future__ import annotations

import importlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog

if TYPE_CHECKING:  # the services (SQLAlchemy, SQLCipher) load after the unlock window shows
    from desktop.services import Settings, Waymark

from ..drafts import keep_all_drafts
from ..unlock import NewProfile
from ..widgets import set_available
from .workspace import Workspace

UNFINISHED_MARKER = "waymark.init"  # store/profile.py's INIT_MARKER: a profile `init` began and never finished


def profile_folder_used(data_dir: Path) -> bool:
    """True unless the profile folder is missing, empty, or holds only a profile whose
    making was cut short (first run then makes it afresh, as `waymark init` does)."""
    return data_dir.is_dir() and any(data_dir.iterdir()) and not (data_dir / UNFINISHED_MARKER).exists()


class Session:
    """Mixed into `MainWindow`: the lock pages and the workspace between them."""

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
        from ..progress import LongWork

        self.first_run.set_busy(True)
        options = {"scrypt_n": self._scrypt_n} if self._scrypt_n else {}
        work = self.creating = LongWork(
            "Creating your encrypted profile…", self, delay_ms=400, show_elapsed=True, cancellable=False
        )

        def create() -> tuple[Waymark, Settings, str]:
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
            return app, app.settings(), ""  # a new profile has no server, so no role yet

        def done(opened: tuple[Waymark, Settings, str]) -> None:
            work.close()
            self._opened(opened)

        def failed(message: str) -> None:
            work.close()
            self.first_run.set_busy(False)
            self.first_run.show_error(message)

        self.runner.run(create, done, failed)

    def _unlock(self, passphrase: str) -> None:
        self.unlock_page.set_busy(True)

        def open_profile() -> tuple[Waymark, Settings, str] | None:
            from desktop.services import Waymark, WrongPassphrase

            try:
                app = Waymark.open_profile(self.data_dir, passphrase, via="app", scrypt_n=self._scrypt_n)
            except WrongPassphrase:
                return None  # an answer, not an error: the user simply tries again
            return app, app.settings(), app.sync_role()

        def done(result: tuple[Waymark, Settings, str] | None) -> None:
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

        def open_profile() -> tuple[Waymark, Settings, str] | None:
            from desktop.services import Waymark

            app = Waymark.open_with_keyring(data_dir)
            return (app, app.settings(), app.sync_role()) if app else None

        def done(result: tuple[Waymark, Settings, str] | None) -> None:
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

    def _opened(self, opened: tuple[Waymark, Settings, str]) -> None:
        """The profile is open. `role` is the user's role on the LA's server as last synced
        (kept in the encrypted store), read with the profile: its limits apply before the
        caseload shows, not when the first sync status arrives, so a school's laptop never
        offers, even for a moment, what its role may not change."""
        app, settings, role = opened
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
        self.workspace.conflicts_requested.connect(self.open_conflicts)
        self.pages.addWidget(self.workspace)
        self._set_session_actions(True)
        self.apply_limits(role)  # before anything is shown or offered
        self.pages.setCurrentWidget(self.workspace)
        if self.workspace._loaded_once:  # the caseload came back before we listened
            self._caseload_counted(0, self.workspace.model.rowCount())
        self.lock_key.start()
        self.quit_key.start()
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
        self.quit_key.stop()
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
        self.limits = None  # the next profile's role is its own
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
