"""The main window: the lock pages, the workspace that holds a session, the
status bar and the idle lock.

A session's widgets live in one `Workspace`, made at unlock and destroyed at
lock: locking cannot leave a pupil's name behind in some forgotten view. Every
service call goes through the task runner; callbacks that arrive after the
session ended are dropped.

A file per part: window.py (MainWindow, assembled from session.py, actions.py,
settings.py and status.py), idle.py (the idle lock and Ctrl+L everywhere) and
workspace/ (the caseload pane, its columns, the commands, the unsaved forms).
"""

from ..settings_dialog import SettingsDialog
from .idle import INPUT_EVENTS, AppKey, IdleWatcher, LockKey
from .session import UNFINISHED_MARKER, profile_folder_used
from .status import format_sync
from .window import APPLICATION, ORGANISATION, MainWindow
from .workspace import CASELOAD_ENTITIES, Workspace

__all__ = [
    "APPLICATION",
    "CASELOAD_ENTITIES",
    "INPUT_EVENTS",
    "ORGANISATION",
    "UNFINISHED_MARKER",
    "AppKey",
    "IdleWatcher",
    "LockKey",
    "MainWindow",
    "SettingsDialog",
    "Workspace",
    "format_sync",
    "profile_folder_used",
]
