"""The LA caseload summary's data: the tracking-sheet columns and counts."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from desktop.domain import rules
from desktop.domain.collation import collation_key, pupil_key
from desktop.domain.enums import SenStatus
from desktop.reports.copies import WITHHELD
from desktop.reports.data import CaseloadSummary, OverdueItem, SummaryRow
from desktop.reports.layout import fmt_date

from ..errors import ValidationError
from ..results import PupilOverview
from .details import _households, service_details
from .source import Progress, SummarySource

HOURS_BANDS = rules.HOURS_BANDS


def _hours_week(app: SummarySource, today: date) -> date:
    """The Monday of the last complete week with school days in it: a holiday
    week says nothing about the hours a pupil receives."""
    calendar = app.school_calendar()
    monday = rules.week_start(today) - timedelta(days=7)
    for _ in range(8):  # the summer holiday is the longest gap
        if calendar.count(monday, monday + timedelta(days=4)):
            break
        monday -= timedelta(days=7)
    return monday


def caseload_summary(app: SummarySource, progress: Progress | None = None) -> CaseloadSummary:
    """The LA summary; `progress(done, total)` is told after each pupil (and may raise to cancel)."""
    monday = _hours_week(app, app.today())
    pupils = app.overview(hours_week=monday)
    if not pupils:
        raise ValidationError("The caseload is empty; there is nobody to summarise.")
    return summarise(app, pupils, monday, progress)


def summarise(
    app: SummarySource, pupils: list[PupilOverview], monday: date, progress: Progress | None = None
) -> CaseloadSummary:
    """The summary of these pupils, their hours counted in the week from `monday`
    (`Waymark.overview` reads every pupil's in a few queries; a test builds the
    same from each pupil's record and compares)."""
    today = app.today()
    settings = app.settings()
    households = _households(app)
    sunday = monday + timedelta(days=6)

    rows, reviews_overdue = [], []
    keys: dict[int, tuple] = {}  # row number -> the pupil's sort key (by surname, collated)
    cohorts: Counter[str] = Counter()
    provision: Counter[str] = Counter()
    bands: Counter[str] = Counter()
    not_banded = 0
    for done, seen in enumerate(pupils):
        if progress:
            progress(done, len(pupils))
        pupil, line = seen.pupil, seen.row
        open_episodes = [e for e in seen.episodes if e.is_open_on(today)]
        reviews = [(e.review_date, e.provision_type.label) for e in open_episodes if e.review_date]
        reviews += [(p.next_review, "Plan") for p in seen.plans if not p.closed and p.next_review]
        review = min(reviews, default=(None, ""))
        actions = sorted((a for a in seen.actions if not a.done), key=lambda a: a.due)
        hours = seen.hours_last_week
        cohorts[line.cohort.label] += 1
        provision.update(e.provision_type.label for e in open_episodes)
        # Only pupils with tuition in force that week have hours to band; the others are
        # on a school roll or supported by visits, and are counted apart.
        banded = any(
            e.provision_type in rules.TUITION_TYPES and e.start <= sunday and (e.end is None or e.end >= monday)
            for e in seen.episodes
        )
        if banded:
            bands[rules.hours_band(hours)] += 1
        else:
            not_banded += 1
        overdue = [a for a in seen.attention if a.kind == "review_overdue"]
        reviews_overdue += [OverdueItem(pupil=pupil.legal_name, what=a.message, due=a.since) for a in overdue]
        keys[len(rows)] = pupil_key(pupil)
        rows.append(
            SummaryRow(
                name=pupil.legal_name + (f" ({pupil.display_name})" if pupil.display_name != pupil.legal_name else ""),
                upn=pupil.upn,
                ethnicity=pupil.ethnicity,
                sex=pupil.sex.label,
                dob=pupil.dob,
                nc_year=rules.format_nc_year(line.nc_year),
                send=pupil.sen.label if pupil.sen is not SenStatus.NONE else "",
                locality=WITHHELD if households.withholds(pupil) else line.site,
                school=line.base_school,
                responsible=seen.latest_worker or settings.worker_name,
                provision="; ".join(
                    f"{e.provision_type.label}" + (f" ({e.provider})" if e.provider else "") for e in open_episodes
                ),
                provision_start=min((e.start for e in open_episodes), default=None),
                planned_hours=sum(e.planned_hours_per_week for e in open_episodes),
                hours_last_week=hours,
                review_date=review[0],
                review_overdue=bool(overdue),
                reasons="; ".join(dict.fromkeys(e.reason for e in open_episodes if e.reason)),
                action=f"{actions[0].next_step} ({actions[0].owner}, by {fmt_date(actions[0].due)})" if actions else "",
                cohort=line.cohort.label,
                review_kind=review[1],
                hours_below_target=any(a.kind == "hours_below_target" for a in seen.attention),
                action_overdue=bool(actions) and actions[0].due < today,
                banded=banded,
            )
        )

    names = {seen.row.pupil_id: seen.row.legal_name for seen in pupils}
    folders = [f for f in app.list_folders() if f.returned_on is None and f.pupil_id in names]
    overdue_folders = [f for f in folders if f.expected_back and f.expected_back < today]
    return CaseloadSummary(
        service=service_details(app),
        on=today,
        hours_week_start=monday,
        rows=tuple(row for _, row in sorted(enumerate(rows), key=lambda pair: keys[pair[0]])),
        by_cohort=tuple(sorted(cohorts.items())),
        by_provision=tuple(sorted(provision.items())),
        by_hours_band=tuple((band, bands[band]) for band in HOURS_BANDS),
        reviews_overdue=tuple(sorted(reviews_overdue, key=lambda i: (i.due or today, collation_key(i.pupil)))),
        folders_out=len(folders),
        folders_overdue=tuple(
            sorted(
                (
                    OverdueItem(
                        pupil=names[f.pupil_id], what=f"Folder issued {fmt_date(f.issued_on)}", due=f.expected_back
                    )
                    for f in overdue_folders
                ),
                key=lambda i: (i.due, collation_key(i.pupil)),
            )
        ),
        not_banded=not_banded,
    )
