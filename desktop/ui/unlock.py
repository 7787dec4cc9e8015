"""First run (create an encrypted profile) and the unlock screen.

Both are pages of the main window, not floating dialogs: while locked, the
window shows nothing but this page. The pages only collect input and show
results; the main window runs the service calls through the task runner.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enums import ServiceKind
from desktop.domain.passphrase import MIN_LENGTH, passphrase_problem, passphrase_strength

from .common import label, set_tab_order

SERVICE_KINDS = [(kind.value, kind.label) for kind in ServiceKind]


STRENGTH_COLOURS = {0: "#a4161a", 1: "#a4161a", 2: "#8a5a00", 3: "#0b5d3b"}


@dataclass(frozen=True)
class NewProfile:
    passphrase: str
    service_name: str
    service_kind: str
    worker_name: str


def _card(*, width: int = 460) -> tuple[QWidget, QVBoxLayout]:
    """A white card centred on the page; returns the page and the card's layout."""
    page = QWidget()
    outer = QVBoxLayout(page)
    outer.addStretch(1)
    row = QHBoxLayout()
    row.addStretch(1)
    card = QFrame()
    card.setObjectName("card")
    card.setMaximumWidth(width + 80)
    card.setMinimumWidth(min(width, 420))
    row.addWidget(card, 3)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    layout = QVBoxLayout(card)
    layout.setContentsMargins(32, 28, 32, 28)
    layout.setSpacing(10)
    return page, layout


def _passphrase_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    field.setMinimumWidth(260)
    return field


class UnlockPage(QWidget):
    """Asks for the passphrase. A wrong one says so, and the user tries again."""

    unlock_requested = Signal(str)
    keyring_requested = Signal()  # unlock with the key kept in the OS keyring (when turned on)
    quit_requested = Signal()

    def __init__(self, profile_path: str, hint: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        page, card = _card()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(page)

        card.addWidget(label("Waymark is locked", "heading"))
        card.addWidget(label("Enter your passphrase to open your caseload.", "subheading", wrap=True))
        self.passphrase = _passphrase_field("Passphrase")
        self.passphrase.setPlaceholderText("Passphrase")
        form = QFormLayout()
        form.addRow("&Passphrase:", self.passphrase)
        card.addLayout(form)
        self.show_text = QCheckBox("&Show passphrase")
        self.show_text.setAccessibleName("Show passphrase")
        self.show_text.toggled.connect(
            lambda on: self.passphrase.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)
        )
        card.addWidget(self.show_text)
        self.error = label("", "error", wrap=True)
        self.error.setAccessibleName("Unlock message")
        self.error.hide()
        card.addWidget(self.error)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.quit_button = QPushButton("&Quit")
        self.quit_button.setAccessibleName("Quit Waymark")
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setObjectName("primary")
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.setDefault(True)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.unlock_button)
        card.addLayout(buttons)
        self.keyring_button = QPushButton("Unlock with the system &keyring")
        self.keyring_button.setAccessibleName("Unlock with the system keyring")
        self.keyring_button.hide()  # shown only when this profile keeps its key there
        self.keyring_button.clicked.connect(self.keyring_requested)
        card.addWidget(self.keyring_button, 0, Qt.AlignmentFlag.AlignRight)
        if hint:
            card.addWidget(label(hint, "hint", wrap=True))
        where = label(f"Profile: {profile_path}", "hint", wrap=True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        card.addWidget(where)

        self.passphrase.returnPressed.connect(self._submit)
        self.unlock_button.clicked.connect(self._submit)
        self.quit_button.clicked.connect(self.quit_requested)
        set_tab_order(self.passphrase, self.show_text, self.unlock_button, self.quit_button)

    def _submit(self) -> None:
        if not self.passphrase.text():
            self.show_error("Enter your passphrase.")
            return
        self.unlock_requested.emit(self.passphrase.text())

    def set_busy(self, busy: bool) -> None:
        self.passphrase.setEnabled(not busy)
        self.unlock_button.setEnabled(not busy)
        self.keyring_button.setEnabled(not busy)
        self.unlock_button.setText("Unlocking…" if busy else "&Unlock")
        if busy:
            self.error.hide()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.passphrase.selectAll()
        self.passphrase.setFocus()

    def reset(self) -> None:
        """Ready for the next unlock: nothing typed, no message."""
        self.set_busy(False)
        self.passphrase.clear()
        self.show_text.setChecked(False)
        self.error.hide()
        self.passphrase.setFocus()


class FirstRunPage(QWidget):
    """Creates the encrypted profile: passphrase twice, a strength hint, service and worker."""

    create_requested = Signal(object)  # NewProfile
    quit_requested = Signal()

    def __init__(self, profile_path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        page, card = _card(width=520)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(page)

        card.addWidget(label("Welcome to Waymark", "heading"))
        card.addWidget(
            label(
                "Your records are kept on this computer, encrypted with a passphrase. "
                "Choose one you will remember: without it the records cannot be opened.",
                "subheading",
                wrap=True,
            )
        )
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.service_name = QLineEdit("Traveller Education Service")
        self.service_name.setAccessibleName("Service name")
        self.service_kind = QComboBox()
        self.service_kind.setAccessibleName("Kind of service")
        for value, text in SERVICE_KINDS:
            self.service_kind.addItem(text, value)
        self.worker_name = QLineEdit()
        self.worker_name.setAccessibleName("Your name")
        self.worker_name.setPlaceholderText("As it should appear on visit reports")
        self.passphrase = _passphrase_field("Passphrase")
        self.again = _passphrase_field("Passphrase again")
        self.strength = label("", "hint", wrap=True)
        self.strength.setAccessibleName("Passphrase strength")
        form.addRow("Service &name:", self.service_name)
        form.addRow("&Kind of service:", self.service_kind)
        form.addRow("&Your name:", self.worker_name)
        form.addRow("&Passphrase:", self.passphrase)
        form.addRow("", self.strength)
        form.addRow("Passphrase &again:", self.again)
        card.addLayout(form)
        self.error = label("", "error", wrap=True)
        self.error.setAccessibleName("Problem creating the profile")
        self.error.hide()
        card.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.quit_button = QPushButton("&Quit")
        self.quit_button.setAccessibleName("Quit Waymark")
        self.create_button = QPushButton("&Create profile")
        self.create_button.setObjectName("primary")
        self.create_button.setAccessibleName("Create profile")
        self.create_button.setDefault(True)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.create_button)
        card.addLayout(buttons)
        where = label(f"Profile folder: {profile_path}", "hint", wrap=True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        card.addWidget(where)

        self.passphrase.textChanged.connect(self._update_strength)
        self.again.returnPressed.connect(self._submit)
        self.create_button.clicked.connect(self._submit)
        self.quit_button.clicked.connect(self.quit_requested)
        set_tab_order(
            self.service_name,
            self.service_kind,
            self.worker_name,
            self.passphrase,
            self.again,
            self.create_button,
            self.quit_button,
        )
        self._update_strength("")

    def _update_strength(self, text: str) -> None:
        score, hint = passphrase_strength(text)
        self.strength.setText(hint if text else f"At least {MIN_LENGTH} characters; three or four words work well.")
        colour = STRENGTH_COLOURS[score] if text else "#5b6470"
        self.strength.setStyleSheet(f"color: {colour};")

    def _submit(self) -> None:
        passphrase = self.passphrase.text()
        problem = passphrase_problem(passphrase)  # the rule the CLI and the services apply too
        if problem:
            return self.show_error(problem, self.passphrase)
        if self.again.text() != passphrase:
            return self.show_error("The two passphrases are different. Type it again.", self.again)
        if not self.service_name.text().strip():
            return self.show_error("Enter the name of your service.", self.service_name)
        self.create_requested.emit(
            NewProfile(
                passphrase=passphrase,
                service_name=self.service_name.text().strip(),
                service_kind=self.service_kind.currentData(),
                worker_name=self.worker_name.text().strip(),
            )
        )

    def set_busy(self, busy: bool) -> None:
        for widget in (self.service_name, self.service_kind, self.worker_name, self.passphrase, self.again):
            widget.setEnabled(not busy)
        self.create_button.setEnabled(not busy)
        self.create_button.setText("Creating…" if busy else "&Create profile")
        if busy:
            self.error.hide()

    def show_error(self, message: str, focus: QWidget | None = None) -> None:
        self.error.setText(message)
        self.error.show()
        if isinstance(focus, QLineEdit):
            focus.selectAll()
        (focus or self.passphrase).setFocus()

    def start(self) -> None:
        (self.worker_name if self.service_name.text() else self.service_name).setFocus()
