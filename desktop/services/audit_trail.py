"""Reading the audit trail: who did what, to which record, when; and whether the
chain of hashes still holds (store/audit.py says how it is built)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from desktop.store import trail
from desktop.store.audit import Break, Verification

from .errors import ValidationError
from .source import RecordSource

__all__ = ["ACTIONS", "AuditEntry", "Break", "Verification", "entries", "verify"]

ACTIONS = {
    "create": "Added",
    "update": "Changed",
    "delete": "Removed",
    "view-restricted": "Viewed restricted record",
    "print": "Printed",
    "export": "Exported",
    "settings": "Changed settings",
    "passphrase": "Changed the passphrase",
    "sign-in": "Signed in",
    "lock": "Locked",
    "erase": "Erased",
    "retention-confirmed": "Confirmed destruction",
    "keyring": "System keyring",
}


@dataclass(frozen=True)
class Change:
    field: str
    old: object
    new: object
    values_kept: bool  # False for restricted records: only the field's name is kept


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime  # local time
    actor: str
    action: str
    entity: str
    entity_id: str
    summary: str
    pupil_ids: tuple[str, ...]
    changes: tuple[Change, ...]
    redacted: bool
    sent: bool

    @property
    def action_label(self) -> str:
        return ACTIONS.get(self.action, self.action.replace("-", " ").capitalize())

    @property
    def entity_label(self) -> str:
        return self.entity.replace("_", " ")

    @property
    def detail(self) -> str:
        """One line: the summary, then each change as old → new."""
        if self.redacted:
            return "(erased)"
        parts = [self.summary] if self.summary and not self.changes else []
        for c in self.changes:
            if not c.values_kept:
                parts.append(f"{c.field} changed")
            else:
                parts.append(f"{c.field}: {_show(c.old)} → {_show(c.new)}")
        return "; ".join(p for p in parts if p) or self.summary

    def to_json(self) -> dict:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(timespec="seconds"),
            "actor": self.actor,
            "action": self.action,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "summary": self.summary,
            "pupil_ids": list(self.pupil_ids),
            "changes": {c.field: ([c.old, c.new] if c.values_kept else None) for c in self.changes},
            "redacted": self.redacted,
            "sent": self.sent,
        }


def _show(value: object) -> str:
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return str(value)


def _local(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone()


def _utc(day: date) -> datetime:
    """Local midnight starting `day`, as the naive UTC the trail stores."""
    return datetime.combine(day, time()).astimezone().astimezone(UTC).replace(tzinfo=None)


def entries(
    app: RecordSource,
    *,
    pupil_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int | None = None,
) -> list[AuditEntry]:
    """The trail newest first: about one pupil, from `start` to `end` inclusive (local days)."""
    if start and end and end < start:
        raise ValidationError("The period starts after it ends.")
    rows = trail.events(
        app.store,
        pupil_id=pupil_id,
        start=_utc(start) if start else None,
        end=_utc(end + timedelta(days=1)) if end else None,
        limit=limit,
    )
    if pupil_id and not rows:
        app.get_pupil(pupil_id)  # an unknown id says so; an erased pupil still has their erasure row
    return [
        AuditEntry(
            seq=r["seq"],
            at=_local(r["at"]),
            actor=r["actor"],
            action=r["action"],
            entity=r["entity"],
            entity_id=r["entity_id"],
            summary=r["summary"],
            pupil_ids=tuple(r["pupil_ids"] or ()),
            changes=tuple(
                Change(name, *(v if isinstance(v, list) and len(v) == 2 else (None, None)), values_kept=v is not None)
                for name, v in (r["changes"] or {}).items()
                if r["action"] in ("update", "settings")
            ),
            redacted=bool(r["redacted"]),
            sent=bool(r["sent"]),
        )
        for r in rows
    ]


def verify(app: RecordSource) -> Verification:
    return trail.verify(app.store)


def describe_break(item: Break) -> str:
    return f"row {item.seq} ({item.at}, {item.action} {item.entity.replace('_', ' ')}): {item.reason}"
