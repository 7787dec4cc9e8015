"""The facade the UI and the CLI call; see api.Waymark."""

from .api import Waymark
from .errors import USER_ERRORS, NotAStore, NotFound, ServiceError, StoreError, ValidationError, WrongPassphrase
from .results import (
    CalendarImport,
    CalendarYear,
    CaseloadRow,
    Changes,
    PupilOverview,
    PupilRecord,
    Settings,
    SyncStatus,
)

__all__ = [
    "USER_ERRORS",
    "CalendarImport",
    "CalendarYear",
    "CaseloadRow",
    "Changes",
    "NotAStore",
    "NotFound",
    "PupilOverview",
    "PupilRecord",
    "ServiceError",
    "Settings",
    "StoreError",
    "SyncStatus",
    "ValidationError",
    "Waymark",
    "WrongPassphrase",
]
