"""The background sync itself, run on the task runner's network pool: one sync,
its result or failure folded into an `Outcome` the window's thread can read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from desktop.services import StoreClosed
from desktop.services.sync import AccessRevoked, ClientTooOld, Offline, SyncError, SyncService, SyncStopped


@dataclass(frozen=True)
class Outcome:
    """What one background sync came to; never an exception across threads."""

    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    error: str = ""
    offline: bool = False
    stop: bool = False  # revoked, disabled or too old: trying again will not help
    not_connected: bool = False
    left: int = 0  # pupils no longer this user's, removed from the laptop
    narrowed: bool = False  # the user's role now holds less; what it may not hold was removed
    refused: int = 0  # changes the server refused, kept aside (File → Changes not sent…)
    locked: str = ""  # the profile locked during the sync, which stopped there: the words to show


def _run_sync(service: SyncService, progress: Callable[[str, int], None]) -> Outcome:
    try:
        if service.account() is None:
            return Outcome(not_connected=True)
        result = service.sync(progress)
    except (SyncStopped, StoreClosed) as exc:  # locked under it: not a failure, nothing to retry now
        return Outcome(locked=str(exc) if isinstance(exc, SyncStopped) else str(SyncStopped()))
    except Offline as exc:
        return Outcome(error=str(exc), offline=True)
    except (AccessRevoked, ClientTooOld) as exc:
        return Outcome(error=str(exc), stop=True)
    except SyncError as exc:
        return Outcome(error=str(exc))
    return Outcome(
        pushed=result.pushed,
        pulled=result.pulled,
        conflicts=result.conflicts,
        left=result.left,
        narrowed=result.narrowed,
        refused=len(result.refused),
    )
