"""A visit to several children: what is shared, and each child's own entry."""

from datetime import date, time, timedelta

import pytest

from desktop.domain import rules
from desktop.domain.enums import NotSeenReason, Outcome, ProvisionType, SiteType, Visibility
from desktop.domain.records import ProvisionEpisode, Pupil, Site, Stay, Visit, VisitEntry, VisitNote
from desktop.services import ValidationError
from tests.conftest import TODAY

MONDAY = TODAY - timedelta(days=6)  # 16 Nov 2026


def siblings(app) -> tuple[Pupil, Pupil]:
    site = Site(name="Walton Summit transit site", site_type=SiteType.TRANSIT_SITE)
    app.add_site(site)
    noah = Pupil(forename="Noah", surname="Boswell", dob=date(2019, 3, 1))
    lily = Pupil(forename="Lily", surname="Boswell", dob=date(2014, 1, 20))
    for child in (noah, lily):
        app.add_pupil(child)
        app.record_stay(Stay(pupil_id=child.id, site_id=site.id, arrived=TODAY - timedelta(weeks=6)))
    return noah, lily


def visit(day: date, *entries: VisitEntry, start=time(10), end=time(11, 30), **shared) -> Visit:
    return Visit(date=day, start=start, end=end, entries=list(entries), **shared)


def test_each_child_keeps_their_own_work(app):
    noah, lily = siblings(app)
    app.log_visit(
        visit(
            MONDAY,
            VisitEntry(pupil_id=noah.id, subjects=["Phonics"], work_covered="Sounds s, a, t", work_set="Sound mat"),
            VisitEntry(pupil_id=lily.id, subjects=["Maths"], work_covered="Ratio", work_set="Ratio sheet"),
            notes=[
                VisitNote(text="Both worked hard.", visibility=Visibility.FAMILY),
                VisitNote(text="Lily's reading glasses are broken.", pupil_id=lily.id),
            ],
        )
    )
    stored = app.list_visits(noah.id)[0]
    assert stored.entry_for(noah.id).work_covered == "Sounds s, a, t"
    assert stored.entry_for(lily.id).work_covered == "Ratio"
    assert [n.text for n in stored.notes_about(noah.id)] == ["Both worked hard."]
    assert [n.text for n in stored.notes_about(lily.id)] == ["Both worked hard.", "Lily's reading glasses are broken."]
    # "Same as last time" and the usual subjects come from each child's own last visit.
    lasts = app.last_entries([noah.id, lily.id])
    assert (lasts[noah.id].work_set, lasts[lily.id].work_set) == ("Sound mat", "Ratio sheet")
    defaults = app.visit_defaults(lily.id)
    assert defaults.pupil_ids == [lily.id, noah.id]
    assert [e.subjects for e in defaults.entries] == [["Maths"], ["Phonics"]]
    assert app.last_work_set(noah.id) == "Sound mat"


def test_a_child_not_seen_counts_no_hours_and_says_why(app):
    noah, lily = siblings(app)
    for child in (noah, lily):
        app.add_episode(
            ProvisionEpisode(
                pupil_id=child.id, provision_type=ProvisionType.HOME_TUITION, start=MONDAY, planned_hours_per_week=5
            )
        )
    app.log_visit(
        visit(
            MONDAY,
            VisitEntry(pupil_id=noah.id, seen=False, not_seen_reason=NotSeenReason.ASLEEP),
            VisitEntry(pupil_id=lily.id, subjects=["Maths"], work_covered="Ratio"),
        )
    )
    stored = app.list_visits(noah.id)[0]
    assert (stored.hours_for(noah.id), stored.hours_for(lily.id)) == (0, 1.5)
    assert stored.status_for(noah.id) == "Not seen: asleep" and stored.status_for(lily.id) == ""
    weeks = {
        child.id: rules.weekly_hours(
            child.id, app.pupil_record(child.id).episodes, [stored], MONDAY, TODAY, calendar=app.school_calendar()
        )
        for child in (noah, lily)
    }
    assert (weeks[noah.id][0].delivered, weeks[lily.id][0].delivered) == (0, 1.5)
    with pytest.raises(ValidationError, match="Say why Noah Boswell was not seen"):
        app.log_visit(visit(MONDAY + timedelta(days=1), VisitEntry(pupil_id=noah.id, seen=False)))


def test_a_visit_that_did_not_happen_saw_nobody(app):
    noah, lily = siblings(app)
    app.log_visit(
        Visit.same_for_all(
            date=MONDAY, pupil_ids=[noah.id, lily.id], outcome=Outcome.NOT_AT_HOME, work_covered="typed by mistake"
        )
    )
    stored = app.list_visits(lily.id)[0]
    assert [(e.seen, e.not_seen_reason) for e in stored.entries] == [(False, NotSeenReason.NOT_AT_HOME)] * 2
    assert stored.status_for(lily.id) == "Not at home" and stored.hours_for(lily.id) == 0


def test_a_held_visit_needs_its_times(app):
    noah, _ = siblings(app)
    before = app.store.count("outbox")
    with pytest.raises(ValidationError, match="held needs its start and end times"):
        app.log_visit(Visit.same_for_all(date=MONDAY, pupil_ids=[noah.id]))
    with pytest.raises(ValidationError, match="held needs its start and end times"):
        app.log_visit(Visit.same_for_all(date=MONDAY, start=time(10), pupil_ids=[noah.id]))
    assert app.store.count("outbox") == before


def test_the_same_visit_typed_twice_is_refused(app):
    noah, lily = siblings(app)
    app.log_visit(Visit.same_for_all(date=MONDAY, start=time(10), end=time(11), pupil_ids=[noah.id, lily.id]))
    with pytest.raises(ValidationError, match="Lily Boswell already has a visit on 16 Nov 2026 at 10:00"):
        app.log_visit(Visit.same_for_all(date=MONDAY, start=time(10), end=time(11), pupil_ids=[lily.id]))
    with pytest.raises(ValidationError, match="already has a visit"):  # overlapping is the same visit too
        app.log_visit(Visit.same_for_all(date=MONDAY, start=time(10, 30), end=time(12), pupil_ids=[noah.id]))
    # Back to back is two sessions; a visit on another day is another visit.
    app.log_visit(Visit.same_for_all(date=MONDAY, start=time(11), end=time(12), pupil_ids=[noah.id]))
    app.log_visit(
        Visit.same_for_all(date=MONDAY + timedelta(days=1), start=time(10), end=time(11), pupil_ids=[lily.id])
    )
    # Two untimed calls on one day are one call typed twice.
    app.log_visit(Visit.same_for_all(date=MONDAY + timedelta(days=2), pupil_ids=[lily.id], outcome=Outcome.NOT_AT_HOME))
    with pytest.raises(ValidationError, match="already has a visit on 18 Nov 2026;"):
        app.log_visit(
            Visit.same_for_all(date=MONDAY + timedelta(days=2), pupil_ids=[lily.id], outcome=Outcome.CANCELLED)
        )
    # Editing a visit does not clash with itself.
    first = app.list_visits(lily.id)[-1]
    first.entries[0].work_covered = "Ratio"
    assert app.edit_visit(first).fields == ("entries",)


def test_an_untimed_visit_and_a_timed_one_on_the_same_day_list_and_report(app):
    """Defect: sorting (date, start or date) compared a time with a date and crashed."""
    noah, _ = siblings(app)
    app.log_visit(Visit.same_for_all(date=MONDAY, pupil_ids=[noah.id], outcome=Outcome.NOT_AT_HOME))
    app.log_visit(Visit.same_for_all(date=MONDAY, start=time(14), end=time(15), pupil_ids=[noah.id]))
    listed = app.list_visits(noah.id)
    assert [(v.outcome, v.start) for v in listed] == [(Outcome.HELD, time(14)), (Outcome.NOT_AT_HOME, None)]
    assert [v.start for v in app.list_visits()] == [time(14), None]
    assert len(app.pupil_record(noah.id).visits) == 2
    pdf, _ = app.report_pdf("progress", noah.id, start=MONDAY - timedelta(days=7), end=TODAY)
    assert pdf.startswith(b"%PDF")


def test_a_note_about_a_child_must_be_about_a_child_on_the_visit(app):
    noah, lily = siblings(app)
    with pytest.raises(ValidationError, match="about a child on this visit"):
        app.log_visit(
            visit(MONDAY, VisitEntry(pupil_id=noah.id), notes=[VisitNote(text="Lily was upset", pupil_id=lily.id)])
        )
    with pytest.raises(ValidationError, match="Noah Boswell is on this visit twice"):
        app.log_visit(visit(MONDAY, VisitEntry(pupil_id=noah.id), VisitEntry(pupil_id=noah.id)))
