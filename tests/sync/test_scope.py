"""Every endpoint against every role: each user gets exactly what their role
allows, enforced in the server's queries. Nothing leaks: not another
worker's pupils, not another school's, not a concern or a professional-only
note to a school, not a conflict record holding a concern's words."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from desktop.domain.enums import Visibility
from desktop.domain.records import Concern, Folder, VisitNote
from sync.protocol import PROTOCOL_HEADER, Op, PushRequest
from sync.server import admin, feed
from tests.sync import helpers as h
from tests.sync.conftest import PASSWORD, SERVER, add_user

ROLES = {
    "ann": ("tutor", "", "north"),
    "bea": ("tutor", "", "north"),
    "carl": ("tutor", "", "south"),
    "tess": ("tes", "", "east"),
    "school_a": ("school", h.URN_A, ""),
    "school_b": ("school", h.URN_B, ""),
    "lead": ("la-lead", "", ""),
}


class World:
    """Ann's caseload: Peter (school A) and his sister Polly (school B), seen on
    one visit with a professional-only and a family note; a concern about Peter.
    Carl's caseload: Quinn (school A). Polly is also on team north's caseload."""

    def __getattr__(self, name: str):  # test parameters name records that may not exist
        raise AttributeError(name)


@pytest.fixture
def world(engine, make_device, in_process):
    for name, (role, urn, team) in ROLES.items():
        add_user(engine, name, role, school_urn=urn, team=team)
    ann, carl = make_device("ann", "ann"), make_device("carl", "carl")
    w = World()
    w.peter = h.pupil(ann.app, "Peter", h.URN_A)
    w.polly = h.pupil(ann.app, "Polly", h.URN_B)
    w.visit = h.visit(ann.app, [w.peter, w.polly], professional="Dad mentioned moving on", family="Lovely reading")
    notes = ann.app.get_visit(w.visit).notes
    visit = ann.app.get_visit(w.visit)
    visit.notes.append(VisitNote(text="Peter read to his sister", visibility=Visibility.FAMILY, pupil_id=w.peter))
    ann.app.edit_visit(visit)
    notes = ann.app.get_visit(w.visit).notes
    w.peter_note = next(n.id for n in notes if n.pupil_id == w.peter)
    w.prof_note = next(n.id for n in notes if n.text.startswith("Dad"))
    w.family_note = next(n.id for n in notes if n.text.startswith("Lovely"))
    w.links = {}
    w.concern = ann.app.add_concern(Concern(pupil_id=w.peter, raised_on=date(2026, 11, 20), text="Bruise on arm")).id
    w.peter_progress = h.progress(ann.app, w.peter)
    w.polly_progress = h.progress(ann.app, w.polly)
    w.folder = _folder(ann.app, w.peter)
    ann.sync()
    w.quinn = h.pupil(carl.app, "Quinn", h.URN_A)
    w.quinn_visit = h.visit(carl.app, [w.quinn], professional="Carl's private note", family="Carl's family note")
    w.quinn_family_note = next(n.id for n in carl.app.get_visit(w.quinn_visit).notes if n.text == "Carl's family note")
    w.quinn_concern = carl.app.add_concern(
        Concern(pupil_id=w.quinn, raised_on=date(2026, 11, 20), text="Quinn worry")
    ).id
    carl.sync()
    admin.assign(engine, w.polly, team="north")
    with pytest.raises(admin.AdminError, match="already on team north's caseload"):
        admin.assign(engine, w.polly, team="north")  # twice would be one row too many
    w.ann, w.carl, w.engine = ann, carl, engine
    w.http = httpx.Client(transport=in_process, base_url=SERVER, headers={PROTOCOL_HEADER: "1"})
    w.tokens = {}
    for name in ROLES:
        answer = w.http.post("/v1/login", json={"user": name, "password": PASSWORD, "device_name": "test"})
        assert answer.status_code == 200, answer.text
        w.tokens[name] = answer.json()["token"]
    with ann.app.store.reading() as conn:
        link = ann.app.store.tables["visit_entry"]
        w.links = {p: i for i, p in conn.execute(link.select().with_only_columns(link.c.id, link.c.pupil_id))}
    yield w
    w.http.close()


def _folder(app, pupil_id: str) -> str:
    with app.store.transaction("ann") as tx:
        return tx.insert(Folder(pupil_id=pupil_id, issued_on=date(2026, 11, 1)))


def pull_all(w: World, name: str) -> dict[str, set[str]]:
    """Every record the user pulls, by entity."""
    got: dict[str, set[str]] = {}
    cursor = ""
    while True:
        page = w.http.get("/v1/pull", params={"cursor": cursor, "limit": 7}, headers=_auth(w, name))
        assert page.status_code == 200, page.text
        body = page.json()
        for change in body["changes"]:
            got.setdefault(change["entity"], set()).add(change["entity_id"])
        cursor = body["cursor"]
        if not body["more"]:
            return got


def _auth(w: World, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {w.tokens[name]}"}


@pytest.fixture(params=["in feed order", "by pupil"])
def lookup(request, monkeypatch) -> str:
    """How a pull finds a user's rows: reading the feed from the cursor (a device
    close behind), or by pupil through the indexes (one far behind, as on a first
    pull: here every pull, the span that switches set to nothing)."""
    if request.param == "by pupil":
        monkeypatch.setattr(feed, "SHORT_SPAN", 0)
    return request.param


def test_each_role_pulls_exactly_its_scope(world, lookup):
    w = world
    everything = pull_all(w, "lead")
    assert everything["pupil"] == {w.peter, w.polly, w.quinn}
    assert everything["concern"] == {w.concern, w.quinn_concern}
    assert w.prof_note in everything["visit_note"]

    ann = pull_all(w, "ann")
    assert ann["pupil"] == {w.peter, w.polly}
    assert ann["concern"] == {w.concern}
    assert ann["visit"] == {w.visit}
    assert ann["visit_note"] == {w.prof_note, w.family_note, w.peter_note}

    carl = pull_all(w, "carl")
    assert carl["pupil"] == {w.quinn}
    assert carl["visit"] == {w.quinn_visit}
    assert carl["concern"] == {w.quinn_concern}
    assert "folder" not in carl

    bea = pull_all(w, "bea")  # team north: Polly only
    assert bea["pupil"] == {w.polly}
    assert bea["visit"] == {w.visit}
    assert bea["visit_entry"] == {w.links[w.polly]}  # not Peter's link
    assert bea["progress_entry"] == {w.polly_progress}
    assert w.peter_note not in bea["visit_note"]
    assert "concern" not in bea  # Peter's concern is not about her pupil

    assert set(pull_all(w, "tess")) == {"school"}  # a caseload of nobody yet

    school_a = pull_all(w, "school_a")
    assert school_a["pupil"] == {w.peter, w.quinn}
    assert school_a["visit"] == {w.visit, w.quinn_visit}
    assert w.links[w.polly] not in school_a["visit_entry"]
    assert school_a["progress_entry"] == {w.peter_progress}
    assert school_a["folder"] == {w.folder}
    assert "concern" not in school_a
    assert school_a["visit_note"] == {w.family_note, w.peter_note, w.quinn_family_note}
    everything_a = {i for ids in school_a.values() for i in ids}
    assert not everything_a & {w.polly, w.polly_progress, w.concern, w.quinn_concern, w.prof_note}

    school_b = pull_all(w, "school_b")
    assert school_b["pupil"] == {w.polly}
    assert school_b["visit_note"] == {w.family_note}  # not the note about Peter alone
    assert "concern" not in school_b


def test_a_conflict_on_a_concern_never_reaches_a_school(world, make_device):
    w = world
    second = make_device("ann2", "ann")
    second.sync()
    for device, text in ((w.ann, "Bruise on left arm"), (second, "Bruise on right arm")):
        concern = device.app.store.get(Concern, w.concern)
        concern.text = text
        with device.app.store.transaction("ann") as tx:
            tx.update(concern)
    w.ann.sync()
    assert second.sync().conflicts == 1
    assert "sync_conflict" in pull_all(w, "lead")
    assert "sync_conflict" in pull_all(w, "ann")
    assert "sync_conflict" not in pull_all(w, "school_a")
    assert "sync_conflict" not in pull_all(w, "carl")


def _push(w: World, name: str, op: Op) -> dict:
    response = w.http.post(
        "/v1/push",
        content=PushRequest(ops=[op]).model_dump_json(),
        headers=_auth(w, name) | {"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    return response.json()["results"][0]


def _op(entity: str, entity_id: str, **fields) -> Op:
    from uuid import uuid4

    return Op(
        op_id=str(uuid4()),
        entity=entity,
        entity_id=entity_id,
        clock="2026-11-22T10:00:00.000000Z-0000-x",
        fields=fields,
    )


PUSHES = [
    ("carl", "pupil", "peter", {"medical_needs": "x"}, False),  # another worker's pupil
    ("bea", "pupil", "peter", {"medical_needs": "x"}, False),  # team north has Polly, not Peter
    ("bea", "pupil", "polly", {"medical_needs": "x"}, True),
    ("carl", "progress_entry", "new", {"pupil_id": "peter", "subject": "Maths"}, False),
    ("carl", "visit_note", "new", {"visit_id": "visit", "text": "x", "visibility": "family"}, False),
    ("school_a", "concern", "new", {"pupil_id": "peter", "text": "x"}, False),
    ("school_a", "visit_note", "new", {"visit_id": "visit", "text": "x", "visibility": "professional"}, False),
    ("school_a", "visit_note", "prof_note", {"text": "x"}, False),
    ("school_a", "progress_entry", "polly_progress", {"evidence": "x"}, False),  # another school's pupil
    ("school_a", "progress_entry", "new", {"pupil_id": "peter", "subject": "Maths"}, True),  # its own pupil
    ("school_a", "pupil", "new", {"forename": "X"}, False),
    ("school_a", "school", "new", {"urn": "100000"}, False),
    ("school_b", "visit", "visit", {"outcome": "x"}, True),  # Polly was seen on it
    ("tess", "pupil", "new", {"forename": "New", "surname": "Pupil"}, True),  # a worker adds a pupil
    ("lead", "concern", "concern", {"text": "Escalated"}, True),
    ("ann", "no_such_table", "new", {"x": 1}, False),
]


def test_a_push_outside_the_users_scope_is_refused_per_op(world):
    w = world
    for n, (user, entity, target, fields, allowed) in enumerate(PUSHES):
        target_id = getattr(w, target, None) or f"01a2-new-record-{n}"
        fields = {k: getattr(w, v, v) if isinstance(v, str) else v for k, v in fields.items()}
        result = _push(w, user, _op(entity, target_id, **fields))
        assert (result["status"] == "applied") is allowed, (user, entity, target, result)
        assert bool(result["reason"]) is not allowed


def test_every_endpoint_checks_the_token_and_the_protocol_and_says_who(world):
    w = world
    for method, path in (("GET", "/v1/me"), ("GET", "/v1/pull"), ("POST", "/v1/push"), ("POST", "/v1/logout")):
        for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"}):
            kwargs = {"json": {"ops": []}} if method == "POST" else {}
            response = w.http.request(method, path, headers=headers, **kwargs)
            assert response.status_code == 401, (path, headers)
            assert "Log in again" in response.json()["detail"]
    bare = httpx.Client(transport=w.http._transport, base_url=SERVER)
    for method, path in (("GET", "/v1/me"), ("GET", "/v1/pull"), ("POST", "/v1/push"), ("POST", "/v1/login")):
        response = bare.request(method, path, headers=_auth(w, "ann"), json={"ops": []})
        assert response.status_code == 426, path
        assert "too old" in response.json()["detail"]
    bare.close()
    for name, (role, urn, team) in ROLES.items():
        me = w.http.get("/v1/me", headers=_auth(w, name)).json()
        assert (me["user"], me["role"], me["school_urn"], me["team"]) == (name, role, urn, team)
    assert w.http.post("/v1/logout", headers=_auth(w, "carl")).status_code == 204
    assert w.http.get("/v1/me", headers=_auth(w, "carl")).status_code == 401
    w.carl.sync()  # Carl's laptop has its own token


def test_a_row_naming_no_pupil_yet_goes_to_its_author_alone(world, lookup):
    """A visit pushed before any child's entry (an orphan) is its author's: found
    either way, and never by another worker of the same team."""
    w = world
    assert _push(w, "bea", _op("visit", "01a2-orphan-visit", work_covered="Phonics"))["status"] == "applied"
    assert "01a2-orphan-visit" in pull_all(w, "bea")["visit"]
    assert "01a2-orphan-visit" not in pull_all(w, "ann")["visit"]
    assert "01a2-orphan-visit" in pull_all(w, "lead")["visit"]
