"""The facade the UI and the CLI call; see api.Waymark."""

from .api import Waymark
from .errors import (
    USER_ERRORS,
    NotAStore,
    NotFound,
    ServiceError,
    StoreClosed,
    StoreError,
    ValidationError,
    WrongPassphrase,
)
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
    "StoreClosed",
    "StoreError",
    "SyncStatus",
    "ValidationError",
    "Waymark",
    "WrongPassphrase",
]
