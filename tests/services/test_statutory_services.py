"""The statutory records through the services: the calendar a profile counts on,
exclusions, planned travel, part-time timetables, hospital stays, the NC year
offset and the thresholds; bad input changes nothing."""

from datetime import date, time, timedelta
from pathlib import Path

import pytest

from desktop.domain import rules
from desktop.domain.enums import ExclusionKind, Outcome, PlaceType, ProvisionType, SiteType, TravellerGroup
from desktop.domain.records import Absence, Exclusion, PlannedTravel, ProvisionEpisode, Pupil, Site, Stay, Visit
from desktop.services import NotFound, ValidationError
from tests.conftest import TODAY

FIXTURES = Path(__file__).parents[1] / "fixtures"


def pupil(app, **kw) -> Pupil:
    p = Pupil(forename=kw.pop("forename", "Freya"), surname="Marsden", dob=kw.pop("dob", date(2016, 3, 2)), **kw)
    app.add_pupil(p)
    return p


def kinds(app, p) -> list[str]:
    return [a.kind for a in app.attention(p.id).get(p.id, [])]


def unchanged(app):
    return app.store.count("outbox"), app.store.count("audit_event")


def test_an_la_calendar_replaces_the_default_for_its_year_and_moves_the_counts(app):
    # Off 2 Nov to 20 Nov 2026: 15 school days on the default; this LA's half term is 2-6 Nov, so 10.
    ill = pupil(app)
    app.add_absence(Absence(pupil_id=ill.id, start=date(2026, 11, 2), end=date(2026, 11, 20)))
    assert kinds(app, ill) == ["health_trigger"]
    done = app.import_calendar_file(FIXTURES / "la-term-dates-2026-27.ics")
    assert [(y.label, y.school_days, y.imported) for y in done.years] == [("2026/27", 192, True)]
    assert len(done.notes) == 1 and done.notes[0].startswith("Skipped 'Council budget consultation closes'")
    assert kinds(app, ill) == []
    years = {y.label: y for y in app.calendar_years()}
    assert years["2025/26"].source == "England default" and years["2026/27"].source == "la-term-dates-2026-27.ics"
    # Importing again replaces the year, it does not add to it.
    app.import_calendar_file(FIXTURES / "la-term-dates-2026-27.csv")
    assert len(app.calendar_entries(2026)) == 9
    app.reset_calendar_year(2026)
    assert kinds(app, ill) == ["health_trigger"]
    with pytest.raises(NotFound, match="already uses the default"):
        app.reset_calendar_year(2026)


def test_a_refused_calendar_changes_nothing(app, tmp_path):
    before = unchanged(app)
    bad = tmp_path / "dates.csv"
    bad.write_text("start,end,kind\n2026-09-03,2026-12-18,term\n2026-10-01,x,holiday\n")
    with pytest.raises(ValidationError, match=r"dates.csv, row 3: 'x' is not a date"):
        app.import_calendar_file(bad)
    with pytest.raises(ValidationError, match="Cannot read"):
        app.import_calendar_file(tmp_path / "missing.ics")
    assert unchanged(app) == before
    assert all(y.source == "England default" for y in app.calendar_years())


def test_exclusions_are_checked_and_counted_on_the_calendar(app):
    p = pupil(app)
    before = unchanged(app)
    for exclusion, days, message in (
        (Exclusion(pupil_id=p.id, kind=ExclusionKind.FIXED_PERIOD, start=TODAY), None, "needs its last day"),
        (Exclusion(pupil_id=p.id, kind=ExclusionKind.PERMANENT, start=TODAY), 5, "A permanent exclusion has no length"),
        (Exclusion(pupil_id=p.id, kind=ExclusionKind.FIXED_PERIOD, start=TODAY), 46, "from 1 to 45 school days"),
        (
            Exclusion(pupil_id=p.id, kind=ExclusionKind.FIXED_PERIOD, start=TODAY, end=TODAY - timedelta(days=1)),
            None,
            "cannot end before it starts",
        ),
    ):
        with pytest.raises(ValidationError, match=message):
            app.add_exclusion(exclusion, school_days=days)
    with pytest.raises(NotFound):
        app.add_exclusion(Exclusion(pupil_id="nobody", kind=ExclusionKind.PERMANENT, start=TODAY))
    assert unchanged(app) == before

    fixed = Exclusion(pupil_id=p.id, kind=ExclusionKind.FIXED_PERIOD, start=date(2026, 12, 17))
    app.add_exclusion(fixed, school_days=4)
    assert fixed.end == date(2027, 1, 6)  # 17, 18 Dec; 4 Jan is an INSET day; 5, 6 Jan
    assert app.exclusion_days(fixed) == 4
    permanent = Exclusion(pupil_id=p.id, kind=ExclusionKind.PERMANENT, start=date(2026, 11, 9))
    app.add_exclusion(permanent)
    assert kinds(app, p) == ["exclusion"]
    app.end_exclusion(permanent.id, date(2026, 11, 20))  # on roll at a new school
    assert kinds(app, p) == []
    assert [e.kind for e in app.pupil_record(p.id).exclusions] == [ExclusionKind.PERMANENT, ExclusionKind.FIXED_PERIOD]


def test_a_part_time_timetable_needs_a_review_within_half_a_term(app):
    p = pupil(app)
    before = unchanged(app)

    def ptt(review):
        return ProvisionEpisode(
            pupil_id=p.id,
            provision_type=ProvisionType.PART_TIME_TIMETABLE,
            start=date(2026, 11, 23),
            planned_hours_per_week=12.5,
            review_date=review,
            part_time_consent=True,
        )

    with pytest.raises(ValidationError, match="needs a review date"):
        app.add_episode(ptt(None))
    # Thirty school days from Mon 23 Nov 2026, the Christmas holiday and an INSET day skipped, end on
    # Mon 18 Jan 2027: the review falls on or before it.
    with pytest.raises(ValidationError, match="by 18 Jan 2027, not 19 Jan 2027"):
        app.add_episode(ptt(date(2027, 1, 19)))
    assert unchanged(app) == before
    changes = app.add_episode(ptt(date(2027, 1, 18)))
    # Reviewed on the day: the next review may again be half a term ahead of the review.
    app.today = lambda: date(2027, 1, 18)
    with pytest.raises(ValidationError, match="by 7 Mar 2027, not 8 Mar 2027"):
        app.edit_episode(changes.id, review_date=date(2027, 3, 8))
    app.edit_episode(changes.id, review_date=date(2027, 3, 5))
    app.edit_episode(changes.id, planned_hours_per_week=15)  # the review date untouched: not checked again
    # From a Saturday, six weeks on is still within half a term (the form's default).
    app.today = lambda: date(2027, 1, 16)
    saturday = ptt(date(2027, 2, 27))
    saturday.start = date(2027, 1, 16)
    app.add_episode(saturday)


def test_planned_travel_is_for_traveller_pupils(app):
    settled = pupil(app)
    traveller = pupil(app, forename="Tyler", traveller_group=TravellerGroup.SHOWMAN)
    before = unchanged(app)
    with pytest.raises(ValidationError, match="not recorded as from a Traveller family"):
        app.add_travel(PlannedTravel(pupil_id=settled.id, leaves=TODAY))
    with pytest.raises(ValidationError, match="back before they leave"):
        app.add_travel(PlannedTravel(pupil_id=traveller.id, leaves=TODAY, returns=TODAY - timedelta(days=1)))
    with pytest.raises(ValidationError, match="a day still to come"):
        app.add_travel(PlannedTravel(pupil_id=traveller.id, leaves=TODAY, agreed_with_school_on=TODAY + timedelta(1)))
    assert unchanged(app) == before
    trip = PlannedTravel(pupil_id=traveller.id, leaves=TODAY + timedelta(days=10), destination="Winter fairs")
    app.add_travel(trip)
    assert kinds(app, traveller) == ["no_base_school", "travel"]
    app.agree_travel(trip.id)
    assert app.list_travel(traveller.id)[0].agreed_with_school_on == TODAY
    assert kinds(app, traveller) == ["no_base_school"]


def test_a_stay_on_a_hospital_ward_needs_hospital_tuition(app):
    p = pupil(app)
    ward = Site(name="Children's Ward 4", site_type=SiteType.HOSPITAL_WARD)
    app.add_site(ward)
    app.record_stay(Stay(pupil_id=p.id, site_id=ward.id, arrived=TODAY - timedelta(days=3)))
    assert kinds(app, p) == ["hospital_stay"]
    assert "hospital_stay" in [a.kind for a in app.pupil_record(p.id).attention]
    app.add_episode(
        ProvisionEpisode(
            pupil_id=p.id,
            provision_type=ProvisionType.HOSPITAL_TUITION,
            start=TODAY - timedelta(days=2),
            planned_hours_per_week=10,
            medical_max_hours_per_week=10,
        )
    )
    assert "hospital_stay" not in kinds(app, p)


def test_the_nc_year_is_kept_as_an_offset(app):
    p = pupil(app, dob=date(2017, 10, 1))  # Year 4 by age in 2026/27
    app.edit_pupil(p.id, nc_year=3)
    assert app.get_pupil(p.id).nc_year_offset == -1
    record = app.pupil_record(p.id)
    assert (record.nc_year, record.nc_year_by_age) == (3, 4)
    assert app.nc_year_offset(date(2017, 10, 1), 4) is None  # the year by age: no offset
    with pytest.raises(ValidationError, match="at most three years"):
        app.edit_pupil(p.id, nc_year=9)
    with pytest.raises(ValidationError, match="between -2"):
        app.edit_pupil(p.id, nc_year=20)


def test_a_upn_with_other_digits_is_refused_with_the_usual_line(app):
    with pytest.raises(ValidationError, match="only the letters A-Z and the digits 0-9; '١' is not one of them"):
        pupil(app, upn="R674١23١0١١2١")
    assert app.list_pupils() == []


def test_thresholds_are_settings(app):
    p = pupil(app)
    app.add_episode(
        ProvisionEpisode(
            pupil_id=p.id,
            provision_type=ProvisionType.HOME_TUITION,
            start=date(2026, 9, 1),
            planned_hours_per_week=5,
            medical_max_hours_per_week=10,
        )
    )
    for day in range(9, 14):  # an hour a day in the last complete week (9 Nov): 5 h
        app.log_visit(
            Visit.same_for_all(
                date=date(2026, 11, day),
                start=time(10),
                end=time(11),
                place_type=PlaceType.HOME,
                pupil_ids=[p.id],
                outcome=Outcome.HELD,
            )
        )
    assert kinds(app, p) == []
    settings = app.update_thresholds(home_tuition_minimum_hours="10", full_time_hours_by_key_stage="20,22,24,25")
    assert settings.thresholds.home_tuition_minimum_hours == 10.0
    assert settings.thresholds.full_time_hours_by_key_stage == (20.0, 22.0, 24.0, 25.0)
    assert kinds(app, p) == ["hours_below_target"]  # 5 of 10 h now
    assert app.settings().thresholds == settings.thresholds  # kept in the profile
    for values, message in (
        ({"nope": "1"}, "There is no threshold 'nope'"),
        ({"health_trigger_school_days": "ten"}, "give int"),
        ({"full_time_hours_by_key_stage": "21,23"}, "four numbers"),
        ({"fixed_period_max_school_days": "0"}, "above zero"),
    ):
        with pytest.raises(ValidationError, match=message):
            app.update_thresholds(**values)
    assert rules.DEFAULT_THRESHOLDS.home_tuition_minimum_hours == 5.0
