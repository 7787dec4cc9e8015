"""The desktop side of sync: push and pull over HTTP, through a port the store implements."""

from .engine import (
    AccessRevoked,
    ClientTooOld,
    InsecureServer,
    Offline,
    ServerError,
    Stopped,
    SyncClient,
    SyncError,
    SyncResult,
    check_url,
    login,
)
from .port import AuditPort, SnapshotPort, SyncPort, TablesPort

__all__ = [
    "AccessRevoked",
    "AuditPort",
    "ClientTooOld",
    "InsecureServer",
    "Offline",
    "ServerError",
    "SnapshotPort",
    "Stopped",
    "SyncClient",
    "SyncError",
    "SyncPort",
    "SyncResult",
    "TablesPort",
    "check_url",
    "login",
]
