from datetime import date

import pytest

from desktop.domain.dates import DateTypoError, format_date, parse_date

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    "text",
    [
        "30/11/2018",
        "30.11.2018",
        "30-11-2018",
        "30/11/18",
        " 30 Nov 2018 ",
        "30 november 2018",
        "2018-11-30",
        "30 nov 18",
    ],
)
def test_the_ways_people_write_a_date(text):
    assert parse_date(text, today=TODAY) == date(2018, 11, 30)


def test_day_first_and_two_digit_years():
    assert parse_date("4/5/16", today=TODAY) == date(2016, 5, 4)  # 4 May, not 5 April
    assert parse_date("1/1/27", today=TODAY) == date(2027, 1, 1)  # next year is allowed
    assert parse_date("1/1/28", today=TODAY) == date(1928, 1, 1)


@pytest.mark.parametrize(("text", "message"), [("", "No date"), ("31/02/2018", "exists"), ("soon", "30/11/2018")])
def test_what_is_not_a_date_says_why(text, message):
    with pytest.raises(DateTypoError, match=message):
        parse_date(text, today=TODAY)


def test_shown_as_on_reports():
    assert format_date(date(2018, 11, 3)) == "3 Nov 2018"
