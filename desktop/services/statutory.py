"""The statutory records and the school calendar, as part of the `Waymark`
facade: exclusions, a Traveller family's planned travel, and the LA's term
dates that every rule counting school days reads."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.domain import rules
from desktop.domain.calendar import SchoolCalendar, academic_year_label
from desktop.domain.enums import ExclusionKind
from desktop.domain.records import CalendarEntry, Exclusion, PlannedTravel, School

from . import calendars
from .errors import NotFound, ValidationError
from .results import CalendarImport, CalendarYear, Changes, Settings

if TYPE_CHECKING:
    from desktop.store import Store


class StatutoryRecords:
    """Mixed into `Waymark`; uses its store, clock and helpers."""

    store: Store
    settings: Callable[[], Settings]
    update_settings: Callable[..., Settings]
    _calendar: SchoolCalendar | None = None

    # --- the school calendar ---------------------------------------------------------

    def school_calendar(self) -> SchoolCalendar:
        """The England default, with each year an LA's dates were imported for replaced."""
        if self._calendar is None:
            self._calendar = calendars.build_calendar(self.store.find(CalendarEntry))
        return self._calendar

    def calendar_years(self) -> list[CalendarYear]:
        cal = self.school_calendar()
        imported = {e.academic_year for e in self.store.find(CalendarEntry)}
        return [
            CalendarYear(
                year=y.year,
                label=y.label,
                source=y.source,
                imported=y.year in imported,
                school_days=len(y.days),
                terms=y.terms,
            )
            for y in sorted(cal.years.values(), key=lambda y: y.year)
        ]

    def calendar_entries(self, year: int) -> list[CalendarEntry]:
        """The dated lines behind one academic year: imported, else the default's."""
        stored = self.store.find(CalendarEntry, academic_year=year, order_by=["start"])
        return stored or [e for e in calendars.default_entries() if e.academic_year == year]

    def import_calendar(self, data: bytes, source: str) -> CalendarImport:
        """An LA's term dates (CSV or iCalendar) replace the calendar of each academic
        year they cover, in one transaction; nothing changes if the file is refused."""
        source = Path(source).name or "imported file"
        parsed = calendars.parse_calendar(data, source)
        with self.store.transaction(self.actor) as tx:
            for old in self.store.find(CalendarEntry, conn=tx.conn, academic_year=parsed.years):
                tx.delete(CalendarEntry, old.id, summary=f"replaced by {source}")
            for entry in parsed.entries:
                tx.insert(entry, summary=f"{academic_year_label(entry.academic_year)}: {entry.name}")
        self._calendar = None
        years = tuple(y for y in self.calendar_years() if y.year in parsed.years)
        changes = Changes(frozenset({"calendar_entry"}), tuple(e.id for e in parsed.entries))
        return CalendarImport(changes, years, tuple(calendars.warnings(parsed)))

    def import_calendar_file(self, path: Path) -> CalendarImport:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ValidationError(f"Cannot read {path}: {exc.strerror or exc}.") from None
        return self.import_calendar(data, Path(path).name)

    def reset_calendar_year(self, year: int) -> Changes:
        """Go back to the England default for one academic year."""
        stored = self.store.find(CalendarEntry, academic_year=year)
        if not stored:
            raise NotFound(f"No imported term dates for {academic_year_label(year)}; it already uses the default.")
        with self.store.transaction(self.actor) as tx:
            for entry in stored:
                tx.delete(CalendarEntry, entry.id, summary="back to the default")
        self._calendar = None
        return Changes(frozenset({"calendar_entry"}), tuple(e.id for e in stored))

    # --- thresholds --------------------------------------------------------------------

    def update_thresholds(self, **values: object) -> Settings:
        """Change the rules' thresholds (docs/rules.md says which rule reads each); a
        value is checked against the default's type and must be above zero."""
        current = dataclasses.asdict(self.settings().thresholds)
        for name, value in values.items():
            if name not in current:
                known = ", ".join(sorted(current))
                raise ValidationError(f"There is no threshold '{name}'; the thresholds are: {known}.")
            default = current[name]
            try:
                if isinstance(default, tuple):
                    parts = [float(v) for v in (value.split(",") if isinstance(value, str) else value)]
                    if len(parts) != len(default):
                        raise ValueError
                    value = tuple(parts)
                else:
                    value = type(default)(value)
            except (TypeError, ValueError):
                shape = "four numbers, e.g. 21,23.5,24,25" if isinstance(default, tuple) else type(default).__name__
                raise ValidationError(f"'{value}' is not a value for {name}: give {shape}.") from None
            if any(v <= 0 for v in (value if isinstance(value, tuple) else (value,))):
                raise ValidationError(f"{name} must be above zero.")
            current[name] = value
        return self.update_settings(thresholds=rules.Thresholds(**current))

    # --- exclusions -------------------------------------------------------------------

    def add_exclusion(self, exclusion: Exclusion, *, school_days: int | None = None) -> Changes:
        """A permanent or fixed-period exclusion; a fixed period is given by its last day
        or by its length in school days (counted on the school calendar)."""
        pupil = self.get_pupil(exclusion.pupil_id)
        if school_days is not None:
            if exclusion.kind is ExclusionKind.PERMANENT:
                raise ValidationError("A permanent exclusion has no length; give a length only for a fixed period.")
            if not 1 <= school_days <= 45:
                raise ValidationError("A fixed-period exclusion lasts from 1 to 45 school days.")
            exclusion.end = self.school_calendar().nth_day(exclusion.start, school_days)
        if exclusion.kind is ExclusionKind.FIXED_PERIOD and exclusion.end is None:
            raise ValidationError("A fixed-period exclusion needs its last day or its length in school days.")
        if exclusion.end is not None and exclusion.end < exclusion.start:
            raise ValidationError("An exclusion cannot end before it starts.")
        if exclusion.start > self.today() + timedelta(days=60):
            raise ValidationError("An exclusion more than 60 days ahead is not likely; check the date.")
        if exclusion.school_id:
            if self.store.get(School, exclusion.school_id) is None:
                raise NotFound(f"No school with id '{exclusion.school_id}'.")
        else:
            exclusion.school_id = pupil.base_school_id
        exclusion.reason = exclusion.reason.strip()
        return self._insert(exclusion, exclusion.kind.label)

    def end_exclusion(self, exclusion_id: str, on: date) -> Changes:
        """A permanently excluded pupil starts at a new school (the clock stops)."""
        exclusion = self._get(Exclusion, exclusion_id, "exclusion")
        opened = copy.deepcopy(exclusion)
        if on < exclusion.start:
            raise ValidationError("An exclusion cannot end before it starts.")
        exclusion.end = on
        return self._update(exclusion, opened=opened)

    def list_exclusions(self, pupil_id: str | None = None) -> list[Exclusion]:
        if pupil_id:
            self.get_pupil(pupil_id)
            return self.store.find(Exclusion, pupil_id=pupil_id, order_by=["start"])
        return self.store.find(Exclusion, order_by=["start"])

    def exclusion_days(self, exclusion: Exclusion) -> int | None:
        """School days a fixed-period exclusion lasts, on the school calendar."""
        return rules.exclusion_school_days(exclusion, self.school_calendar())

    # --- planned travel ------------------------------------------------------------------

    def add_travel(self, travel: PlannedTravel) -> Changes:
        """A Traveller family's planned travel: the dates the base school needs."""
        pupil = self.get_pupil(travel.pupil_id)
        if travel.returns is not None and travel.returns < travel.leaves:
            raise ValidationError("The family cannot be back before they leave.")
        if travel.agreed_with_school_on is not None and travel.agreed_with_school_on > self.today():
            raise ValidationError("The dates cannot be agreed with the school on a day still to come.")
        if not rules.is_traveller(pupil):
            raise ValidationError(
                f"{pupil.display_name} is not recorded as from a Traveller family; set their Traveller group first."
            )
        travel.destination = travel.destination.strip()
        return self._insert(travel, f"from {travel.leaves:%d/%m/%Y}")

    def agree_travel(self, travel_id: str, on: date | None = None) -> Changes:
        """The base school has agreed the dates (so the pupil stays on roll, code T)."""
        travel = self._get(PlannedTravel, travel_id, "planned travel")
        opened = copy.deepcopy(travel)
        travel.agreed_with_school_on = on or self.today()
        if travel.agreed_with_school_on > self.today():
            raise ValidationError("The dates cannot be agreed with the school on a day still to come.")
        return self._update(travel, opened=opened)

    def list_travel(self, pupil_id: str) -> list[PlannedTravel]:
        self.get_pupil(pupil_id)
        return self.store.find(PlannedTravel, pupil_id=pupil_id, order_by=["leaves"])
