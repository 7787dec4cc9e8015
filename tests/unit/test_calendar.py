"""School days come from term dates: the England default, an LA's CSV or
iCalendar file, and weekdays only for a year with no dates at all."""

from datetime import date
from pathlib import Path

import pytest

from desktop.domain.calendar import WEEKDAYS, SchoolCalendar, parse_academic_year
from desktop.domain.enums import CalendarKind
from desktop.services import ValidationError
from desktop.services.calendars import build_calendar, default_entries, kind_of_title, parse_calendar, to_csv

FIXTURES = Path(__file__).parents[1] / "fixtures"
ENGLAND = build_calendar([])


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_the_england_default_has_190_school_days_a_year(year):
    assert len(ENGLAND.years[year].days) == 190
    assert ENGLAND.covers(date(year, 9, 15)) and ENGLAND.covers(date(year + 1, 7, 1))


def test_bank_holidays_in_the_default_fall_on_weekdays_and_half_terms_begin_on_mondays():
    for e in default_entries():
        if e.kind is CalendarKind.BANK_HOLIDAY:
            assert e.start.weekday() < 5, e
        if e.kind is CalendarKind.HOLIDAY and "half term" in e.name:
            assert e.start.weekday() == 0, e


def test_holidays_are_not_school_days():
    """Worked example (issue 11, 1): off 15 Dec 2025 to 2 Jan 2026 is five term days,
    not the fifteen weekdays that were counted before."""
    assert WEEKDAYS.count(date(2025, 12, 15), date(2026, 1, 2)) == 15
    assert ENGLAND.count(date(2025, 12, 15), date(2026, 1, 2)) == 5
    assert not ENGLAND.is_school_day(date(2026, 10, 28))  # autumn half term
    assert not ENGLAND.is_school_day(date(2026, 9, 1))  # INSET day
    assert not ENGLAND.is_school_day(date(2027, 5, 3))  # bank holiday
    assert ENGLAND.is_school_day(date(2026, 11, 23))


def test_a_year_with_no_term_dates_counts_weekdays_and_says_so():
    assert not ENGLAND.covers(date(2031, 3, 3))
    assert ENGLAND.count(date(2031, 3, 3), date(2031, 3, 16)) == 10
    assert list(ENGLAND.days(date(2031, 3, 7), date(2031, 3, 10))) == [date(2031, 3, 7), date(2031, 3, 10)]


def test_counting_across_the_academic_year_boundary():
    # 14 to 22 July 2026 (summer term ends on 21 July, an INSET day) then 1 to 7 Sept 2026.
    assert ENGLAND.count(date(2026, 7, 14), date(2026, 9, 7)) == 5 + 3
    assert ENGLAND.count(date(2026, 7, 14), date(2026, 9, 7)) == len(
        list(ENGLAND.days(date(2026, 7, 14), date(2026, 9, 7)))
    )


def test_the_nth_school_day_skips_the_christmas_holiday_and_an_inset_day():
    # Excluded on Tue 16 Dec 2025: 16-19 Dec are days 1-4; 5 Jan is an INSET day.
    assert ENGLAND.nth_day(date(2025, 12, 16), 6) == date(2026, 1, 7)
    assert ENGLAND.nth_day(date(2025, 12, 11), 6) == date(2025, 12, 18)
    assert ENGLAND.after(date(2025, 12, 19), 1) == date(2026, 1, 6)


def test_academic_years_are_written_as_people_write_them():
    assert parse_academic_year("2025/26") == parse_academic_year("2025-2026") == parse_academic_year("2025") == 2025
    with pytest.raises(ValueError, match="2025/26"):
        parse_academic_year("2025/27")


def test_an_la_csv_and_the_same_dates_in_icalendar_give_the_same_school_days():
    csv = parse_calendar((FIXTURES / "la-term-dates-2026-27.csv").read_bytes(), "la.csv")
    ics = parse_calendar((FIXTURES / "la-term-dates-2026-27.ics").read_bytes(), "la.ics")
    assert csv.years == ics.years == [2026]
    from_csv, from_ics = SchoolCalendar.from_entries(csv.entries), SchoolCalendar.from_entries(ics.entries)
    assert from_csv.years[2026].days == from_ics.years[2026].days
    # This LA's half term is a week later than the default's.
    assert from_ics.is_school_day(date(2026, 10, 28)) and not ENGLAND.is_school_day(date(2026, 10, 28))
    assert not from_ics.is_school_day(date(2026, 11, 4))
    # "Spring term starts" and "Spring term ends" are paired into one term.
    terms = [(e.start, e.end) for e in ics.entries if e.kind is CalendarKind.TERM]
    assert (date(2027, 1, 5), date(2027, 3, 26)) in terms
    # An event that is no kind of date is reported, not guessed.
    assert ics.skipped == [
        "'Council budget consultation closes' on 15/10/2026: not a term, holiday, INSET day or closure"
    ]


def test_event_titles_are_sorted_into_kinds():
    assert kind_of_title("October Half Term") == (CalendarKind.HOLIDAY, "")
    assert kind_of_title("Staff development day - school closed to pupils") == (CalendarKind.INSET, "")
    assert kind_of_title("Good Friday") == (CalendarKind.BANK_HOLIDAY, "")
    assert kind_of_title("Last day of summer term") == (CalendarKind.TERM, "end")
    assert kind_of_title("First day of autumn term") == (CalendarKind.TERM, "start")
    assert kind_of_title("Parents' evening") == (None, "")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"start,end,kind,name\n2026-09-03,2026-10-01,fun day,X\n", "row 2: 'fun day' is not a kind"),
        (b"start,end,kind,name\n31/02/2026,,term,X\n", "row 2: '31/02/2026' is not a date"),
        (b"start,end,kind\n2026-10-26,2026-10-30,holiday\n", "no term dates for 2026/27"),
        (b"start,end,kind\n2026-09-03,2027-09-20,term\n", "into the next academic year"),
        (b"start,end,kind\n2026-09-10,2026-09-03,term\n", r"ends \(03/09/2026\) before it starts"),
        (b"a,b\n1,2\n", "the first row must name the columns"),
        (b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "holds no term dates"),
    ],
)
def test_a_file_that_would_give_wrong_school_days_is_refused_with_one_line(text, message):
    with pytest.raises(ValidationError, match=message) as caught:
        parse_calendar(text, "dates.csv")
    assert "\n" not in str(caught.value)


def test_the_default_round_trips_through_the_csv_it_is_written_in():
    entries = [e for e in default_entries() if e.academic_year == 2026]
    again = parse_calendar(to_csv(entries).encode(), "again.csv")
    assert SchoolCalendar.from_entries(again.entries).years[2026].days == ENGLAND.years[2026].days
