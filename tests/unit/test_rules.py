from datetime import date, time, timedelta

from desktop.domain import rules
from desktop.domain.enums import Outcome, ProvisionType, TravellerGroup
from desktop.domain.records import Absence, Folder, Plan, ProvisionEpisode, Pupil, Visit
from desktop.services.calendars import build_calendar

TODAY = date(2026, 11, 22)  # a Sunday
ENGLAND = build_calendar([])
PUPIL = Pupil(id="p", forename="A", surname="B", dob=date(2015, 10, 1), base_school_id="s")


def episode(kind=ProvisionType.HOME_TUITION, planned=5.0, medical_max=None, **kw):
    return ProvisionEpisode(
        pupil_id="p",
        provision_type=kind,
        start=kw.pop("start", date(2026, 9, 1)),
        planned_hours_per_week=planned,
        medical_max_hours_per_week=medical_max,
        **kw,
    )


def session(day, minutes, outcome=Outcome.HELD):
    end = time(9 + minutes // 60, minutes % 60)
    return Visit.same_for_all(date=day, start=time(9, 0), end=end, pupil_ids=["p"], outcome=outcome)


def test_nc_year_turns_on_the_first_of_september():
    assert rules.nc_year(date(2015, 9, 1), TODAY) == 6
    assert rules.nc_year(date(2015, 8, 31), TODAY) == 7
    assert rules.nc_year(date(2021, 10, 1), TODAY) == 0  # Reception
    assert rules.format_nc_year(0) == "Reception"


def test_a_year_set_by_hand_is_an_offset_that_moves_up_with_the_pupil():
    """Worked example (issue 11, 5): a pupil placed a year behind stays a year
    behind as the years go by, rather than in 'Year 3' for ever."""
    pupil = Pupil(forename="A", surname="B", dob=date(2017, 10, 1), nc_year_offset=-1)
    assert rules.nc_year(pupil.dob, TODAY) == 4
    assert rules.pupil_nc_year(pupil, TODAY) == 3
    assert rules.pupil_nc_year(pupil, date(2027, 9, 6)) == 4
    assert rules.describe_nc_year(pupil, TODAY) == "Year 3 (Year 4 by age)"
    assert rules.describe_nc_year(Pupil(forename="A", surname="B", dob=date(2017, 10, 1)), TODAY) == "Year 4"


def test_tuition_target_is_at_least_the_minimum_and_at_most_the_medical_maximum():
    assert rules.target_hours(episode(planned=2)) == 5
    assert rules.target_hours(episode(planned=10)) == 10
    assert rules.target_hours(episode(planned=10, medical_max=3)) == 3
    assert rules.target_hours(episode(kind=ProvisionType.TES_VISITS, planned=2)) == 0
    custom = rules.Thresholds(home_tuition_minimum_hours=10)
    assert rules.target_hours(episode(planned=5), custom) == 10


def test_weeks_below_target_are_marked_and_missed_sessions_count_nothing():
    monday = date(2026, 11, 9)
    visits = [
        session(monday, 120),
        session(monday + timedelta(days=1), 120, Outcome.PUPIL_UNWELL),
        session(monday + timedelta(days=2), 60),
        session(monday + timedelta(days=7), 300),
    ]
    weeks = rules.weekly_hours("p", [episode()], visits, monday, monday + timedelta(days=13), calendar=ENGLAND)
    assert [(w.week_start, w.delivered, w.target) for w in weeks] == [
        (monday, 3.0, 5.0),
        (monday + timedelta(7), 5.0, 5.0),
    ]
    assert [w.below_target for w in weeks] == [True, False]


def test_hours_band_edges_do_not_overlap():
    assert [rules.hours_band(h) for h in (0, 4.9, 5, 7.9, 8, 24.9, 25)] == [
        "under 5",
        "under 5",
        "5 to under 8",
        "5 to under 8",
        "8 to under 25",
        "8 to under 25",
        "25 or more",
    ]


def test_school_days_skip_weekends():
    assert ENGLAND.count(date(2026, 11, 16), date(2026, 11, 22)) == 5
    assert ENGLAND.count(date(2026, 11, 21), date(2026, 11, 22)) == 0
    assert ENGLAND.count(date(2026, 11, 2), date(2026, 11, 20)) == 15


def kinds(pupil=PUPIL, today=TODAY, **kw):
    return [a.kind for a in rules.needs_attention(pupil=pupil, today=today, calendar=ENGLAND, **kw)]


def test_fifteen_school_days_of_illness_without_tuition_triggers():
    ill = [Absence(pupil_id="p", start=date(2026, 11, 2), expected_end=date(2026, 11, 20))]
    short = [Absence(pupil_id="p", start=date(2026, 11, 2), end=date(2026, 11, 19))]
    assert "health_trigger" in kinds(absences=ill)
    assert "health_trigger" not in kinds(absences=short)  # 14 days
    assert "health_trigger" not in kinds(absences=ill, episodes=[episode(start=date(2026, 11, 10), planned=25)])
    # Cumulative: two spells add up.
    spells = [
        Absence(pupil_id="p", start=date(2026, 9, 7), end=date(2026, 9, 18)),
        Absence(pupil_id="p", start=date(2026, 10, 5), end=date(2026, 10, 9)),
    ]
    assert "health_trigger" in kinds(absences=spells)


def test_part_time_timetable_past_half_a_term_and_without_consent():
    review = {"review_date": TODAY + timedelta(weeks=2)}
    long_one = episode(
        kind=ProvisionType.PART_TIME_TIMETABLE, start=TODAY - timedelta(weeks=8), part_time_consent=True, **review
    )
    fresh = episode(
        kind=ProvisionType.PART_TIME_TIMETABLE, start=TODAY - timedelta(weeks=2), part_time_consent=True, **review
    )
    unconsented = episode(kind=ProvisionType.PART_TIME_TIMETABLE, start=TODAY - timedelta(weeks=2), **review)
    assert kinds(episodes=[long_one]) == ["part_time"]
    assert kinds(episodes=[fresh]) == []
    assert kinds(episodes=[unconsented]) == ["part_time"]


def test_half_a_term_is_counted_in_teaching_weeks_not_calendar_weeks():
    """Seven calendar weeks with the October half term in them are six teaching weeks."""
    started = episode(
        kind=ProvisionType.PART_TIME_TIMETABLE,
        start=date(2026, 10, 5),
        part_time_consent=True,
        review_date=TODAY + timedelta(days=3),
    )
    assert kinds(episodes=[started], today=date(2026, 11, 20)) == []  # the 30th school day
    assert kinds(episodes=[started], today=date(2026, 11, 23)) == ["part_time"]


def test_overdue_reviews_folders_and_hours():
    plan = Plan(
        pupil_id="p",
        title="Return",
        start=date(2026, 9, 1),
        next_review=TODAY - timedelta(days=1),
        success_criteria="Two mornings in school",
    )
    folder = Folder(pupil_id="p", issued_on=date(2026, 9, 1), expected_back=TODAY - timedelta(days=3))
    returned = Folder(
        pupil_id="p",
        issued_on=date(2026, 9, 1),
        expected_back=TODAY - timedelta(days=3),
        returned_on=TODAY - timedelta(days=4),
    )
    ep = episode(review_date=TODAY - timedelta(days=1), medical_max=5)
    assert kinds(plans=[plan]) == ["review_overdue"]
    assert kinds(folders=[folder, returned]) == ["folder_overdue"]
    # The episode's review is overdue and last week's 0 hours are below the 5-hour target.
    assert sorted(kinds(episodes=[ep])) == ["hours_below_target", "review_overdue"]


def test_traveller_pupils_are_in_the_traveller_cohort_whatever_their_provision():
    pupil = Pupil(forename="A", surname="B", dob=date(2015, 1, 1), traveller_group=TravellerGroup.SHOWMAN)
    assert rules.cohort(pupil, [episode()], TODAY).value == "traveller"
    other = Pupil(forename="A", surname="B", dob=date(2015, 1, 1))
    assert rules.cohort(other, [episode(kind=ProvisionType.HOSPITAL_TUITION)], TODAY).value == "hospital"
