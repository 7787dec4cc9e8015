"""File → Settings: the few settings a worker changes (see `SettingsDialog`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QDialogButtonBox, QFormLayout, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from .drafts import DraftedDialog, not_drafted
from .widgets import Banner

if TYPE_CHECKING:
    from desktop.services import Settings, Waymark
    from desktop.tasks import TaskRunner


class SettingsDialog(DraftedDialog):
    """The few settings a worker changes: names on reports, the idle lock, retention.
    Kept as a draft while typed, like every form; the window saves the values once the
    dialog is accepted, and the draft goes then."""

    def __init__(
        self,
        app: Waymark,
        runner: TaskRunner,
        current: Settings,
        parent: QWidget | None = None,
        *,
        keyring_allowed: bool = True,
        policy: dict | None = None,
    ) -> None:
        super().__init__(parent)
        self.app, self.runner = app, runner
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self.current = current
        self.banner = Banner(self)
        self.service_name = QLineEdit(current.service_name)
        self.service_name.setAccessibleName("Service name")
        self.worker_name = QLineEdit(current.worker_name)
        self.worker_name.setAccessibleName("Your name")
        self.auto_lock = QSpinBox()
        self.auto_lock.setRange(1, 240)
        self.auto_lock.setSuffix(" minutes")
        self.auto_lock.setValue(current.auto_lock_minutes)
        self.auto_lock.setAccessibleName("Lock after this many idle minutes")
        # Wide enough for a long service name ("Lancashire Traveller Education Service") whole.
        for edit in (self.service_name, self.worker_name):
            edit.setMinimumWidth(max(340, edit.fontMetrics().horizontalAdvance(edit.text()) + 30))
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        form = QFormLayout()
        layout.addLayout(form)
        form.addRow("Service &name:", self.service_name)
        form.addRow("&Your name:", self.worker_name)
        form.addRow("&Lock when idle for:", self.auto_lock)
        # Retention: the schedule `waymark retention review` applies.
        self.archive_years = QSpinBox()
        self.archive_years.setRange(0, 50)
        self.archive_years.setSuffix(" year(s) after leaving")
        self.archive_years.setValue(current.retention_archive_years)
        self.archive_years.setAccessibleName("Archive a pupil this many years after leaving the caseload")
        self.destroy_years = QSpinBox()
        self.destroy_years.setRange(1, 100)
        self.destroy_years.setSuffix(" years from the date of birth")
        self.destroy_years.setValue(current.retention_destroy_years)
        self.destroy_years.setAccessibleName("Destroy records this many years after the date of birth")
        form.addRow("&Archive:", self.archive_years)
        form.addRow("&Destroy:", self.destroy_years)
        self._follow_policy(policy or {})
        self.keyring = QCheckBox("Unlock with the system &keyring (the key is kept in your login keyring)")
        self.keyring.setAccessibleName("Unlock with the system keyring")
        self.keyring.setChecked(current.keyring_unlock and keyring_allowed)
        self.keyring.setEnabled(keyring_allowed)
        if not keyring_allowed:
            self.keyring.setToolTip("Your local authority's policy does not allow this.")
            self.keyring.setText("Unlock with the system keyring: not allowed by your local authority's policy")
        form.addRow("", self.keyring)
        # Turning keyring unlock on asks for the passphrase as it is saved: not kept in a draft.
        not_drafted(self.keyring)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.keep_drafts("settings", title="change to the settings")

    def accept(self) -> None:
        self.draft_saved_as_record()  # the window saves the values now
        super().accept()

    def _follow_policy(self, policy: dict) -> None:
        """What the LA's policy decides is shown, not offered."""
        for key, box in (
            ("retention_archive_years", self.archive_years),
            ("retention_destroy_years", self.destroy_years),
        ):
            if key in policy:
                box.setEnabled(False)
                box.setToolTip("Set by your local authority's policy.")
        most = policy.get("auto_lock_max_minutes")
        if isinstance(most, int) and most >= 1:
            self.auto_lock.setMaximum(most)
            self.auto_lock.setToolTip(f"Your local authority's policy: at most {most} minutes.")

    def values(self) -> dict[str, object]:
        return {
            "service_name": self.service_name.text().strip(),
            "worker_name": self.worker_name.text().strip(),
            "auto_lock_minutes": self.auto_lock.value(),
            "retention_archive_years": self.archive_years.value(),
            "retention_destroy_years": self.destroy_years.value(),
        }

    def keyring_change(self) -> bool | None:
        """True to turn keyring unlock on, False to turn it off, None to leave it."""
        wanted = self.keyring.isChecked()
        return None if wanted == self.current.keyring_unlock or not self.keyring.isEnabled() else wanted
