"""The field's rules as pure functions, their thresholds in one configurable
value (defaults from ../shared/DOMAIN.md: "Rules and thresholds")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .enums import Cohort, ProvisionType, TravellerGroup
from .records import Absence, Action, Folder, Plan, ProvisionEpisode, Pupil, Visit


@dataclass(frozen=True, kw_only=True)
class Thresholds:
    full_time_hours: float = 25.0  # Ofsted's return splits pupils at 25 hours a week
    home_tuition_minimum_hours: float = 5.0  # national minimum a week
    health_trigger_school_days: int = 15  # LA must arrange education from here
    part_time_max_weeks: int = 6  # no longer than half a term
    hospital_min_stay_days: int = 3  # hospital tuition if the stay is 3 days or more


DEFAULT_THRESHOLDS = Thresholds()

TUITION_TYPES = (ProvisionType.HOSPITAL_TUITION, ProvisionType.HOME_TUITION)


# --- age -------------------------------------------------------------------


def academic_year_start(day: date) -> int:
    """The calendar year in which the academic year holding `day` began (1 September)."""
    return day.year if day.month >= 9 else day.year - 1


def nc_year(dob: date, on: date) -> int:
    """National Curriculum year on a date: 0 is Reception, negative is nursery."""
    cohort = dob.year if dob.month >= 9 else dob.year - 1
    return academic_year_start(on) - cohort - 5


def pupil_nc_year(pupil: Pupil, on: date) -> int:
    if pupil.nc_year_override is not None:
        return pupil.nc_year_override
    return nc_year(pupil.dob, on)


def format_nc_year(year: int) -> str:
    if year == 0:
        return "Reception"
    if year < 0:
        return "Nursery"
    return f"Year {year}"


# --- cohorts ----------------------------------------------------------------


def cohort(pupil: Pupil, episodes: Iterable[ProvisionEpisode], on: date) -> Cohort:
    """Traveller pupils first; then the tuition that is open now."""
    if pupil.traveller_group is not TravellerGroup.NONE or pupil.ethnicity in ("WROM", "WIRT"):
        return Cohort.TRAVELLER
    open_types = {e.provision_type for e in episodes if e.is_open_on(on)}
    if ProvisionType.HOSPITAL_TUITION in open_types:
        return Cohort.HOSPITAL
    if ProvisionType.HOME_TUITION in open_types:
        return Cohort.HOME_TUITION
    return Cohort.OTHER


# --- hours ------------------------------------------------------------------


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def target_hours(episode: ProvisionEpisode, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> float:
    """Hours a week the pupil should receive under an episode.

    Only tuition the service delivers and logs has a target: at least the
    national minimum, never above the medically advised maximum. TES visits
    support a pupil who stays on roll, and a part-time timetable is attended
    at school, so neither is judged by the sessions logged here.
    """
    if episode.provision_type not in TUITION_TYPES:
        return 0.0
    target = max(episode.planned_hours_per_week, thresholds.home_tuition_minimum_hours)
    target = min(target, thresholds.full_time_hours)
    if episode.medical_max_hours_per_week is not None:
        target = min(target, episode.medical_max_hours_per_week)
    return target


@dataclass(frozen=True)
class WeekHours:
    week_start: date
    planned: float
    delivered: float
    target: float

    @property
    def below_target(self) -> bool:
        return self.target > 0 and self.delivered + 1e-9 < self.target


def weekly_hours(
    pupil_id: str,
    episodes: Iterable[ProvisionEpisode],
    visits: Iterable[Visit],
    start: date,
    end: date,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[WeekHours]:
    """Week by week (Monday to Sunday) from `start` to `end`: planned, delivered, target."""
    episodes = list(episodes)
    delivered: dict[date, float] = defaultdict(float)
    for visit in visits:
        if start <= visit.date <= end:
            delivered[week_start(visit.date)] += visit.hours_for(pupil_id)  # nothing if not seen
    weeks = []
    monday = week_start(start)
    while monday <= end:
        open_now = [e for e in episodes if e.start <= monday + timedelta(days=4) and (e.end is None or e.end >= monday)]
        planned = sum(e.planned_hours_per_week for e in open_now)
        target = max((target_hours(e, thresholds) for e in open_now), default=0.0)
        weeks.append(WeekHours(monday, planned, round(delivered[monday], 2), target))
        monday += timedelta(days=7)
    return weeks


def hours_band(hours_per_week: float) -> str:
    """The bands leaders ask for: under 5, 5-8, 8-25, 25 and over."""
    if hours_per_week < 5:
        return "under 5"
    if hours_per_week < 8:
        return "5-8"
    if hours_per_week < 25:
        return "8-25"
    return "25 and over"


# --- school days -------------------------------------------------------------


def school_days(start: date, end: date) -> int:
    """Weekdays from start to end inclusive (holidays are not known to the device)."""
    if end < start:
        return 0
    days = (end - start).days + 1
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    for offset in range(rest):
        if (start + timedelta(days=full_weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def health_absence_days(absences: Iterable[Absence], today: date) -> int:
    """School days missed for health this academic year, counting the days an open
    absence is expected to last ("will miss", consecutive or cumulative)."""
    year_start = date(academic_year_start(today), 9, 1)
    total = 0
    for absence in absences:
        last = absence.end or absence.expected_end or today
        total += school_days(max(absence.start, year_start), last)
    return total


# --- needs attention ----------------------------------------------------------


@dataclass(frozen=True)
class Attention:
    kind: str  # hours_below_target, review_overdue, folder_overdue, health_trigger, part_time, action_overdue
    message: str
    since: date | None = None

    @property
    def label(self) -> str:
        return ATTENTION_LABELS[self.kind]


ATTENTION_LABELS = {
    "hours_below_target": "Hours below target",
    "review_overdue": "Review overdue",
    "folder_overdue": "Folder overdue",
    "health_trigger": "15-day trigger",
    "part_time": "Part-time timetable",
    "action_overdue": "Action overdue",
}


def _fmt(day: date) -> str:
    return day.strftime("%-d %b %Y")


def needs_attention(
    *,
    pupil_id: str,
    episodes: Iterable[ProvisionEpisode] = (),
    visits: Iterable[Visit] = (),
    folders: Iterable[Folder] = (),
    plans: Iterable[Plan] = (),
    actions: Iterable[Action] = (),
    absences: Iterable[Absence] = (),
    today: date,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[Attention]:
    """Everything about one pupil that a worker or lead should act on today."""
    episodes = list(episodes)
    items: list[Attention] = []

    # Hours: judged on the last complete week, against the open episode's target.
    last_monday = week_start(today) - timedelta(days=7)
    has_target = any(e.provision_type in TUITION_TYPES for e in episodes)
    last_week = has_target and weekly_hours(
        pupil_id, episodes, visits, last_monday, last_monday + timedelta(days=6), thresholds
    )
    if last_week and last_week[0].below_target:
        w = last_week[0]
        items.append(
            Attention(
                "hours_below_target",
                f"{round(w.delivered, 1):g} of {w.target:g} hours in the week of {_fmt(w.week_start)}",
                w.week_start,
            )
        )

    for e in episodes:
        if not e.is_open_on(today):
            continue
        if e.review_date is not None and e.review_date < today:
            items.append(
                Attention(
                    "review_overdue", f"{e.provision_type.label} review was due {_fmt(e.review_date)}", e.review_date
                )
            )
        if e.provision_type is ProvisionType.PART_TIME_TIMETABLE:
            limit = e.start + timedelta(weeks=thresholds.part_time_max_weeks)
            if limit < today:
                items.append(
                    Attention(
                        "part_time", f"Part-time timetable longer than half a term (since {_fmt(e.start)})", limit
                    )
                )
            if not e.part_time_consent:
                items.append(Attention("part_time", "Part-time timetable has no recorded parental consent", e.start))

    for plan in plans:
        if not plan.closed and plan.next_review is not None and plan.next_review < today:
            items.append(
                Attention(
                    "review_overdue", f"Plan '{plan.title}' review was due {_fmt(plan.next_review)}", plan.next_review
                )
            )

    for folder in folders:
        if folder.returned_on is None and folder.expected_back is not None and folder.expected_back < today:
            items.append(
                Attention("folder_overdue", f"Folder expected back {_fmt(folder.expected_back)}", folder.expected_back)
            )

    absences = list(absences)
    missed = health_absence_days(absences, today)
    has_tuition = any(e.provision_type in TUITION_TYPES and e.is_open_on(today) for e in episodes)
    if missed >= thresholds.health_trigger_school_days and not has_tuition:
        first = min(a.start for a in absences)
        items.append(
            Attention(
                "health_trigger",
                f"{missed} school days missed for health with no tuition arranged",
                first,
            )
        )

    for action in actions:
        if not action.done and action.due < today:
            items.append(
                Attention(
                    "action_overdue", f"{action.next_step} ({action.owner}) was due {_fmt(action.due)}", action.due
                )
            )

    return items
