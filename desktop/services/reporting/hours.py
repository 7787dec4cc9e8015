"""The hours statement's data."""

from __future__ import annotations

from datetime import date

from desktop.domain import rules
from desktop.domain.records import ProvisionEpisode
from desktop.reports.data import HoursStatement, Provision, WeekRow
from desktop.reports.layout import fmt_date

from .. import checks
from ..errors import ValidationError
from .details import _households, pupil_details, service_details
from .source import ReportSource


def _overlaps(episode: ProvisionEpisode, start: date, end: date) -> bool:
    return episode.start <= end and (episode.end is None or episode.end >= start)


def hours_statement(app: ReportSource, pupil_id: str, start: date, end: date) -> HoursStatement:
    """Week by week from `start` (a part first week is pro rata, not moved to its
    Monday) to `end`, or to today when the period runs on past it."""
    checks.report_period(start, end, app.today())
    today = app.today()
    if start <= today < end:
        end = today  # weeks still to come have nothing to report
    record = app.pupil_record(pupil_id)
    thresholds = app.settings().thresholds
    episodes = [e for e in record.episodes if _overlaps(e, start, end)]
    visits = app.list_visits(pupil_id, start, end)
    if not episodes and not visits:
        raise ValidationError(
            f"{record.pupil.display_name} has no provision or sessions from {fmt_date(start)} to {fmt_date(end)}; "
            "there are no hours to report."
        )
    weeks = rules.weekly_hours(pupil_id, episodes, visits, start, end, thresholds, calendar=app.school_calendar())
    # This week, while its school days are not over, is hours so far: shown, not counted.
    unfinished = rules.week_start(today) if end >= today and today.weekday() < 5 else None
    maxima = [e.medical_max_hours_per_week for e in episodes if e.medical_max_hours_per_week is not None]
    tuition = [e for e in episodes if e.provision_type in rules.TUITION_TYPES]
    in_force = rules.in_force(tuition, end)
    return HoursStatement(
        service=service_details(app),
        pupil=pupil_details(
            record.pupil, record.school, end, withhold_address=_households(app).withholds(record.pupil)
        ),
        start=start,
        end=end,
        provision=tuple(
            Provision(
                kind=e.provision_type.label,
                provider=e.provider,
                start=e.start,
                end=e.end,
                planned_hours=e.planned_hours_per_week,
                medical_max_hours=e.medical_max_hours_per_week,
                review_date=e.review_date,
            )
            for e in episodes
        ),
        weeks=tuple(
            WeekRow(
                week_start=w.week_start,
                planned=w.planned,
                delivered=w.delivered,
                target=w.target,
                below_target=w.below_target and w.week_start != unfinished,
                partial=w.week_start == unfinished,
                school_days=w.school_days,
                first_day=start if w.week_start < start else None,
            )
            for w in weeks
        ),
        full_time_hours=thresholds.full_time_hours,
        minimum_hours=thresholds.home_tuition_minimum_hours,
        medical_max_hours=min(maxima) if maxima else None,
        printed_on=today,
        full_time_for_age=rules.full_time_hours_for(rules.pupil_nc_year(record.pupil, end), thresholds),
        planned_now=in_force.planned_hours_per_week if in_force else None,
        warnings=tuple(a.message for a in rules.full_time_check(record.pupil, tuition, end, thresholds)),
    )
