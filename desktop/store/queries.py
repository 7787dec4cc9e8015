"""Queries that are more than "records whose columns equal these values".

Each is written to stay quick as visits grow: nothing here scans the whole
visit table; per-pupil questions seek the (pupil_id, visit_date) index.
"""

from __future__ import annotations

from datetime import date

from desktop.domain.enums import Outcome
from desktop.domain.records import Visit

from .db import Store


def select(*columns):
    """SQLAlchemy's select, imported on first use (see db._import_sqlalchemy)."""
    from sqlalchemy import select

    return select(*columns)


def last_visit_dates(store: Store) -> dict[str, date]:
    """Each pupil's latest visit, one index seek per pupil."""
    pupil, link = store.tables["pupil"], store.tables["visit_pupil"]
    latest = (
        select(link.c.visit_date)
        .where(link.c.pupil_id == pupil.c.id, link.c.deleted.is_(False))
        .order_by(link.c.visit_date.desc())
        .limit(1)
        .scalar_subquery()
    )
    stmt = select(pupil.c.id, latest.label("last")).where(pupil.c.deleted.is_(False))
    with store.reading() as conn:
        rows = conn.execute(stmt).all()
    return {pid: (date.fromisoformat(last) if isinstance(last, str) else last) for pid, last in rows if last}


def visit_ids_for_pupil(store: Store, pupil_id: str, start: date | None = None, end: date | None = None) -> list[str]:
    link = store.tables["visit_pupil"]
    stmt = select(link.c.visit_id).where(link.c.pupil_id == pupil_id, link.c.deleted.is_(False))
    if start is not None:
        stmt = stmt.where(link.c.visit_date >= start)
    if end is not None:
        stmt = stmt.where(link.c.visit_date <= end)
    with store.reading() as conn:
        return list(conn.execute(stmt.order_by(link.c.visit_date.desc())).scalars())


def visits_for_pupil(store: Store, pupil_id: str, start: date | None = None, end: date | None = None) -> list[Visit]:
    """A pupil's visits, newest first."""
    ids = visit_ids_for_pupil(store, pupil_id, start, end)
    visits: list[Visit] = []
    with store.reading() as conn:
        for i in range(0, len(ids), 900):
            visits.extend(store.find(Visit, conn=conn, id=ids[i : i + 900]))
    visits.sort(key=lambda v: (v.date, v.start or v.date), reverse=True)
    return visits


def visits_between(store: Store, start: date, end: date) -> list[Visit]:
    return store.find(Visit, where=lambda t: (t.c.date >= start) & (t.c.date <= end), order_by=["date"])


def sessions_between(store: Store, start: date, end: date) -> list[Visit]:
    """Visits from `start` to `end` with only what the hours rules read (date,
    times, outcome, pupils): two covering-index range scans, no row lookups."""
    visit, link = store.tables["visit"], store.tables["visit_pupil"]
    times = select(visit.c.id, visit.c.date, visit.c.start, visit.c.end, visit.c.outcome).where(
        visit.c.date >= start, visit.c.date <= end, visit.c.deleted.is_(False)
    )
    seen = select(link.c.visit_id, link.c.pupil_id).where(
        link.c.visit_date >= start, link.c.visit_date <= end, link.c.deleted.is_(False)
    )
    with store.reading() as conn:
        sessions = {
            visit_id: Visit(id=visit_id, date=day, start=begin, end=finish, outcome=Outcome(outcome))
            for visit_id, day, begin, finish, outcome in conn.execute(times)
        }
        for visit_id, pupil_id in conn.execute(seen):
            if visit_id in sessions:
                sessions[visit_id].pupil_ids.append(pupil_id)
    return list(sessions.values())


def latest_visit_at_site(store: Store, site_id: str) -> Visit | None:
    visits = store.find(Visit, site_id=site_id, order_by=["-date", "-start"], limit=1)
    return visits[0] if visits else None


def outbox_count(store: Store) -> int:
    return store.count("outbox")
