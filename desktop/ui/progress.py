"""A cancellable progress dialog for long work on the store thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from desktop.tasks import CancelToken


class _Relay(QObject):
    """Carries progress from the store thread to the UI thread (a queued signal)."""

    changed = Signal(int, int)


class LongWork:
    """A progress dialog that appears only if the work takes a while (`delay_ms`), and
    a `tick(done, total)` for the work to call from its thread: it moves the bar and
    raises `Cancelled` once the user has pressed Cancel."""

    def __init__(self, text: str, parent: QWidget | None = None, *, delay_ms: int = 500) -> None:
        self.token = CancelToken()
        self.dialog = QProgressDialog(text, "Cancel", 0, 100, parent)
        self.dialog.setWindowTitle("Waymark")
        self.dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.dialog.setMinimumDuration(delay_ms)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setAccessibleName(text.rstrip("…."))
        self.dialog.setValue(0)  # starts the timer behind minimumDuration
        self._closed = False
        self._relay = _Relay()
        self._relay.changed.connect(self._show)
        # Cancel hides the dialog at once; the work stops at its next tick and its
        # result is dropped (TaskRunner ignores Cancelled).
        self.dialog.canceled.connect(self.token.cancel)
        self.dialog.canceled.connect(self.close)

    def _show(self, done: int, total: int) -> None:
        if not self._closed:
            self.dialog.setValue(min(99, done * 100 // max(total, 1)))

    def tick(self, done: int, total: int) -> None:
        """Called from the worker thread."""
        self.token.check()
        self._relay.changed.emit(done, total)

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.dialog.close()
            self.dialog.deleteLater()
