"""Dates as people type them in Britain: 30/11/2018, 30.11.18, 30-11-2018,
30 Nov 2018, 30 November 2018, or 2018-11-30. Shown back as 30 Nov 2018."""

from __future__ import annotations

import re
from datetime import date, datetime

_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_WORDS = ("%d %b %Y", "%d %B %Y", "%d %b %y", "%d %B %y")


class DateTypoError(ValueError):
    """A typed date that is not a date; the message says how to write one."""


def parse_date(text: str, *, today: date | None = None) -> date:
    """The date in `text`, or DateTypoError. Day first, as written in Britain; a
    two-digit year is the latest year ending in those digits not after next year."""
    cleaned = " ".join(text.strip().replace(",", " ").split())
    if not cleaned:
        raise DateTypoError("No date was given; write it as 30/11/2018.")
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        pass
    match = _NUMERIC.match(cleaned)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            if len(match.group(3)) == 2:
                year = _century(year, today or date.today())
            return date(year, month, day)
        for fmt in _WORDS:
            try:
                parsed = datetime.strptime(cleaned.title(), fmt).date()
            except ValueError:
                continue
            if fmt.endswith("%y"):
                parsed = parsed.replace(year=_century(parsed.year % 100, today or date.today()))
            return parsed
    except ValueError:
        raise DateTypoError(f"'{text.strip()}' is not a date that exists; check the day and month.") from None
    raise DateTypoError(f"'{text.strip()}' is not a date; write it as 30/11/2018 or 30 Nov 2018.")


def _century(two_digits: int, today: date) -> int:
    year = 2000 + two_digits
    return year if year <= today.year + 1 else year - 100


def format_date(day: date) -> str:
    """30 Nov 2018 (no %-d: it is not portable)."""
    return f"{day.day} {day:%b %Y}"
