"""The change feed: pages of records changed since a cursor, each record as
it is now, filtered by the user's scope in the query itself.

A cursor is `<seq>.<scope epoch>.<horizon>.<timeline>`: the horizon as it was when
the cursor was given, so a snapshot begun after a prune may page on below it; the
timeline it was given in (Feed.timeline: moved on when a backup is put back), so a
cursor from before a restore is refused even once the feed has grown back past it
(one of three parts, given before timelines, stands for timeline 0). Rows are served only up to the feed's
`last` as read at the start of the request: every number at or below it
belongs to a committed transaction (numbers are handed out under the feed
lock), so no late commit can land below a cursor already given out.

`pull_json` answers the HTTP pull: the stored JSON of each record's fields
and clocks goes into the answer as it is, never decoded and encoded again
(most of a large pull's time before). `pull` gives the same page as models.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Connection, Select, Text, bindparam, cast, select

from sync.protocol import GONE_PRUNED, GONE_RESTORED, GONE_SCOPE, Change, PullResponse
from sync.protocol.serving import served_fields, serving

from . import db
from .scope import left_pupils, may_see_restricted, scope_params, served, template, visible_records, visible_seqs
from .shapes import CONFLICT_ENTITY
from .tables import Feed, Record, User

MAX_PAGE = 5000
# Feed numbers above a cursor beyond which a scoped pull looks its rows up by pupil
# (scope.visible_seqs) rather than reading the feed in order from the cursor.
SHORT_SPAN = 5000
RECORDS = Record.__table__
_FEED = select(Feed.last, Feed.horizon, Feed.timeline).where(Feed.id == 1)


class CursorGone(Exception):
    """410: start again from a fresh snapshot; `reason` goes in the answer's GONE_HEADER
    (sync.protocol.version)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BadCursor(ValueError):
    pass


class Page(NamedTuple):
    # (entity, entity_id, data, clocks, deleted, seq, restricted, withdrawn_clock); data and clocks
    # as stored JSON text
    rows: list
    cursor: str
    more: bool
    left: list[str]  # pupils who left the user's scope (PullResponse.left)


class Cursor(NamedTuple):
    seq: int
    epoch: int | None  # None: no cursor (from the beginning)
    horizon: int | None
    timeline: int | None


def parse_cursor(text: str | None) -> Cursor:
    if not text:
        return Cursor(0, None, None, None)
    parts = text.split(".")
    try:
        numbers = [int(part) for part in parts] + [0] * (len(parts) == 3)  # before timelines: 0
    except ValueError:
        numbers = []
    # Feed numbers are bigints, never negative.
    if len(numbers) != 4 or len(parts) not in (3, 4) or not all(0 <= n < 2**63 for n in numbers):
        raise BadCursor(f"'{text}' is not a cursor this server gave out.")
    return Cursor(*numbers)


def position(conn: Connection) -> tuple[int, int, int]:
    """The feed as it stands: (last, horizon, timeline)."""
    last, horizon, timeline = conn.execute(_FEED).one()
    return last, horizon, timeline


def page(
    conn: Connection,
    user: User,
    cursor: str | None,
    limit: int,
    entities: Collection[str] | None = None,
    held_from: int = 0,
    at: tuple[int, int, int] | None = None,
) -> Page:
    """`entities`: the tables the client knows (None: all). An older client says
    which it knows, so it is not sent rows it cannot hold; once upgraded it
    asks for the new tables' rows from the start (a back-fill). `held_from`: the
    device's first pull (Device.first_pull_seq; 0: it may hold anything): rows
    withdrawn at or below it, not made by its user, were never its to hold, so
    their withdrawals (ids and stamps) are not sent to it, nor are the pupils who
    left before it. `at`: the feed's position as the caller read it in this
    transaction (`position`), else read here."""
    after, epoch, seen_horizon, seen_timeline = parse_cursor(cursor)
    last, horizon, timeline = at or position(conn)
    # A server restored from a backup: a cursor from beyond its feed, or from before the restore
    # (`waymark-server db restored`). Start afresh, or every laptop would skip what is written
    # below its old cursor, and never send again what the backup lost.
    if after > last or (seen_timeline is not None and seen_timeline != timeline):
        raise CursorGone(GONE_RESTORED)
    if after > 0:
        # Tombstones were forgotten since this cursor was given, above where it stands: it may have missed them.
        if seen_horizon != horizon and after < horizon:
            raise CursorGone(GONE_PRUNED)
        if epoch != user.scope_epoch:  # the user may now see pupils whose history lies below the cursor
            raise CursorGone(GONE_SCOPE)
    limit = max(1, min(limit, MAX_PAGE))
    far = last - after > SHORT_SPAN
    known = None if entities is None else tuple(sorted(entities))
    stmt = _page_statement(user.role, bool(user.team), bool(user.id), far, known)
    params = scope_params(user) | {
        "after": after,
        "withheld_after": max(after, held_from),
        "last": last,
        "limit": limit + 1,
    }
    rows = conn.execute(stmt, params).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_seq = rows[-1].seq if more else max(last, after)
    left = left_pupils(conn, user, max(after, held_from), next_seq) if next_seq > held_from else []
    return Page(rows, f"{next_seq}.{user.scope_epoch}.{horizon}.{timeline}", more, left)


@functools.lru_cache(maxsize=64)  # keyed by what clients send (entities): bounded
def _page_statement(role: str, team: bool, has_id: bool, far: bool, entities: tuple[str, ...] | None) -> Select:
    """A page's query for users of this kind, built once (scope.template); run with the user's
    scope_params and `after`, `withheld_after` (scope.visible_records), `last` and `limit`."""
    r = RECORDS.c
    after, last, limit = bindparam("after"), bindparam("last"), bindparam("limit")
    who = template(role, team, has_id)
    stmt = (
        select(
            r.entity,
            r.entity_id,
            cast(r.data, Text),
            cast(r.clocks, Text),
            r.deleted,
            r.seq,
            r.restricted,
            r.withdrawn_clock,
        )
        .order_by(r.seq)
        .limit(limit)
    )
    seqs = visible_seqs(who, after, last, limit) if far else None
    if seqs is not None:
        # Far behind (a first pull): the user's rows found by pupil, not by reading every row
        # above the cursor. The span lives only in the subquery, so no estimate of it (stale
        # after a big load) can tempt the planner back to reading the feed in order.
        stmt = stmt.where(r.seq.in_(seqs))  # its tests of table and restriction are in there too
    else:
        stmt = stmt.where(r.seq > after, r.seq <= last)
        clause = visible_records(who)
        if clause is not None:
            stmt = stmt.where(clause)
    if entities is not None:
        stmt = stmt.where(r.entity.in_(entities))
    return stmt


def _served(role: str, row) -> tuple[object, object, bool] | None:
    """A row's fields, clocks and deletion as `role` may receive them: the stored JSON text as
    it is when the role is served every field (the common case), else decoded and cut to
    what it is served (scope.served); None when the row must not go at all. A row withdrawn
    from the role (Record.withdrawn) goes as a deletion with its words blanked."""
    entity, _entity_id, data, clocks, deleted, _seq, restricted, withdrawn_clock = row
    if restricted and not may_see_restricted(role, restricted):  # only rows withdrawn since are found so
        return _withdrawal(role, entity, db.loads(data), withdrawn_clock)
    policy = serving(role)
    if entity != CONFLICT_ENTITY and policy.fields is None and not policy.withheld.get(entity):
        return data, clocks, deleted
    stored = db.loads(data)
    fields = served(role, entity, stored)
    if fields is None:
        return None
    if fields is stored:
        return fields, db.loads(clocks), deleted
    kept = {k: v for k, v in db.loads(clocks).items() if k in ("*", "deleted") or k in fields}
    return fields, kept, deleted


def _withdrawal(role: str, entity: str, stored: dict, clock: str) -> tuple[dict, dict, bool]:
    """A row the role held and may no longer see: every field it was sent, blank, and deleted,
    so the laptop keeps none of its words. Stamped by the server just after the write that
    withdrew it: newer than anything the role held of the row, and saying nothing of later
    writes nor of which laptop made them."""
    fields = dict.fromkeys(served_fields(role, entity, stored))
    return fields, {"deleted": clock}, True


def pull(
    conn: Connection,
    user: User,
    cursor: str | None,
    limit: int,
    entities: Collection[str] | None = None,
    held_from: int = 0,
    at: tuple[int, int, int] | None = None,
) -> PullResponse:
    found = page(conn, user, cursor, limit, entities, held_from, at)
    changes = []
    for row in found.rows:
        served_row = _served(user.role, row)
        if served_row is None:
            continue
        fields, kept = (db.loads(x) if isinstance(x, str) else x for x in served_row[:2])
        entity, entity_id, seq = row.entity, row.entity_id, row.seq
        changes.append(
            Change(entity=entity, entity_id=entity_id, fields=fields, clocks=kept, deleted=served_row[2], seq=seq)
        )
    return PullResponse(changes=changes, cursor=found.cursor, more=found.more, left=found.left, role=user.role)


def pull_json(
    conn: Connection,
    user: User,
    cursor: str | None,
    limit: int,
    entities: Collection[str] | None = None,
    policy: Callable[[], dict[str, Any]] | None = None,
    held_from: int = 0,
    at: tuple[int, int, int] | None = None,
) -> bytes:
    """The page as PullResponse's JSON, built around the stored JSON text;
    `policy` gives what the last page carries (PullResponse.policy)."""
    found = page(conn, user, cursor, limit, entities, held_from, at)
    dumps = orjson.dumps
    parts = []
    for row in found.rows:
        served_row = _served(user.role, row)
        if served_row is None:
            continue
        fields, kept = (x.encode() if isinstance(x, str) else dumps(x) for x in served_row[:2])
        parts.append(
            b'{"entity":%b,"entity_id":%b,"fields":%b,"clocks":%b,"deleted":%b,"seq":%d}'
            % (dumps(row[0]), dumps(row[1]), fields, kept, b"true" if served_row[2] else b"false", row[5])
        )
    last_page = None if found.more or policy is None else policy()
    return b'{"changes":[%b],"cursor":%b,"more":%b,"left":%b,"role":%b,"policy":%b}' % (
        b",".join(parts),
        dumps(found.cursor),
        b"true" if found.more else b"false",
        dumps(found.left),
        dumps(user.role),
        dumps(last_page),
    )
