"""Hours a week: the provision in force, its target, and what was delivered.

Weeks run Monday to Sunday. A week's planned hours and target are pro-rata
to its school days (DOMAIN.md: school days are term days), so a half-term
week has no target and an episode that starts on a Thursday is judged on two
days, not five. Where episodes overlap, the week is judged against the
provision in force each day, never the sum of the episodes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ..calendar import SchoolCalendar
from ..records import ProvisionEpisode, Visit
from .thresholds import DEFAULT_THRESHOLDS, TUITION_TYPES, Thresholds

DAYS_A_WEEK = 5


# --- reading visits -------------------------------------------------------------
# Rules read visits only through these two accessors, so the shape of a visit
# (who was seen, for how long) is known in one place.


def visit_pupils(visit: Visit) -> list[str]:
    """The children on a visit (seen or not)."""
    return visit.pupil_ids


def visit_hours_for(visit: Visit, pupil_id: str) -> float:
    """Hours of contact the visit gave one pupil: none when not on it, or not seen."""
    return visit.hours_for(pupil_id)


# --- targets ----------------------------------------------------------------------


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


def in_force(episodes: Sequence[ProvisionEpisode], day: date) -> ProvisionEpisode | None:
    """The provision in force on a day: of the tuition open that day, the one
    that started last (a new arrangement replaces the old); else the latest
    other provision."""
    open_now = [e for e in episodes if e.is_open_on(day)]
    tuition = [e for e in open_now if e.provision_type in TUITION_TYPES]
    pool = tuition or open_now
    return max(pool, key=lambda e: e.start) if pool else None


@dataclass(frozen=True)
class WeekHours:
    week_start: date
    planned: float
    delivered: float
    target: float
    school_days: int = DAYS_A_WEEK  # school days of this week inside the period

    @property
    def below_target(self) -> bool:
        return self.target > 0 and self.delivered + 1e-9 < self.target

    @property
    def holiday(self) -> bool:
        """No school days this week (a holiday, or outside the period)."""
        return self.school_days == 0


def weekly_hours(
    pupil_id: str,
    episodes: Iterable[ProvisionEpisode],
    visits: Iterable[Visit],
    start: date,
    end: date,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    *,
    calendar: SchoolCalendar,
    delivered: Mapping[date, float] | None = None,
) -> list[WeekHours]:
    """Week by week (Monday to Sunday) from `start` to `end`: planned, delivered and
    target, each day's share taken from the provision in force that day.
    `delivered`: hours by Monday already added up (the caseload sums them in SQL),
    read instead of `visits`."""
    episodes = list(episodes)
    if delivered is not None:
        visits = ()
    delivered = dict(delivered or {})
    for visit in visits:
        day = visit.date
        if start <= day <= end:
            monday = day - timedelta(days=day.weekday())
            delivered[monday] = delivered.get(monday, 0.0) + visit_hours_for(visit, pupil_id)
    weeks = []
    monday = week_start(start)
    while monday <= end:
        sunday = monday + timedelta(days=6)
        days = calendar.week(max(monday, start), min(sunday, end))
        here = [e for e in episodes if e.start <= sunday and (e.end is None or e.end >= monday)]
        planned = target = 0.0
        if days and here:
            first, last = days[0], days[-1]
            if len(here) == 1:
                # One provision (the usual case): the school days it covers.
                e = here[0]
                whole = e.start <= first and (e.end is None or e.end >= last)
                spans = [(e, len(days) if whole else sum(1 for d in days if e.is_open_on(d)))]
            elif all(e.start <= first and (e.end is None or e.end >= last) for e in here):
                spans = [(in_force(here, first), len(days))]  # the same provision all week
            else:
                spans = [(in_force(here, day), 1) for day in days]
            for episode, count in spans:
                if episode is not None and count:
                    planned += episode.planned_hours_per_week * count / DAYS_A_WEEK
                    target += target_hours(episode, thresholds) * count / DAYS_A_WEEK
        weeks.append(
            WeekHours(monday, round(planned, 2), round(delivered.get(monday, 0.0), 2), round(target, 2), len(days))
        )
        monday = sunday + timedelta(days=1)
    return weeks


HOURS_BANDS = ("under 5", "5 to under 8", "8 to under 25", "25 or more")


def hours_band(hours_per_week: float) -> str:
    """The bands leaders ask for (001:137-342): under 5, 5 to under 8, 8 to under 25, 25 or more."""
    if hours_per_week < 5:
        return HOURS_BANDS[0]
    if hours_per_week < 8:
        return HOURS_BANDS[1]
    if hours_per_week < 25:
        return HOURS_BANDS[2]
    return HOURS_BANDS[3]
