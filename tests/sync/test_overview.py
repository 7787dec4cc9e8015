"""The LA overview (JSON and PDF) for LA leads: worked out from the server's own
database at each request, the same counts a worker's laptop prints for the same
records (deleted ones counting for nothing), no file written, for LA leads only."""

from __future__ import annotations

import subprocess
from datetime import time, timedelta
from io import BytesIO
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from desktop.domain.enums import ProvisionType
from desktop.domain.records import Folder, ProvisionEpisode, Visit
from desktop.services.reporting import caseload_summary
from sync.protocol import PROTOCOL_HEADER, AuditRow
from sync.server.overview import counts
from tests.conftest import TODAY
from tests.sync import helpers as h
from tests.sync.conftest import PASSWORD, SERVER, add_user


@pytest.fixture
def leads(engine, make_device, in_process):
    for name, role, urn in (("ann", "tutor", ""), ("lead", "la-lead", ""), ("school_a", "school", h.URN_A)):
        add_user(engine, name, role, school_urn=urn)
    ann = make_device("ann", "ann")
    app = ann.app
    levi = h.pupil(app, "Levi")
    mary = h.pupil(app, "Mary", urn=h.URN_B)
    app.add_episode(
        ProvisionEpisode(
            pupil_id=levi,
            provision_type=ProvisionType.HOME_TUITION,
            start=TODAY - timedelta(days=60),
            planned_hours_per_week=5,
            review_date=TODAY - timedelta(days=3),  # overdue
            reason="Medical: fatigue",
        )
    )
    last_week = TODAY - timedelta(days=TODAY.weekday() + 5)
    app.log_visit(
        Visit.same_for_all(date=last_week, start=time(10), end=time(12), pupil_ids=[levi], work_covered="Fractions")
    )
    with app.store.transaction("ann") as tx:
        tx.insert(Folder(pupil_id=mary, issued_on=TODAY - timedelta(days=40), expected_back=TODAY - timedelta(days=5)))
    ann.sync()
    http = httpx.Client(transport=in_process, base_url=SERVER, headers={PROTOCOL_HEADER: "1"})
    tokens = {
        name: http.post("/v1/login", json={"user": name, "password": PASSWORD}).json()["token"]
        for name in ("ann", "lead", "school_a")
    }
    yield ann, http, tokens
    http.close()


def _get(http, tokens, who: str, path: str) -> httpx.Response:
    return http.get(path, headers={"Authorization": f"Bearer {tokens[who]}"})


def test_the_overview_counts_what_the_laptop_prints(leads):
    ann, http, tokens = leads
    got = _get(http, tokens, "lead", "/v1/overview")
    assert got.status_code == 200
    body = got.json()
    expected = counts(caseload_summary(ann.app), TODAY)  # the printed summary's own numbers
    assert body == expected
    assert body["pupils"] == 2
    assert body["by_provision"] == {"Home tuition": 1}
    assert body["by_hours_band"]["under 5"] == 1 and body["not_banded"] == 1
    assert [item["pupil"] for item in body["reviews_overdue"]] == ["Levi Ó Súilleabháin"]
    assert body["folders_out"] == 1 and [i["pupil"] for i in body["folders_overdue"]] == ["Mary Ó Súilleabháin"]


def test_the_overview_follows_new_pushes(leads):
    ann, http, tokens = leads
    assert _get(http, tokens, "lead", "/v1/overview").json()["pupils"] == 2
    h.pupil(ann.app, "Nell")
    ann.sync()
    assert _get(http, tokens, "lead", "/v1/overview").json()["pupils"] == 3


def test_the_summary_pdf_is_the_printed_summary(leads, tmp_path):
    _ann, http, tokens = leads
    got = _get(http, tokens, "lead", "/v1/overview.pdf")
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(got.content)).pages)
    assert "Levi Ó Súilleabháin" in text and "Mary Ó Súilleabháin" in text
    assert "Home tuition" in text
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(got.content)
    subprocess.run(["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    assert list(tmp_path.glob("p*.png"))


def test_only_la_leads_see_the_overview(leads):
    _ann, http, tokens = leads
    for who in ("ann", "school_a"):
        for path in ("/v1/overview", "/v1/overview.pdf"):
            refused = _get(http, tokens, who, path)
            assert refused.status_code == 403 and "LA leads" in refused.json()["detail"]
    assert http.get("/v1/overview").status_code == 401
    assert http.get("/docs").status_code == 200  # the OpenAPI pages
    assert "/v1/overview.pdf" in http.get("/openapi.json").json()["paths"]


def test_fetching_the_summary_pdf_is_audited_naming_the_user(leads, engine):
    """The PDF carries UPNs: each fetch is a row in the server's own audit trail (chained
    as a laptop's, listed with the rest), as a laptop audits its printed summary. A PDF with
    no UPN on it is not, nor are the JSON counts (they name no UPN), as on the laptop."""
    from sync.server import audit, db
    from sync.server.tables import AuditEvent

    def rows(**where) -> list:
        with db.reading(engine) as conn:
            return audit.list_rows(conn, **where)

    ann, http, tokens = leads
    assert _get(http, tokens, "lead", "/v1/overview.pdf").status_code == 200
    assert rows(user="lead") == []  # no UPN on it yet
    levi, mary = sorted((p.id for p in ann.app.list_pupils()), key=lambda i: ann.app.get_pupil(i).forename)
    ann.app.edit_pupil(levi, upn="R674123101121")
    ann.sync()
    assert _get(http, tokens, "lead", "/v1/overview").status_code == 200
    assert rows(user="lead") == []  # the JSON counts: not audited
    assert _get(http, tokens, "lead", "/v1/overview.pdf").status_code == 200
    [row] = rows(user="lead")
    assert (row.user, row.actor, row.action, row.entity) == ("lead", "lead", "export", "report")
    assert row.summary == "summary report (UPN)" and row.changes == {"report": "summary", "carries": ["UPN"]}
    assert sorted(row.pupil_ids) == sorted([levi, mary]) and row.chain_break == ""
    assert row.at[:10] == row.received_at[:10] and row.trail.startswith(audit.SERVER_TRAIL)
    assert row.id in [r.id for r in rows(pupil=mary)]  # listed against each pupil on it
    # A second fetch continues the same chain, and the server's own check finds it whole.
    assert _get(http, tokens, "lead", "/v1/overview.pdf").status_code == 200
    assert [r.seq for r in rows(user="lead")] == [2, 1]
    with db.reading(engine) as conn:
        assert audit.verify(conn).breaks == []
        assert conn.execute(select(func.count()).where(AuditEvent.trail == row.trail)).scalar() == 2
    # No laptop may add to (or forge) the server's trail, not even the lead's own.
    forged = http.post(
        "/v1/audit",
        json={"trail": row.trail, "rows": [row.model_dump(include=set(AuditRow.model_fields)) | {"seq": 3}]},
        headers={"Authorization": f"Bearer {tokens['lead']}"},
    )
    assert forged.status_code == 403 and "server's own" in forged.json()["detail"]
    assert len(rows(user="lead")) == 2


def test_odd_values_are_counted_as_a_laptop_holds_them(leads, make_device, caplog):
    """A laptop pushes values of the wrong kind (words for hours and for a date of birth, a
    number for a surname and a UPN, a choice a newer version added): the overview reads them
    as a laptop's pull stores them, so its counts are the ones a laptop that pulled them
    prints, the PDF prints, and nothing is left out or logged."""
    import logging

    ann, http, tokens = leads
    [episode] = ann.app.store.find(ProvisionEpisode)
    ann.app.edit_episode(episode.id, planned_hours_per_week=6)
    levi = next(p.id for p in ann.app.list_pupils() if p.forename == "Levi")
    ann.app.edit_pupil(levi, medical_needs="Asthma")
    odd = {"planned_hours_per_week": "five"}, {"surname": 5, "dob": "five", "upn": 12345, "sen": "a newer kind"}
    ops = ann.port.pending(100)
    for op in ops:
        op.fields |= {"provision_episode": odd[0], "pupil": odd[1] if op.entity_id == levi else {}}.get(op.entity, {})
    assert [r["status"] for r in h.push_as(ann, http._transport, ops)] == ["applied"] * len(ops)
    other = make_device("other", "ann")
    other.sync()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        body = _get(http, tokens, "lead", "/v1/overview").json()
        pdf = _get(http, tokens, "lead", "/v1/overview.pdf")
    assert body == counts(caseload_summary(other.app), TODAY)  # what the laptop that pulled them prints
    assert body["left_out"] == {"count": 0, "reason": ""} and body["pupils"] == 2
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert not [r for r in caplog.records if r.name.startswith("sync.server")]


def test_a_record_that_cannot_be_made_is_left_out_counted_and_logged_without_its_values(leads, caplog, monkeypatch):
    """The last guard: a row the record's own rules refuse is left out of every count, the
    answer says how many and why, and the server logs one line naming its table and id,
    never a value of it (it may be a child's)."""
    import logging

    from sync.server.overview import records
    from sync.server.overview.counts import LEFT_OUT

    ann, http, tokens = leads
    [episode] = ann.app.store.find(ProvisionEpisode)
    made = records.to_record

    def refusing(cls, entity_id, data):
        if entity_id != episode.id:
            return made(cls, entity_id, data)

        class Refused(cls):  # its own rules refuse it, saying every value (as an error may)
            def __init__(self, **values) -> None:
                raise ValueError(repr(values))

        Refused.__name__ = cls.__name__
        return made(Refused, entity_id, data)  # the real to_record makes the message

    monkeypatch.setattr(records, "to_record", refusing)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        body = _get(http, tokens, "lead", "/v1/overview").json()
    assert body["left_out"] == {"count": 1, "reason": LEFT_OUT}
    assert body["pupils"] == 2 and body["by_provision"] == {} and body["reviews_overdue"] == []
    [line] = [r for r in caplog.records if r.name.startswith("sync.server")]
    assert line.levelno == logging.WARNING and line.exc_info is None
    message = line.getMessage()
    assert message.startswith("LA overview: left out 1 record(s)") and "\n" not in message
    assert f"provision_episode {episode.id}" in message
    assert "Medical" not in message and "fatigue" not in message  # none of the row's values
    assert _get(http, tokens, "lead", "/v1/overview.pdf").status_code == 200  # the rest still prints


def test_times_read_the_same_on_both_databases(leads, engine):
    """Visits pushed with times a laptop writes otherwise: "9:00" (no ISO time: a laptop
    reads it as none, and so does the server, on SQLite and PostgreSQL alike, where it
    once counted two hours and failed), "09:00" to "11:30" (ISO's short form: read), and
    the number 9 (no time). Runs on both databases (the engine fixture)."""
    from sync.server import db
    from sync.server.overview import ServerSource

    ann, http, tokens = leads
    levi = next(p.id for p in ann.app.list_pupils() if p.forename == "Levi")
    pushed = {}
    for day, (start, end) in zip((0, 1, 3), [("9:00", "11:00"), ("09:00", "11:30"), (9, "11:00:00")], strict=True):
        visit = Visit.same_for_all(
            date=LAST_MONDAY + timedelta(days=day), start=time(9), end=time(11), pupil_ids=[levi], work_covered="Number"
        )
        pushed[ann.app.log_visit(visit).id] = {"start": start, "end": end}
    ops = ann.port.pending(100)
    for op in ops:
        if op.entity == "visit":
            op.fields |= pushed[op.entity_id]
    assert [r["status"] for r in h.push_as(ann, http._transport, ops)] == ["applied"] * len(ops)
    with db.reading(engine) as conn:
        served = {o.pupil.forename: o.hours_last_week for o in ServerSource(conn, TODAY).overview()}
    assert served == {"Levi": 2 + 2.5, "Mary": 0}  # the fixture's two hours, and "09:00" to "11:30"
    body = _get(http, tokens, "lead", "/v1/overview").json()
    assert body["by_hours_band"]["under 5"] == 1 and body["left_out"]["count"] == 0


def test_an_empty_server_has_an_empty_overview(engine, in_process):
    add_user(engine, "lead", "la-lead")
    with httpx.Client(transport=in_process, base_url=SERVER, headers={PROTOCOL_HEADER: "1"}) as http:
        token = http.post("/v1/login", json={"user": "lead", "password": PASSWORD}).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        assert http.get("/v1/overview", headers=auth).json()["pupils"] == 0
        assert http.get("/v1/overview.pdf", headers=auth).status_code == 404


def test_the_overview_starts_afresh_after_tombstones_are_forgotten(leads, engine):
    """A deleted record's tombstone pruned from the feed: the overview reads the records
    themselves, not the feed, so the deleted folder counts for nothing."""
    from sync.server import admin

    ann, http, tokens = leads
    assert _get(http, tokens, "lead", "/v1/overview").json()["folders_out"] == 1
    [folder] = ann.app.store.find(Folder)
    with ann.app.store.transaction("ann") as tx:
        tx.delete(Folder, folder.id)
    ann.sync()
    assert admin.prune_tombstones(engine, older_than_days=-1) == 1
    answer = _get(http, tokens, "lead", "/v1/overview")
    assert answer.status_code == 200 and answer.json()["folders_out"] == 0


# --- a whole caseload: the server's own database against the laptop's printed summary ----------

LAST_MONDAY = TODAY - timedelta(days=TODAY.weekday() + 7)  # the summary's hours week (a school week)


def _episode(app, pupil_id: str, kind: ProvisionType, hours: float = 5, **extra) -> None:
    app.add_episode(
        ProvisionEpisode(
            pupil_id=pupil_id,
            provision_type=kind,
            start=TODAY - timedelta(days=50),
            planned_hours_per_week=hours,
            **extra,
        )
    )


def _sessions(app, pupil_id: str, *hours: int, first: int = 0) -> list[str]:
    """A session a day from last Monday (and `first` days on), each `hours` long from nine."""
    return [
        app.log_visit(
            Visit.same_for_all(
                date=LAST_MONDAY + timedelta(days=first + i),
                start=time(9),
                end=time(9 + n),
                pupil_ids=[pupil_id],
                work_covered="Number",
            )
        ).id
        for i, n in enumerate(hours)
    ]


@pytest.fixture
def caseload(engine, make_device, in_process):
    """Pupils in every cohort and hours band, an overdue review on an episode and
    one on a plan, a folder out and one overdue; then a pupil and a session deleted
    (tombstones on the server) that must count for nothing."""
    from desktop.domain.enums import SiteType, TravellerGroup
    from desktop.domain.records import Plan, Pupil, Site, Stay

    add_user(engine, "ann", "tutor")
    add_user(engine, "lead", "la-lead")
    ann = make_device("ann", "ann")
    app = ann.app
    levi, mary, nell = (
        h.pupil(app, "Levi"),
        h.pupil(app, "Mary", traveller_group=TravellerGroup.GYPSY_ROMA),
        h.pupil(app, "Nell"),
    )
    oisin, rosa, tom = h.pupil(app, "Oisín", urn=h.URN_B), h.pupil(app, "Rosa"), h.pupil(app, "Tom")
    _episode(app, levi, ProvisionType.HOME_TUITION, review_date=TODAY - timedelta(days=3))  # overdue
    _episode(app, mary, ProvisionType.TES_VISITS, 2)
    _episode(app, nell, ProvisionType.HOSPITAL_TUITION, 10)
    _episode(app, oisin, ProvisionType.HOME_TUITION, 10)
    _episode(app, rosa, ProvisionType.ALTERNATIVE_PROVISION, 12, provider="Riverside Centre")
    _episode(app, tom, ProvisionType.HOME_TUITION, 12)
    ward = app.add_site(Site(name="Ward 4", site_type=SiteType.HOSPITAL_WARD)).id
    app.record_stay(Stay(pupil_id=nell, site_id=ward, arrived=TODAY - timedelta(days=20)))
    app.add_plan(
        Plan(
            pupil_id=oisin,
            title="Return to school",
            success_criteria="Attends three mornings",
            start=TODAY - timedelta(days=60),
            next_review=TODAY - timedelta(days=10),
        )
    )
    _sessions(app, levi, 2, 2)  # 4 h: under 5
    [dropped] = _sessions(app, levi, 3, first=3)  # deleted below: else 7 h, 5 to under 8
    _sessions(app, nell, 3, 3)  # 6 h
    _sessions(app, oisin, 3, 3, 3, 1)  # 10 h
    _sessions(app, tom, 4, 4, 4, 4, 4, 4)  # Tom is deleted below: 24 h counted nowhere
    with app.store.transaction("ann") as tx:
        tx.insert(Folder(pupil_id=mary, issued_on=TODAY - timedelta(days=40), expected_back=TODAY - timedelta(days=5)))
        tx.insert(Folder(pupil_id=rosa, issued_on=TODAY - timedelta(days=4), expected_back=TODAY + timedelta(days=20)))
        tx.insert(Folder(pupil_id=tom, issued_on=TODAY - timedelta(days=40), expected_back=TODAY - timedelta(days=9)))
    ann.sync()
    with app.store.transaction("ann") as tx:
        tx.delete(Pupil, tom)
        tx.delete(Visit, dropped)
    result = ann.sync()
    assert not result.refused and app.store.count("outbox") == 0, result
    http = httpx.Client(transport=in_process, base_url=SERVER, headers={PROTOCOL_HEADER: "1"})
    token = http.post("/v1/login", json={"user": "lead", "password": PASSWORD}).json()["token"]
    http.headers["Authorization"] = f"Bearer {token}"
    yield ann, http
    http.close()


def test_a_whole_caseload_counts_as_the_laptop_prints_it(caseload, engine):
    ann, http = caseload
    body = http.get("/v1/overview").json()
    assert body == counts(caseload_summary(ann.app), TODAY)  # the printed summary's own numbers
    assert body["hours_week_start"] == LAST_MONDAY.isoformat()
    assert body["pupils"] == 5  # Tom was deleted
    assert body["by_cohort"] == {"Traveller": 1, "Hospital": 1, "Home tuition": 2, "Other": 1}
    assert body["by_provision"] == {
        "Alternative provision": 1, "Home tuition": 2, "Hospital tuition": 1, "TES visits": 1,
    }  # fmt: skip
    # Levi 4 h (his deleted session not counted), Nell 6 h, Oisín 10 h; Mary and Rosa have no tuition.
    assert body["by_hours_band"] == {"under 5": 1, "5 to under 8": 1, "8 to under 25": 1, "25 or more": 0}
    assert body["not_banded"] == 2
    assert [(i["pupil"], i["what"][:10]) for i in body["reviews_overdue"]] == [
        ("Oisín Ó Súilleabháin", "Plan 'Retu"),
        ("Levi Ó Súilleabháin", "Home tuiti"),
    ]
    assert body["folders_out"] == 2  # Mary's and Rosa's; not the deleted Tom's
    assert [i["pupil"] for i in body["folders_overdue"]] == ["Mary Ó Súilleabháin"]


def test_the_server_reads_each_pupil_as_the_laptop_does(caseload, engine):
    """Field by field: rows, attention, hours, workers; not only the totals."""
    from sync.server import db
    from sync.server.overview import ServerSource

    ann, _http = caseload
    with db.reading(engine) as conn:
        served = ServerSource(conn, TODAY).overview(hours_week=LAST_MONDAY)
    printed = ann.app.overview(hours_week=LAST_MONDAY)
    assert [o.pupil.legal_name for o in served] == [o.pupil.legal_name for o in printed]
    for server_side, laptop_side in zip(served, printed, strict=True):
        assert server_side == laptop_side, laptop_side.pupil.legal_name
    assert {o.pupil.forename: o.hours_last_week for o in served} == {
        "Levi": 4, "Mary": 0, "Nell": 6, "Oisín": 10, "Rosa": 0,
    }  # fmt: skip
    assert {o.latest_worker for o in served if o.hours_last_week} == {"ann"}


def test_the_overview_writes_no_file(caseload, tmp_path, monkeypatch, server_url):
    """No copy of a record on disk: nothing appears in the temporary folder, the
    working folder, or (on SQLite) beside the server's database but its own files."""
    import tempfile

    _ann, http = caseload
    empty, cwd = tmp_path / "tmp-for-overview", tmp_path / "cwd-for-overview"
    empty.mkdir()
    cwd.mkdir()
    monkeypatch.setenv("TMPDIR", str(empty))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    monkeypatch.chdir(cwd)
    assert tempfile.gettempdir() == str(empty)
    data_dir = Path(server_url.removeprefix("sqlite:///")).parent if server_url.startswith("sqlite") else None
    beside = {p.name for p in data_dir.iterdir()} if data_dir else set()
    assert http.get("/v1/overview").json()["pupils"] == 5
    assert http.get("/v1/overview.pdf").status_code == 200
    assert list(empty.iterdir()) == [] and list(cwd.iterdir()) == []
    if data_dir:
        assert {p.name for p in data_dir.iterdir()} - beside <= {"server.db-wal", "server.db-shm"}


def test_the_summary_pdf_names_the_figures(caseload):
    _ann, http = caseload
    got = http.get("/v1/overview.pdf")
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(got.content)).pages).split())
    assert "Local authority overview · at 22 Nov 2026 · 5 pupils" in text
    for name in ("Levi", "Mary", "Nell", "Oisín", "Rosa"):
        assert f"{name} Ó Súilleabháin" in text
    assert "Tom" not in text  # deleted: not a row, not a folder
    assert "Cohort Pupils Home tuition 2 Hospital 1 Other 1 Traveller 1 Total 5" in text
    assert (
        "Open provision Pupils Alternative provision 1 Home tuition 2 Hospital tuition 1 TES visits 1 Total 5" in text
    )
    assert "by hours received Pupils under 5 1 5 to under 8 1 8 to under 25 1 25 or more 0 Total 3" in text
    assert "Not banded: no tuition in force 2" in text
    assert "5h / 4h" in text  # Levi's hours, without his deleted session
    assert "Reviews overdue (2)" in text and "Plan 'Return to school' review was due 12 Nov 2026" in text
    assert "Folders not returned: 2 out, of which overdue (1)" in text
    assert "Mary Ó Súilleabháin Folder issued 13 Oct 2026 17 Nov 2026" in text


def test_the_server_lists_folders_and_stays_as_the_laptop_does(caseload, engine):
    """One folder list and one rule for current stays (caseload_sets), on both sides."""
    from desktop.domain.records import Stay
    from desktop.services import caseload_sets as sets
    from sync.server import db
    from sync.server.overview import ServerSource
    from sync.server.overview import records as server_records

    ann, _http = caseload
    mary = next(p.id for p in ann.app.list_pupils() if p.forename == "Mary")
    with db.reading(engine) as conn:
        source = ServerSource(conn, TODAY)
        for pupil_id, overdue in ((None, False), (None, True), (mary, False), (mary, True)):
            served = [f.id for f in source.list_folders(pupil_id, overdue_only=overdue)]
            assert served == [f.id for f in ann.app.list_folders(pupil_id, overdue_only=overdue)]
            assert served  # each case names at least one folder
        stays = sets.current_stays(server_records.live(conn, Stay))
    assert {p: s.id for p, s in stays.items()} == {p: s.id for p, s in ann.app.current_stays().items()} != {}
