"""`ServerSource`: what the LA caseload summary reads (the desktop's
`SummarySource`), from the server's own database at the time of the request.

It reads only the kinds of record the summary's rules read (pupils, schools,
sites, stays, provision, folders, plans, actions, absences, exclusions, planned
travel, term dates), never a concern or a note; visits are summed and picked in
SQL (records.py). The records are judged by the desktop's own code
(desktop/services/caseload_sets.py, then reporting/summary.py), so the counts
are the printed summary's. Nothing is written anywhere; the objects live as
long as the request.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cached_property
from typing import TypeVar

from sqlalchemy import Connection

from desktop.domain.calendar import SchoolCalendar
from desktop.domain.collation import pupil_key
from desktop.domain.privacy import Households
from desktop.domain.records import CalendarEntry, Folder, Pupil, School, Site, Stay
from desktop.services import PupilOverview, Settings
from desktop.services import caseload_sets as sets
from desktop.services.calendars import build_calendar

from . import records

SETTINGS = Settings(service_name="Local authority overview")
T = TypeVar("T")


class ServerSource:
    """The summary's reads over one open connection (a read transaction: every
    query sees the same moment). Satisfies desktop.services.reporting.SummarySource."""

    def __init__(self, conn: Connection, today: date, settings: Settings = SETTINGS) -> None:
        self.conn = conn
        self.day = today
        self._settings = settings
        self.left_out: dict[tuple[str, str], str] = {}  # (table, id) -> why: records that could not be read
        self._read: dict[type, list] = {}

    def _live(self, cls: type[T]) -> list[T]:
        """Each kind's records, read once per request (folders are asked for twice)."""
        if cls not in self._read:
            self._read[cls] = records.live(self.conn, cls, self.left_out)
        return self._read[cls]

    def today(self) -> date:
        return self.day

    def settings(self) -> Settings:
        return self._settings

    @cached_property
    def _all_pupils(self) -> list[Pupil]:
        return self._live(Pupil)

    def list_pupils(self) -> list[Pupil]:
        """The caseload: live pupils not archived, by surname as the laptop lists them."""
        return sorted((p for p in self._all_pupils if not p.archived), key=pupil_key)

    def address_households(self) -> Households:
        return Households.of(p for p in self._all_pupils if p.suppress_address)

    @cached_property
    def _calendar(self) -> SchoolCalendar:
        return build_calendar(self._live(CalendarEntry))

    def school_calendar(self) -> SchoolCalendar:
        return self._calendar

    def list_folders(self, pupil_id: str | None = None, overdue_only: bool = False) -> list[Folder]:
        return sets.list_folders(self._live(Folder), self.day, pupil_id, overdue_only)

    def overview(self, hours_week: date | None = None) -> list[PupilOverview]:
        """What the summary reads of each pupil, as `Waymark.overview` gives it on a laptop
        holding the same records: hours received in the week from Monday `hours_week`."""
        today, pupils = self.day, self.list_pupils()
        wanted = {p.id for p in pupils}
        inputs = {kind: sets.by_pupil(self._live(k.record), k, wanted) for kind, k in sets.KINDS.items()}
        sites, stays = self._live(Site), self._live(Stay)
        inputs["hospital_stays"] = sets.hospital_stays(stays, sites, today, wanted)
        monday = sets.last_week(today)
        last_week = records.hours_delivered(self.conn, monday, monday + timedelta(days=6))
        last_visits, latest_workers = records.latest_visits(self.conn)
        attention = sets.judge(
            pupils,
            inputs,
            last_week,
            today=today,
            thresholds=self._settings.thresholds,
            calendar=self.school_calendar(),
        )
        rows = sets.caseload_rows(
            pupils,
            inputs["episodes"],
            attention,
            today=today,
            schools={s.id: s for s in self._live(School)},
            sites={s.id: s for s in sites},
            stays=sets.current_stays(stays),
            last_visits=last_visits,
        )
        week = hours_week or monday
        if week == monday:
            hours = last_week
        else:  # a holiday last week: the summary counts an earlier week
            hours = records.hours_delivered(self.conn, week, min(week + timedelta(days=6), today))
        return sets.overviews(pupils, rows, inputs, attention, latest_workers=latest_workers, hours=hours)
