"""Sync in the app: a controller that syncs in the background, the
"Connect to the LA server" dialog and the Conflicts view.

The controller never syncs on the window's thread: it hands the work to the
task runner's network pool and hears back by queued signals. It syncs soon
after an edit, every few minutes, and backs off (30 s, 1 min, 2 min … 15 min)
while the server cannot be reached. Its words go to the status bar. Like all
the UI, it talks to `SyncService` through the task runner, never to the store.

A file per part: controller.py (`SyncController` and its timings), worker.py
(one background sync, folded into an `Outcome`), words.py (the status bar's
words), connect.py (`ConnectDialog`) and conflicts.py (`ConflictsDialog`).
"""

from .conflicts import ConflictsDialog
from .connect import ConnectDialog
from .controller import EVERY, FIRST_RETRY, LONGEST_WAIT, PULLED, SOON, SyncController
from .words import NOT_CONNECTED, wait_words
from .worker import Outcome

__all__ = [
    "EVERY",
    "FIRST_RETRY",
    "LONGEST_WAIT",
    "NOT_CONNECTED",
    "PULLED",
    "SOON",
    "ConflictsDialog",
    "ConnectDialog",
    "Outcome",
    "SyncController",
    "wait_words",
]
