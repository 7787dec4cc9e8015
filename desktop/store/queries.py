"""Queries that are more than "records whose columns equal these values".

Each is written to stay quick as visits grow: nothing here scans the whole
visit table; per-pupil questions seek the visit entries' pupil index
(pupil_id, deleted, visit_date, visit_id).
"""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import select

from desktop.domain.enums import Outcome
from desktop.domain.records import Visit, VisitEntry

from .db import Store


def last_visit_dates(store: Store) -> dict[str, date]:
    """Each pupil's latest visit, one index seek per pupil."""
    pupil, entry = store.tables["pupil"], store.tables["visit_entry"]
    latest = (
        select(entry.c.visit_date)
        .where(entry.c.pupil_id == pupil.c.id, entry.c.deleted.is_(False))
        .order_by(entry.c.visit_date.desc())
        .limit(1)
        .scalar_subquery()
    )
    stmt = select(pupil.c.id, latest.label("last")).where(pupil.c.deleted.is_(False))
    with store.reading() as conn:
        rows = conn.execute(stmt).all()
    return {pid: (date.fromisoformat(last) if isinstance(last, str) else last) for pid, last in rows if last}


def visit_ids_for_pupil(store: Store, pupil_id: str, start: date | None = None, end: date | None = None) -> list[str]:
    entry = store.tables["visit_entry"]
    stmt = select(entry.c.visit_id).where(entry.c.pupil_id == pupil_id, entry.c.deleted.is_(False))
    if start is not None:
        stmt = stmt.where(entry.c.visit_date >= start)
    if end is not None:
        stmt = stmt.where(entry.c.visit_date <= end)
    with store.reading() as conn:
        return list(conn.execute(stmt.order_by(entry.c.visit_date.desc())).scalars())


def visits_for_pupil(store: Store, pupil_id: str, start: date | None = None, end: date | None = None) -> list[Visit]:
    """A pupil's visits, newest first."""
    ids = visit_ids_for_pupil(store, pupil_id, start, end)
    visits: list[Visit] = []
    with store.reading() as conn:
        for i in range(0, len(ids), 900):
            visits.extend(store.find(Visit, conn=conn, id=ids[i : i + 900]))
    visits.sort(key=lambda v: v.order, reverse=True)
    return visits


def times_on(store: Store, pupil_ids: list[str], day: date) -> list[tuple[str, str, time | None, time | None]]:
    """(visit id, pupil id, start, end) of these pupils' visits on a day: one seek per
    pupil on the entries' pupil index, for telling a visit typed twice."""
    visit, entry = store.tables["visit"], store.tables["visit_entry"]
    stmt = (
        select(entry.c.visit_id, entry.c.pupil_id, visit.c.start, visit.c.end)
        .join(visit, visit.c.id == entry.c.visit_id)
        .where(
            entry.c.pupil_id.in_(pupil_ids),
            entry.c.deleted.is_(False),
            entry.c.visit_date == day,
            visit.c.deleted.is_(False),
        )
    )
    with store.reading() as conn:
        return [tuple(row) for row in conn.execute(stmt)]


def visits_between(store: Store, start: date, end: date) -> list[Visit]:
    return store.find(Visit, where=lambda t: (t.c.date >= start) & (t.c.date <= end), order_by=["date"])


def sessions_between(store: Store, start: date, end: date) -> list[Visit]:
    """Visits from `start` to `end` with only what the hours rules read (date,
    times, outcome, who was seen): two covering-index range scans, no row lookups."""
    visit, entry = store.tables["visit"], store.tables["visit_entry"]
    times = select(visit.c.id, visit.c.date, visit.c.start, visit.c.end, visit.c.outcome).where(
        visit.c.date >= start, visit.c.date <= end, visit.c.deleted.is_(False)
    )
    seen = select(entry.c.visit_id, entry.c.pupil_id, entry.c.seen).where(
        entry.c.visit_date >= start, entry.c.visit_date <= end, entry.c.deleted.is_(False)
    )
    with store.reading() as conn:
        sessions = {
            visit_id: Visit(id=visit_id, date=day, start=begin, end=finish, outcome=Outcome(outcome))
            for visit_id, day, begin, finish, outcome in conn.execute(times)
        }
        for visit_id, pupil_id, was_seen in conn.execute(seen):
            if visit_id in sessions:
                sessions[visit_id].entries.append(VisitEntry(visit_id=visit_id, pupil_id=pupil_id, seen=bool(was_seen)))
    return list(sessions.values())


def latest_visit_at_site(store: Store, site_id: str) -> Visit | None:
    visits = store.find(Visit, site_id=site_id, order_by=["-date", "-start"], limit=1)
    return visits[0] if visits else None


def outbox_count(store: Store) -> int:
    return store.count("outbox")
