"""Worked examples for the statutory clocks (issue 11). Each one failed, or was
missing, before: the comment under each says what the old rule answered."""

from datetime import date, time, timedelta

import pytest

from desktop.domain import rules
from desktop.domain.enums import ExclusionKind, Outcome, ProvisionType, SiteType, TravellerGroup
from desktop.domain.records import Absence, Exclusion, Plan, PlannedTravel, ProvisionEpisode, Pupil, Stay, Visit
from desktop.domain.upn import UpnError, validate_upn
from desktop.services.calendars import build_calendar

ENGLAND = build_calendar([])
YEAR_7 = Pupil(id="p", forename="Kai", surname="Walsh", dob=date(2014, 10, 1), base_school_id="s")


def episode(kind=ProvisionType.HOME_TUITION, planned=5.0, medical_max=None, start=date(2026, 9, 1), **kw):
    return ProvisionEpisode(
        pupil_id="p",
        provision_type=kind,
        start=start,
        planned_hours_per_week=planned,
        medical_max_hours_per_week=medical_max,
        **kw,
    )


def session(day, hours):
    end = time(9 + int(hours), round((hours % 1) * 60))
    return Visit.same_for_all(date=day, start=time(9, 0), end=end, pupil_ids=["p"], outcome=Outcome.HELD)


def attention(today, pupil=YEAR_7, **kw):
    return rules.needs_attention(pupil=pupil, today=today, calendar=ENGLAND, **kw)


def kinds(today, **kw):
    return [a.kind for a in attention(today, **kw)]


def health(today, *absences, **kw):
    return [a for a in attention(today, absences=list(absences), **kw) if a.kind == "health_trigger"]


# --- 2. the 15-day health trigger ----------------------------------------------------------


def test_an_open_absence_counts_until_today_not_its_expected_end():
    # Off since 1 Oct, expected back 7 Oct, still off on 28 Nov: the old rule stopped at 7 Oct (5 days, no alert).
    off = Absence(pupil_id="p", start=date(2026, 10, 1), expected_end=date(2026, 10, 7))
    [item] = health(date(2026, 11, 28), off)
    assert item.message == "37 school days missed for health with no tuition arranged"
    assert item.since == date(2026, 10, 1)


def test_an_absence_expected_to_reach_fifteen_days_triggers_on_its_first_day():
    off = Absence(pupil_id="p", start=date(2026, 11, 16), expected_end=date(2026, 12, 4))
    [item] = health(date(2026, 11, 16), off)
    assert item.message == (
        "Expected to miss 15 school days for health (1 so far, to 4 Dec 2026): arrange education now"
    )
    # Over the Christmas holiday the same three weeks are nine term days: no alert (weekdays said 20).
    christmas = Absence(pupil_id="p", start=date(2026, 12, 14), expected_end=date(2027, 1, 8))
    assert health(date(2026, 12, 14), christmas) == []


def test_an_absence_that_spans_the_summer_counts_across_the_academic_year_boundary():
    # Off since 2 June 2026: the old rule restarted on 1 September (8 weekdays on 10 Sep: no alert).
    off = Absence(pupil_id="p", start=date(2026, 6, 2))
    [before] = health(date(2026, 7, 17), off)
    assert before.message.startswith("34 school days missed")
    [after] = health(date(2026, 9, 10), off)
    assert after.message.startswith("41 school days missed")  # 35 by the summer, 6 in September
    # An absence that ended in the summer term does not carry into the new year.
    over = Absence(pupil_id="p", start=date(2026, 6, 2), end=date(2026, 7, 17))
    assert health(date(2026, 9, 10), over) == []


def test_overlapping_absence_records_count_each_day_once():
    # The same 3-14 Nov 2025 absence entered twice: the old rule counted 20 days and fired.
    twice = [Absence(pupil_id="p", start=date(2025, 11, 3), end=date(2025, 11, 14)) for _ in range(2)]
    assert rules.health_absence_days(twice, date(2025, 11, 17), ENGLAND).missed == 10
    assert health(date(2025, 11, 17), *twice) == []


def test_tuition_arranged_while_off_settles_the_trigger_after_the_pupil_is_back():
    off = Absence(pupil_id="p", start=date(2026, 9, 7), end=date(2026, 10, 9))
    tutored = episode(start=date(2026, 9, 21), end=date(2026, 10, 9), planned=10)
    assert health(date(2026, 11, 20), off, episodes=[tutored]) == []
    assert len(health(date(2026, 11, 20), off)) == 1  # nothing was arranged: still listed


# --- 3. hours against full time --------------------------------------------------------------


def test_planned_hours_below_full_time_with_no_medical_maximum_are_flagged():
    # 5 h planned and delivered, no medical maximum: the old rule saw 100 % of the target and said nothing.
    monday = date(2026, 11, 16)
    visits = [session(monday + timedelta(days=i), 1) for i in range(5)]
    found = attention(date(2026, 11, 23), episodes=[episode()], visits=visits)
    assert [a.kind for a in found] == ["below_full_time"]
    assert found[0].message == (
        "Home tuition planned at 5 h a week, below full time for Year 7 (24 h), "
        "and no medically advised maximum is recorded"
    )
    assert kinds(date(2026, 11, 23), episodes=[episode(medical_max=5)], visits=visits) == []


def test_planned_hours_above_the_medical_maximum_are_flagged():
    found = attention(date(2026, 11, 23), episodes=[episode(planned=10, medical_max=6)])
    assert "above_medical_max" in [a.kind for a in found]
    assert (
        "above the medically advised maximum of 6 h"
        in found[[a.kind for a in found].index("above_medical_max")].message
    )


def test_a_mid_week_start_is_judged_pro_rata():
    # Starts Thursday 12 Nov with 10 h planned; 4 h by Friday. The old rule said "4 of 10 hours".
    started = episode(planned=10, medical_max=10, start=date(2026, 11, 12))
    visits = [session(date(2026, 11, 12), 2), session(date(2026, 11, 13), 2)]
    [week] = rules.weekly_hours("p", [started], visits, date(2026, 11, 9), date(2026, 11, 15), calendar=ENGLAND)
    assert (week.planned, week.target, week.delivered, week.below_target) == (4.0, 4.0, 4.0, False)
    assert "hours_below_target" not in kinds(date(2026, 11, 16), episodes=[started], visits=visits)


def test_a_half_term_week_has_no_target_and_is_not_below_it():
    # The old rule flagged "0 of 10 hours" for the week of 26 Oct 2026.
    [week] = rules.weekly_hours("p", [episode(planned=10)], [], date(2026, 10, 26), date(2026, 11, 1), calendar=ENGLAND)
    assert week.holiday and week.target == 0 and not week.below_target
    assert "hours_below_target" not in kinds(date(2026, 11, 2), episodes=[episode(planned=10, medical_max=10)])


def test_overlapping_episodes_give_the_provision_in_force_not_the_sum():
    # Hospital 10 h left open when home tuition (5 h) began: the old rule planned 15 against a 10 h target.
    hospital = episode(kind=ProvisionType.HOSPITAL_TUITION, planned=10, start=date(2026, 9, 1))
    home = episode(planned=5, start=date(2026, 10, 5))
    [week] = rules.weekly_hours("p", [hospital, home], [], date(2026, 11, 9), date(2026, 11, 15), calendar=ENGLAND)
    assert (week.planned, week.target) == (5.0, 5.0)
    # A bank holiday takes its day out of the week.
    [may] = rules.weekly_hours("p", [home], [], date(2027, 5, 3), date(2027, 5, 9), calendar=ENGLAND)
    assert (may.school_days, may.target) == (4, 4.0)


# --- 4. rules with no code before -------------------------------------------------------------


def test_a_permanent_exclusion_needs_full_time_provision_from_the_sixth_school_day():
    excluded = Exclusion(pupil_id="p", kind=ExclusionKind.PERMANENT, start=date(2025, 12, 16))
    [before] = attention(date(2025, 12, 18), exclusions=[excluded])
    assert (
        before.message == "Permanently excluded from 16 Dec 2025: the LA must arrange full-time provision by 7 Jan 2026"
    )
    [late] = attention(date(2026, 1, 8), exclusions=[excluded])
    assert late.message == (
        "Permanently excluded from 16 Dec 2025: full-time provision (23 h 30 min, Year 6) was due from 7 Jan 2026; none is in place"
    )
    placed = episode(kind=ProvisionType.ALTERNATIVE_PROVISION, planned=25, start=date(2026, 1, 7))
    assert attention(date(2026, 1, 8), exclusions=[excluded], episodes=[placed]) == []
    part = episode(kind=ProvisionType.ALTERNATIVE_PROVISION, planned=15, start=date(2026, 1, 7))
    [short] = attention(date(2026, 1, 8), exclusions=[excluded], episodes=[part])
    assert short.message.endswith("was due from 7 Jan 2026; only 15 h a week is in place")


def test_a_fixed_period_longer_than_five_days_needs_provision_from_its_sixth_day_too():
    long_one = Exclusion(pupil_id="p", kind=ExclusionKind.FIXED_PERIOD, start=date(2026, 11, 2), end=date(2026, 11, 13))
    short = Exclusion(pupil_id="p", kind=ExclusionKind.FIXED_PERIOD, start=date(2026, 11, 2), end=date(2026, 11, 4))
    [item] = attention(date(2026, 11, 10), exclusions=[long_one])
    assert "was due from 9 Nov 2026" in item.message
    assert attention(date(2026, 11, 3), exclusions=[short]) == []


@pytest.mark.parametrize(
    ("days", "expected"),
    [(44, []), (45, ["the 45-day limit is reached"]), (46, ["more than the 45-day limit"])],
)
def test_fixed_period_exclusions_are_limited_to_45_school_days_a_year(days, expected):
    # Five-day suspensions, then the rest: counted in school days, holidays skipped.
    exclusions, start = [], date(2026, 9, 7)
    left = days
    while left:
        length = min(5, left)
        end = ENGLAND.nth_day(start, length)
        exclusions.append(Exclusion(pupil_id="p", kind=ExclusionKind.FIXED_PERIOD, start=start, end=end))
        start, left = ENGLAND.after(end, 1), left - length
    # Last year's suspensions do not count.
    exclusions.append(
        Exclusion(pupil_id="p", kind=ExclusionKind.FIXED_PERIOD, start=date(2026, 6, 1), end=date(2026, 6, 5))
    )
    assert rules.fixed_period_days(exclusions, date(2027, 7, 1), ENGLAND) == days
    found = [a.message for a in attention(date(2027, 7, 1), exclusions=exclusions)]
    assert len(found) == len(expected)
    for message, words in zip(found, expected):
        assert words in message and message.startswith(f"{days} school days of fixed-period exclusion")


def test_a_hospital_stay_of_three_days_needs_hospital_tuition():
    stay = Stay(pupil_id="p", site_id="ward", arrived=date(2026, 11, 20))
    assert kinds(date(2026, 11, 21), hospital_stays=[stay]) == []  # two days
    [item] = attention(date(2026, 11, 22), hospital_stays=[stay])
    assert item.message == (
        "In hospital since 20 Nov 2026 (3 days): hospital tuition is due for a stay of 3 days or more"
    )
    expected_long = Stay(pupil_id="p", site_id="ward", arrived=date(2026, 11, 21), proposed_weeks=2)
    assert kinds(date(2026, 11, 21), hospital_stays=[expected_long]) == ["hospital_stay"]
    tutored = episode(kind=ProvisionType.HOSPITAL_TUITION, planned=10, medical_max=10, start=date(2026, 11, 21))
    assert kinds(date(2026, 11, 22), hospital_stays=[stay], episodes=[tutored]) == []
    assert SiteType.HOSPITAL_WARD  # the services pass only stays at hospital wards


def test_the_home_tutor_withdraws_at_ten_hours_back_in_school():
    tuition = episode(planned=10, medical_max=10)
    back = episode(
        kind=ProvisionType.PART_TIME_TIMETABLE,
        planned=10,
        start=date(2026, 11, 9),
        review_date=date(2026, 12, 4),
        part_time_consent=True,
    )
    found = attention(date(2026, 11, 20), episodes=[tuition, back])
    assert [a.message for a in found if a.kind == "tutor_withdrawal"] == [
        "Back in school 10 h a week: home tuition can be withdrawn (at 10 h)"
    ]
    fewer = episode(
        kind=ProvisionType.PART_TIME_TIMETABLE,
        planned=9.5,
        start=date(2026, 11, 9),
        review_date=date(2026, 12, 4),
        part_time_consent=True,
    )
    assert "tutor_withdrawal" not in kinds(date(2026, 11, 20), episodes=[tuition, fewer])


def test_a_traveller_pupil_with_no_base_school_is_flagged():
    traveller = Pupil(
        id="t", forename="Levi", surname="Lee", dob=date(2014, 6, 1), traveller_group=TravellerGroup.GYPSY_ROMA
    )
    assert kinds(date(2026, 11, 20), pupil=traveller) == ["no_base_school"]
    assert kinds(date(2026, 11, 20), pupil=Pupil(forename="A", surname="B", dob=date(2014, 6, 1))) == []


def test_planned_travel_needs_its_dates_agreed_with_the_base_school():
    traveller = Pupil(
        id="t",
        forename="Levi",
        surname="Lee",
        dob=date(2014, 6, 1),
        traveller_group=TravellerGroup.SHOWMAN,
        base_school_id="s",
    )
    soon = PlannedTravel(pupil_id="t", leaves=date(2026, 12, 1), returns=date(2027, 1, 15), destination="Winter fairs")
    [item] = attention(date(2026, 11, 20), pupil=traveller, travel=[soon])
    assert item.message == "Travel from 1 Dec 2026 to 15 Jan 2027 not yet agreed with the base school"
    agreed = PlannedTravel(pupil_id="t", leaves=date(2026, 12, 1), agreed_with_school_on=date(2026, 11, 2))
    far_off = PlannedTravel(pupil_id="t", leaves=date(2027, 4, 1))
    over = PlannedTravel(pupil_id="t", leaves=date(2026, 6, 1), returns=date(2026, 9, 1))
    assert attention(date(2026, 11, 20), pupil=traveller, travel=[agreed, far_off, over]) == []


def test_a_plan_without_success_criteria_is_flagged():
    plan = Plan(pupil_id="p", title="Return to school", start=date(2026, 11, 2), next_review=date(2026, 12, 14))
    assert kinds(date(2026, 11, 20), plans=[plan]) == ["plan_criteria"]
    plan.success_criteria = "Three mornings a week in class"
    assert kinds(date(2026, 11, 20), plans=[plan]) == []


def test_a_part_time_timetable_with_no_review_date_is_flagged():
    ptt = episode(kind=ProvisionType.PART_TIME_TIMETABLE, planned=12, start=date(2026, 11, 9), part_time_consent=True)
    assert [a.message for a in attention(date(2026, 11, 20), episodes=[ptt])] == [
        "Part-time timetable has no review date"
    ]


# --- 5. smaller faults ---------------------------------------------------------------------------


@pytest.mark.parametrize("upn", ["R674١23١0١١2١", "R67412310112²", "R674123１01121"])
def test_a_upn_with_digits_that_are_not_ascii_is_refused_with_one_line(upn):
    with pytest.raises(UpnError, match="only the letters A-Z and the digits 0-9") as caught:
        validate_upn(upn)
    assert "\n" not in str(caught.value)
    assert validate_upn("R674123101121") == "R674123101121"
