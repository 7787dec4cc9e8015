"""The desktop side of sync: push and pull over HTTP, through a port the store implements.

client.py (SyncClient) with pushing.py and pulling.py; answers.py reads the server's
answers; connection.py checks the address and makes the httpx client; logging_in.py
registers a device; errors.py and result.py what a sync raises and returns."""

from .client import SyncClient
from .connection import check_url
from .errors import AccessRevoked, ClientTooOld, InsecureServer, Offline, ServerError, Stopped, SyncError
from .logging_in import login
from .port import AuditPort, SnapshotPort, SyncPort, TablesPort
from .result import SyncResult

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
