"""What each role is served (shapes.SERVED), through every endpoint: a family on
a site with an address, with the household's address suppressed. Nothing that
says where they live, stay or were seen reaches a base-school user: not the
site, the stay, the planned travel's destination, a contact's notes, the
pupil's or a sibling's address, the visit's site or place, nor a conflict
holding any of those words. Workers and LA leads keep all of it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time

import httpx
import pytest
from sqlalchemy import select

from desktop.domain.enums import SiteType, TravellerGroup, Visibility
from desktop.domain.records import (
    Appointment,
    Contact,
    PlannedTravel,
    Pupil,
    Site,
    Stay,
    Visit,
    VisitNote,
)
from sync.protocol import PROTOCOL_HEADER, Op, PushRequest
from sync.server.tables import Record
from tests.sync import helpers as h
from tests.sync.conftest import PASSWORD, SERVER, add_user

# Every one of these locates the family; none may reach a school user.
SECRETS = (
    "Hidden Lane",
    "PR1 9ZZ",
    "Gate code",
    "Pitch 7",
    "Appleby",
    "Lane End",
    "Refuge Road",
    "PR2 1AB",
    "Their aunt",
)


class World:
    pass


@pytest.fixture
def family(engine, make_device, in_process):
    for name, role, urn in (
        ("ann", "tutor", ""),
        ("tess", "tes", ""),
        ("school_a", "school", h.URN_A),
        ("school_b", "school", h.URN_B),
        ("lead", "la-lead", ""),
    ):
        add_user(engine, name, role, school_urn=urn)
    ann = make_device("ann", "ann")
    app = ann.app
    w = World()
    w.engine, w.ann = engine, ann
    w.site = app.add_site(
        Site(
            name="Lane End",
            site_type=SiteType.ROADSIDE,
            address="12 Hidden Lane",
            postcode="PR1 9ZZ",
            notes="Gate code 4",
        )
    ).id
    school = h.school(app)
    w.peter = app.add_pupil(
        Pupil(
            forename="Peter",
            surname="Smith",
            dob=date(2016, 3, 2),
            base_school_id=school,
            address="12 Hidden Lane",
            postcode="PR1 9ZZ",
            suppress_address=True,
            traveller_group=TravellerGroup.SHOWMAN,
        )
    ).id
    # Polly's own address is not ticked, but it is the household's: withheld too.
    w.polly = app.add_pupil(
        Pupil(forename="Polly", surname="Smith", dob=date(2018, 5, 1), base_school_id=school, address="12 Hidden Lane")
    ).id
    w.stay = app.record_stay(Stay(pupil_id=w.peter, site_id=w.site, arrived=date(2026, 11, 1))).id
    w.travel = app.add_travel(
        PlannedTravel(pupil_id=w.peter, leaves=date(2027, 6, 1), destination="Appleby Fair", notes="Lane End after")
    ).id
    w.contact = app.add_contact(
        Contact(pupil_id=w.peter, name="Mum", phone="07700 900123", notes="Their aunt nearby")
    ).id
    w.appointment = app.book_appointment(
        Appointment(pupil_ids=[w.peter], site_id=w.site, starts_at=datetime(2026, 12, 1, 10))
    ).id
    w.visit = app.log_visit(
        Visit.same_for_all(
            date=date(2026, 11, 20),
            start=time(10),
            end=time(11),
            pupil_ids=[w.peter, w.polly],
            work_covered="Phonics phase 3",
            notes=[VisitNote(text="Lovely reading", visibility=Visibility.FAMILY)],
        )
    ).id
    visit = app.get_visit(w.visit)
    visit.site_id, visit.place_detail = w.site, "Pitch 7 behind the barn"
    app.edit_visit(visit)
    ann.sync()
    # Two laptops change the address and the visit's place at once: conflicts hold both texts.
    second = make_device("ann2", "ann")
    second.sync()
    for device, (road, pitch) in ((ann, ("Refuge Road", "Pitch 7a")), (second, ("Refuge Road 2", "Pitch 7b"))):
        device.app.edit_pupil(w.peter, address=road, postcode="PR2 1AB")
        visit = device.app.get_visit(w.visit)
        visit.place_detail = pitch
        device.app.edit_visit(visit)
    ann.sync()
    assert second.sync().conflicts >= 2
    w.http = httpx.Client(transport=in_process, base_url=SERVER, headers={PROTOCOL_HEADER: "1"})
    w.tokens = {}
    for name in ("ann", "tess", "school_a", "school_b", "lead"):
        answer = w.http.post("/v1/login", json={"user": name, "password": PASSWORD, "device_name": "test"})
        w.tokens[name] = answer.json()["token"]
    yield w
    w.http.close()


def _auth(w, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {w.tokens[name]}"}


def _pull_text(w, name: str, cursor: str = "") -> tuple[str, dict[str, set[str]]]:
    """Everything the user's pull sends, as raw text, and the ids by entity."""
    texts, got = [], {}
    while True:
        page = w.http.get("/v1/pull", params={"cursor": cursor, "limit": 5}, headers=_auth(w, name))
        assert page.status_code == 200, page.text
        texts.append(page.text)
        body = page.json()
        for change in body["changes"]:
            got.setdefault(change["entity"], set()).add(change["entity_id"])
        cursor = body["cursor"]
        if not body["more"]:
            return "\n".join(texts), got


def test_a_school_user_is_served_nothing_that_locates_the_family(family):
    w = family
    text, got = _pull_text(w, "school_a")
    for secret in SECRETS:
        assert secret not in text, secret
    for entity in ("site", "stay", "contact", "appointment", "appointment_pupil", "action", "concern"):
        assert entity not in got, entity
    assert w.site not in text and w.stay not in text  # not even the ids
    assert got["pupil"] == {w.peter, w.polly}
    assert got["planned_travel"] == {w.travel}  # the dates, for code T
    assert got["visit"] == {w.visit}
    body = json.loads(text.split("\n")[0])
    assert body["changes"], "the first page is not empty"
    # What it gets has its learning: the work, the family note, the kind of place.
    assert "Phonics phase 3" in text and "Lovely reading" in text and '"place_type"' in text
    # The conflicts about the address and the place stay with the workers.
    assert "sync_conflict" not in got


def test_another_school_and_another_worker_get_nothing_of_the_family(family):
    w = family
    text, got = _pull_text(w, "school_b")
    assert set(got) == {"school"} and not any(secret in text for secret in SECRETS)
    # A TES worker without the family on her caseload gets the LA's list of sites (reference
    # data for her own visits) but nothing that ties the family to one: no pupil, stay or visit.
    text, got = _pull_text(w, "tess")
    assert set(got) == {"school", "site"}
    assert w.peter not in text and w.stay not in text and "Pitch 7" not in text and "Appleby" not in text


def test_workers_and_leads_keep_what_they_need(family):
    w = family
    for name in ("ann", "lead"):
        text, got = _pull_text(w, name)
        assert {"site", "stay", "contact", "appointment", "sync_conflict"} <= set(got), name
        for secret in ("Hidden Lane", "Pitch 7", "Appleby", "Gate code", "Refuge Road"):
            assert secret in text, (name, secret)


def test_a_fresh_snapshot_after_a_scope_change_serves_a_school_no_more(family, make_device):
    w = family
    school = make_device("school", "school_a")
    school.sync()
    # The school's scope grows (a pupil with a history moves to it): 410 and a fresh snapshot.
    quinn = h.pupil(w.ann.app, "Quinn", h.URN_B)
    w.ann.sync()
    w.ann.app.edit_pupil(quinn, base_school_id=h.school(w.ann.app, h.URN_A))
    w.ann.sync()
    result = school.sync()
    assert result.snapshot
    dumped = json.dumps(h.dump(school.app), ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in dumped, secret
    assert h.dump(school.app)["site"] == [] and h.dump(school.app)["stay"] == []


def test_the_other_endpoints_tell_a_school_nothing_of_the_family(family):
    w = family
    me = w.http.get("/v1/me", headers=_auth(w, "school_a"))
    assert me.status_code == 200 and not any(s in me.text for s in SECRETS)
    for path in ("/v1/overview", "/v1/overview.pdf"):
        answer = w.http.get(path, headers=_auth(w, "school_a"))
        assert answer.status_code == 403, path
        assert not any(s in answer.text for s in SECRETS)
    push = w.http.post("/v1/push", json={"ops": []}, headers=_auth(w, "school_a"))
    assert push.status_code == 200 and push.json()["results"] == []


def _op(entity: str, entity_id: str, **fields) -> Op:
    from uuid import uuid4

    return Op(
        op_id=str(uuid4()),
        entity=entity,
        entity_id=entity_id,
        clock="2026-11-22T10:00:00.000000Z-0000-x",
        fields=fields,
    )


def _push(w, name: str, op: Op) -> dict:
    response = w.http.post(
        "/v1/push",
        content=PushRequest(ops=[op]).model_dump_json(),
        headers=_auth(w, name) | {"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    return response.json()["results"][0]


def _stored(w, entity: str, entity_id: str) -> dict:
    with w.engine.connect() as conn:
        return conn.execute(select(Record.data).where(Record.entity == entity, Record.entity_id == entity_id)).scalar()


def test_a_school_push_is_refused_per_op_outside_what_it_is_served(family):
    w = family
    refused = [
        _op("site", "new-site", name="X", site_type="roadside", address="1 New Road"),
        _op("site", w.site, notes="seen"),
        _op("stay", "new-stay", pupil_id=w.peter, site_id=w.site, arrived="2026-11-22"),
        _op("contact", w.contact, phone="0"),
        _op("appointment", w.appointment, notes="x"),
        _op("pupil", w.peter, address="3 Elsewhere"),
        _op("visit", w.visit, place_detail="Pitch 9"),
        _op("planned_travel", w.travel, destination="Stow Fair"),
    ]
    for op in refused:
        result = _push(w, "school_a", op)
        assert result["status"] == "refused", op.entity
        assert result["reason"], op.entity
    assert "does not hold site records" in _push(w, "school_a", _op("site", "other", name="Y"))["reason"]
    assert _stored(w, "pupil", w.peter)["address"].startswith("Refuge Road")
    # Its own copy never held the place: sent empty alongside its own edit, it blanks nothing on the server.
    done = _push(w, "school_a", _op("visit", w.visit, place_detail="", site_id=None, outcome="held"))
    assert done["status"] == "applied", done
    stored = _stored(w, "visit", w.visit)
    assert stored["site_id"] == w.site and stored["place_detail"].startswith("Pitch 7")
    # A worker may change all of it.
    assert _push(w, "ann", _op("visit", w.visit, place_detail="Pitch 8"))["status"] == "applied"


def test_a_school_cannot_remove_a_pupil_or_move_them_to_another_school(family):
    w = family
    school_before = _stored(w, "pupil", w.peter)["base_school_id"]
    gone = _push(w, "school_a", _op("pupil", w.peter, deleted=True))
    assert gone["status"] == "refused" and "cannot remove a pupil" in gone["reason"]
    moved = _push(w, "school_a", _op("pupil", w.peter, base_school_id="somewhere-else"))
    assert moved["status"] == "refused" and "cannot move a pupil" in moved["reason"]
    stored = _stored(w, "pupil", w.peter)
    assert stored["base_school_id"] == school_before and not stored.get("deleted")
    # Its own pupil's other details are still its to correct; the same school again is no move.
    kept = _push(w, "school_a", _op("pupil", w.peter, base_school_id=school_before, first_language="Romani"))
    assert kept["status"] == "applied", kept


def test_a_school_resolves_a_conflict_about_what_it_is_served(family, make_device):
    w = family
    school = make_device("school", "school_a")
    second = make_device("ann3", "ann")
    second.sync()
    for device, words in ((w.ann, "Phonics phase 4"), (second, "Phonics phase 3, blends")):
        visit = device.app.get_visit(w.visit)
        visit.entries[0].work_covered = words
        device.app.edit_visit(visit)
    w.ann.sync()
    assert second.sync().conflicts == 1
    assert school.sync().conflicts == 1  # its pupil's work: the school sees both texts
    [conflict] = school.sync_service.conflicts()
    assert school.sync_service.about(conflict).title.startswith("Peter Smith — visit on 20 Nov 2026")
    school.sync_service.resolve(conflict.id, "Phonics phase 4, blends")
    result = school.sync()
    assert not result.refused, result.refused
    w.ann.sync()
    assert w.ann.app.get_visit(w.visit).entries[0].work_covered == "Phonics phase 4, blends"
    # A conflict about the address never reached the school; pushed blind, it is refused.
    address = next(c for c in w.ann.sync_service.conflicts() if c.field == "address")
    refused = _push(w, "school_a", _op("sync_conflict", address.id, resolved=True, resolution="mine"))
    assert refused["status"] == "refused" and "not sent" in refused["reason"]


def test_a_field_no_list_names_is_kept_for_workers_and_never_sent_to_a_school(family):
    """A newer laptop's field (here a second address line) reaches schools only once
    sync/protocol/serving.py names it: the allow-list, not the withheld list, decides."""
    w = family
    assert _push(w, "ann", _op("pupil", w.peter, address_line_2="Flat 3, Refuge Court"))["status"] == "applied"
    assert _stored(w, "pupil", w.peter)["address_line_2"] == "Flat 3, Refuge Court"
    text, _got = _pull_text(w, "school_a")
    assert "Refuge Court" not in text and "address_line_2" not in text
    assert "Refuge Court" in _pull_text(w, "lead")[0] and "Refuge Court" in _pull_text(w, "ann")[0]
    # From the school: with a value, refused; empty (its copy never held it), dropped.
    refused = _push(w, "school_a", _op("pupil", w.peter, address_line_2="Elsewhere"))
    assert refused["status"] == "refused" and "address_line_2" in refused["reason"]
    kept = _push(w, "school_a", _op("pupil", w.peter, address_line_2="", first_language="Romani"))
    assert kept["status"] == "applied", kept
    assert _stored(w, "pupil", w.peter)["address_line_2"] == "Flat 3, Refuge Court"


def test_every_field_a_laptop_syncs_to_a_school_table_is_named_sent_or_withheld(tmp_path):
    """A field added to the desktop must be put in SCHOOL_FIELDS or the withheld list
    before a school gets it; this fails until it is."""
    from desktop.services import Waymark
    from sync.protocol.serving import SCHOOL_FIELDS, SCHOOL_TABLES, serving

    app = Waymark.create_profile(tmp_path / "p", "a long test passphrase", scrypt_n=2**10)
    try:
        withheld = serving("school").withheld
        for table in sorted(SCHOOL_TABLES):
            synced = {c.name for c in app.store.tables[table].c} - {"id", "updated_at"}
            named = SCHOOL_FIELDS[table] | withheld.get(table, frozenset())
            assert synced == named, (table, sorted(synced ^ named))
            assert not SCHOOL_FIELDS[table] & withheld.get(table, frozenset()), table
    finally:
        app.close()


def test_a_school_is_sent_no_clock_of_a_field_it_is_not_sent(family):
    """A field's clock says that, and when, it changed: a school gets the clocks of the
    fields it is sent ("*" and "deleted" aside) and of no other, in every row, through
    the pull endpoint (feed.pull_json) and the typed feed (feed.pull)."""
    from sync.protocol.serving import SCHOOL_FIELDS, serving
    from sync.server import feed
    from sync.server.tables import User

    w = family
    # A worker changes every withheld field again (a clock of now: the records' own are
    # newer than _op's), so each has a clock of its own on the server.
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") + "-0000-x"
    for entity, entity_id, fields in (
        ("pupil", w.peter, {"address": "4 Hidden Lane", "postcode": "PR1 9ZY", "suppress_address": True}),
        ("visit", w.visit, {"place_detail": "Pitch 8", "site_id": w.site}),
        ("planned_travel", w.travel, {"destination": "Appleby", "notes": "Lane End"}),
    ):
        op = _op(entity, entity_id, **fields).model_copy(update={"clock": now})
        assert _push(w, "ann", op)["status"] == "applied"
    withheld = serving("school").withheld
    with w.engine.connect() as conn:
        stored = dict(
            conn.execute(
                select(Record.entity, Record.clocks).where(Record.entity_id.in_([w.peter, w.visit, w.travel]))
            ).all()
        )
    for entity, fields in withheld.items():  # the server holds them: the check below is not empty
        clocks = json.loads(stored[entity]) if isinstance(stored[entity], str) else stored[entity]
        assert set(fields) <= set(clocks), (entity, sorted(clocks))

    def check(changes: list[dict]) -> None:
        assert {c["entity"] for c in changes} >= set(withheld)
        for change in changes:
            entity, clocks = change["entity"], set(change["clocks"]) - {"*", "deleted"}
            assert not clocks & withheld.get(entity, frozenset()), (entity, sorted(clocks))
            assert clocks <= SCHOOL_FIELDS.get(entity, frozenset()), (entity, sorted(clocks))
            assert clocks <= set(change["fields"]), (entity, sorted(clocks - set(change["fields"])))

    pages, cursor = [], ""
    while True:
        page = w.http.get("/v1/pull", params={"cursor": cursor, "limit": 5}, headers=_auth(w, "school_a")).json()
        pages += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            break
    check(pages)
    with w.engine.connect() as conn:
        user = User.model_validate(
            dict(conn.execute(select(User.__table__).where(User.name == "school_a")).mappings().one())
        )
        typed = feed.pull(conn, user, None, 10_000)
    check([change.model_dump() for change in typed.changes])
