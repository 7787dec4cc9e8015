"""Small forms that save one record through the services, off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, TypeVar

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDateEdit, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from .drafts import DraftedDialog
from .widgets import DATE_FORMAT, Banner, to_qdate

if TYPE_CHECKING:
    from desktop.services import Changes, Waymark
    from desktop.tasks import TaskRunner

T = TypeVar("T")


class SaveDialog(DraftedDialog):
    """A small form that saves one record through the services. A form that calls
    `keep_drafts(kind, key, title=…)` is kept as a draft while it is typed."""

    saved = Signal(str)
    # An edit form's values as it opened (`remember_opened`), sent with its values on Save so
    # that only what the user changed is written, not a field pulled meanwhile.
    opened: dict[str, object] | None = None

    def __init__(self, app: Waymark, runner: TaskRunner, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.app, self.runner = app, runner
        self._saving = False
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setModal(True)
        self.banner = Banner(self)
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        # No Alt+S: Enter or Ctrl+Return saves, and S is the letter of the fields (Site, Subject, Starts…).
        self.save_button = self.buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setToolTip("Save (Ctrl+Return)")
        self.save_button.setObjectName("primary")
        self.save_button.setDefault(True)
        self.save_button.setAccessibleName("Save")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.submit)

    def add_row(self, text: str, widget: QWidget, name: str) -> None:
        widget.setAccessibleName(name)
        label = QLabel(text)
        label.setBuddy(widget)
        self.form.addRow(label, widget)

    def date_edit(self, day: date) -> QDateEdit:
        edit = QDateEdit(to_qdate(day))
        edit.setDisplayFormat(DATE_FORMAT)
        edit.setCalendarPopup(True)
        return edit

    def load(self, task: Callable[[], T], on_loaded: Callable[[T], None]) -> None:
        """Fetch what the form offers (on the store thread); Save waits for it. The
        answer is dropped if the dialog has gone meanwhile (closed, or the app locked)."""
        self.save_button.setEnabled(False)
        self.loading_started()

        def loaded(result: T) -> None:
            if shiboken6.isValid(self):
                on_loaded(result)
                self.save_button.setEnabled(True)
                self.loading_finished()

        def failed(message: str) -> None:
            if shiboken6.isValid(self):
                self.banner.show_message(message)

        self.runner.run(task, loaded, failed)

    def values(self) -> dict[str, object]:
        """An edit form's fields, named as its service takes them (overridden by edit forms)."""
        raise NotImplementedError

    def remember_opened(self) -> None:
        """An edit form: its fields now show the record as it was read (or as a restored
        draft's form showed it); keep them to compare with on Save."""
        if type(self).values is not SaveDialog.values:
            self.opened = self.values()

    def task(self) -> Callable[[], Changes]:  # overridden
        """Read the form here, on the UI thread; the returned call runs on the store thread."""
        raise NotImplementedError

    def submit(self) -> None:
        if self._saving:
            return
        try:
            task = self.task()
        except ValueError as exc:  # a field the form could not read (a typed date): say which, save nothing
            self.banner.show_message(str(exc))
            return
        self._saving = True
        self.runner.run(task, self._saved, self._failed)

    def _failed(self, message: str) -> None:
        self._saving = False
        self.banner.show_message(message)

    def _saved(self, changes: Changes) -> None:
        self._saving = False
        self.draft_saved_as_record()
        self.saved.emit(changes.id)
        self.accept()
