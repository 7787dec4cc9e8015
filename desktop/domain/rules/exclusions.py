"""Exclusions: full-time provision from the sixth school day (003:136-139,
002:2330-2333), and at most 45 school days of fixed-period exclusion in an
academic year (002:1829-1849)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..calendar import SchoolCalendar, academic_year_start
from ..enums import ExclusionKind
from ..records import Exclusion
from .thresholds import DEFAULT_THRESHOLDS, Thresholds


def provision_due(exclusion: Exclusion, calendar: SchoolCalendar, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> date:
    """The school day from which full-time provision must be in place: the sixth
    school day of the exclusion (its first day counts as day one)."""
    return calendar.nth_day(exclusion.start, thresholds.permanent_exclusion_provision_day)


def fixed_period_days(exclusions: Iterable[Exclusion], on: date, calendar: SchoolCalendar) -> int:
    """School days of fixed-period exclusion in the academic year holding `on`,
    booked days ahead included; overlapping records count each day once."""
    year = academic_year_start(on)
    first, last = date(year, 9, 1), date(year + 1, 8, 31)
    days: set[date] = set()
    for e in exclusions:
        if e.kind is ExclusionKind.FIXED_PERIOD:
            days.update(calendar.days(max(e.start, first), min(e.end or e.start, last)))
    return len(days)


def exclusion_school_days(exclusion: Exclusion, calendar: SchoolCalendar) -> int | None:
    """How many school days a fixed-period exclusion lasts; None while open-ended."""
    if exclusion.end is None:
        return None
    return calendar.count(exclusion.start, exclusion.end)
