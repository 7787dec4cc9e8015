"""Queries that are more than "records whose columns equal these values".

Each is written to stay quick as visits grow: nothing here scans the whole
visit table; per-pupil questions seek the (pupil_id, visit_date) index.
"""

from __future__ import annotations

from datetime import date

from desktop.domain.enums import Outcome, PlaceType
from desktop.domain.records import Visit

from .db import Store


def select(*columns):
    """SQLAlchemy's select, imported on first use (see db._import_sqlalchemy)."""
    from sqlalchemy import select

    return select(*columns)


def last_visit_dates(store: Store) -> dict[str, date]:
    """Each pupil's latest visit, one index seek per pupil."""
    rows = store.rows(
        "SELECT p.id, (SELECT l.visit_date FROM visit_pupil AS l WHERE l.pupil_id = p.id AND l.deleted IS 0"
        " ORDER BY l.visit_date DESC LIMIT 1) FROM pupil AS p WHERE p.deleted IS 0"
    )
    convert = store.reader("visit_pupil").convert
    return {pid: convert("visit_date", last) for pid, last in rows if last}


def latest_visits(store: Store) -> dict[str, Visit]:
    """Each pupil's newest live visit (its date, times, place and worker; not its
    pupils, work or notes): a seek per pupil for the day of it, then that day's
    visits, ordered as a pupil's timeline orders them."""
    rows = store.rows(
        """
        WITH last AS (
            SELECT p.id AS pupil_id, (
                SELECT x.visit_date FROM visit_pupil AS x JOIN visit AS y ON y.id = x.visit_id
                WHERE x.pupil_id = p.id AND x.deleted IS 0 AND y.deleted IS 0
                ORDER BY x.visit_date DESC LIMIT 1
            ) AS day
            FROM pupil AS p WHERE p.deleted IS 0
        )
        SELECT l.pupil_id, v.id, v.date, v.start, v."end", v.place_type, v.site_id, v.worker, v.outcome
        FROM last CROSS JOIN visit_pupil AS l CROSS JOIN visit AS v  -- CROSS: pupils drive the join
        WHERE l.pupil_id = last.pupil_id AND l.deleted IS 0 AND l.visit_date = last.day
          AND v.id = l.visit_id AND v.deleted IS 0
        ORDER BY v.id
        """
    )
    convert = store.reader(Visit).convert
    candidates: dict[str, list[Visit]] = {}
    for pupil_id, visit_id, day, start, end, place, site_id, worker, outcome in rows:
        visit = Visit(
            id=visit_id,
            date=convert("date", day),
            start=convert("start", start),
            end=convert("end", end),
            place_type=PlaceType(place),
            site_id=site_id,
            worker=worker,
            outcome=Outcome(outcome),
            pupil_ids=[pupil_id],
        )
        candidates.setdefault(pupil_id, []).append(visit)
    return {pupil_id: newest_first(visits)[0] for pupil_id, visits in candidates.items()}


def newest_first(visits: list[Visit]) -> list[Visit]:
    """A pupil's visits in timeline order, newest first (ties keep their order)."""
    return sorted(visits, key=lambda v: (v.date, v.start or v.date), reverse=True)


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
    return newest_first(visits)


def visits_between(store: Store, start: date, end: date) -> list[Visit]:
    return store.find(Visit, where=lambda t: (t.c.date >= start) & (t.c.date <= end), order_by=["date"])


def sessions_between(store: Store, start: date, end: date) -> list[Visit]:
    """Visits from `start` to `end` with only what the hours rules read (date,
    times, outcome, pupils): two covering-index range scans, no row lookups."""
    visits = store.reader(Visit)
    convert = visits.convert
    bounds = (visits.param("date", start), visits.param("date", end))
    with store.snapshot() as conn:
        times = conn.execute(
            'SELECT id, date, start, "end", outcome FROM visit WHERE date >= ? AND date <= ? AND deleted IS 0', bounds
        ).fetchall()
        seen = conn.execute(
            "SELECT visit_id, pupil_id FROM visit_pupil WHERE visit_date >= ? AND visit_date <= ? AND deleted IS 0",
            bounds,
        ).fetchall()
    sessions = {
        visit_id: Visit(
            id=visit_id,
            date=convert("date", day),
            start=convert("start", begin),
            end=convert("end", finish),
            outcome=Outcome(outcome),
        )
        for visit_id, day, begin, finish, outcome in times
    }
    for visit_id, pupil_id in seen:
        if visit_id in sessions:
            sessions[visit_id].pupil_ids.append(pupil_id)
    return list(sessions.values())


def latest_visit_at_site(store: Store, site_id: str) -> Visit | None:
    visits = store.find(Visit, site_id=site_id, order_by=["-date", "-start"], limit=1)
    return visits[0] if visits else None


def outbox_count(store: Store) -> int:
    return store.count("outbox")
