"""The desktop side of sync: push and pull over HTTP, through a port the store implements."""

from .engine import (
    AccessRevoked,
    ClientTooOld,
    InsecureServer,
    Offline,
    ServerError,
    SyncClient,
    SyncError,
    SyncResult,
    check_url,
    login,
)
from .port import SyncPort

__all__ = [
    "AccessRevoked",
    "ClientTooOld",
    "InsecureServer",
    "Offline",
    "ServerError",
    "SyncClient",
    "SyncError",
    "SyncPort",
    "SyncResult",
    "check_url",
    "login",
]
