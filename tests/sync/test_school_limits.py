"""What a base school may not do even to its own pupils' records, on the LA's server
(sync/server/merge/refusals.py). A school sees the pupils of every worker whose pupils
attend it: a record moved from one of them to another, or a child joined to a visit
someone else logged, would hand one family's records to another family's worker. A
visit may record another school's pupil: a school removes, or brings back, only what
a user of that school recorded.
It is not sent whether an address is suppressed, so cannot switch it off. And only an
LA lead changes a school's URN, which decides which school is sent which pupils.

Each against the real server, on SQLite and PostgreSQL (tests/sync/conftest.py)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from desktop.domain.enums import Visibility
from desktop.domain.privacy import Households
from desktop.domain.records import Visit, VisitNote
from sync.protocol import Op, PushRequest
from sync.protocol.clock import format_time
from sync.server.tables import PupilSchool
from tests.sync import helpers as h
from tests.sync.conftest import add_user
from tests.sync.test_scope import _auth, world  # noqa: F401  (world: a fixture)

MOVED = "Schools cannot move a record to another pupil"
JOINED = "only to a visit your school logged"
REMOVED = "Schools can remove only what your school recorded"
BROUGHT_BACK = "Schools can bring back only what your school recorded"


def op(entity: str, entity_id: str, **fields) -> Op:
    """An operation stamped now, as a laptop that has just made the change sends it: it
    would win over every stored field, so a refusal is all that keeps it out."""
    clock = f"{format_time(datetime.now(UTC))}-0000-x"
    return Op(op_id=str(uuid.uuid4()), entity=entity, entity_id=entity_id, clock=clock, fields=fields)


def push(w, name: str, o: Op) -> dict:
    answer = w.http.post(
        "/v1/push",
        content=PushRequest(ops=[o]).model_dump_json(),
        headers=_auth(w, name) | {"Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["results"][0]


def pulled(w, name: str) -> dict[tuple[str, str], dict]:
    """Every record the user pulls, as (entity, id) -> its fields."""
    got, cursor = {}, ""
    while True:
        page = w.http.get("/v1/pull", params={"cursor": cursor, "limit": 500}, headers=_auth(w, name)).json()
        for change in page["changes"]:
            got[(change["entity"], change["entity_id"])] = change["fields"]
        cursor = page["cursor"]
        if not page["more"]:
            return got


def refused_here(result) -> list[str]:
    """What the server refused of a laptop's sync, but for its merge of the two copies of
    school A (Ann's and Carl's, one URN): a school's laptop merges them as any laptop does,
    and is refused changing schools and its pupils' school, as before."""
    merging = ("Schools cannot change schools", "Schools cannot move a pupil to another school")
    return [r for r in result.refused.values() if not r.startswith(merging)]


def refused(answer: dict, words: str) -> bool:
    return answer["status"] == "refused" and words in answer["reason"]


def test_a_school_cannot_join_its_pupil_or_a_note_to_a_visit_a_worker_logged(world):  # noqa: F811
    """School A sees Ann's visit (Peter) and Carl's Quinn. Joining Quinn to Ann's visit, by a
    new entry, by moving Quinn's entry from Carl's visit, by an entry sent first without a
    visit and given one after, or by a note about Quinn, would send Carl Ann's visit, where
    Peter's family was seen and her professional-only note about the whole visit."""
    w = world
    assert push(w, "ann", op("visit", w.visit, place_detail="Refuge, 12 Hidden Lane, room 4"))["status"] == "applied"
    quinns_entry = w.carl.app.get_visit(w.quinn_visit).entries[0].id
    part = push(w, "school_a", op("visit_entry", "01a2-entry-part", pupil_id=w.quinn, seen=True))
    assert part["status"] == "applied", part  # an entry on no visit yet joins nobody
    for attempt, words in (
        (op("visit_entry", "01a2-entry-by-school", visit_id=w.visit, pupil_id=w.quinn, seen=True), JOINED),
        (
            op(
                "visit_note",
                "01a2-note-by-school",
                visit_id=w.visit,
                pupil_id=w.quinn,
                text="Quinn joined in",
                visibility="family",
            ),
            JOINED,
        ),
        (op("visit_entry", "01a2-entry-part", visit_id=w.visit), MOVED),
        (op("visit_entry", quinns_entry, visit_id=w.visit), MOVED),
    ):
        answer = push(w, "school_a", attempt)
        assert refused(answer, words), (attempt.entity, attempt.fields, answer)
    # Nor with its own pupil: Peter is already on it, and a note about him is school A's to read.
    answer = push(
        w,
        "school_a",
        op("visit_note", "01a2-peter-note", visit_id=w.visit, pupil_id=w.peter, text="x", visibility="family"),
    )
    assert refused(answer, JOINED) and "ask whoever logged it" in answer["reason"], answer

    carl = pulled(w, "carl")
    assert ("visit", w.visit) not in carl and ("visit_note", w.prof_note) not in carl
    assert ("visit", w.quinn_visit) in carl and carl[("visit_entry", quinns_entry)]["visit_id"] == w.quinn_visit
    w.ann.sync()
    assert sorted(w.ann.app.get_visit(w.visit).pupil_ids) == sorted([w.peter, w.polly])


def test_a_school_cannot_move_a_record_from_one_of_its_pupils_to_another(world):  # noqa: F811
    """Ann's records about Peter (school A) stay Peter's: moved to Carl's Quinn (also school A)
    they would reach Carl whole, with the fields a school is never sent (the destination of
    the family's travel), and leave Ann. A note about Peter alone made about the whole visit
    would reach Polly's school B; a folder's item moved to a folder of Quinn's, Carl."""
    w = world
    travel = "01a2-travel-peter"
    made = push(
        w, "ann", op("planned_travel", travel, pupil_id=w.peter, leaves="2026-12-01", destination="Women's refuge")
    )
    item = "01a2-item-peter"
    given = push(
        w, "ann", op("folder_item", item, folder_id=w.folder, title="Phonics", comment="Struggles since the move")
    )
    own_folder = push(w, "school_a", op("folder", "01a2-folder-quinn", pupil_id=w.quinn, issued_on="2026-11-20"))
    assert made["status"] == given["status"] == own_folder["status"] == "applied", (made, given, own_folder)
    for entity, entity_id, fields in (
        ("planned_travel", travel, {"pupil_id": w.quinn}),
        ("progress_entry", w.peter_progress, {"pupil_id": w.quinn}),
        ("folder", w.folder, {"pupil_id": w.quinn}),
        ("folder_item", item, {"folder_id": "01a2-folder-quinn"}),
        ("visit_entry", w.links[w.peter], {"pupil_id": w.quinn}),
        ("visit_note", w.peter_note, {"pupil_id": None}),  # about Peter alone -> about the whole visit
    ):
        answer = push(w, "school_a", op(entity, entity_id, **fields))
        assert refused(answer, MOVED), (entity, answer)

    carl = pulled(w, "carl")
    for key in (("planned_travel", travel), ("progress_entry", w.peter_progress), ("folder", w.folder)):
        assert key not in carl, key
    assert ("folder_item", item) not in carl and ("visit", w.visit) not in carl
    assert ("visit_note", w.peter_note) not in pulled(w, "school_b")
    ann = pulled(w, "ann")
    assert ann[("planned_travel", travel)]["pupil_id"] == w.peter
    assert ann[("planned_travel", travel)]["destination"] == "Women's refuge"
    assert ann[("progress_entry", w.peter_progress)]["pupil_id"] == w.peter
    assert ann[("folder_item", item)]["folder_id"] == w.folder


def test_a_school_removes_only_what_a_school_recorded(world):  # noqa: F811
    """School B sees Ann's visit for Polly, which also records Peter (school A); school A
    sees Peter's entry on it, and Ann's progress entry for him: none of them a school's."""
    w = world
    for name, entity, entity_id in (
        ("school_b", "visit", w.visit),
        ("school_a", "visit", w.visit),
        ("school_a", "visit_entry", w.links[w.peter]),
        ("school_a", "visit_note", w.family_note),  # about the whole visit: school B's to read too
        ("school_a", "progress_entry", w.peter_progress),
        ("school_a", "folder", w.folder),
    ):
        answer = push(w, name, op(entity, entity_id, deleted=True))
        assert refused(answer, REMOVED), (name, entity, answer)
        assert "ask the pupil's worker" in answer["reason"]
    own = push(w, "school_a", op("progress_entry", "01a2-school-progress", pupil_id=w.peter, subject="Maths"))
    assert own["status"] == "applied", own
    gone = push(w, "school_a", op("progress_entry", "01a2-school-progress", deleted=True))
    assert gone["status"] == "applied", gone  # its own record: a school may take it back

    w.ann.sync()
    visit = w.ann.app.get_visit(w.visit)
    assert sorted(visit.pupil_ids) == sorted([w.peter, w.polly])
    assert w.family_note in {n.id for n in visit.notes}
    assert pulled(w, "school_a")[("visit", w.visit)].get("deleted") is not True
    assert [p.id for p in w.ann.app.list_progress(w.peter)] == [w.peter_progress]


def test_a_school_still_logs_and_changes_its_own_visits(world, engine, make_device):  # noqa: F811
    """A school logs a visit on its laptop to two of its pupils (Ann's Peter and Carl's
    Quinn); another user of the same school adds a note about Quinn and takes back the one
    about the whole visit. All is taken; each worker gets the visit and their own child's
    entry, not the other child's."""
    w = world
    school = make_device("school_a_laptop", "school_a")
    school.sync()
    visit = school.app.log_visit(
        Visit.same_for_all(
            date=date(2026, 11, 21),
            start=time(14),
            end=time(15),
            pupil_ids=[w.peter, w.quinn],
            work_covered="Reading together",
            notes=[VisitNote(text="Both read well", visibility=Visibility.FAMILY)],
        )
    ).id
    first = school.sync()
    assert first.pushed and not refused_here(first), first

    add_user(engine, "school_a_office", "school", school_urn=h.URN_A)
    office = make_device("office_laptop", "school_a_office")
    office.sync()
    logged = office.app.get_visit(visit)
    logged.notes = [VisitNote(text="Quinn chose the book", visibility=Visibility.FAMILY, pupil_id=w.quinn)]
    office.app.edit_visit(logged, opened=office.app.get_visit(visit))
    second = office.sync()
    assert second.pushed and not refused_here(second), second

    w.carl.sync()
    w.ann.sync()
    for device, child, other in ((w.carl, w.quinn, w.peter), (w.ann, w.peter, w.quinn)):
        seen = device.app.get_visit(visit)
        assert seen.pupil_ids == [child]
        assert seen.entry_for(other) is None
    assert [n.text for n in w.carl.app.get_visit(visit).notes] == ["Quinn chose the book"]
    assert w.ann.app.get_visit(visit).notes == []


def test_a_school_is_not_told_an_address_is_suppressed_and_cannot_switch_it_off(world, make_device):  # noqa: F811
    w = world
    w.ann.app.edit_pupil(w.peter, address="Refuge, 12 Hidden Lane", postcode="PR1 1AA", suppress_address=True)
    w.ann.sync()
    assert "suppress_address" not in pulled(w, "school_a")[("pupil", w.peter)]
    assert pulled(w, "ann")[("pupil", w.peter)]["suppress_address"] is True
    for value in (False, True):
        answer = push(w, "school_a", op("pupil", w.peter, suppress_address=value))
        assert answer["status"] == "refused" and "suppress_address" in answer["reason"], answer

    school = make_device("school_a_laptop", "school_a")
    school.sync()
    assert school.app.get_pupil(w.peter).suppress_address is False  # not sent: the default
    school.app.edit_pupil(w.peter, medical_needs="Asthma: inhaler in his bag")  # what a school does change
    result = school.sync()
    assert result.pushed and not refused_here(result), result

    w.ann.sync()
    peter = w.ann.app.get_pupil(w.peter)
    assert peter.suppress_address and peter.medical_needs == "Asthma: inhaler in his bag"
    assert Households.of([peter]).withholds(peter)


def test_only_an_la_lead_changes_a_schools_urn(world):  # noqa: F811
    """Quinn's row names Carl's school record (school A). Ann, who has nothing to do with
    Quinn, and Carl himself are refused a new URN for it (school B would be sent Quinn); the
    rest of the record stays theirs to correct, and the LA lead may change the URN."""
    w = world
    with w.engine.connect() as conn:
        carls = conn.execute(select(PupilSchool.school_id).where(PupilSchool.pupil_id == w.quinn)).scalar_one()
    for name in ("ann", "carl", "tess"):
        answer = push(w, name, op("school", carls, urn=h.URN_B))
        assert answer["status"] == "refused" and "LA lead" in answer["reason"], (name, answer)
    fixed = push(w, "ann", op("school", carls, urn=h.URN_A, contact_phone="0113 496 0000"))
    assert fixed["status"] == "applied", fixed  # the same URN, and the rest of the record
    school_b = pulled(w, "school_b")
    assert not {i for (_e, i) in school_b} & {w.quinn, w.quinn_visit, w.quinn_family_note}

    by_lead = push(w, "lead", op("school", carls, urn=h.URN_B))
    assert by_lead["status"] == "applied", by_lead
    assert ("pupil", w.quinn) in pulled(w, "school_b")


def test_a_workers_laptop_keeps_a_refused_urn_with_words_for_the_teacher(world):  # noqa: F811
    """No form edits a school's URN today; one changed on the laptop all the same is kept
    in File → Changes not sent, saying who can change it."""
    w = world
    mine = next(s for s in w.ann.app.list_schools() if s.urn == h.URN_A)
    with w.ann.app.store.transaction("ann") as tx:
        tx.update(dataclasses.replace(mine, urn="119999"))
    result = w.ann.sync()
    assert len(result.refused) == 1, result
    [kept] = w.ann.sync_service.not_sent()
    assert kept["entity"] == "school" and "119999" in kept["change"]
    assert kept["reason"].startswith("Only your LA lead can change a school's URN")
    with w.engine.connect() as conn:
        urns = set(conn.execute(select(PupilSchool.urn).where(PupilSchool.school_id == mine.id)).scalars())
    assert urns == {h.URN_A}


def test_a_note_on_a_visit_another_school_logged_is_refused_in_true_words(world):  # noqa: F811
    """School A logs a visit for Peter; Peter moves to school B (his worker's edit). School B
    may not add a note about him to school A's visit, and is not told the *service* logged it."""
    w = world
    v, e = "01a2-school-a-visit", "01a2-school-a-entry"
    assert push(w, "school_a", op("visit", v, date="2026-11-21", place_type="school"))["status"] == "applied"
    assert push(w, "school_a", op("visit_entry", e, visit_id=v, pupil_id=w.peter, seen=True))["status"] == "applied"
    school_b_id = next(s.id for s in w.ann.app.list_schools() if s.urn == h.URN_B)
    w.ann.sync()
    w.ann.app.edit_pupil(w.peter, base_school_id=school_b_id)
    assert not w.ann.sync().refused
    assert ("visit", v) in pulled(w, "school_b")
    note = op("visit_note", "01a2-note-b", visit_id=v, pupil_id=w.peter, text="Settled in", visibility="family")
    answer = push(w, "school_b", note)
    assert refused(answer, JOINED), answer
    assert "service" not in answer["reason"], answer["reason"]


@pytest.mark.parametrize("value", [1, "yes"])
def test_a_school_removes_nothing_with_a_deleted_that_is_not_true(world, value):  # noqa: F811
    """Before: `deleted: 1` passed the school's limits (which looked for true) and removed Ann's
    visit and her pupil Peter all the same (the stored flag is read as truthy)."""
    w = world
    for entity, entity_id in (("visit", w.visit), ("pupil", w.peter)):
        answer = push(w, "school_a", op(entity, entity_id, deleted=value))
        assert answer["status"] == "refused" and "not true or false" in answer["reason"], (entity, answer)
    lead = pulled(w, "lead")
    assert not lead[("visit", w.visit)].get("deleted") and not lead[("pupil", w.peter)].get("deleted")
    w.ann.sync()
    assert w.peter in {p.id for p in w.ann.app.list_pupils()}
    assert w.ann.app.get_visit(w.visit) is not None


def test_a_school_brings_back_only_what_your_school_recorded(world):  # noqa: F811
    """Ann removes her note about the whole visit, and her pupil Peter; schools that see them
    may not undo it (as they may not remove them). A school's own record it may bring back."""
    w = world
    assert push(w, "ann", op("visit_note", w.family_note, deleted=True))["status"] == "applied"
    assert push(w, "ann", op("pupil", w.peter, deleted=True))["status"] == "applied"
    answer = push(w, "school_b", op("visit_note", w.family_note, deleted=False))
    assert refused(answer, BROUGHT_BACK) and "ask the pupil's worker" in answer["reason"], answer
    answer = push(w, "school_a", op("pupil", w.peter, deleted=False))
    assert answer["status"] == "refused" and "Schools cannot bring a pupil back" in answer["reason"], answer
    # Another school's pupil: told only that he is not its pupil, not whether he was removed.
    answer = push(w, "school_b", op("pupil", w.peter, deleted=False))
    assert refused(answer, "not on your caseload"), answer
    w.ann.sync()
    assert w.peter not in {p.id for p in w.ann.app.list_pupils()}
    assert w.family_note not in {n.id for n in w.ann.app.get_visit(w.visit).notes}

    own = "01a2-school-progress"
    for fields in ({"pupil_id": w.polly, "subject": "Maths"}, {"deleted": True}, {"deleted": False}):
        answer = push(w, "school_b", op("progress_entry", own, **fields))
        assert answer["status"] == "applied", (fields, answer)
    assert pulled(w, "ann")[("progress_entry", own)]["subject"] == "Maths"


def _maker(w, entity: str, entity_id: str) -> str:
    from sync.server.merge.rows import RECORDS
    from sync.server.tables import User

    with w.engine.connect() as conn:
        who = conn.execute(
            select(RECORDS.c.created_by).where(RECORDS.c.entity == entity, RECORDS.c.entity_id == entity_id)
        ).scalar()
        return conn.execute(select(User.name).where(User.id == who)).scalar()


def test_a_school_filling_in_a_part_of_a_workers_record_does_not_take_it_over(world):  # noqa: F811
    """ann's laptop sent one field of her entry first (after a restore); the school naming its
    pupil does not make the entry the school's, so the school may not then remove it."""
    w = world
    entry = str(uuid.uuid4())
    assert push(w, "ann", op("progress_entry", entry, evidence="Read aloud to me"))["status"] == "applied"
    filled = push(w, "school_a", op("progress_entry", entry, pupil_id=w.peter, target="A chapter book"))
    assert (filled["status"], _maker(w, "progress_entry", entry)) == ("applied", "ann")
    assert push(w, "school_a", op("progress_entry", entry, deleted=True))["status"] == "refused"


def test_an_la_lead_filling_in_a_schools_part_takes_it_over(world):  # noqa: F811
    """The school's part, filled in by the LA lead, is the lead's: the school may not remove it."""
    w = world
    entry = str(uuid.uuid4())
    assert push(w, "school_a", op("progress_entry", entry, target="A chapter book"))["status"] == "applied"
    fill = op("progress_entry", entry, pupil_id=w.peter, subject="English", evidence="Reads well")
    assert push(w, "lead", fill)["status"] == "applied"
    assert _maker(w, "progress_entry", entry) == "lead"
    assert push(w, "school_a", op("progress_entry", entry, deleted=True))["status"] == "refused"


def test_a_schools_laptop_says_it_cannot_bring_back_what_a_worker_removed(engine, make_device):
    """The school's words on a progress entry its worker removed meanwhile are kept in a conflict;
    keeping them would bring the entry back, which the server takes only from the worker: the
    school's laptop says so (nothing changes, nothing is queued) and "keep theirs" still works."""
    from desktop.domain.records import ProgressEntry
    from desktop.services import ValidationError

    add_user(engine, "ann", "tutor")
    add_user(engine, "st-annes", "school", school_urn=h.URN_A)
    ann = make_device("ann", "ann")
    peter = h.pupil(ann.app, "Peter", h.URN_A)
    entry = h.progress(ann.app, peter)
    ann.sync()
    school = make_device("school", "st-annes")
    school.sync()
    with ann.app.store.transaction("ann") as tx:
        tx.delete(ProgressEntry, entry)
    ann.sync()
    h.edit_progress(school, entry, "st-annes", evidence="Reads chapter books now")
    school.sync()
    school.sync()
    [conflict] = school.sync_service.conflicts()
    assert conflict.kind == "deleted"
    with pytest.raises(ValidationError, match="cannot bring back a record the pupil's worker removed"):
        school.sync_service.resolve(conflict.id, "mine")
    assert (school.app.store.get(ProgressEntry, entry), school.port.unsent()) == (None, 0)
    school.sync_service.resolve(conflict.id, "theirs")
    assert not school.sync().refused and school.sync_service.conflicts() == []
