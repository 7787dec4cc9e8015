"""What the reports read from the services: `ReportSource` (a Protocol `Waymark`
satisfies, so nothing here imports `Waymark` back), the narrower `SummarySource`
the LA caseload summary reads, and the progress callback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Protocol

from desktop.domain.calendar import SchoolCalendar
from desktop.domain.privacy import Households
from desktop.domain.records import Folder, ProgressEntry, Pupil, School, Site, Visit
from desktop.store import Store

from ..results import CaseloadRow, PupilOverview, PupilRecord, Settings


class SummarySource(Protocol):
    """What the LA caseload summary reads (summary.py): `Waymark` is one, and so is
    the LA server's overview over its own database (sync/server/overview), so the
    printed summary and the LA overview count by the same code. Never concerns."""

    today: Callable[[], date]

    def settings(self) -> Settings: ...
    def overview(self, hours_week: date | None = None) -> list[PupilOverview]: ...
    def list_folders(self, pupil_id: str | None = None, overdue_only: bool = False) -> list[Folder]: ...
    def address_households(self) -> Households: ...
    def school_calendar(self) -> SchoolCalendar: ...


class ReportSource(SummarySource, Protocol):
    """What the reports read from the services (`Waymark` is one). Never concerns."""

    store: Store  # to write what was printed to the audit trail

    @property
    def actor(self) -> str: ...
    def caseload(self) -> list[CaseloadRow]: ...
    def list_pupils(self, include_archived: bool = False) -> list[Pupil]: ...
    def pupil_record(self, pupil_id: str) -> PupilRecord: ...
    def get_pupil(self, pupil_id: str) -> Pupil: ...
    def get_school(self, school_id: str) -> School: ...
    def get_visit(self, visit_id: str) -> Visit: ...
    def list_sites(self) -> list[Site]: ...
    def list_visits(
        self, pupil_id: str | None = None, start: date | None = None, end: date | None = None
    ) -> list[Visit]: ...
    def list_progress(self, pupil_id: str) -> list[ProgressEntry]: ...


Progress = Callable[[int, int], None]
