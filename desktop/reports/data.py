"""The plain data the report renderers draw.

The services build these values (desktop/services/reporting/); the
renderers only read them. Nothing here holds a store, a session or a
safeguarding concern: concerns are never loaded into report data at all.
Text is as the worker wrote it; dates are real dates, formatted when drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from desktop.domain.privacy import initials


@dataclass(frozen=True, kw_only=True)
class ServiceDetails:
    name: str
    address: str = ""
    phone: str = ""
    email: str = ""

    @property
    def contact_line(self) -> str:
        return " · ".join(part for part in (self.address, self.phone, self.email) if part)


@dataclass(frozen=True, kw_only=True)
class PupilDetails:
    name: str  # as the pupil is known
    forename: str  # as the pupil is known, for plain-language headings
    legal_name: str = ""
    dob: date
    nc_year: str  # "Year 4", "Reception"
    upn: str = ""
    base_school: str = ""
    base_school_dfe: str = ""  # 888/2145
    address: str = ""  # home or stopping place, postcode included
    address_suppressed: bool = False  # never print the address, nor where the pupil was seen
    medical_needs: str = ""
    sen: str = ""  # "SEN support", "EHC plan", or "" for none

    @property
    def initials(self) -> str:
        """For titles, which travel further than the page (file managers, print queues)."""
        return initials(self.name)


@dataclass(frozen=True, kw_only=True)
class Place:
    kind: str  # "Site", "Home", "Ward", ...
    name: str = ""  # the site's name; it locates the family
    detail: str = ""  # "Bay 3", "kitchen table"


@dataclass(frozen=True, kw_only=True)
class Note:
    text: str
    professional: bool  # professional-only: never on the parent / carer copy


@dataclass(frozen=True, kw_only=True)
class Level:
    """A level recorded for a subject: on the day of a visit, or at a period's edge."""

    subject: str
    level: str
    assessed_on: date
    target: str = ""
    learning_gap: str = ""


@dataclass(frozen=True, kw_only=True)
class VisitDetails:
    """A visit as one child's copies show it: what was shared, and only this
    child's own entry and notes (a sibling's work never reaches them)."""

    day: date
    start: time | None = None
    end: time | None = None
    hours: float = 0.0  # this child's: nothing when not seen
    place: Place
    worker: str = ""
    held: bool = True  # the visit happened and this child was taught
    outcome: str = ""  # why not: "Not at home", "Not seen: asleep"
    subjects: tuple[str, ...] = ()
    work_covered: str = ""
    work_set: str = ""
    work_returned: str = ""
    levels_and_needs: str = ""
    next_appointment: datetime | None = None
    notes: tuple[Note, ...] = ()  # the whole visit's and this child's own
    sessions: bool = False  # tuition (home, ward): "the next session" rather than "the next stop"


@dataclass(frozen=True, kw_only=True)
class VisitPupil:
    pupil: PupilDetails
    visit: VisitDetails  # the visit with this child's entry
    levels: tuple[Level, ...] = ()  # levels recorded on the day of the visit


@dataclass(frozen=True, kw_only=True)
class VisitReport:
    """One visit; siblings seen together give one report each, in one PDF."""

    service: ServiceDetails
    day: date
    pupils: tuple[VisitPupil, ...]
    printed_on: date


# --- travel-period progress record -----------------------------------------------


@dataclass(frozen=True, kw_only=True)
class FolderWork:
    title: str
    subject: str
    status: str  # "Returned", "Marked"
    comment: str = ""
    issued_on: date
    returned_on: date | None = None


@dataclass(frozen=True, kw_only=True)
class SubjectProgress:
    subject: str
    at_start: Level | None
    at_end: Level | None
    target: str = ""
    learning_gap: str = ""
    learning_gap_on: date | None = None  # when the gap was noted: it may be from before the period


@dataclass(frozen=True, kw_only=True)
class ProgressRecord:
    service: ServiceDetails
    pupil: PupilDetails
    start: date
    end: date
    visits: tuple[VisitDetails, ...]  # oldest first
    subjects: tuple[SubjectProgress, ...]
    folder_work: tuple[FolderWork, ...]  # items returned or marked
    folders_issued: int = 0
    folders_returned: int = 0
    printed_on: date

    @property
    def held(self) -> list[VisitDetails]:
        return [v for v in self.visits if v.held]

    @property
    def hours(self) -> float:
        return sum(v.hours for v in self.visits)


# --- hours statement ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Provision:
    kind: str
    provider: str = ""
    start: date
    end: date | None = None
    planned_hours: float = 0.0
    medical_max_hours: float | None = None
    review_date: date | None = None


@dataclass(frozen=True, kw_only=True)
class WeekRow:
    week_start: date
    planned: float
    delivered: float
    target: float
    below_target: bool
    partial: bool = False  # the week is not over: hours so far, shown but not counted or judged
    school_days: int = 5  # school days of the week inside the period; 0 in a holiday
    first_day: date | None = None  # the period's first day, when it starts mid-week

    @property
    def holiday(self) -> bool:
        return self.school_days == 0


@dataclass(frozen=True, kw_only=True)
class HoursStatement:
    service: ServiceDetails
    pupil: PupilDetails
    start: date
    end: date
    provision: tuple[Provision, ...]
    weeks: tuple[WeekRow, ...]
    full_time_hours: float
    minimum_hours: float
    medical_max_hours: float | None
    printed_on: date
    full_time_for_age: float | None = None  # 21-25 h by NC year; None before Reception
    planned_now: float | None = None  # planned hours of the tuition in force at the period's end
    warnings: tuple[str, ...] = ()  # below full time with no medical reason; above the medical maximum

    @property
    def counted(self) -> tuple[WeekRow, ...]:
        """The weeks that are over: the figures and the judgement use only these."""
        return tuple(w for w in self.weeks if not w.partial)

    @property
    def weeks_below(self) -> int:
        return sum(w.below_target for w in self.counted)

    @property
    def has_target(self) -> bool:
        return any(w.target for w in self.weeks)


# --- LA caseload summary --------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SummaryRow:
    """One pupil, in the columns of Ofsted's tracking sheet."""

    name: str
    upn: str
    ethnicity: str
    sex: str
    dob: date
    nc_year: str
    send: str
    locality: str  # where the pupil is now; "Withheld" when the address is suppressed
    school: str
    responsible: str
    provision: str  # types and providers of the open provision
    provision_start: date | None
    planned_hours: float
    hours_last_week: float
    review_date: date | None
    review_overdue: bool
    reasons: str
    action: str  # the next open action, with its owner and due date
    cohort: str
    review_kind: str = ""  # what the review date is for: "Plan", "Home tuition", ...
    hours_below_target: bool = False  # last complete week below the tuition's target
    action_overdue: bool = False
    banded: bool = True  # tuition in force: counted in the hours bands


@dataclass(frozen=True, kw_only=True)
class OverdueItem:
    pupil: str
    what: str
    due: date | None


@dataclass(frozen=True, kw_only=True)
class CaseloadSummary:
    service: ServiceDetails
    on: date
    hours_week_start: date  # the complete week the hours bands count
    rows: tuple[SummaryRow, ...]
    by_cohort: tuple[tuple[str, int], ...]
    by_provision: tuple[tuple[str, int], ...]
    by_hours_band: tuple[tuple[str, int], ...]
    reviews_overdue: tuple[OverdueItem, ...]
    folders_out: int
    folders_overdue: tuple[OverdueItem, ...] = field(default_factory=tuple)
    not_banded: int = 0  # pupils with no tuition in force (on roll, TES support): not in the hours bands
