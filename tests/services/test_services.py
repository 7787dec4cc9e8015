from datetime import date, datetime, time, timedelta

import pytest

from desktop.domain.enums import Cohort, ItemStatus, Outcome, ProvisionType, SiteType, TravellerGroup, Visibility
from desktop.domain.records import (
    Appointment,
    Concern,
    Plan,
    ProvisionEpisode,
    Pupil,
    Review,
    School,
    Site,
    Stay,
    Visit,
    VisitNote,
    WorkPack,
)
from desktop.services import NotFound, ValidationError
from tests.conftest import TODAY


def school(app):
    s = School(urn="119234", la_code="888", estab="2145", name="St Anne's Catholic Primary")
    app.add_school(s)
    return s


def pupil(app, forename="Seán", **kw):
    p = Pupil(forename=forename, surname=kw.pop("surname", "Ó Súilleabháin"), dob=kw.pop("dob", date(2016, 3, 2)), **kw)
    app.add_pupil(p)
    return p


def test_bad_input_changes_nothing(app):
    before = app.store.count("outbox"), app.store.count("audit_event")
    with pytest.raises(ValidationError, match="check letter is wrong: expected R"):
        app.add_pupil(Pupil(forename="A", surname="B", dob=date(2016, 1, 1), upn="A674123101121"))
    with pytest.raises(ValidationError, match="future"):
        app.add_pupil(Pupil(forename="A", surname="B", dob=TODAY + timedelta(days=1)))
    with pytest.raises(ValidationError, match="forename is required"):
        app.add_pupil(Pupil(forename=" ", surname="B", dob=date(2016, 1, 1)))
    with pytest.raises(NotFound):
        app.add_pupil(Pupil(forename="A", surname="B", dob=date(2016, 1, 1), base_school_id="nope"))
    with pytest.raises(ValidationError, match="URN is 6 digits"):
        app.add_school(School(urn="12", la_code="888", estab="2145", name="X"))
    with pytest.raises(ValidationError, match="at least one pupil"):
        app.log_visit(Visit(date=TODAY))
    assert (app.store.count("outbox"), app.store.count("audit_event")) == before
    assert app.list_pupils() == []


def test_duplicate_upn_is_refused(app):
    pupil(app, upn="R674123101121")
    with pytest.raises(ValidationError, match="already belongs to Seán Ó Súilleabháin"):
        pupil(app, forename="Other", upn="R674123101121")


def test_edit_reports_the_changed_fields_and_validates(app):
    p = pupil(app)
    changes = app.edit_pupil(p.id, upn="r674 1231 01121", suppress_address=True)
    assert set(changes.fields) == {"upn", "suppress_address"}
    assert app.get_pupil(p.id).upn == "R674123101121"
    with pytest.raises(ValidationError):
        app.edit_pupil(p.id, upn="R674123101122")
    assert app.get_pupil(p.id).upn == "R674123101121"
    with pytest.raises(ValidationError, match="no field"):
        app.edit_pupil(p.id, colour="blue")


def test_visit_defaults_bring_today_the_site_and_the_siblings_seen_there(app):
    site = Site(name="Walton Summit transit site", site_type=SiteType.TRANSIT_SITE)
    a, b = family_at(app, site, TODAY - timedelta(weeks=2))
    app.log_visit(
        Visit.same_for_all(
            date=TODAY - timedelta(days=7),
            start=time(10),
            end=time(11, 30),
            site_id=site.id,
            pupil_ids=[a.id, b.id],
            subjects=["English", "Maths"],
            work_set="Fractions pack",
        )
    )
    defaults = app.visit_defaults(b.id)
    assert defaults.date == TODAY
    assert defaults.site_id == site.id
    assert defaults.pupil_ids == [b.id, a.id]
    assert [e.subjects for e in defaults.entries] == [["English", "Maths"]] * 2
    assert (defaults.start, defaults.end) == (time(10), time(11, 30))
    assert app.last_work_set(a.id) == "Fractions pack"


def test_a_visit_that_did_not_happen_counts_no_hours(app):
    p = pupil(app)
    app.log_visit(
        Visit.same_for_all(date=TODAY, start=time(10), end=time(11), pupil_ids=[p.id], outcome=Outcome.NOT_AT_HOME)
    )
    assert app.list_visits(p.id)[0].hours == 0


def test_caseload_rows_carry_cohort_school_site_and_attention(app):
    s = school(app)
    traveller = pupil(app, traveller_group=TravellerGroup.SHOWMAN, base_school_id=s.id)
    patient = pupil(app, forename="Amira", surname="Hussain")
    app.add_episode(
        ProvisionEpisode(
            pupil_id=patient.id,
            provision_type=ProvisionType.HOSPITAL_TUITION,
            start=TODAY - timedelta(weeks=4),
            planned_hours_per_week=10,
            medical_max_hours_per_week=10,  # below full time for a medical reason
        )
    )
    rows = {r.pupil_id: r for r in app.caseload()}
    assert rows[traveller.id].cohort is Cohort.TRAVELLER
    assert rows[traveller.id].base_school == "St Anne's Catholic Primary"
    assert "st anne" in rows[traveller.id].search_text
    assert rows[patient.id].cohort is Cohort.HOSPITAL
    assert rows[patient.id].attention == ("hours_below_target",)
    assert rows[traveller.id].attention == ()


def test_reading_concerns_is_audited_and_they_stay_off_the_record(app):
    p = pupil(app)
    app.add_concern(Concern(pupil_id=p.id, raised_on=TODAY, text="Bruise on forearm"))
    record = app.pupil_record(p.id)
    assert record.concern_count == 1
    assert "Bruise" not in repr(record)
    audit = app.store.tables["audit_event"]
    with app.store.reading() as conn:
        before = conn.execute(audit.select().where(audit.c.action == "view-restricted")).all()
    assert [c.text for c in app.list_concerns(p.id)] == ["Bruise on forearm"]
    with app.store.reading() as conn:
        after = conn.execute(audit.select().where(audit.c.action == "view-restricted")).mappings().all()
    assert len(after) == len(before) + 1 and after[-1]["actor"] == "Ann Tutor"


def test_folder_from_packs_through_its_life(app):
    p = pupil(app)
    pack = WorkPack(title="Fractions", subject="Maths", items=["Halves", "Quarters"])
    app.add_pack(pack)
    folder = app.get_folder(app.issue_folder(p.id, [pack.id], expected_back=TODAY + timedelta(weeks=4)).id)
    assert [(i.title, i.status) for i in folder.items] == [
        ("Halves", ItemStatus.NOT_STARTED),
        ("Quarters", ItemStatus.NOT_STARTED),
    ]
    app.set_item_status(folder.id, folder.items[0].id, ItemStatus.MARKED, "Well done")
    app.return_folder(folder.id)
    folder = app.get_folder(folder.id)
    assert folder.returned_on == TODAY
    assert [i.status for i in folder.items] == [ItemStatus.MARKED, ItemStatus.RETURNED]
    with pytest.raises(ValidationError, match="already returned"):
        app.return_folder(folder.id)


def test_appointments_by_day_and_site(app):
    site = Site(name="Ashton Park fairground", site_type=SiteType.FAIRGROUND)
    app.add_site(site)
    p = pupil(app)
    app.book_appointment(Appointment(pupil_ids=[p.id], site_id=site.id, starts_at=datetime(2026, 11, 24, 10)))
    cancelled = Appointment(pupil_ids=[p.id], starts_at=datetime(2026, 11, 25, 10))
    app.book_appointment(cancelled)
    app.cancel_appointment(cancelled.id)
    found = app.list_appointments(TODAY, TODAY + timedelta(days=7), site_id=site.id)
    assert [a.starts_at for a in found] == [datetime(2026, 11, 24, 10)]
    assert app.list_appointments(TODAY, pupil_id=p.id) == found


def test_notes_keep_their_visibility(app):
    p = pupil(app)
    visit = Visit.same_for_all(
        date=TODAY,
        start=time(10),
        end=time(11),
        pupil_ids=[p.id],
        notes=[VisitNote(text="Lovely work", visibility=Visibility.FAMILY), VisitNote(text="Dad unwell")],
    )
    app.log_visit(visit)
    stored = app.get_visit(visit.id)
    assert [n.text for n in stored.notes_for(Visibility.FAMILY)] == ["Lovely work"]
    assert [n.text for n in stored.notes_for(Visibility.PROFESSIONAL)] == ["Dad unwell"]


def test_settings_round_trip_and_unknown_keys_are_refused(app):
    assert app.settings().worker_name == "Ann Tutor"
    app.update_settings(service_name="Lancashire Hospital Education Service", auto_lock_minutes=5)
    assert app.settings().service_name == "Lancashire Hospital Education Service"
    with pytest.raises(ValidationError):
        app.update_settings(colour="blue")


def family_at(app, site: Site, since: date) -> tuple[Pupil, Pupil]:
    """Two siblings staying at `site` since `since`."""
    app.add_site(site)
    children = pupil(app), pupil(app, forename="Máire")
    for child in children:
        app.record_stay(Stay(pupil_id=child.id, site_id=site.id, arrived=since))
    return children


def test_a_family_moves_to_a_new_site_in_one_go(app):
    old = Site(name="Brick Kiln Lane", site_type=SiteType.PERMANENT_SITE)
    sean, maire = family_at(app, old, TODAY - timedelta(days=30))
    arrived = TODAY - timedelta(days=2)
    new = Site(name="Layby on the A59", site_type=SiteType.ROADSIDE)

    changes = app.move_to_site([sean.id, maire.id], arrived, new_site=new, proposed_weeks=3)

    assert {"site", "stay"} <= changes.entities and len(changes.ids) == 2
    now = app.current_stays()
    for p in (sean, maire):
        assert now[p.id].site_id == new.id and now[p.id].arrived == arrived and now[p.id].proposed_weeks == 3
        ended = [s for s in app.store.find(Stay, pupil_id=p.id) if s.site_id == old.id]
        assert [s.departed for s in ended] == [arrived]
    assert app.get_site(new.id).name == "Layby on the A59"
    assert app.move_to_site([sean.id], TODAY, site_id=old.id).entities == {"stay"}  # back again, a known site
    assert app.current_stays()[sean.id].site_id == old.id


def test_a_move_that_cannot_be_right_changes_nothing(app):
    here = Site(name="Fairground winter quarters", site_type=SiteType.FAIRGROUND)
    app.add_site(here)
    p = pupil(app)
    app.record_stay(Stay(pupil_id=p.id, site_id=here.id, arrived=TODAY - timedelta(days=10)))
    before = app.store.count("outbox"), app.store.count("audit_event"), len(app.list_sites())
    nameless = Site(name=" ", site_type=SiteType.ROADSIDE)
    for call, message in (
        (lambda: app.move_to_site([p.id], TODAY, site_id=here.id), "already staying at Fairground"),
        (
            lambda: app.move_to_site(
                [p.id], TODAY - timedelta(days=11), new_site=Site(name="X", site_type=SiteType.ROADSIDE)
            ),
            "cannot be dated before",
        ),
        (
            lambda: app.move_to_site(
                [p.id], TODAY + timedelta(days=1), new_site=Site(name="X", site_type=SiteType.ROADSIDE)
            ),
            "future",
        ),
        (lambda: app.move_to_site([p.id], TODAY, new_site=nameless), "site's name is required"),
        (lambda: app.move_to_site([], TODAY, site_id=here.id), "at least one pupil"),
        (lambda: app.move_to_site([p.id], TODAY, site_id=here.id, proposed_weeks=0), "at least one week"),
    ):
        with pytest.raises(ValidationError, match=message):
            call()
    with pytest.raises(NotFound):
        app.move_to_site([p.id], TODAY, site_id="no-such-site")
    assert (app.store.count("outbox"), app.store.count("audit_event"), len(app.list_sites())) == before
    assert app.current_stays()[p.id].site_id == here.id


def test_reviewing_a_plan_moves_its_next_review_or_closes_it(app):
    p = pupil(app)
    plan = Plan(pupil_id=p.id, title="Reintegration", start=TODAY - timedelta(weeks=8), review_every_weeks=6)
    with pytest.raises(ValidationError, match="A plan needs its success criteria"):
        app.add_plan(plan)
    plan.success_criteria = "In class three mornings a week by the first review"
    app.add_plan(plan)
    assert [a.kind for a in app.attention(p.id).get(p.id, [])] == ["review_overdue"]
    before = app.store.count("outbox")
    for review, message in (
        (Review(plan_id=plan.id, held_on=TODAY + timedelta(days=1), summary="x"), "before it is held"),
        (Review(plan_id=plan.id, held_on=TODAY - timedelta(weeks=9), summary="x"), "a review cannot come before it"),
        (Review(plan_id=plan.id, held_on=TODAY, summary=" "), "What the review found is required"),
    ):
        with pytest.raises(ValidationError, match=message):
            app.record_review(review)
    assert app.store.count("outbox") == before

    app.record_review(Review(plan_id=plan.id, held_on=TODAY - timedelta(days=1), summary="Settling well"))
    (saved,) = app.pupil_record(p.id).plans
    assert saved.next_review == TODAY - timedelta(days=1) + timedelta(weeks=6) and not saved.closed
    assert p.id not in app.attention(p.id)
    app.record_review(Review(plan_id=plan.id, held_on=TODAY, summary="Back full time"), close_plan=True)
    record = app.pupil_record(p.id)
    assert record.plans[0].closed and record.plans[0].next_review is None
    assert [r.summary for r in record.reviews] == ["Back full time", "Settling well"]
    with pytest.raises(ValidationError, match="is closed"):
        app.record_review(Review(plan_id=plan.id, held_on=TODAY, summary="Again"))
