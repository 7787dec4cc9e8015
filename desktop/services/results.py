"""The values the services hand back: what a mutation touched, the settings, a caseload
row, a pupil's whole record, the sync status.

Kept apart from `api/` so that modules `Waymark` calls (reporting) can name
these types without importing `Waymark` back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from desktop.domain import rules
from desktop.domain.enums import Cohort
from desktop.domain.records import (
    Absence,
    Action,
    Appointment,
    Consent,
    Contact,
    Exclusion,
    Folder,
    Plan,
    PlannedTravel,
    ProgressEntry,
    ProvisionEpisode,
    Pupil,
    Review,
    School,
    Site,
    Stay,
    Visit,
)


@dataclass(frozen=True)
class Changes:
    """What a mutation touched: the tables (for views) and the ids, main record first."""

    entities: frozenset[str]
    ids: tuple[str, ...]
    fields: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.ids[0]

    def to_json(self) -> dict:
        return {"id": self.id, "ids": list(self.ids), "entities": sorted(self.entities), "fields": list(self.fields)}


@dataclass(frozen=True, kw_only=True)
class Settings:
    service_name: str = "Traveller Education Service"
    service_kind: str = "tes"  # tes, hospital, home
    service_address: str = ""
    service_phone: str = ""
    service_email: str = ""
    worker_name: str = ""
    auto_lock_minutes: int = 10
    thresholds: rules.Thresholds = rules.DEFAULT_THRESHOLDS
    # Retention (services/erasure.py): archive this long after leaving the caseload;
    # destroy this long after the date of birth (the IRMS toolkit's DOB + 25 years).
    retention_archive_years: int = 1
    retention_destroy_years: int = 25
    keyring_unlock: bool = False  # keep the unlocked key in the OS secret store (services/keyring_unlock.py)


@dataclass(frozen=True)
class CaseloadRow:
    """One line of the caseload list: enough to sort, filter and search."""

    pupil_id: str
    name: str
    legal_name: str
    upn: str
    dob: date
    nc_year: int
    cohort: Cohort
    base_school_id: str | None
    base_school: str
    site_id: str | None
    site: str
    last_visit: date | None
    attention: tuple[str, ...]  # attention kinds
    sort_key: tuple = ()  # by surname, with Unicode collation (domain/collation.py)

    @property
    def search_text(self) -> str:
        return f"{self.name} {self.legal_name} {self.upn} {self.base_school}".casefold()


@dataclass
class PupilRecord:
    """Everything on a pupil's record but the restricted concerns."""

    pupil: Pupil
    school: School | None
    nc_year: int
    cohort: Cohort
    contacts: list[Contact]
    stays: list[tuple[Stay, Site]]
    episodes: list[ProvisionEpisode]
    visits: list[Visit]
    folders: list[Folder]
    progress: list[ProgressEntry]
    plans: list[Plan]
    actions: list[Action]
    consents: list[Consent]
    absences: list[Absence]
    appointments: list[Appointment]
    attention: list[rules.Attention]
    weeks: list[rules.WeekHours] = field(default_factory=list)
    concern_count: int = 0
    reviews: list[Review] = field(default_factory=list)  # of the plans above, newest first
    address_withheld: bool = False  # not suppressed here, but another pupil at this address has it suppressed
    exclusions: list[Exclusion] = field(default_factory=list)
    travel: list[PlannedTravel] = field(default_factory=list)  # planned travel, earliest first
    nc_year_by_age: int = 0  # the chronological year, shown beside a year set by hand


@dataclass
class PupilOverview:
    """What the LA caseload summary reads of one pupil (`Waymark.overview` reads
    every pupil's at once): the caseload row, the pupil, their provision (by start),
    plans (by start) and actions (by due), what needs attention, who saw them
    last and the hours delivered in the last complete week."""

    row: CaseloadRow
    pupil: Pupil
    episodes: list[ProvisionEpisode]
    plans: list[Plan]
    actions: list[Action]
    attention: list[rules.Attention]
    latest_worker: str  # of the newest visit; "" when none (or none recorded)
    hours_last_week: float  # rounded to 2 places


@dataclass(frozen=True)
class SyncStatus:
    unsent: int
    last_sync: str | None
    last_error: str | None
    server: str = ""  # the LA server this profile syncs with; none until sync is set up
    role: str = ""  # the user's role on that server: a school may not change some records
    not_sent: int = 0  # changes the server refused, kept aside (File → Changes not sent…)


@dataclass(frozen=True)
class CalendarYear:
    """One academic year of the calendar in use, for a list."""

    year: int
    label: str  # 2025/26
    source: str  # "England default", or the file an LA's dates came from
    imported: bool
    school_days: int
    terms: tuple[tuple[date, date], ...]


@dataclass(frozen=True)
class CalendarImport:
    changes: Changes
    years: tuple[CalendarYear, ...]
    notes: tuple[str, ...]  # unusual day counts, events skipped
