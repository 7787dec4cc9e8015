"""School days: the LA's term dates, holidays, INSET days and bank holidays.

Every rule that counts school days or teaching weeks asks a `SchoolCalendar`
(DOMAIN.md: "School days are term days: weekends, holidays and closures do
not count, so the LA's term dates are part of the rules"). The calendar is
built from dated entries, one academic year at a time; a year with no entries
falls back to weekdays, and says so (`covers`), so a missing year never hides
a child but can over-count.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from .enums import CalendarKind
from .records import CalendarEntry


def academic_year_start(day: date) -> int:
    """The calendar year in which the academic year holding `day` began (1 September)."""
    return day.year if day.month >= 9 else day.year - 1


def academic_year_label(year: int) -> str:
    """2025 -> '2025/26'."""
    return f"{year}/{(year + 1) % 100:02d}"


def parse_academic_year(text: str) -> int:
    """'2025/26', '2025-26', '2025-2026' or '2025' -> 2025; ValueError otherwise."""
    cleaned = text.strip().replace("-", "/")
    head, _, tail = cleaned.partition("/")
    if not head.isdigit() or len(head) != 4:
        raise ValueError(f"'{text}' is not an academic year; write it as 2025/26")
    year = int(head)
    if tail and tail not in (f"{(year + 1) % 100:02d}", str(year + 1)):
        raise ValueError(f"'{text}' is not an academic year; write it as 2025/26")
    return year


def _weekdays(start: date, end: date) -> int:
    """Mondays to Fridays from start to end inclusive."""
    if end < start:
        return 0
    days = (end - start).days + 1
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    for offset in range(rest):
        if (start + timedelta(days=full_weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


@dataclass(frozen=True)
class AcademicYear:
    """One academic year's school days, worked out once from its entries."""

    year: int  # 2025 for 2025/26
    source: str  # where the dates came from: "England default", an LA's file name
    days: tuple[date, ...]  # every school day, in order
    terms: tuple[tuple[date, date], ...] = ()

    @property
    def label(self) -> str:
        return academic_year_label(self.year)


def year_from_entries(year: int, entries: Iterable[CalendarEntry]) -> AcademicYear:
    """School days are the weekdays inside a term that no holiday, INSET day,
    bank holiday or closure takes out."""
    entries = list(entries)
    terms = sorted((e.start, e.end) for e in entries if e.kind is CalendarKind.TERM)
    closed: set[date] = set()
    for e in entries:
        if e.kind is not CalendarKind.TERM:
            day = e.start
            while day <= e.end:
                closed.add(day)
                day += timedelta(days=1)
    days: set[date] = set()
    for start, end in terms:
        day = start
        while day <= end:
            if day.weekday() < 5 and day not in closed:
                days.add(day)
            day += timedelta(days=1)
    sources = sorted({e.source for e in entries if e.source})
    return AcademicYear(year=year, source=", ".join(sources), days=tuple(sorted(days)), terms=tuple(terms))


@dataclass(frozen=True)
class SchoolCalendar:
    """School days by academic year; weekdays for a year it holds no dates for."""

    years: dict[int, AcademicYear] = field(default_factory=dict)
    # Short ranges asked again and again (a week, for every pupil on the caseload).
    _spans: dict[tuple[date, date], tuple[date, ...]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_entries(cls, entries: Iterable[CalendarEntry]) -> SchoolCalendar:
        by_year: dict[int, list[CalendarEntry]] = {}
        for entry in entries:
            by_year.setdefault(entry.academic_year, []).append(entry)
        return cls({year: year_from_entries(year, items) for year, items in by_year.items()})

    def covers(self, day: date) -> bool:
        """Whether the term dates for `day`'s academic year are known (else: weekdays)."""
        return academic_year_start(day) in self.years

    def is_school_day(self, day: date) -> bool:
        if day.weekday() >= 5:
            return False
        year = self.years.get(academic_year_start(day))
        if year is None:
            return True
        i = bisect_left(year.days, day)
        return i < len(year.days) and year.days[i] == day

    def count(self, start: date, end: date) -> int:
        """School days from start to end inclusive."""
        total = 0
        while start <= end:
            year_end = date(academic_year_start(start) + 1, 8, 31)
            last = min(end, year_end)
            year = self.years.get(academic_year_start(start))
            if year is None:
                total += _weekdays(start, last)
            else:
                total += bisect_right(year.days, last) - bisect_left(year.days, start)
            start = last + timedelta(days=1)
        return total

    def days(self, start: date, end: date) -> Iterator[date]:
        """The school days from start to end inclusive, in order."""
        while start <= end:
            year_end = date(academic_year_start(start) + 1, 8, 31)
            last = min(end, year_end)
            year = self.years.get(academic_year_start(start))
            if year is None:
                day = start
                while day <= last:
                    if day.weekday() < 5:
                        yield day
                    day += timedelta(days=1)
            else:
                yield from year.days[bisect_left(year.days, start) : bisect_right(year.days, last)]
            start = last + timedelta(days=1)

    def week(self, start: date, end: date) -> tuple[date, ...]:
        """The school days from start to end (at most a week apart), remembered."""
        key = (start, end)
        found = self._spans.get(key)
        if found is None:
            if len(self._spans) > 4096:
                self._spans.clear()
            found = self._spans[key] = tuple(self.days(start, end))
        return found

    def nth_day(self, start: date, n: int) -> date:
        """The n-th school day counting `start` as day 1 if it is one (n >= 1)."""
        day, found = start, 0
        # A year holds about 190 school days, so five years is always enough.
        for _ in range(366 * 5):
            if self.is_school_day(day):
                found += 1
                if found == n:
                    return day
            day += timedelta(days=1)
        raise ValueError(f"no {n}th school day within five years of {start}")

    def after(self, day: date, n: int) -> date:
        """The n-th school day after `day` (not counting `day` itself)."""
        return self.nth_day(day + timedelta(days=1), n)


WEEKDAYS = SchoolCalendar()  # no term dates known: every weekday is a school day
