"""A cancellable progress dialog for long work on the store thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from desktop.tasks import CancelToken


class LongWork(QObject):
    """A progress dialog that appears only if the work takes a while (`delay_ms`), and
    a `tick(done, total)` for the work to call from its thread: it moves the bar and
    raises `Cancelled` once the dialog has been cancelled or rejected (Cancel, Esc, or
    the window rejecting its dialogs as it locks). `stopped` then fires, once."""

    stopped = Signal()
    _progress = Signal(int, int)  # emitted on the worker thread, delivered on the UI thread

    def __init__(self, text: str, parent: QWidget | None = None, *, delay_ms: int = 500) -> None:
        super().__init__()
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
        self._progress.connect(self._show)
        self.dialog.canceled.connect(self._stop)
        self.dialog.rejected.connect(self._stop)

    def _show(self, done: int, total: int) -> None:
        if not self._closed:
            self.dialog.setValue(min(99, done * 100 // max(total, 1)))

    def _stop(self) -> None:
        if self._closed:  # our own close() (QProgressDialog emits canceled on close)
            return
        self.token.cancel()  # the work stops at its next tick; TaskRunner drops Cancelled quietly
        self.close()
        self.stopped.emit()

    def tick(self, done: int, total: int) -> None:
        """Called from the worker thread."""
        self.token.check()
        self._progress.emit(done, total)

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled

    def close(self) -> None:
        """The work is over: take the dialog away."""
        if not self._closed:
            self._closed = True
            self.dialog.close()
            self.dialog.deleteLater()
