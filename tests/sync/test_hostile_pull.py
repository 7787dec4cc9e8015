"""A pull answer this version cannot trust (a faulty or newer server, or a proxy that
rewrites answers) is refused in one plain sentence, with nothing applied, nothing
removed and the cursor kept; and what a trusted one brings cannot lock the user out.
Laptop-side only: the server here is the embedded SQLite one (its own tests run on
PostgreSQL too)."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from desktop.services import USER_ERRORS, Waymark
from desktop.store.sync_port import CLOCK, CURSOR
from sync.client import ServerError, SyncError
from sync.protocol.clock import format_time
from tests.conftest import PASSPHRASE
from tests.sync import helpers as h
from tests.sync.conftest import add_user
from tests.sync.rewrite import Rewriting

END_OF_TIME = "9999-12-31T23:59:59.999999Z-9999-evil"


@pytest.fixture
def server_url(request, tmp_path):
    """The embedded server only: what is tested here is the laptop."""
    path = tmp_path / "server.db"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite:///{path}"


def _every_clock(stamp: str) -> Callable[[dict, httpx.Request], dict]:
    def rewrite(doc: dict, _request: httpx.Request) -> dict:
        for change in doc["changes"]:
            change["clocks"] = {"*": stamp}
        return doc

    return rewrite


def _every_field(entity: str, name: str, value: object) -> Callable[[dict, httpx.Request], dict]:
    """A pull answer with `name` of every `entity` record pulled set to `value`."""

    def rewrite(doc: dict, _request: httpx.Request) -> dict:
        for change in doc["changes"]:
            if change["entity"] == entity:
                change["fields"][name] = value
        return doc

    return rewrite


@pytest.fixture
def pair(engine, make_device):
    add_user(engine, "ann", "tutor")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    pupil = h.pupil(a.app, "Levi")
    a.sync()
    return a, b, pupil


def test_a_page_whose_clock_is_not_a_change_stamp_is_not_understood(pair, tmp_path):
    _, b, _ = pair
    b.sync_service.transport = Rewriting(b.net, "/v1/pull", _every_clock("zz-not-a-stamp"))
    with pytest.raises(ServerError, match="not understood"):
        b.sync()
    assert (b.app.list_pupils(), b.app.store.get_setting(CURSOR), b.app.store.get_setting(CLOCK)) == ([], None, None)
    b.app.close()
    b.app = Waymark.open_profile(tmp_path / "b", PASSPHRASE)  # it opens (before: ValueError, for good)
    b.sync_service = type(b.sync_service)(b.app, transport=b.net)
    b.sync()  # a good answer: the page comes
    assert [p.forename for p in b.app.list_pupils()] == ["Levi"]


def test_a_stamp_at_the_end_of_time_does_not_hide_the_real_ones_beside_it(pair):
    """One absurd stamp on a page is not believed; the real stamps beside it still are, so this
    laptop's next edit sorts after what it has just seen."""
    _, b, _ = pair
    ahead = f"{format_time(datetime.now(UTC) + timedelta(hours=1))}-0000-server"

    def one_absurd(doc: dict, _request: httpx.Request) -> dict:
        [real] = [c for c in doc["changes"] if c["entity"] == "pupil"]
        real["clocks"] = {"*": ahead}
        doc["changes"].append(real | {"entity_id": str(uuid.uuid4()), "clocks": {"*": END_OF_TIME}})
        return doc

    b.sync_service.transport = Rewriting(b.net, "/v1/pull", one_absurd)
    b.sync()
    assert ahead < b.app.store.clock.now() < END_OF_TIME


def test_a_stamp_at_the_end_of_time_does_not_stop_every_edit(pair, tmp_path):
    _, b, pupil = pair
    b.sync_service.transport = Rewriting(b.net, "/v1/pull", _every_clock(END_OF_TIME))
    b.sync()
    b.app.edit_pupil(pupil, medical_needs="Asthma: inhaler in bag")  # before: OverflowError, every edit
    assert b.app.get_pupil(pupil).medical_needs == "Asthma: inhaler in bag"
    assert b.app.store.clock.now() < format_time(datetime.now(UTC) + timedelta(days=1))
    b.app.close()
    app = Waymark.open_profile(tmp_path / "b", PASSPHRASE)
    try:
        app.edit_pupil(pupil, medical_needs="Asthma: inhaler in her bag")  # and after a restart
        assert app.get_pupil(pupil).medical_needs == "Asthma: inhaler in her bag"
    finally:
        app.close()


def test_a_laptop_whose_clock_is_years_slow_still_takes_the_servers_time():
    """A flat clock battery: the server's stamps are years ahead of this laptop's time, and
    are believed, so its next edit sorts after what it saw (only the absurd is not)."""
    from desktop.store.db.clock import Clock

    clock = Clock("slow-laptop")
    server = f"{format_time(datetime.now(UTC) + timedelta(days=5 * 365))}-0000-server"
    clock.observe(server)
    assert clock.now() > server


def test_a_clock_of_a_table_this_version_skips_is_not_this_laptops_clock(pair):
    _, b, _ = pair
    ahead = f"{format_time(datetime.now(UTC) + timedelta(hours=12))}-0000-newer"

    def newer_table(doc: dict, _request: httpx.Request) -> dict:
        doc["changes"].append(
            {
                "entity": "newer_table",
                "entity_id": "x",
                "fields": {},
                "clocks": {"*": ahead},
                "deleted": False,
                "seq": 1,
            }
        )
        return doc

    b.sync_service.transport = Rewriting(b.net, "/v1/pull", newer_table)
    b.sync()
    assert [p.forename for p in b.app.list_pupils()] == ["Levi"]
    assert b.app.store.get_setting(CLOCK) < ahead and b.app.store.clock.now() < ahead


@pytest.mark.parametrize("stored", ['"zz-not-a-stamp"', json.dumps(END_OF_TIME), "{not json", "42"])
def test_a_profile_whose_saved_clock_was_poisoned_opens_and_saves(make_device, tmp_path, stored):
    """A profile an earlier version let a bad page poison: its saved clock is not believed."""
    device = make_device("c")
    pupil = h.pupil(device.app, "Levi")
    with device.app.store.reading() as conn:
        conn.exec_driver_sql("INSERT INTO meta VALUES (?, ?)", (CLOCK, stored))
        conn.commit()
    device.app.close()
    app = Waymark.open_profile(tmp_path / "c", PASSPHRASE)
    try:
        app.edit_pupil(pupil, medical_needs="Asthma")
        assert app.get_pupil(pupil).medical_needs == "Asthma"
        assert app.store.clock.now() < format_time(datetime.now(UTC) + timedelta(days=1))
    finally:
        app.close()


def test_a_role_this_version_does_not_know_removes_nothing(engine, make_device):
    add_user(engine, "ann", "tutor")
    a = make_device("a", "ann")
    pupil = h.pupil(a.app, "Levi")
    h.visit(a.app, [pupil], work="Phonics phase 3")
    a.sync()
    a.app.edit_pupil(pupil, medical_needs="Asthma: inhaler in bag")  # typed, not yet sent
    cursor = a.app.store.get_setting(CURSOR)

    def new_role(doc: dict, _request: httpx.Request) -> dict:
        return doc | {"role": "virtual-school-head"}

    a.sync_service.transport = Rewriting(a.net, "/v1/pull", new_role)
    with pytest.raises(ServerError, match="Update Waymark"):
        a.sync()  # (the edit was pushed before the pull was refused)
    assert [p.forename for p in a.app.list_pupils()] == ["Levi"]
    assert a.app.store.get_setting(CURSOR) == cursor and a.app.store.get_setting("sync_role") == "tutor"
    a.sync_service.transport = a.net  # the server answers as it should again
    a.sync()
    got = a.app.get_pupil(pupil)
    assert (got.forename, got.medical_needs, len(a.app.list_visits())) == ("Levi", "Asthma: inhaler in bag", 1)


def test_a_server_that_never_ends_its_pull_is_told_apart(pair):
    a, _, _ = pair

    def same_page(_doc: dict, _request: httpx.Request) -> dict:
        return {"changes": [], "cursor": "0.0.0", "more": True, "left": [], "role": "tutor", "policy": None}

    tamper = Rewriting(a.net, "/v1/pull", same_page, times=10**9)
    a.sync_service.transport = tamper
    with pytest.raises(SyncError, match="do not move on"):
        a.sync()  # before: asked for ever (here stopped at 200 by Rewriting)
    assert tamper.asked == 2


@pytest.mark.parametrize("urn", [["119234"], {"urn": "119234"}])
def test_an_odd_urn_in_a_pulled_school_does_not_stop_the_pull(pair, urn):
    _, b, pupil = pair
    h.school(b.app)  # B holds the school too (added offline): the natural-key check runs

    b.sync_service.transport = Rewriting(b.net, "/v1/pull", _every_field("school", "urn", urn), times=10)
    result = b.sync()  # before: the driver could not bind the list, at every sync
    assert result.pulled >= 2
    assert [p.id for p in b.app.list_pupils()] == [pupil]


def test_a_conflict_about_a_field_this_version_lacks_is_a_plain_refusal(pair):
    a, b, pupil = pair
    stamp = a.app.store.clock.now()
    conflict_id = str(uuid.uuid4())

    def add_conflict(doc: dict, _request: httpx.Request) -> dict:
        data = {
            "entity": "pupil", "entity_id": pupil, "field": "preferred_name", "kind": "edit",
            "kept_value": "Lev", "kept_by": "ann", "kept_clock": stamp,
            "other_value": "Levi-Jay", "other_by": "ann", "other_clock": stamp,
            "raised_at": stamp[:27], "resolved": False, "resolution": "",
        }  # fmt: skip
        change = {"entity": "sync_conflict", "entity_id": conflict_id, "fields": data, "clocks": {"*": stamp}}
        doc["changes"].append(change | {"deleted": False, "seq": 10**6})
        return doc

    b.sync_service.transport = Rewriting(b.net, "/v1/pull", add_conflict)
    assert b.sync().conflicts == 1
    unsent = b.port.unsent()
    for keep in ("mine", "theirs", "Levi"):
        with pytest.raises(USER_ERRORS, match="Update Waymark"):  # before: AttributeError
            b.sync_service.resolve(conflict_id, keep)
    [conflict] = [c for c in b.sync_service.conflicts() if c.id == conflict_id]
    assert not conflict.resolved and b.port.unsent() == unsent
    assert b.app.get_pupil(pupil).forename == "Levi"


@pytest.mark.parametrize("huge", [2**63, -(2**64), 10**30])
def test_a_number_too_large_for_the_laptop_is_read_as_none_and_the_pull_goes_on(pair, huge):
    """As any other odd value (test_odd_values.py); the server refuses one pushed now, but an
    older server may hold one, and one laptop's odd value must not stop every other's pull."""
    a, b, pupil = pair
    a.app.edit_pupil(pupil, medical_needs="Asthma: inhaler in bag")
    a.sync()

    b.sync_service.transport = Rewriting(b.net, "/v1/pull", _every_field("pupil", "nc_year_offset", huge), times=10)
    result = b.sync()  # before: OverflowError (not a SyncError: 'unexpected error'), at every sync
    got = b.app.get_pupil(pupil)
    assert result.pulled >= 1 and (got.forename, got.medical_needs, got.nc_year_offset) == (
        "Levi",
        "Asthma: inhaler in bag",
        None,
    )
