"""The records Waymark holds, as plain dataclasses.

Every record has a string `id` (a UUIDv7 made on the device) so records made
offline on several devices never collide. Field names match the store's
columns one for one, which keeps the mapping in store/ generic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from .enums import (
    CalendarKind,
    ContactRelationship,
    ExclusionKind,
    ItemStatus,
    NotSeenReason,
    Outcome,
    PlaceType,
    ProvisionType,
    SenStatus,
    Sex,
    SiteType,
    TravellerGroup,
    Visibility,
)


@dataclass(kw_only=True)
class School:
    id: str = ""
    urn: str
    la_code: str
    estab: str
    name: str
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""

    @property
    def dfe_number(self) -> str:
        """LA code and establishment number, as written on forms: 888/3001."""
        return f"{self.la_code}/{self.estab}"


@dataclass(kw_only=True)
class Pupil:
    id: str = ""
    forename: str
    surname: str
    preferred_forename: str = ""
    preferred_surname: str = ""
    dob: date
    sex: Sex = Sex.UNKNOWN
    upn: str = ""
    ethnicity: str = ""  # DfE code, e.g. WROM, WIRT
    # Years ahead (+) or behind (-) the chronological NC year: a pupil placed a
    # year behind stays a year behind as they move up, not in one year for ever.
    nc_year_offset: int | None = None
    sen: SenStatus = SenStatus.NONE
    looked_after: bool = False
    social_worker: str = ""
    first_language: str = "English"
    eal: bool = False
    medical_needs: str = ""
    traveller_group: TravellerGroup = TravellerGroup.NONE
    base_school_id: str | None = None
    address: str = ""
    postcode: str = ""
    suppress_address: bool = False  # never print this address on any copy
    archived: bool = False

    @property
    def display_name(self) -> str:
        forename = self.preferred_forename or self.forename
        surname = self.preferred_surname or self.surname
        return f"{forename} {surname}"

    @property
    def legal_name(self) -> str:
        return f"{self.forename} {self.surname}"


@dataclass(kw_only=True)
class Contact:
    id: str = ""
    pupil_id: str
    name: str
    relationship: ContactRelationship = ContactRelationship.CARER
    phone: str = ""
    needs_reading_help: bool = False
    notes: str = ""


@dataclass(kw_only=True)
class Site:
    id: str = ""
    name: str
    site_type: SiteType
    address: str = ""
    postcode: str = ""
    notes: str = ""


@dataclass(kw_only=True)
class Stay:
    """A family's stay at a site: arrival, proposed length, departure."""

    id: str = ""
    pupil_id: str
    site_id: str
    arrived: date
    proposed_weeks: int | None = None
    departed: date | None = None
    travel_pattern: str = ""


@dataclass(kw_only=True)
class ProvisionEpisode:
    id: str = ""
    pupil_id: str
    provision_type: ProvisionType
    provider: str = ""
    start: date
    end: date | None = None
    planned_hours_per_week: float = 0.0
    medical_max_hours_per_week: float | None = None  # medically advised maximum
    review_date: date | None = None
    part_time_consent: bool = False  # parent's consent to a part-time timetable
    reason: str = ""

    def is_open_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(kw_only=True)
class VisitNote:
    """A note on a visit: about the whole visit (the family), or about one child."""

    id: str = ""
    visit_id: str = ""
    text: str
    visibility: Visibility = Visibility.PROFESSIONAL
    pupil_id: str | None = None  # None: about the whole visit; else only on this child's copies


WORK_FIELDS = ("subjects", "work_covered", "work_returned", "levels_and_needs", "work_set")


@dataclass(kw_only=True)
class VisitEntry:
    """One child's part of a visit: seen or not (and why), and their own work.

    Siblings seen together are at their own stages and often have their own
    base schools, so nothing here is shared with another child's entry.
    """

    id: str = ""
    visit_id: str = ""
    pupil_id: str
    seen: bool = True
    not_seen_reason: NotSeenReason | None = None
    subjects: list[str] = field(default_factory=list)
    work_covered: str = ""
    work_returned: str = ""  # work returned and marked
    levels_and_needs: str = ""  # levels reached and needs identified
    work_set: str = ""

    @property
    def not_seen_text(self) -> str:
        """'Not seen: unwell', or '' for a child who was seen."""
        if self.seen:
            return ""
        return f"Not seen: {self.not_seen_reason.label.lower()}" if self.not_seen_reason else "Not seen"


def contact_minutes(start: time | None, end: time | None) -> int:
    """Whole minutes from `start` to `end` (seconds ignored); none without both, or when
    the end is not after the start. The LA server sums its visits by this too."""
    if start is None or end is None:
        return 0
    return max((end.hour * 60 + end.minute) - (start.hour * 60 + start.minute), 0)


@dataclass(kw_only=True)
class Visit:
    """One teaching visit or session. What is shared (when, where, who, what
    next, notes about the whole visit) lives here; each child seen has their
    own entry, in the order first given."""

    id: str = ""
    date: date
    start: time | None = None
    end: time | None = None
    place_type: PlaceType = PlaceType.SITE
    site_id: str | None = None
    place_detail: str = ""
    worker: str = ""
    outcome: Outcome = Outcome.HELD  # did the visit happen at all
    next_appointment: datetime | None = None
    entries: list[VisitEntry] = field(default_factory=list)
    notes: list[VisitNote] = field(default_factory=list)

    @classmethod
    def same_for_all(
        cls,
        *,
        pupil_ids: list[str],
        subjects: list[str] | tuple[str, ...] = (),
        work_covered: str = "",
        work_returned: str = "",
        levels_and_needs: str = "",
        work_set: str = "",
        **shared: object,
    ) -> Visit:
        """A visit where every child did the same work: the common case, and the
        shape visits had before each child had an entry."""
        entries = [
            VisitEntry(
                pupil_id=pupil_id,
                subjects=list(subjects),
                work_covered=work_covered,
                work_returned=work_returned,
                levels_and_needs=levels_and_needs,
                work_set=work_set,
            )
            for pupil_id in pupil_ids
        ]
        return cls(entries=entries, **shared)

    @property
    def order(self) -> tuple[date, time, str]:
        """Sorts visits by day, then time; an untimed visit comes first in its day."""
        return (self.date, self.start or time.min, self.id)

    @property
    def pupil_ids(self) -> list[str]:
        """The children on the visit, seen or not."""
        return [e.pupil_id for e in self.entries]

    def entry_for(self, pupil_id: str) -> VisitEntry | None:
        return next((e for e in self.entries if e.pupil_id == pupil_id), None)

    @property
    def hours(self) -> float:
        """Contact time in hours; nothing when the visit did not happen."""
        if self.outcome is not Outcome.HELD:
            return 0.0
        return contact_minutes(self.start, self.end) / 60

    def hours_for(self, pupil_id: str) -> float:
        """One child's hours: the contact time if they were seen, else nothing."""
        entry = self.entry_for(pupil_id)
        return self.hours if entry is not None and entry.seen else 0.0

    def held_for(self, pupil_id: str) -> bool:
        """The visit happened and this child was taught."""
        entry = self.entry_for(pupil_id)
        return self.outcome is Outcome.HELD and entry is not None and entry.seen

    def status_for(self, pupil_id: str) -> str:
        """'' when the child was taught; else why not ('Not at home', 'Not seen: asleep')."""
        if self.outcome is not Outcome.HELD:
            return self.outcome.label
        entry = self.entry_for(pupil_id)
        return entry.not_seen_text if entry is not None else ""

    def notes_for(self, visibility: Visibility) -> list[VisitNote]:
        return [n for n in self.notes if n.visibility is visibility]

    def notes_about(self, pupil_id: str) -> list[VisitNote]:
        """The notes one child's copies may carry: the whole visit's and their own."""
        return [n for n in self.notes if n.pupil_id is None or n.pupil_id == pupil_id]


@dataclass(kw_only=True)
class Concern:
    """A safeguarding concern: restricted, never printed on any report."""

    id: str = ""
    pupil_id: str
    raised_on: date
    raised_by: str = ""
    text: str
    escalated_to: str = ""
    closed: bool = False


@dataclass(kw_only=True)
class WorkPack:
    id: str = ""
    title: str
    subject: str
    key_stage: str = ""
    nc_years: str = ""  # e.g. "3-4"
    topic: str = ""
    items: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class FolderItem:
    id: str = ""
    folder_id: str = ""
    pack_id: str | None = None
    title: str
    subject: str = ""
    status: ItemStatus = ItemStatus.NOT_STARTED
    comment: str = ""


@dataclass(kw_only=True)
class Folder:
    """A distance-learning folder issued by the base school before travel."""

    id: str = ""
    pupil_id: str
    issued_on: date
    expected_back: date | None = None
    returned_on: date | None = None
    issued_by: str = ""
    items: list[FolderItem] = field(default_factory=list)


@dataclass(kw_only=True)
class ProgressEntry:
    id: str = ""
    pupil_id: str
    subject: str
    level: str  # a level or a descriptor, as the assessor wrote it
    assessed_on: date
    assessed_by: str = ""
    evidence: str = ""
    target: str = ""
    learning_gap: str = ""


@dataclass(kw_only=True)
class Plan:
    id: str = ""
    pupil_id: str
    title: str
    success_criteria: str = ""
    start: date
    review_every_weeks: int = 6  # half-termly by default
    next_review: date | None = None
    closed: bool = False


@dataclass(kw_only=True)
class Review:
    id: str = ""
    plan_id: str
    held_on: date
    summary: str = ""
    outcome: str = ""


@dataclass(kw_only=True)
class Action:
    id: str = ""
    pupil_id: str
    due: date
    owner: str
    next_step: str
    done: bool = False


@dataclass(kw_only=True)
class Consent:
    id: str = ""
    pupil_id: str
    purpose: str
    given_by: str
    given_on: date
    withdrawn_on: date | None = None


@dataclass(kw_only=True)
class Appointment:
    id: str = ""
    pupil_ids: list[str] = field(default_factory=list)
    site_id: str | None = None
    starts_at: datetime
    minutes: int = 60
    worker: str = ""
    notes: str = ""
    cancelled: bool = False


@dataclass(kw_only=True)
class AuditEvent:
    id: str = ""
    at: datetime
    actor: str
    action: str  # create, update, view-restricted, …
    entity: str
    entity_id: str
    summary: str = ""


@dataclass(kw_only=True)
class Absence:
    """Time off school for health; feeds the 15-school-day trigger."""

    id: str = ""
    pupil_id: str
    start: date
    end: date | None = None
    expected_end: date | None = None
    reason: str = ""


@dataclass(kw_only=True)
class Draft:
    """A form as the user left it: `kind` names the form, `key` its subject (a
    pupil's id, or "" for a form about something new); `title` says what it is
    in words ("visit for Lily Smith"); `context` holds what reopening the form
    needs; `fields` the values typed, by field name. Kept on this device only."""

    kind: str
    key: str = ""
    title: str = ""
    context: dict = field(default_factory=dict)
    fields: dict = field(default_factory=dict)
    saved_at: datetime | None = None


@dataclass(kw_only=True)
class Exclusion:
    """A permanent or fixed-period exclusion (suspension) from a school."""

    id: str = ""
    pupil_id: str
    kind: ExclusionKind
    start: date  # the first day the pupil is excluded
    end: date | None = None  # the last day of a fixed period; none for a permanent exclusion
    school_id: str | None = None  # the excluding school
    reason: str = ""


@dataclass(kw_only=True)
class PlannedTravel:
    """A Traveller family's planned travel: the dates the base school needs to
    keep the pupil on roll (DOMAIN.md; seed 004:113-143) and to record code T."""

    id: str = ""
    pupil_id: str
    leaves: date
    returns: date | None = None  # expected back
    destination: str = ""  # where, or the pattern: "Fairs in the North East"
    agreed_with_school_on: date | None = None  # the date the base school agreed the dates
    notes: str = ""


@dataclass(kw_only=True)
class CalendarEntry:
    """One dated line of an LA's school calendar: a term, a holiday, an INSET
    day, a bank holiday or another closure. School days are the weekdays
    inside a term that nothing else takes out (see domain/calendar.py)."""

    id: str = ""
    academic_year: int  # 2025 for 2025/26
    kind: CalendarKind
    start: date
    end: date
    name: str = ""
    source: str = ""  # "England default", or the file an LA's dates came from


@dataclass(kw_only=True)
class SyncConflict:
    """Two people changed the same words on one record: the server kept one
    version and this holds the other, until someone chooses."""

    id: str = ""
    entity: str  # the record's table, e.g. "visit"
    entity_id: str
    field: str
    kind: str = "edit"  # edit: both changed it; deleted: changed here, deleted elsewhere
    kept_value: str = ""
    kept_by: str = ""
    kept_clock: str = ""  # change stamps end with the device that wrote them
    other_value: str = ""
    other_by: str = ""
    other_clock: str = ""
    raised_at: str = ""
    resolved: bool = False
    resolution: str = ""  # mine, theirs or merged
