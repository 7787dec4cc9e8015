"""Who a record is about: the pupils a row belongs to, for lists that must name
the child (the Sync conflicts list). Deleted rows count too: a conflict may be
about a record deleted on another laptop.

A row names its pupil (`pupil_id`), is a pupil, gathers pupils through a link
table (a visit through each child's entry), or takes them from the row it
hangs from (a folder item from its folder), found by its foreign keys.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from .sync_leave import LINKS

GATHERED = {parent: (link, column) for link, (parent, column) in LINKS.items()}


def _row(conn, tables: dict, entity: str, entity_id: str) -> dict | None:
    table = tables.get(entity)
    if table is None:
        return None
    found = conn.execute(select(table).where(table.c.id == entity_id)).mappings().first()
    return dict(found) if found else None


def _pupil_ids(conn, tables: dict, entity: str, row: dict, depth: int = 0) -> list[str]:
    if entity == "pupil":
        return [row["id"]]
    if row.get("pupil_id"):
        return [row["pupil_id"]]
    if entity in GATHERED:
        link, column = GATHERED[entity]
        t = tables[link]
        return list(conn.execute(select(t.c.pupil_id).where(t.c[column] == row["id"]).order_by(t.c.id)).scalars())
    if depth > 3:
        return []
    for column in tables[entity].c:  # the row it hangs from: folder_item -> folder, review -> plan
        for fk in column.foreign_keys:
            parent = fk.column.table.name
            value = row.get(column.name)
            if value and parent not in ("school", "site", "work_pack"):
                above = _row(conn, tables, parent, value)
                if above:
                    return _pupil_ids(conn, tables, parent, above, depth + 1)
    return []


def _name(row: dict) -> str:
    forename = row.get("preferred_forename") or row.get("forename") or ""
    surname = row.get("preferred_surname") or row.get("surname") or ""
    return f"{forename} {surname}".strip()


def record_subject(store, entity: str, entity_id: str) -> tuple[list[str], date | None, str]:
    """(the names of the pupils it is about, the day it is of if any, the record's own
    name if it belongs to no pupil: a site's, a school's)."""
    tables = store.tables
    with store.reading() as conn:
        row = _row(conn, tables, entity, entity_id)
        if row is None:
            return [], None, ""
        names = []
        for pupil_id in _pupil_ids(conn, tables, entity, row):
            pupil = _row(conn, tables, "pupil", pupil_id)
            if pupil and _name(pupil) not in names:
                names.append(_name(pupil))
        day = row.get("date") or row.get("visit_date")
        if day is None and row.get("visit_id"):
            visit = _row(conn, tables, "visit", row["visit_id"])
            day = visit.get("date") if visit else None
    own = "" if names else str(row.get("name") or row.get("title") or "")
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day[:10])
        except ValueError:
            day = None
    return names, day if isinstance(day, date) else None, own
