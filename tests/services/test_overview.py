"""The LA summary reads every pupil in a few queries (`Waymark.overview`); it
used to open each pupil's record. Both ways must give the same summary: here the
old way is rebuilt from each pupil's record and compared, field by field."""

from __future__ import annotations

import dataclasses
from datetime import date, time, timedelta

import pytest

from desktop.domain import rules
from desktop.domain.records import Visit
from desktop.services import PupilOverview, Waymark
from desktop.services.reporting import caseload_summary, summarise
from tests.conftest import PASSPHRASE, TODAY


@pytest.fixture
def demo(demo_dir):
    app = Waymark.open_profile(demo_dir, PASSPHRASE)
    app.today = lambda: TODAY
    yield app
    app.close()


def from_record(app: Waymark, row, monday: date | None = None) -> PupilOverview:
    """One pupil's overview the old way: from their whole record."""
    record = app.pupil_record(row.pupil_id)
    assert (row.cohort, row.nc_year) == (record.cohort, record.nc_year)
    assert row.attention == tuple(dict.fromkeys(a.kind for a in record.attention))
    monday = monday or rules.week_start(app.today()) - timedelta(days=7)
    last_week = [v for v in record.visits if monday <= v.date <= monday + timedelta(days=6)]
    return PupilOverview(
        row=row,
        pupil=record.pupil,
        episodes=record.episodes,
        plans=record.plans,
        actions=record.actions,
        attention=record.attention,
        latest_worker=record.visits[0].worker if record.visits else "",
        hours_last_week=round(sum(v.hours_for(row.pupil_id) for v in last_week), 2),
    )


def per_pupil(app: Waymark, monday: date) -> list[PupilOverview]:
    return [from_record(app, row, monday) for row in app.caseload()]


def test_the_summary_read_in_sets_equals_the_summary_from_each_record(demo):
    summary = caseload_summary(demo)
    monday = summary.hours_week_start  # the last week with school days
    old = per_pupil(demo, monday)
    new = demo.overview(hours_week=monday)
    assert [o.row.pupil_id for o in new] == [o.row.pupil_id for o in old]
    for before, now in zip(old, new, strict=True):
        assert now == before, before.pupil.legal_name
    assert summary == summarise(demo, old, monday)
    # The demo exercises what is compared: hours, overdue reviews, workers, actions.
    assert any(r.hours_last_week > 0 for r in summary.rows)
    assert summary.reviews_overdue and any(r.action for r in summary.rows)
    assert all(r.responsible for r in summary.rows)


def test_the_newest_visit_decides_who_is_responsible_even_after_a_delete(demo):
    row = demo.caseload()[0]
    pupil_id = row.pupil_id
    visit = Visit.same_for_all(
        date=TODAY, start=time(9), end=time(10), pupil_ids=[pupil_id], worker="Bea Locum", subjects=["Maths"]
    )
    demo.log_visit(visit)
    [mine] = [o for o in demo.overview() if o.row.pupil_id == pupil_id]
    assert mine.latest_worker == "Bea Locum" == from_record(demo, row).latest_worker
    with demo.store.transaction("tester") as tx:
        tx.delete(Visit, visit.id)
    [mine] = [o for o in demo.overview() if o.row.pupil_id == pupil_id]
    assert mine.latest_worker == from_record(demo, row).latest_worker != "Bea Locum"


def test_hours_count_only_the_last_complete_week(demo):
    pupil_id = demo.caseload()[1].pupil_id
    before = {o.row.pupil_id: o for o in demo.overview()}[pupil_id].hours_last_week
    monday = rules.week_start(TODAY) - timedelta(days=7)
    for day, hours in ((monday + timedelta(days=2), 2), (monday - timedelta(days=1), 3), (TODAY, 1)):
        demo.log_visit(
            Visit.same_for_all(date=day, start=time(7), end=time(7 + hours), pupil_ids=[pupil_id], subjects=["English"])
        )
    after = {o.row.pupil_id: o for o in demo.overview()}[pupil_id]
    assert after.hours_last_week == round(before + 2, 2)
    assert dataclasses.replace(after, hours_last_week=0) == dataclasses.replace(
        from_record(demo, after.row), hours_last_week=0
    )


def test_the_caseload_sums_hours_in_sql_as_each_record_counts_its_visits(demo):
    """The caseload's hours rule reads last week's hours summed in SQL; a pupil's
    record counts them from its visits. Sessions that give no hours (not held, a
    child not seen, deleted) and sessions that lift a pupil to target must leave
    both judging every pupil alike, message for message."""
    from desktop.domain.enums import NotSeenReason, Outcome
    from desktop.domain.records import VisitEntry

    below = [r.pupil_id for r in demo.caseload() if "hours_below_target" in r.attention]
    assert len(below) >= 2  # the demo has pupils below target to judge
    short, lifted = below[0], below[1]
    monday = rules.week_start(TODAY) - timedelta(days=7)
    for offset in range(5):  # six hours a day for a week (evenings, clear of the demo's): above any target
        demo.log_visit(
            Visit.same_for_all(
                date=monday + timedelta(days=offset),
                start=time(17),
                end=time(23),
                pupil_ids=[lifted],
                subjects=["Maths"],
            )
        )
    day = monday + timedelta(days=1)
    demo.log_visit(  # the visit did not happen
        Visit.same_for_all(
            date=day, start=time(17), end=time(23), pupil_ids=[short], subjects=["Maths"], outcome=Outcome.NOT_AT_HOME
        )
    )
    demo.log_visit(  # held, but this child was not taught
        Visit(
            date=day,
            start=time(6),
            end=time(7),
            entries=[
                VisitEntry(pupil_id=short, seen=False, not_seen_reason=NotSeenReason.UNWELL),
                VisitEntry(pupil_id=lifted, subjects=["English"]),
            ],
        )
    )
    gone = Visit.same_for_all(date=day, start=time(7), end=time(8), pupil_ids=[short], subjects=["Maths"])
    demo.log_visit(gone)
    with demo.store.transaction("tester") as tx:
        tx.delete(Visit, gone.id)

    rows = {r.pupil_id: r for r in demo.caseload()}
    judged = demo.attention()
    for pupil_id, row in rows.items():
        record = demo.pupil_record(pupil_id)
        assert row.attention == tuple(dict.fromkeys(a.kind for a in record.attention))
        assert judged.get(pupil_id, []) == record.attention
    assert "hours_below_target" in rows[short].attention
    assert "hours_below_target" not in rows[lifted].attention
