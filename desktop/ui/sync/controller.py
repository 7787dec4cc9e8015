"""The controller that syncs in the background: soon after an edit, every few
minutes, backing off while the server cannot be reached. Never on the window's
thread: the work goes to the task runner's network pool and comes back by
queued signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from desktop.services import Changes
from desktop.services.sync import SyncService
from desktop.tasks import TaskRunner

from .words import NOT_CONNECTED, retry_words, synced_words
from .worker import Outcome, _run_sync

EVERY = 5 * 60_000  # ms between syncs when all is well
SOON = 15_000  # ms after an edit
FIRST_RETRY = 30_000
LONGEST_WAIT = 15 * 60_000
# Every record kind, so each view redraws after a pull that brought something.
PULLED = Changes(
    frozenset({"pupil", "visit", "school", "site", "folder", "progress_entry", "plan", "sync_conflict"}), ("sync",)
)


class SyncController(QObject):
    """Background sync for one open profile."""

    state_changed = Signal(str)  # words for the status bar
    synced = Signal(object)  # Outcome, on the window's thread
    _progress = Signal(str, int)  # from the network thread

    def __init__(self, runner: TaskRunner, service: SyncService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self.service = runner, service
        self.running = False
        self.failures = 0
        self._stopped = False
        self._asked = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer may run 5 % long
        self._timer.timeout.connect(self.sync_now)
        self._progress.connect(self._show_progress)

    def start(self) -> None:
        self._stopped = False
        self._schedule(1_000)

    def stop(self) -> None:
        self._stopped = True
        self._timer.stop()

    def note_change(self) -> None:
        """An edit was saved here: send it soon (unless a retry is already due sooner)."""
        if not self._stopped and (not self._timer.isActive() or self._timer.remainingTime() > SOON):
            self._schedule(SOON)

    def _schedule(self, ms: int) -> None:
        if not self._stopped:
            self._timer.start(ms)

    @property
    def next_in(self) -> int:
        return self._timer.remainingTime() if self._timer.isActive() else -1

    def sync_now(self, asked: bool = False) -> None:
        """Sync now. `asked`: the user asked (F9), so a laptop with no server is told how to connect."""
        if self.running or self._stopped:
            return
        self.running = True
        self._asked = asked
        self._timer.stop()
        self.state_changed.emit("Syncing…")
        service = self.service
        self.runner.run(
            lambda: _run_sync(service, lambda stage, n: self._progress.emit(stage, n)),
            self._done,
            lambda message: self._done(Outcome(error=message)),
            network=True,
        )

    def _show_progress(self, stage: str, count: int) -> None:
        if self.running:
            verb = "Sending changes" if stage == "push" else "Receiving records"
            self.state_changed.emit(f"{verb}: {count:,} so far…")

    def _done(self, outcome: Outcome) -> None:
        self.running = False
        if self._stopped:
            return
        if outcome.locked:  # quietly: no failure counted, no retry (the next unlock starts afresh)
            self.state_changed.emit(outcome.locked)
            self.synced.emit(outcome)
            return
        if outcome.not_connected:
            self.state_changed.emit(NOT_CONNECTED if self._asked else "")
            self.synced.emit(outcome)
            return  # nothing to do until someone connects (which starts a sync)
        if outcome.error:
            self.failures += 1
            if outcome.stop:
                self.state_changed.emit(outcome.error)
            else:
                wait = min(FIRST_RETRY * 2 ** (self.failures - 1), LONGEST_WAIT)
                self.state_changed.emit(retry_words(outcome, wait))
                self._schedule(wait)
        else:
            self.failures = 0
            self.state_changed.emit(synced_words(outcome))
            self._schedule(EVERY)
            if outcome.pulled or outcome.left or outcome.narrowed:
                self.runner.did_change.emit(PULLED)
        self.synced.emit(outcome)
