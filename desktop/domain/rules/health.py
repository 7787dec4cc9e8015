"""The 15-school-day health trigger (DOMAIN.md, "Health needs"; 000:5260-5268,
001:153, 003:34-36).

"Will miss" looks ahead: an absence expected to last 15 school days triggers
on its first day, and an open absence past its expected end keeps counting to
today. Term days only. An absence that spans 1 September counts all its days;
other absences reset with the academic year. Overlapping records count each
day once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ..calendar import SchoolCalendar, academic_year_start
from ..records import Absence


@dataclass(frozen=True)
class HealthDays:
    missed: int  # school days missed up to today
    expected: int  # those and the school days still expected to be missed
    first: date | None  # the first day counted
    last: date | None  # the last day counted (a forecast when ahead of today)
    current: bool  # an absence runs today or lies ahead

    @property
    def ahead(self) -> int:
        return self.expected - self.missed


def absence_last_day(absence: Absence, today: date) -> date:
    """The last day an absence is counted to: its end; else today, or the
    expected end while that is still ahead."""
    if absence.end is not None:
        return absence.end
    if absence.expected_end is not None and absence.expected_end > today:
        return absence.expected_end
    return today


def health_absence_days(absences: Iterable[Absence], today: date, calendar: SchoolCalendar) -> HealthDays:
    year_start = date(academic_year_start(today), 9, 1)
    days: set[date] = set()
    current = False
    for absence in absences:
        last = absence_last_day(absence, today)
        if last < year_start:
            continue  # cumulative counts start again each academic year
        current = current or last >= today
        days.update(calendar.days(absence.start, last))
    missed = sum(1 for d in days if d <= today)
    return HealthDays(
        missed=missed,
        expected=len(days),
        first=min(days) if days else None,
        last=max(days) if days else None,
        current=current,
    )
