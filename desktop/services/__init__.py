"""The facade the UI and the CLI call; see api.Waymark."""

from .api import CaseloadRow, Changes, PupilRecord, Settings, SyncStatus, Waymark
from .errors import USER_ERRORS, NotAStore, NotFound, ServiceError, StoreError, ValidationError, WrongPassphrase

__all__ = [
    "USER_ERRORS",
    "CaseloadRow",
    "Changes",
    "NotAStore",
    "NotFound",
    "PupilRecord",
    "ServiceError",
    "Settings",
    "StoreError",
    "SyncStatus",
    "ValidationError",
    "Waymark",
    "WrongPassphrase",
]
