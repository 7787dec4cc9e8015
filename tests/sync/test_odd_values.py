"""One laptop's odd value (a number for a date, words for a number, a choice a newer
version added) must not stop every other laptop's pull, nor make a record unreadable
there: it is read as none, the field's default or a blank, and the rest of the record
and of the page arrive. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from desktop.domain.enums import Outcome, Sex
from sync.protocol import Op
from sync.server.shapes import CONFLICT_ENTITY
from sync.server.tables import Record
from tests.sync import helpers as h
from tests.sync.conftest import add_user


def test_odd_values_from_another_laptop_are_read_as_blanks_and_the_pull_goes_on(engine, make_device, in_process):
    add_user(engine, "ann", "tutor")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    pupil = h.pupil(a.app, "Levi")
    visit = h.visit(a.app, [pupil], work="Phonics phase 3")
    a.sync()
    clock = a.app.store.clock.now()
    odd = [
        Op(op_id="o1", entity="pupil", entity_id=pupil, clock=clock,
           fields={"dob": 20140601, "sex": "dragon", "looked_after": "yes", "nc_year_offset": "two", "first_language": 7}),
        Op(op_id="o2", entity="visit", entity_id=visit, clock=clock,
           fields={"start": 9, "end": "11:30:00", "outcome": "postponed by owl", "next_appointment": ["soon"]}),
    ]  # fmt: skip
    assert [r["status"] for r in h.push_as(a, in_process, odd)] == ["applied", "applied"]  # the server is generic

    result = b.sync()  # would stop on the first odd value, and every sync after it
    assert result.pulled >= 3 and b.app.sync_status().last_error in (None, "")
    got = b.app.get_pupil(pupil)
    assert (got.forename, got.dob, got.sex, got.looked_after, got.nc_year_offset, got.first_language) == (
        "Levi",
        date(1970, 1, 1),
        Sex.UNKNOWN,
        False,
        None,
        "7",
    )
    seen = b.app.get_visit(visit)
    assert (seen.start, seen.end, seen.outcome, seen.next_appointment) == (None, time(11, 30), Outcome.HELD, None)
    assert [e.work_covered for e in seen.entries] == ["Phonics phase 3"]  # the rest arrived
    assert [p.id for p in b.app.list_pupils()] == [pupil]
    b.app.edit_pupil(pupil, dob=date(2014, 6, 1))  # and the record can be put right here
    assert not b.sync().refused


# --- values the server refuses, per operation ---------------------------------------------------
# A value no laptop can keep, or one the server looks records up by that cannot name one, is
# refused with its operation, in words; the rest of the push is applied, and nothing else changes.


def _unchanged_but_applied(before: dict, after: dict) -> None:
    """The server's tables as before the push, but for the operations it kept (applied_ops, feed)."""
    for table, rows in before.items():
        if table.name not in ("applied_ops", "feed"):
            assert after[table] == rows, table.name


def _push_raw(device, transport, body: bytes) -> list[dict]:
    """A push body as any laptop (or anything else) could send it, not built from the models."""
    import httpx

    from sync.protocol import PROTOCOL_HEADER
    from tests.sync.conftest import SERVER

    token = device.app.store.get_setting("sync_account")["token"]
    headers = {PROTOCOL_HEADER: "1", "Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with httpx.Client(transport=transport, base_url=SERVER) as http:
        answer = http.post("/v1/push", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


@pytest.mark.parametrize("role", ["tutor", "la-lead"])
@pytest.mark.parametrize("odd", [{"not": "an id"}, ["an id"], 7, "x" * 65], ids=["object", "list", "number", "long"])
def test_a_link_to_another_record_that_is_not_an_id_is_refused_per_op(engine, make_device, in_process, role, odd):
    """Before: a pupil_id (visit_id, folder_id...) sent as an object or a list made the whole push
    a 500 (unhashable type), and so did a number (sorted among texts); an id past 64 characters
    was a 500 on PostgreSQL (varchar(64)) and kept on SQLite."""
    add_user(engine, "ann", role)
    a = make_device("a", "ann")
    pupil = h.pupil(a.app, "Levi")
    visit = h.visit(a.app, [pupil])
    a.sync()
    before = h.server_copy(engine)
    clock = a.app.store.clock.now()
    links = [  # (entity, the field that names another record, the rest of a plausible record)
        ("progress_entry", "pupil_id", {"subject": "English"}),
        ("visit_entry", "visit_id", {"pupil_id": pupil}),
        ("visit_entry", "pupil_id", {"visit_id": visit}),
        ("visit_note", "visit_id", {"text": "A note"}),
        ("folder_item", "folder_id", {"comment": "Sheet 3"}),
        ("review", "plan_id", {"summary": "Going well"}),
        ("appointment_pupil", "appointment_id", {"pupil_id": pupil}),
        ("pupil", "base_school_id", {"forename": "Ola"}),
        (CONFLICT_ENTITY, "entity_id", {"entity": "pupil", "field": "address"}),
        (CONFLICT_ENTITY, "entity", {"entity_id": pupil, "field": "address"}),
    ]
    ops = [
        Op(op_id=f"odd{n}", entity=entity, entity_id=f"new-{n}", clock=clock, fields=rest | {field: odd})
        for n, (entity, field, rest) in enumerate(links)
    ]
    ops.append(Op(op_id="good", entity="pupil", entity_id=pupil, clock=clock, fields={"medical_needs": "Asthma"}))
    results = h.push_as(a, in_process, ops)  # one push: each operation answered on its own

    assert [r["status"] for r in results] == ["refused"] * len(links) + ["applied"]
    for (_entity, field, _rest), result in zip(links, results, strict=False):
        assert f"This change's {field} is not a record's id" in result["reason"]
    after = h.server_copy(engine)
    assert {r["entity_id"] for r in after[Record.__table__]} == {r["entity_id"] for r in before[Record.__table__]}
    a.sync()
    assert a.app.get_pupil(pupil).medical_needs == "Asthma"


@pytest.mark.parametrize(
    "urn", [["119234"], {"urn": "119234"}, 119234, "1192345"], ids=["list", "object", "number", "long"]
)
def test_a_school_urn_that_is_not_a_urn_is_refused_per_op(engine, make_device, in_process, urn):
    """Before: a URN sent as a list or an object made the push a 500 (the pupil_school query
    could not bind it); seven digits were a 500 on PostgreSQL (varchar(6)); the rest was kept on SQLite."""
    add_user(engine, "ann", "tutor")
    a = make_device("a", "ann")
    school = h.school(a.app)
    h.pupil(a.app, "Levi")
    a.sync()
    before = h.server_copy(engine)
    clock = a.app.store.clock.now()
    ops = [
        Op(op_id="odd", entity="school", entity_id=school, clock=clock, fields={"urn": urn}),
        Op(op_id="new", entity="school", entity_id="new-school", clock=clock, fields={"urn": urn, "name": "Odd"}),
    ]
    results = h.push_as(a, in_process, ops)
    assert [r["status"] for r in results] == ["refused", "refused"]
    assert all("A school's URN is 6 digits" in r["reason"] for r in results)
    _unchanged_but_applied(before, h.server_copy(engine))

    ok = Op(op_id="ok", entity="school", entity_id=school, clock=clock, fields={"name": "Renamed"})
    assert [r["status"] for r in h.push_as(a, in_process, [ok])] == ["applied"]


def test_a_number_no_laptop_can_keep_is_refused_per_op(engine, make_device, in_process):
    """Before: nc_year_offset = 2**63 (or 10**30, or infinity) was applied, and then every other
    laptop's pull stopped on it (OverflowError in SQLite), at every sync after."""
    add_user(engine, "ann", "tutor")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    pupil = h.pupil(a.app, "Levi")
    a.sync()
    before = h.server_copy(engine)
    clock = a.app.store.clock.now()

    def op(n: int, value: object) -> Op:
        return Op(op_id=f"o{n}", entity="pupil", entity_id=pupil, clock=clock, fields={"nc_year_offset": value})

    huge = [2**63, -(2**63) - 1, 10**30, -(10**30), float(2**63), 1e300, [1, 2**64], {"n": 2**70}]
    results = h.push_as(a, in_process, [op(n, value) for n, value in enumerate(huge)])
    assert [r["status"] for r in results] == ["refused"] * len(huge)
    assert {r["reason"] for r in results} == {
        "A number in this change is too large for the LA's server and the laptops to keep."
    }
    # JSON no model writes, but a laptop (or anything else) may send: read as floats past every int
    raw = b", ".join(
        b'{"op_id": "r%d", "entity": "pupil", "entity_id": "%s", "clock": "%s", "fields": {"nc_year_offset": %s}}'
        % (n, pupil.encode(), clock.encode(), value)
        for n, value in enumerate([b"1e400", b"-1e400", b"NaN", b"Infinity", b"18446744073709551616"])
    )
    assert {r["status"] for r in _push_raw(a, in_process, b'{"ops": [' + raw + b"]}")} == {"refused"}
    _unchanged_but_applied(before, h.server_copy(engine))

    # The largest a laptop keeps is kept, and pulled by the other laptop.
    assert [r["status"] for r in h.push_as(a, in_process, [op(20, 2**63 - 1)])] == ["applied"]
    a.app.edit_pupil(pupil, medical_needs="Asthma: inhaler in bag")
    a.sync()
    result = b.sync()
    assert result.pulled >= 1 and b.app.sync_status().last_error in (None, "")
    got = b.app.get_pupil(pupil)
    assert (got.forename, got.nc_year_offset, got.medical_needs) == ("Levi", 2**63 - 1, "Asthma: inhaler in bag")


@pytest.mark.parametrize("field", ["field", "resolution"])
def test_a_conflicts_field_or_answer_that_is_not_a_text_is_refused_per_op(engine, make_device, in_process, field):
    """Before: a conflict's field (pushed by a school) or its resolution sent as an object was a
    500 for the whole push (looked up in a set: unhashable type)."""
    add_user(engine, "ann", "tutor")
    add_user(engine, "school_a", "school", school_urn=h.URN_A)
    a, b, school = make_device("a", "ann"), make_device("b", "ann"), make_device("s", "school_a")
    pupil = h.pupil(a.app, "Levi")
    a.sync(), b.sync()
    a.app.edit_pupil(pupil, medical_needs="Asthma")
    b.app.edit_pupil(pupil, medical_needs="Hay fever")
    a.sync(), b.sync()
    with engine.connect() as conn:
        conflict = conn.execute(select(Record.entity_id).where(Record.entity == CONFLICT_ENTITY)).scalar_one()
    before = h.server_copy(engine)
    for n, device in enumerate((a, school)):
        odd = Op(op_id=f"o{n}", entity=CONFLICT_ENTITY, entity_id=conflict, clock=a.app.store.clock.now(),
                 fields={field: {"keep": "mine"}})  # fmt: skip
        [result] = h.push_as(device, in_process, [odd])
        assert (result["status"], result["reason"]) == (
            "refused",
            f"This change's {field} is not a text, so the LA's server cannot keep it.",
        )
    _unchanged_but_applied(before, h.server_copy(engine))


def test_a_value_nested_past_what_a_laptop_keeps_is_refused_per_op(engine, make_device, in_process):
    """Before: a field nested a thousand deep (orjson reads up to 1024 levels) recursed the
    server's check past Python's limit, and the whole push was a 500."""
    from sync.protocol.values import MAX_DEPTH

    add_user(engine, "ann", "tutor")
    a = make_device("a", "ann")
    pupil = h.pupil(a.app, "Levi")
    a.sync()
    before = h.server_copy(engine)
    clock = a.app.store.clock.now().encode()

    def op(n: int, value: bytes) -> bytes:
        return b'{"op_id": "d%d", "entity": "pupil", "entity_id": "%s", "clock": "%s", "fields": {"notes": %s}}' % (
            n,
            pupil.encode(),
            clock,
            value,
        )

    deep = [
        b"[" * 1015 + b"]" * 1015,
        b'{"a":' * 1015 + b"1" + b"}" * 1015,
        b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
    ]
    results = _push_raw(a, in_process, b'{"ops": [' + b", ".join(op(n, v) for n, v in enumerate(deep)) + b"]}")
    assert [r["status"] for r in results] == ["refused"] * len(deep)
    assert {r["reason"] for r in results} == {
        "A value in this change is nested too deeply for the LA's server and the laptops to keep."
    }
    _unchanged_but_applied(before, h.server_copy(engine))
    # As deep as allowed is kept (the server is generic: the laptop reads it as none)
    kept = _push_raw(a, in_process, b'{"ops": [' + op(9, b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) + b"]}")
    assert [r["status"] for r in kept] == ["applied"]


@pytest.mark.parametrize("value", [1, 0, "yes", "false", None, [True]], ids=["1", "0", "yes", "false", "null", "list"])
def test_a_deleted_that_is_not_true_or_false_is_refused_per_op(engine, make_device, in_process, value):
    """Before: `deleted: 1` removed the record (the stored flag is read as truthy) while the checks
    that look for a removal (a school's limits, a delete under another laptop's edits, which keeps
    their words as a conflict) saw none; b's words typed meanwhile went without a conflict."""
    add_user(engine, "ann", "tutor")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    pupil = h.pupil(a.app, "Levi")
    a.sync(), b.sync()
    b.app.edit_pupil(pupil, medical_needs="Asthma: inhaler in bag")
    b.sync()
    before = h.server_copy(engine)
    odd = Op(op_id="o", entity="pupil", entity_id=pupil, clock=a.app.store.clock.now(), fields={"deleted": value})
    [result] = h.push_as(a, in_process, [odd])
    assert result["status"] == "refused", result
    assert "deleted is not true or false" in result["reason"]
    _unchanged_but_applied(before, h.server_copy(engine))
    b.sync()
    assert b.app.get_pupil(pupil).medical_needs == "Asthma: inhaler in bag"
