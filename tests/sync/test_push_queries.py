"""A push asks the database a few questions per batch, not per operation: the school's
limits and the back-fill of a record after a restore (sync/server/merge/refusals.py) look
up what they need for the whole push at once. Counted (not timed) with SQLAlchemy's
cursor events, on SQLite and PostgreSQL: a push of 60 operations asks no more than one of 3
(bench/sync.py measures the speed)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import event

from sync.protocol import Op, PushRequest
from tests.sync.test_school_limits import op
from tests.sync.test_scope import _auth, world  # noqa: F401  (world: a fixture)


def _push(w, name: str, ops: list[Op]) -> list[dict]:
    answer = w.http.post(
        "/v1/push",
        content=PushRequest(ops=ops).model_dump_json(),
        headers=_auth(w, name) | {"Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


def _queries(w, name: str, ops: list[Op]) -> int:
    """How many statements the push of `ops` ran (each one applied)."""
    count = 0

    def seen(*_args) -> None:
        nonlocal count
        count += 1

    event.listen(w.engine, "before_cursor_execute", seen)
    try:
        results = _push(w, name, ops)
    finally:
        event.remove(w.engine, "before_cursor_execute", seen)
    assert {r["status"] for r in results} == {"applied"}, results
    return count


def _grows(w, push: Callable[[int], int]) -> tuple[int, int]:
    return push(3), push(60)


def test_a_schools_notes_on_visits_logged_before_are_looked_up_together(world):  # noqa: F811
    """Before: each note about one child on a visit not in the same push looked its visit up
    alone (two queries an operation: 131 for 60 notes, 17 for 3)."""
    w = world

    def notes(n: int) -> int:
        visits = [f"v-{uuid.uuid4()}" for _ in range(n)]
        logged = []
        for v in visits:
            logged.append(op("visit", v, date="2026-11-21", start="14:00:00", end="15:00:00", place_type="school"))
            logged.append(op("visit_entry", f"e-{uuid.uuid4()}", visit_id=v, pupil_id=w.peter, seen=True))
        assert {r["status"] for r in _push(w, "school_a", logged)} == {"applied"}
        return _queries(
            w,
            "school_a",
            [
                op(
                    "visit_note",
                    f"n-{uuid.uuid4()}",
                    visit_id=v,
                    pupil_id=w.peter,
                    text="Read well",
                    visibility="family",
                )
                for v in visits
            ],
        )

    few, many = _grows(w, notes)
    assert many <= few + 5, (few, many)


def test_records_filled_in_after_a_restore_read_their_writer_once(world):  # noqa: F811
    """After a restore, a school's one field of each of Ann's entries reached the server first;
    Ann's laptop sends the rest. Before: each operation read the part's writer and worked out
    their whole caseload again (131 queries for 60 entries, 17 for 3)."""
    w = world

    def fills(n: int) -> int:
        ids = [f"p-{uuid.uuid4()}" for _ in range(n)]
        parts = [op("progress_entry", i, target="Read a chapter book") for i in ids]
        assert {r["status"] for r in _push(w, "school_a", parts)} == {"applied"}
        return _queries(
            w,
            "ann",
            [op("progress_entry", i, pupil_id=w.peter, subject="English", evidence="Read aloud") for i in ids],
        )

    few, many = _grows(w, fills)
    assert many <= few + 5, (few, many)
