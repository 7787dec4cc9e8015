"""Desktops' audit trails, kept on the server: received with each sync,
append-only, never merged and never served back to devices; LA leads read them.

A trail is one desktop profile's chain (sync.protocol.chain). Each row that
arrives is checked against what the server already holds of its trail: that
its number follows, that it names the hash of the row before it, and that
its own hashes hold. A row that does not is still kept (the LA must see what
arrived), with the reason in `chain_break`, and the sender is told.

Rows are idempotent by id: a row held already is acknowledged again and
changes nothing, except that a row since blanked by an erasure on the laptop
(same hashes, content removed) is blanked here too. A row sent again with
different hashes is kept beside the first, as a break.

The server writes rows of its own too (`record`: an LA lead fetched a report
that carries UPNs), chained the same way in a trail of its own per user
(`server-<user id>`), which no device may push to: they read, list and verify
as a laptop's rows do.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, exists, insert, select, text, update

from sync.protocol import AuditEntry, AuditPush, AuditPushResponse, AuditRow
from sync.protocol.chain import GENESIS, at_text, content_hash, row_hash

from .auth import Principal
from .auth import now as utc_now
from .tables import AuditEvent, AuditPupil, User

MAX_LIST = 10_000
AGAIN = "#"  # joins a row's id and hash when it was sent again with other contents
SERVER_TRAIL = "server-"  # the trails the server writes itself (one per user); no device pushes to them


def _lock(conn: Connection, trail: str) -> None:
    """One push per trail at a time (SQLite's writers queue at BEGIN IMMEDIATE already)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:trail, 7))"), {"trail": trail})


def _chain_break(row: AuditRow, before: str | None) -> str:
    """Why `row` does not continue its trail (`before`: the hash of the row numbered
    just below it, GENESIS for the first, None when that row never arrived)."""
    reasons = []
    if before is None:
        reasons.append(f"rows before {row.seq} never arrived")
    elif row.prev_hash != before:
        reasons.append("it does not follow the row before it (a row was removed, added or moved)")
    if row_hash(row.model_dump(), row.prev_hash) != row.hash:
        reasons.append("its contents were changed after it was written")
    if row.redacted:
        if row.summary or row.changes or row.salt:
            reasons.append("it is marked as erased but still holds content")
    elif content_hash(row.salt, row.summary, row.changes) != row.content_hash:
        reasons.append("its summary or old and new values were changed after it was written")
    return "; ".join(reasons)


def _again(row: AuditRow) -> str:
    """The id a row sent again with other hashes is kept under, beside the first."""
    return f"{row.id[:47]}{AGAIN}{row.hash[:16]}"


class NotYourTrail(Exception):
    """A push to a trail another user's laptop began (the answer is 403)."""


def receive(conn: Connection, who: Principal, push: AuditPush) -> AuditPushResponse:
    """Keep the rows of one trail; answer with the ids now held and any breaks. A trail
    belongs to the user who sent its first rows: nobody else may add to it."""
    if push.trail.startswith(SERVER_TRAIL):
        raise NotYourTrail("That audit trail is the server's own; a laptop cannot add to it.")
    _lock(conn, push.trail)
    owner = conn.execute(
        select(AuditEvent.__table__.c.user_id).where(AuditEvent.__table__.c.trail == push.trail).limit(1)
    ).scalar()
    if owner is not None and owner != who.user.id:
        raise NotYourTrail("That audit trail was begun by another user's laptop; only they add to it.")
    rows = sorted(push.rows, key=lambda r: r.seq)
    table = AuditEvent.__table__.c
    ids = [r.id for r in rows]
    again = [_again(r) for r in rows]
    held = {
        r.row_id: r
        for r in conn.execute(
            select(table.row_id, table.hash, table.prev_hash, table.content_hash, table.redacted).where(
                table.trail == push.trail, table.row_id.in_(ids + again)
            )
        )
    }
    wanted = sorted({r.seq - 1 for r in rows if r.seq > 1})
    hashes = dict(
        conn.execute(
            select(table.seq, table.hash)
            .where(table.trail == push.trail, table.seq.in_(wanted))
            .order_by(table.id.desc())  # a number held twice (a row sent again changed): the first counts
        ).all()
    )
    new, blank, breaks = [], [], []
    at = utc_now()
    for row in rows:
        same = held.get(row.id)
        if same is not None and (same.hash, same.prev_hash, same.content_hash) == (
            row.hash,
            row.prev_hash,
            row.content_hash,
        ):
            if row.redacted and not same.redacted and not (row.summary or row.changes or row.salt):
                blank.append(row.id)  # erased on the laptop since it was sent: blank the LA's copy too
            hashes.setdefault(row.seq, row.hash)
            continue
        row_id = row.id
        reason = _chain_break(row, GENESIS if row.seq == 1 else hashes.get(row.seq - 1))
        if same is not None:  # the same row again, with other hashes: keep both, say so
            row_id = _again(row)
            reason = "; ".join(filter(None, ["it was sent again with different contents", reason]))
            if row_id in held:
                continue
            held[row_id] = row
        if reason:
            breaks.append(f"Row {row.seq} ({row.action}, {row.at[:19]}): {reason}.")
        hashes.setdefault(row.seq, row.hash)  # the next row is checked against what arrived
        new.append(
            row.model_dump()
            | {
                "row_id": row_id,
                "trail": push.trail,
                "user_id": who.user.id,
                "device_id": who.device.id,
                "received_at": at,
                "chain_break": reason[:500],
            }
        )
        held.setdefault(row.id, row)
    _keep(conn, push.trail, new)
    if blank:
        conn.execute(
            update(AuditEvent)
            .where(AuditEvent.trail == push.trail, AuditEvent.row_id.in_(blank))
            .values(summary="", changes={}, salt="", redacted=True)
        )
    return AuditPushResponse(held=ids, breaks=breaks)


def _keep(conn: Connection, trail: str, new: list[dict]) -> None:
    """Insert rows of one trail (AuditRow fields, `id` as `row_id`) and link them to their pupils."""
    table = AuditEvent.__table__.c
    for values in new:
        values.pop("id")
    if new:
        conn.execute(insert(AuditEvent), new)
        made = dict(
            conn.execute(
                select(table.row_id, table.id).where(table.trail == trail, table.row_id.in_([v["row_id"] for v in new]))
            ).all()
        )
        links = [{"audit_id": made[v["row_id"]], "pupil_id": p} for v in new for p in sorted(set(v["pupil_ids"]))]
        if links:
            conn.execute(insert(AuditPupil), links)


def record(
    conn: Connection,
    who: Principal,
    *,
    action: str,
    entity: str,
    summary: str,
    pupil_ids: Sequence[str],
    changes: Mapping,
    entity_id: str = "",
) -> AuditEntry:
    """Write one row the server audits itself (call inside a write transaction) to the
    user's server trail, chained as a laptop chains its own rows (sync.protocol.chain),
    so `audit list` shows it and `audit verify` checks it."""
    trail = f"{SERVER_TRAIL}{who.user.id}"
    _lock(conn, trail)
    a = AuditEvent.__table__.c
    last = conn.execute(select(a.seq, a.hash).where(a.trail == trail).order_by(a.seq.desc()).limit(1)).first()
    seq, before = (last.seq + 1, last.hash) if last else (1, GENESIS)
    salt = os.urandom(16).hex()
    at = utc_now()
    row = AuditRow(
        id=str(uuid.uuid4()),
        seq=seq,
        at=at_text(at.replace(tzinfo=None)),  # naive UTC, as a laptop writes its rows' times
        actor=who.user.name,
        action=action,
        entity=entity,
        entity_id=entity_id,
        summary=summary,
        pupil_ids=list(pupil_ids),
        changes=dict(changes),
        salt=salt,
        content_hash=content_hash(salt, summary, changes),
        prev_hash=before,
        hash="",
    )
    row.hash = row_hash(row.model_dump(), before)
    values = row.model_dump() | {
        "row_id": row.id,
        "trail": trail,
        "user_id": who.user.id,
        "device_id": who.device.id,
        "received_at": at,
        "chain_break": "",
    }
    _keep(conn, trail, [values])
    return _entry(conn.execute(_with_user().where(a.trail == trail, a.row_id == row.id)).mappings().one())


def list_rows(
    conn: Connection,
    *,
    user: str | None = None,
    pupil: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 1000,
) -> list[AuditEntry]:
    """Rows newest first (by when they were written on the laptop), for one user or pupil
    and between two days (both inclusive) when given."""
    a = AuditEvent.__table__.c
    stmt = _with_user().order_by(a.at.desc(), a.trail, a.seq.desc()).limit(max(1, min(limit, MAX_LIST)))
    if user:
        stmt = stmt.where(User.name == user)
    # `at` is the laptop's ISO timestamp, so days compare as text.
    if since:
        stmt = stmt.where(a.at >= since.isoformat())
    if until and until < date.max:  # to the last day there is: no bound
        stmt = stmt.where(a.at < (until + timedelta(days=1)).isoformat())
    if pupil:
        stmt = stmt.where(exists().where(AuditPupil.audit_id == a.id, AuditPupil.pupil_id == pupil))
    return [_entry(r) for r in conn.execute(stmt).mappings()]


def _with_user():
    """Audit rows with the name of the user who sent them."""
    return select(AuditEvent.__table__, User.name.label("user_name")).join(
        User, User.id == AuditEvent.__table__.c.user_id
    )


def _entry(r) -> AuditEntry:
    return AuditEntry(
        id=r["row_id"],
        seq=r["seq"],
        at=r["at"],
        actor=r["actor"],
        action=r["action"],
        entity=r["entity"],
        entity_id=r["entity_id"],
        summary=r["summary"],
        pupil_ids=list(r["pupil_ids"] or []),
        changes=dict(r["changes"] or {}),
        salt=r["salt"],
        content_hash=r["content_hash"],
        prev_hash=r["prev_hash"],
        hash=r["hash"],
        redacted=r["redacted"],
        trail=r["trail"],
        user=r["user_name"],
        device_id=r["device_id"],
        received_at=r["received_at"].isoformat(timespec="seconds"),
        chain_break=r["chain_break"],
    )


def breaks(entries: Sequence[AuditEntry]) -> int:
    return sum(1 for e in entries if e.chain_break)


@dataclass(frozen=True)
class TrailCheck:
    trails: int
    rows: int
    breaks: list[str]


def verify(conn: Connection) -> TrailCheck:
    """Check every trail as the server holds it now, row by row from the first:
    finds a row changed or removed in the server's own database after it arrived
    (a break found on arrival is reported again; a row kept beside another, sent
    again with other contents, is left out of the chain it did not continue)."""
    a = AuditEvent.__table__.c
    stmt = _with_user().where(a.row_id.not_like(f"%{AGAIN}%")).order_by(a.trail, a.seq, a.id)
    trails, rows, found = set(), 0, []
    trail, before, expected = None, GENESIS, 1
    for r in conn.execute(stmt).mappings():
        if r["trail"] != trail:
            trail, before, expected = r["trail"], GENESIS, 1
            trails.add(trail)
        entry = _entry(r)
        reason = _chain_break(entry, before if entry.seq == expected else None)
        if reason:
            found.append(
                f"{entry.user}'s trail {trail[:8]}, row {entry.seq} ({entry.action}, {entry.at[:19]}): {reason}."
            )
        rows += 1
        before, expected = entry.hash, entry.seq + 1
    return TrailCheck(trails=len(trails), rows=rows, breaks=found)
