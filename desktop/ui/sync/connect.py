"""File → Connect to the LA server: the log-in dialog that registers this laptop."""

from __future__ import annotations

import socket
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from desktop.services.sync import SyncService
from desktop.tasks import TaskRunner


class ConnectDialog(QDialog):
    """File → Connect to the LA server: registers this laptop as a device."""

    connected = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        service: SyncService,
        parent: QWidget | None = None,
        *,
        after_login: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner, self.service = runner, service
        self.after_login = after_login  # the window's "sync now": runs even if the dialog was closed meanwhile
        self.setWindowTitle("Connect to the LA server")
        form = QFormLayout(self)
        intro = QLabel(
            "Your local authority gives you the server's address, your user name and a password. "
            "This laptop then syncs by itself whenever it is online."
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.server = QLineEdit()
        self.server.setPlaceholderText("https://waymark.example.gov.uk")
        self.server.setAccessibleName("Server address")
        self.user = QLineEdit()
        self.user.setAccessibleName("User name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.device_name = QLineEdit(socket.gethostname())
        self.device_name.setAccessibleName("This laptop's name")
        self.insecure = QCheckBox("Allow an unencrypted (http://) address: only on a network you trust")
        form.addRow("&Server:", self.server)
        form.addRow("&User name:", self.user)
        form.addRow("&Password:", self.password)
        form.addRow("&This laptop:", self.device_name)
        form.addRow("", self.insecure)
        self.error = QLabel("")
        self.error.setObjectName("formError")
        # A refusal may be the server's words (a 401's detail), or a proxy's or portal's: shown
        # as text, never drawn as HTML (a heading, a link to somewhere else).
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.hide()
        form.addRow(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Connect")
        self.buttons.accepted.connect(self._connect)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def _connect(self) -> None:
        server, user, password = self.server.text().strip(), self.user.text().strip(), self.password.text()
        device, insecure = self.device_name.text().strip(), self.insecure.isChecked()
        if not server or not user or not password:
            self._fail("Fill in the server's address, your user name and your password.")
            return
        self.buttons.setEnabled(False)
        self.error.hide()
        service = self.service

        def login() -> object:
            return service.login(server, user, password, device_name=device, insecure=insecure)

        after = self.after_login

        def done(account: object) -> None:
            if after is not None:  # whether or not this dialog is still open
                after()
            self._connected(account)

        self.runner.run(login, done, self._fail, network=True)

    def _connected(self, _account: object) -> None:
        if not shiboken6.isValid(self):  # closed (Esc, the lock) while the server answered
            return
        self.password.clear()
        self.connected.emit()
        self.accept()

    def _fail(self, message: str) -> None:
        if not shiboken6.isValid(self):
            return
        self.buttons.setEnabled(True)
        self.error.setText(message)
        self.error.show()
        self.adjustSize()  # a refusal may run to three lines: grow to show all of it
