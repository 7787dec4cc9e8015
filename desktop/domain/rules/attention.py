"""The needs-attention list: everything about one pupil that a worker or a
lead should act on today. Each rule is a small function; docs/rules.md lists
them with their sources and settings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ..calendar import SchoolCalendar
from ..enums import ExclusionKind, ProvisionType
from ..records import Absence, Action, Exclusion, Folder, Plan, PlannedTravel, ProvisionEpisode, Pupil, Stay, Visit
from .age import format_nc_year, full_time_hours_for, is_traveller, pupil_nc_year
from .exclusions import fixed_period_days, provision_due
from .health import health_absence_days
from .hours import in_force, week_start, weekly_hours
from .thresholds import DEFAULT_THRESHOLDS, TUITION_TYPES, Thresholds


@dataclass(frozen=True)
class Attention:
    kind: str  # a key of ATTENTION_LABELS
    message: str
    since: date | None = None

    @property
    def label(self) -> str:
        return ATTENTION_LABELS[self.kind]


ATTENTION_LABELS = {
    "hours_below_target": "Hours below target",
    "below_full_time": "Below full time",
    "above_medical_max": "Above medical maximum",
    "review_overdue": "Review overdue",
    "folder_overdue": "Folder overdue",
    "health_trigger": "15-day trigger",
    "exclusion": "Exclusion",
    "hospital_stay": "Hospital stay",
    "part_time": "Part-time timetable",
    "tutor_withdrawal": "Tutor can withdraw",
    "no_base_school": "No base school",
    "travel": "Travel dates",
    "plan_criteria": "No success criteria",
    "action_overdue": "Action overdue",
}

# Planned travel this close, or already begun, needs its dates agreed with the base school.
TRAVEL_NOTICE = timedelta(days=28)


def fmt_date(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def fmt_hours(hours: float) -> str:
    """Hours and minutes: 5 h, 12 h 30 min."""
    if hours == int(hours):
        return f"{int(hours)} h"
    h, m = divmod(round(hours * 60), 60)
    if h and m:
        return f"{h} h {m} min"
    return f"{h} h" if h or not m else f"{m} min"


def _full_time_in_force(pupil: Pupil, episodes: Sequence[ProvisionEpisode], today: date, t: Thresholds) -> tuple:
    """(provision in force today, full time for the pupil's age, whether it is full time)."""
    full_time = full_time_hours_for(pupil_nc_year(pupil, today), t) or t.full_time_hours
    episode = in_force(episodes, today)
    planned = episode.planned_hours_per_week if episode else 0.0
    return episode, full_time, planned >= full_time


# --- the rules ------------------------------------------------------------------------


def _hours(pupil, episodes, visits, today, calendar, t, last_week_hours=None) -> list[Attention]:
    """Last complete week's hours against the target of the provision in force."""
    if not any(e.provision_type in TUITION_TYPES for e in episodes):
        return []
    monday = week_start(today) - timedelta(days=7)
    delivered = None if last_week_hours is None else {monday: last_week_hours}
    [week] = weekly_hours(
        pupil.id, episodes, visits, monday, monday + timedelta(days=6), t, calendar=calendar, delivered=delivered
    )
    if not week.below_target:
        return []
    return [
        Attention(
            "hours_below_target",
            f"{fmt_hours(week.delivered)} of {fmt_hours(week.target)} in the week of {fmt_date(week.week_start)}",
            week.week_start,
        )
    ]


def full_time_check(
    pupil: Pupil, episodes: Sequence[ProvisionEpisode], today: date, t: Thresholds = DEFAULT_THRESHOLDS
) -> list[Attention]:
    """Tuition as near to full time as medical needs allow (001:135): below full time
    for the pupil's age with no medically advised maximum; above that maximum."""
    tuition = [e for e in episodes if e.provision_type in TUITION_TYPES and e.is_open_on(today)]
    if not tuition:
        return []
    episode = max(tuition, key=lambda e: e.start)  # the tuition in force (see hours.in_force)
    planned, medical_max = episode.planned_hours_per_week, episode.medical_max_hours_per_week
    items = []
    if medical_max is not None and planned > medical_max + 1e-9:
        items.append(
            Attention(
                "above_medical_max",
                f"{episode.provision_type.label} planned at {fmt_hours(planned)} a week, above the medically "
                f"advised maximum of {fmt_hours(medical_max)}",
                episode.start,
            )
        )
    if medical_max is not None:
        return items
    year = pupil_nc_year(pupil, today)
    full_time = full_time_hours_for(year, t)
    if full_time is not None and planned + 1e-9 < full_time:
        items.append(
            Attention(
                "below_full_time",
                f"{episode.provision_type.label} planned at {fmt_hours(planned)} a week, below full time for "
                f"{format_nc_year(year)} ({fmt_hours(full_time)}), and no medically advised maximum is recorded",
                episode.start,
            )
        )
    return items


def _reviews(episodes, plans, today) -> list[Attention]:
    items = []
    for e in episodes:
        if e.is_open_on(today) and e.review_date is not None and e.review_date < today:
            items.append(
                Attention(
                    "review_overdue",
                    f"{e.provision_type.label} review was due {fmt_date(e.review_date)}",
                    e.review_date,
                )
            )
    for plan in plans:
        if not plan.closed and plan.next_review is not None and plan.next_review < today:
            items.append(
                Attention(
                    "review_overdue",
                    f"Plan '{plan.title}' review was due {fmt_date(plan.next_review)}",
                    plan.next_review,
                )
            )
    return items


def _part_time(episodes, today, calendar, t) -> list[Attention]:
    """No longer than half a term; consent, start and review date recorded (000:1953, 002:8249)."""
    items = []
    for e in episodes:
        if e.provision_type is not ProvisionType.PART_TIME_TIMETABLE or not e.is_open_on(today):
            continue
        limit = calendar.nth_day(e.start, t.part_time_max_school_days)
        if limit < today:
            items.append(
                Attention(
                    "part_time",
                    f"Part-time timetable since {fmt_date(e.start)}: longer than half a term "
                    f"({t.part_time_max_weeks} teaching weeks)",
                    limit,
                )
            )
        if e.review_date is None:
            items.append(Attention("part_time", "Part-time timetable has no review date", e.start))
        if not e.part_time_consent:
            items.append(Attention("part_time", "Part-time timetable has no recorded parental consent", e.start))
    return items


def _tutor_withdrawal(episodes, today, t) -> list[Attention]:
    """The home tutor withdraws once the pupil is back in school 10 hours a week (000:5389)."""
    in_school = [e for e in episodes if e.provision_type is ProvisionType.PART_TIME_TIMETABLE and e.is_open_on(today)]
    if not in_school or not any(
        e.provision_type is ProvisionType.HOME_TUITION and e.is_open_on(today) for e in episodes
    ):
        return []
    hours = max((e.planned_hours_per_week for e in in_school), default=0.0)
    if hours + 1e-9 < t.tutor_withdrawal_school_hours:
        return []
    since = max(e.start for e in in_school)
    return [
        Attention(
            "tutor_withdrawal",
            f"Back in school {fmt_hours(hours)} a week: home tuition can be withdrawn "
            f"(at {fmt_hours(t.tutor_withdrawal_school_hours)})",
            since,
        )
    ]


def _health(absences, episodes, today, calendar, t) -> list[Attention]:
    if not absences:
        return []
    counted = health_absence_days(absences, today, calendar)
    if counted.expected < t.health_trigger_school_days:
        return []
    tuition = [e for e in episodes if e.provision_type in TUITION_TYPES]
    if any(e.is_open_on(today) for e in tuition):
        return []
    if not counted.current and any(
        e.start <= counted.last and (e.end is None or e.end >= counted.first) for e in tuition
    ):
        return []  # back at school, and tuition was arranged while off
    if counted.missed >= t.health_trigger_school_days:
        message = f"{counted.missed} school days missed for health with no tuition arranged"
        if counted.ahead:
            message += f" ({counted.expected} expected by {fmt_date(counted.last)})"
    else:
        message = (
            f"Expected to miss {counted.expected} school days for health ({counted.missed} so far, "
            f"to {fmt_date(counted.last)}): arrange education now"
        )
    return [Attention("health_trigger", message, counted.first)]


def _exclusions(pupil, exclusions, episodes, today, calendar, t) -> list[Attention]:
    if not exclusions:
        return []
    items = []
    in_place, full_time, full = _full_time_in_force(pupil, episodes, today, t)
    for e in exclusions:
        running = e.start <= today and (e.end is None or e.end >= today)
        if not running or full:
            continue
        due = provision_due(e, calendar, t)
        if e.kind is ExclusionKind.FIXED_PERIOD and (e.end is None or e.end < due):
            continue  # five school days or fewer: work is set at home
        who = "the LA" if e.kind is ExclusionKind.PERMANENT else "the school"
        excluded = "Permanently excluded" if e.kind is ExclusionKind.PERMANENT else "Excluded for a fixed period"
        if due > today:
            message = f"{excluded} from {fmt_date(e.start)}: {who} must arrange full-time provision by {fmt_date(due)}"
        else:
            hours = in_place.planned_hours_per_week if in_place else 0.0
            message = (
                f"{excluded} from {fmt_date(e.start)}: full-time provision ({fmt_hours(full_time)}, "
                f"{format_nc_year(pupil_nc_year(pupil, today))}) was due from {fmt_date(due)}; "
                + (f"only {fmt_hours(hours)} a week is in place" if hours else "none is in place")
            )
        items.append(Attention("exclusion", message, due))
    total = fixed_period_days(exclusions, today, calendar)
    limit = t.fixed_period_max_school_days
    if total > limit:
        items.append(
            Attention(
                "exclusion",
                f"{total} school days of fixed-period exclusion this academic year: more than the {limit}-day limit",
                today,
            )
        )
    elif total == limit:
        items.append(
            Attention(
                "exclusion",
                f"{total} school days of fixed-period exclusion this academic year: the {limit}-day limit is reached",
                today,
            )
        )
    return items


def _hospital(stays, episodes, today, t) -> list[Attention]:
    """Hospital tuition if the stay is 3 days or more (000:5376), expected length included."""
    if not stays:
        return []
    if any(e.provision_type is ProvisionType.HOSPITAL_TUITION and e.is_open_on(today) for e in episodes):
        return []
    items = []
    for stay in stays:
        if stay.arrived > today or (stay.departed is not None and stay.departed < today):
            continue
        days = (today - stay.arrived).days + 1
        expected = (stay.proposed_weeks or 0) * 7
        if max(days, expected) >= t.hospital_min_stay_days:
            items.append(
                Attention(
                    "hospital_stay",
                    f"In hospital since {fmt_date(stay.arrived)} ({days} day{'s' if days != 1 else ''}"
                    f"{', expected longer' if expected > days else ''}): hospital tuition is due for a stay of "
                    f"{t.hospital_min_stay_days} days or more",
                    stay.arrived,
                )
            )
    return items


def _traveller(pupil, travel, today) -> list[Attention]:
    """Traveller pupils stay on their base school's roll during planned travel (004:113-143)."""
    if not is_traveller(pupil):
        return []
    if pupil.base_school_id and not travel:
        return []
    items = []
    if not pupil.base_school_id:
        items.append(Attention("no_base_school", "Traveller pupil with no base school to keep them on roll", None))
    for trip in travel:
        ended = trip.returns is not None and trip.returns < today
        if ended or trip.agreed_with_school_on is not None or trip.leaves > today + TRAVEL_NOTICE:
            continue
        back = f" to {fmt_date(trip.returns)}" if trip.returns else ""
        items.append(
            Attention(
                "travel",
                f"Travel from {fmt_date(trip.leaves)}{back} not yet agreed with the base school",
                trip.leaves,
            )
        )
    return items


def _plans(plans) -> list[Attention]:
    """Success criteria set at the start of a plan (000:5358-5378, 001:267)."""
    return [
        Attention("plan_criteria", f"Plan '{p.title}' has no success criteria", p.start)
        for p in plans
        if not p.closed and not p.success_criteria.strip()
    ]


def needs_attention(
    *,
    pupil: Pupil,
    today: date,
    calendar: SchoolCalendar,
    episodes: Iterable[ProvisionEpisode] = (),
    visits: Iterable[Visit] = (),
    folders: Iterable[Folder] = (),
    plans: Iterable[Plan] = (),
    actions: Iterable[Action] = (),
    absences: Iterable[Absence] = (),
    exclusions: Iterable[Exclusion] = (),
    hospital_stays: Iterable[Stay] = (),
    travel: Iterable[PlannedTravel] = (),
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    last_week_hours: float | None = None,
) -> list[Attention]:
    """Everything about one pupil that a worker or lead should act on today.
    `hospital_stays` are the pupil's stays at hospital wards. `last_week_hours`:
    the hours delivered in the last complete week when already added up (the
    caseload sums them in SQL); then `visits` is not read."""
    t = thresholds
    episodes, plans = list(episodes), list(plans)
    absences, exclusions, stays, travel = list(absences), list(exclusions), list(hospital_stays), list(travel)
    items: list[Attention] = []
    # Each rule only where it has something to read: the caseload asks this of every pupil.
    if episodes:
        items += _hours(pupil, episodes, list(visits), today, calendar, t, last_week_hours)
        items += full_time_check(pupil, episodes, today, t)
        items += _reviews(episodes, plans, today)
        items += _part_time(episodes, today, calendar, t)
        items += _tutor_withdrawal(episodes, today, t)
    elif plans:
        items += _reviews(episodes, plans, today)
    items += [
        Attention("folder_overdue", f"Folder expected back {fmt_date(f.expected_back)}", f.expected_back)
        for f in folders
        if f.returned_on is None and f.expected_back is not None and f.expected_back < today
    ]
    if absences:
        items += _health(absences, episodes, today, calendar, t)
    if exclusions:
        items += _exclusions(pupil, exclusions, episodes, today, calendar, t)
    if stays:
        items += _hospital(stays, episodes, today, t)
    if travel or not pupil.base_school_id:
        items += _traveller(pupil, travel, today)
    if plans:
        items += _plans(plans)
    items += [
        Attention("action_overdue", f"{a.next_step} ({a.owner}) was due {fmt_date(a.due)}", a.due)
        for a in actions
        if not a.done and a.due < today
    ]
    return items
