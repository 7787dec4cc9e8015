"""What a sync did (SyncResult), and the progress callback it reports to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Progress = Callable[[str, int], None]  # (stage, records so far)


@dataclass
class SyncResult:
    pushed: int = 0
    refused: dict[str, str] = field(default_factory=dict)  # op id -> reason
    pulled: int = 0
    conflicts: int = 0  # unresolved conflict records received
    snapshot: bool = False  # the server sent a fresh snapshot (410)
    left: int = 0  # pupils who left this user's scope, removed from this laptop
    narrowed: bool = False  # the user's role now holds less: what it may not hold was removed
    round_trips: int = 0
    audited: int = 0  # audit rows the server now holds
    audit_breaks: list[str] = field(default_factory=list)  # where the server found the trail's chain broken
    audit_error: str = ""  # the server would not take the audit rows (they stay unsent)
    backfilled: int = 0  # records of tables this version knows and an older one skipped
    policy: dict | None = None  # the LA's policy, as the server sent it (None: an older server)

    def to_json(self) -> dict:
        return {
            "pushed": self.pushed,
            "refused": len(self.refused),
            "refusals": sorted(set(self.refused.values())),
            "pulled": self.pulled,
            "conflicts": self.conflicts,
            "snapshot": self.snapshot,
            "left": self.left,
            "narrowed": self.narrowed,
            "round_trips": self.round_trips,
            "audited": self.audited,
            "audit_breaks": self.audit_breaks,
            "backfilled": self.backfilled,
        }
