"""Shared set-ups for the sync tests: a school, pupils and a visit made on a device; an edit
made on one; a copy of the server's tables put back (a restore from a backup)."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import delete, select

from desktop.domain.enums import Visibility
from desktop.domain.records import ProgressEntry, Pupil, School, Visit, VisitNote
from desktop.store.db import Clock
from sync.server import admin, db
from sync.server.tables import (
    AppliedOp,
    Caseload,
    Feed,
    ForgottenRecord,
    PupilSchool,
    Record,
    RecordPupil,
    ScopeExit,
)

URN_A, URN_B = "119234", "119235"


def school(app, urn: str = URN_A) -> str:
    found = [s for s in app.list_schools() if s.urn == urn]
    if found:
        return found[0].id
    return app.add_school(School(urn=urn, la_code="888", estab=urn[-4:], name=f"School {urn}")).id


def pupil(app, forename: str = "Seán", urn: str | None = URN_A, **extra) -> str:
    school_id = school(app, urn) if urn else None
    return app.add_pupil(
        Pupil(forename=forename, surname="Ó Súilleabháin", dob=date(2016, 3, 2), base_school_id=school_id, **extra)
    ).id


def visit(
    app,
    pupil_ids: list[str],
    *,
    work: str = "Phonics phase 3",
    professional: str = "",
    family: str = "",
    about: str = "",
) -> str:
    """A visit to these children, all doing `work`; `about` is a child the
    professional note is about (else it is about the whole visit)."""
    notes = []
    if professional:
        notes.append(VisitNote(text=professional, visibility=Visibility.PROFESSIONAL, pupil_id=about or None))
    if family:
        notes.append(VisitNote(text=family, visibility=Visibility.FAMILY))
    return app.log_visit(
        Visit.same_for_all(
            date=date(2026, 11, 20),
            start=time(10),
            end=time(11, 30),
            pupil_ids=pupil_ids,
            work_covered=work,
            notes=notes,
        )
    ).id


def progress(app, pupil_id: str, evidence: str = "Read a page aloud") -> str:
    return app.add_progress(
        ProgressEntry(
            pupil_id=pupil_id, subject="English", level="Year 3", assessed_on=date(2026, 11, 1), evidence=evidence
        )
    ).id


class SkewedClock(Clock):
    """A device whose wall clock is wrong by `offset`."""

    def __init__(self, device: str, offset) -> None:
        super().__init__(device)
        self.offset = offset

    def now(self) -> str:
        import desktop.store.db.clock as db

        real = db.datetime
        skew = self.offset

        class Shifted(real):
            @classmethod
            def now(cls, tz=None):
                return real.now(tz) + skew

        db.datetime = Shifted
        try:
            return super().now()
        finally:
            db.datetime = real


def dump(app) -> dict:
    """Every synced table's live rows, without local-only columns, for comparing replicas.
    (A record made and deleted on one laptop before it synced is a tombstone there and
    nothing on the others: both are right.)"""
    from sqlalchemy import select

    store = app.store
    skip = {"meta", "outbox", "audit_event", "sync_state", "sync_rejected", "draft"}
    out = {}
    with store.reading() as conn:
        for name, table in store.tables.items():
            if name in skip:
                continue
            cols = [c for c in table.c if c.name not in ("updated_at",)]
            query = select(*cols)
            if "deleted" in table.c:
                query = query.where(table.c.deleted.is_(False))
            out[name] = sorted(tuple(str(v) for v in row) for row in conn.execute(query))
    return out


def push_as(device, transport, ops) -> list[dict]:
    """Push `ops` over plain HTTP as this device's laptop (values a laptop of another version,
    or a tampered one, could send): the server's answer for each operation."""
    import httpx

    from sync.protocol import PROTOCOL_HEADER, PushRequest
    from tests.sync.conftest import SERVER

    token = device.app.store.get_setting("sync_account")["token"]
    headers = {PROTOCOL_HEADER: "1", "Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with httpx.Client(transport=transport, base_url=SERVER) as http:
        answer = http.post("/v1/push", content=PushRequest(ops=list(ops)).model_dump_json(), headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


def edit_progress(device, entry_id: str, user: str = "ann", **values: object) -> None:
    """A progress entry changed on `device` by `user` (evidence=..., target=...), not yet sent."""
    entry = device.app.store.get(ProgressEntry, entry_id)
    for name, value in values.items():
        setattr(entry, name, value)
    with device.app.store.transaction(user) as tx:
        tx.update(entry)


def server_copy(engine) -> dict:
    """Every table a restore puts back, as it is now (a backup)."""
    tables = [Record, RecordPupil, ForgottenRecord, Caseload, PupilSchool, AppliedOp, Feed, ScopeExit]
    with engine.connect() as conn:
        return {t.__table__: [dict(r._mapping) for r in conn.execute(select(t.__table__))] for t in tables}


def put_back(engine, copy: dict) -> None:
    """The server's tables as `copy` (server_copy) holds them: a backup put back."""
    with db.writing(engine) as conn:
        for table, rows in copy.items():
            conn.execute(delete(table))
            if rows:
                conn.execute(table.insert(), rows)


def restore(engine, copy: dict) -> None:
    """The backup `copy` put back, and marked so as the README says (`waymark-server db restored`)."""
    put_back(engine, copy)
    admin.mark_restored(engine)
