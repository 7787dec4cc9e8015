"""Run service calls off the UI thread and bring results back to it.

One worker thread owns all store work, so writes never race and the window
never waits on the disk. Results and errors come back to the UI thread by a
queued signal. After every mutation that returns `Changes`, `did_change` fires
once, and each view decides whether to redraw (the pattern of Anki's
`operation_did_execute`).

Tests use `ImmediateTaskRunner`, which runs each task at once on the calling
thread, so widget tests are deterministic (Picard's fake thread pool).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised inside a task that saw its cancel flag."""


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self.cancelled:
            raise Cancelled()


def user_message(exc: BaseException) -> str:
    """One line for a person; the traceback goes to the log, never the screen."""
    from desktop.services import USER_ERRORS  # imported late: the unlock window must not wait for it

    if isinstance(exc, USER_ERRORS):
        return str(exc)
    log.error("Unexpected error in a background task", exc_info=exc)
    return f"Something went wrong ({exc.__class__.__name__}); nothing was changed. Details are in the log."


class TaskRunner(QObject):
    """Store work on one worker thread; `network` work on another pool."""

    _finished = Signal(object, object, object, object)  # on_done, on_error, result, error
    did_change = Signal(object)  # Changes
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="waymark-store")
        self._other_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="waymark-net")
        self._pending = 0
        self._finished.connect(self._deliver)  # queued: emitted from worker threads

    def run(
        self,
        task: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        *,
        network: bool = False,
    ) -> None:
        """Run `task()` in the background; `on_done(result)` or `on_error(message)` on the UI thread."""
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        pool = self._other_pool if network else self._store_pool

        def work() -> None:
            try:
                result = task()
            except BaseException as exc:
                self._finished.emit(on_done, on_error, None, exc)
            else:
                self._finished.emit(on_done, on_error, result, None)

        pool.submit(work)

    def _deliver(self, on_done, on_error, result, error) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        if error is not None:
            if isinstance(error, Cancelled):
                return
            message = user_message(error)
            if on_error:
                on_error(message)
            return
        from desktop.services import Changes  # late, as above; a dict lookup once loaded

        if isinstance(result, Changes):
            self.did_change.emit(result)
        if on_done:
            on_done(result)

    def shutdown(self) -> None:
        self._store_pool.shutdown(wait=True)
        self._other_pool.shutdown(wait=True)


class ImmediateTaskRunner(TaskRunner):
    """Runs each task at once, on the calling thread: for tests."""

    def run(self, task, on_done=None, on_error=None, *, network: bool = False) -> None:
        self._pending += 1
        try:
            result = task()
        except BaseException as exc:
            self._deliver(on_done, on_error, None, exc)
        else:
            self._deliver(on_done, on_error, result, None)
