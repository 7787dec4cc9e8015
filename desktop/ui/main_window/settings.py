"""File → Settings: the form, the passphrase asked before the keyring keeps the key,
and the settings applied to the open session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLineEdit

if TYPE_CHECKING:  # the services (SQLAlchemy, SQLCipher) load after the unlock window shows
    from desktop.services import Settings

from ..common import report_error
from ..settings_dialog import SettingsDialog


class SettingsCommand:
    """Mixed into `MainWindow`: opening Settings and applying what was saved."""

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
                    self, "Unlock with the system keyring", "Your passphrase, to confirm:", QLineEdit.EchoMode.Password
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
