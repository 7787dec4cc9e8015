"""School calendars in and out: the England default shipped in
resources/calendar/, and an LA's own dates from CSV or iCalendar (as LAs
publish them), read into `CalendarEntry` records for the domain's
`SchoolCalendar`.

CSV: a header row with `start`, `end`, `kind` and `name` (end and name
optional); lines starting with # are comments; dates as 2026-09-01 or
01/09/2026; kind is term, holiday (half term too), inset, bank holiday or
closure, in any case. iCalendar: all-day events, sorted into kinds by their
titles ("Autumn term", "October half term", "INSET day", "Good Friday",
"Spring term starts" / "Spring term ends" ...); events it cannot place are
reported, never guessed.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from desktop.domain.calendar import SchoolCalendar, academic_year_label, academic_year_start, year_from_entries
from desktop.domain.dates import parse_date
from desktop.domain.enums import CalendarKind
from desktop.domain.records import CalendarEntry

from .errors import ValidationError

DEFAULT_SOURCE = "England default"

# A year's school days outside these bounds is worth a second look (190 is usual).
USUAL_DAYS = (150, 200)


def calendar_dir() -> Path:
    """resources/calendar in a checkout; WAYMARK_CALENDAR_DIR where a package puts it elsewhere."""
    override = os.environ.get("WAYMARK_CALENDAR_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "resources" / "calendar"


@cache
def default_entries() -> tuple[CalendarEntry, ...]:
    """The England default, one file per academic year (england/2025-26.csv)."""
    entries: list[CalendarEntry] = []
    for path in sorted((calendar_dir() / "england").glob("*.csv")):
        entries += parse_csv(path.read_text(encoding="utf-8"), DEFAULT_SOURCE).entries
    return tuple(entries)


def build_calendar(stored: list[CalendarEntry]) -> SchoolCalendar:
    """The default's years, each replaced whole by an imported year."""
    imported = {e.academic_year for e in stored}
    entries = [e for e in default_entries() if e.academic_year not in imported] + stored
    return SchoolCalendar.from_entries(entries)


@dataclass
class Parsed:
    entries: list[CalendarEntry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # what could not be placed, one line each

    @property
    def years(self) -> list[int]:
        return sorted({e.academic_year for e in self.entries})


# --- kinds -----------------------------------------------------------------------------

_KIND_WORDS = {
    "term": CalendarKind.TERM,
    "holiday": CalendarKind.HOLIDAY,
    "holidays": CalendarKind.HOLIDAY,
    "half term": CalendarKind.HOLIDAY,
    "half-term": CalendarKind.HOLIDAY,
    "inset": CalendarKind.INSET,
    "inset day": CalendarKind.INSET,
    "training day": CalendarKind.INSET,
    "bank holiday": CalendarKind.BANK_HOLIDAY,
    "bank_holiday": CalendarKind.BANK_HOLIDAY,
    "closure": CalendarKind.CLOSURE,
    "closed": CalendarKind.CLOSURE,
}

_BANK_HOLIDAYS = ("bank holiday", "good friday", "easter monday", "christmas day", "boxing day", "new year")
_INSET = ("inset", "training day", "staff development", "non-pupil", "pupil free", "teacher day", "pd day")
_HOLIDAY = ("half term", "half-term", "holiday", "break", "vacation")
_CLOSURE = ("closure", "closed")
_TERM_START = re.compile(r"\b(starts?|begins?|first day|opens?)\b")
_TERM_END = re.compile(r"\b(ends?|finish(es)?|last day|closes?)\b")


def kind_of_title(title: str) -> tuple[CalendarKind | None, str]:
    """An event title's kind, and for a one-day term marker whether it is a
    term's 'start' or 'end' ('' otherwise)."""
    t = " ".join(title.casefold().split())
    if any(w in t for w in _INSET):
        return CalendarKind.INSET, ""
    if any(w in t for w in _BANK_HOLIDAYS):
        return CalendarKind.BANK_HOLIDAY, ""
    if any(w in t for w in _HOLIDAY):
        return CalendarKind.HOLIDAY, ""
    if "term" in t:
        if _TERM_END.search(t):
            return CalendarKind.TERM, "end"
        if _TERM_START.search(t):
            return CalendarKind.TERM, "start"
        return CalendarKind.TERM, ""
    if any(w in t for w in _CLOSURE):
        return CalendarKind.CLOSURE, ""
    return None, ""


def _entry(kind: CalendarKind, start: date, end: date, name: str, source: str) -> CalendarEntry:
    return CalendarEntry(
        academic_year=academic_year_start(start), kind=kind, start=start, end=end, name=name.strip(), source=source
    )


# --- CSV ---------------------------------------------------------------------------------


def _parse_day(text: str) -> date:
    return parse_date(text)  # the forms' own reading of a date; its error is a ValueError with the words


def parse_csv(text: str, source: str) -> Parsed:
    lines = [line for line in text.lstrip("\ufeff").splitlines() if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(lines)
    headers = {(h or "").strip().casefold(): h for h in reader.fieldnames or []}
    if "start" not in headers or "kind" not in headers:
        raise ValidationError(f"{source}: the first row must name the columns start, end, kind and name.")
    parsed = Parsed()
    for number, row in enumerate(reader, start=2):

        def cell(name: str, row: dict = row) -> str:
            return (row.get(headers.get(name, ""), "") or "").strip()

        try:
            start = _parse_day(cell("start"))
            end = _parse_day(cell("end")) if cell("end") else start
        except ValueError as exc:
            raise ValidationError(f"{source}, row {number}: {exc}.") from None
        kind = _KIND_WORDS.get(cell("kind").casefold().replace("_", " ")) or _KIND_WORDS.get(cell("kind").casefold())
        if kind is None:
            raise ValidationError(
                f"{source}, row {number}: '{cell('kind')}' is not a kind; use term, holiday, inset, "
                "bank holiday or closure."
            )
        parsed.entries.append(_entry(kind, start, end, cell("name"), source))
    return parsed


# --- iCalendar ------------------------------------------------------------------------------


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def parse_ics(data: bytes, source: str) -> Parsed:
    from icalendar import Calendar  # loaded only when a file is imported

    try:
        calendar = Calendar.from_ical(data)
    except ValueError as exc:
        raise ValidationError(f"{source} is not an iCalendar file that can be read ({exc}).") from None
    parsed = Parsed()
    markers: list[tuple[date, str, str]] = []  # (day, start|end, title) for one-day term markers
    for event in calendar.walk("VEVENT"):
        title = str(event.get("SUMMARY", "")).strip()
        if "DTSTART" not in event:
            parsed.skipped.append(f"'{title}': no start date")
            continue
        begin = event.decoded("DTSTART")
        start = _as_date(begin)
        if "DTEND" in event:
            finish = event.decoded("DTEND")
            # An all-day event's end is the day after its last day (RFC 5545).
            end = _as_date(finish) - timedelta(days=1) if not isinstance(finish, datetime) else _as_date(finish)
            end = max(end, start)
        elif "DURATION" in event:
            end = max(start, _as_date(begin + event.decoded("DURATION")) - timedelta(days=1))
        else:
            end = start
        kind, marker = kind_of_title(title)
        if kind is None:
            parsed.skipped.append(f"'{title}' on {start:%d/%m/%Y}: not a term, holiday, INSET day or closure")
        elif kind is CalendarKind.TERM and (marker or start == end):
            markers.append((start, marker or "start", title))
        else:
            parsed.entries.append(_entry(kind, start, end, title, source))
    # "Autumn term starts" ... "Autumn term ends": pair each start with the next end.
    markers.sort()
    open_start: tuple[date, str] | None = None
    for day, marker, title in markers:
        if marker == "start":
            if open_start is not None:
                parsed.skipped.append(f"'{open_start[1]}' on {open_start[0]:%d/%m/%Y}: no matching end of term")
            open_start = (day, title)
        elif open_start is None:
            parsed.skipped.append(f"'{title}' on {day:%d/%m/%Y}: no matching start of term")
        else:
            name = re.sub(r"\s*\b(starts?|begins?|opens?)\b.*$", "", open_start[1], flags=re.IGNORECASE)
            parsed.entries.append(_entry(CalendarKind.TERM, open_start[0], day, name or "Term", source))
            open_start = None
    if open_start is not None:
        parsed.skipped.append(f"'{open_start[1]}' on {open_start[0]:%d/%m/%Y}: no matching end of term")
    return parsed


# --- checking an import ------------------------------------------------------------------------


def parse_calendar(data: bytes, source: str) -> Parsed:
    """CSV or iCalendar, told apart by the content rather than the name."""
    if data.lstrip()[:15].upper().startswith(b"BEGIN:VCALENDAR"):
        parsed = parse_ics(data, source)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")  # a spreadsheet saved as CSV on Windows
        parsed = parse_csv(text, source)
    check(parsed, source)
    return parsed


def check(parsed: Parsed, source: str) -> None:
    """Refuse what would give wrong school days; nothing is stored until this passes."""
    if not parsed.entries:
        raise ValidationError(f"{source} holds no term dates that Waymark can read.")
    for e in parsed.entries:
        if e.end < e.start:
            raise ValidationError(f"{source}: '{e.name or e.kind.label}' ends ({e.end:%d/%m/%Y}) before it starts.")
        if e.kind is CalendarKind.TERM and academic_year_start(e.end) != e.academic_year:
            raise ValidationError(
                f"{source}: '{e.name or 'a term'}' runs from {e.start:%d/%m/%Y} into the next academic year "
                f"({e.end:%d/%m/%Y}); give each term on its own line."
            )
    for year in parsed.years:
        if not any(e.kind is CalendarKind.TERM and e.academic_year == year for e in parsed.entries):
            raise ValidationError(
                f"{source}: no term dates for {academic_year_label(year)}, only holidays or closures; "
                "the file must give each term's first and last day."
            )


def warnings(parsed: Parsed) -> list[str]:
    """Lines worth showing after an import: unusual school-day counts, skipped events."""
    notes = []
    for year in parsed.years:
        days = len(year_from_entries(year, [e for e in parsed.entries if e.academic_year == year]).days)
        if not USUAL_DAYS[0] <= days <= USUAL_DAYS[1]:
            notes.append(f"{academic_year_label(year)} has {days} school days; a school year usually has 190.")
    notes += [f"Skipped {line}" for line in parsed.skipped]
    return notes


def to_csv(entries: list[CalendarEntry]) -> str:
    """Entries as the CSV this module reads, for export or review."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["start", "end", "kind", "name"])
    for e in sorted(entries, key=lambda e: (e.start, e.kind.value)):
        writer.writerow([e.start.isoformat(), e.end.isoformat(), e.kind.value, e.name])
    return out.getvalue()
