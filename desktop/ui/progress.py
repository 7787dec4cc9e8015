"""A progress dialog for long work on the store thread, cancellable unless told otherwise."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressBar, QProgressDialog, QWidget

from desktop.tasks import CancelToken

Tick = Callable[[int, int], None]


class LongWork(QObject):
    """A progress dialog that appears only if the work takes a while (`delay_ms`), and
    a `tick(done, total)` for the work to call from its thread: it moves the bar and
    raises `Cancelled` once the dialog has been cancelled or rejected (Cancel, Esc, or
    the window rejecting its dialogs as it locks). `stopped` then fires, once.

    Work in stages calls `say(text)` as each begins and ticks through `part(start, end)`,
    which maps the stage's own count onto its share of the bar. With `show_elapsed`, the
    label counts the seconds, so a slow step on a busy machine is plainly still going."""

    stopped = Signal()
    moved = Signal(int)  # the bar's new value, on the UI thread
    _progress = Signal(int, int)  # emitted on the worker thread, delivered on the UI thread
    _said = Signal(str)

    def __init__(
        self,
        text: str,
        parent: QWidget | None = None,
        *,
        delay_ms: int = 500,
        show_elapsed: bool = False,
        cancellable: bool = True,
    ) -> None:
        super().__init__()
        self.token = CancelToken()
        self.dialog = QProgressDialog(text, "Cancel", 0, 100, parent)
        self.dialog.setWindowTitle("Waymark")
        self.dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.dialog.setMinimumDuration(delay_ms)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setAccessibleName(text.rstrip("…."))
        bar = self.dialog.findChild(QProgressBar)
        if bar is not None:
            bar.setAccessibleName("Progress")
        if not cancellable:
            self.dialog.setCancelButton(None)
        self.dialog.setValue(0)  # starts the timer behind minimumDuration
        self._closed = False
        self._text = text
        self._started = time.monotonic()
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._show_text)
        if show_elapsed:
            self._clock.start()
        self._progress.connect(self._show)
        self._said.connect(self._new_text)
        if cancellable:  # else Esc only hides the dialog; the work goes on to its end
            self.dialog.canceled.connect(self._stop)
            self.dialog.rejected.connect(self._stop)

    def _show(self, done: int, total: int) -> None:
        if not self._closed:
            value = min(99, done * 100 // max(total, 1))
            if value != self.dialog.value():
                self.dialog.setValue(value)
                self.moved.emit(value)

    def _new_text(self, text: str) -> None:
        self._text = text
        self._show_text()

    def _show_text(self) -> None:
        if self._closed:
            return
        seconds = int(time.monotonic() - self._started)
        self.dialog.setLabelText(
            f"{self._text} ({seconds} s)" if self._clock.isActive() and seconds >= 2 else self._text
        )

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

    def say(self, text: str) -> None:
        """A new stage of the work begins (called from the worker thread)."""
        self.token.check()
        self._said.emit(text)

    def part(self, start: int, end: int) -> Tick:
        """A tick for one stage, moving the bar from `start` to `end` per cent."""

        def tick(done: int, total: int) -> None:
            self.tick(start + (end - start) * min(done, total) // max(total, 1), 100)

        return tick

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled

    def close(self) -> None:
        """The work is over: take the dialog away."""
        if not self._closed:
            self._closed = True
            self._clock.stop()
            self.dialog.close()
            self.dialog.deleteLater()
