"""The caseload's judgements over records read in sets: the needs-attention list,
the caseload's rows and what the LA summary reads of each pupil.

Pure functions over records already read: the laptop feeds them from its store
(api/caseload.py) and the LA server from its own database (sync/server/overview),
so the list, the printed summary and the LA overview judge by the same code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from desktop.domain import rules
from desktop.domain.calendar import SchoolCalendar
from desktop.domain.collation import pupil_key
from desktop.domain.enums import SiteType
from desktop.domain.records import (
    Absence,
    Action,
    Exclusion,
    Folder,
    Plan,
    PlannedTravel,
    ProvisionEpisode,
    Pupil,
    School,
    Site,
    Stay,
)

from .results import CaseloadRow, PupilOverview


@dataclass(frozen=True)
class Kind:
    """A kind of record the attention rules read, and the order a pupil's record lists them in."""

    record: type
    key: Callable
    reverse: bool = False


# What the attention rules read of each pupil, by the rules' argument names
# ("hospital_stays" apart: it needs the sites, see hospital_stays below).
KINDS: dict[str, Kind] = {
    "episodes": Kind(ProvisionEpisode, lambda e: e.start),
    "folders": Kind(Folder, lambda f: f.issued_on, reverse=True),
    "plans": Kind(Plan, lambda p: p.start),
    "actions": Kind(Action, lambda a: a.due),
    "absences": Kind(Absence, lambda a: a.start),
    "exclusions": Kind(Exclusion, lambda e: e.start),
    "travel": Kind(PlannedTravel, lambda t: t.leaves),
}

Inputs = dict[str, dict[str, list]]  # kind -> pupil id -> that pupil's records, in their record's order


def by_pupil(records: Iterable, kind: Kind, wanted: set[str]) -> dict[str, list]:
    """These pupils' records of one kind, each pupil's in the order their record lists them
    (a stable sort: records with the same key stay in the order they were read)."""
    grouped: dict[str, list] = defaultdict(list)
    for record in sorted(records, key=kind.key, reverse=kind.reverse):
        if record.pupil_id in wanted:
            grouped[record.pupil_id].append(record)
    return grouped


def hospital_stays(stays: Iterable[Stay], sites: Iterable[Site], today: date, wanted: set[str]) -> dict[str, list]:
    """Each pupil's stays at a hospital ward that have not ended before today, by arrival."""
    wards = {s.id for s in sites if s.site_type is SiteType.HOSPITAL_WARD}
    found: dict[str, list[Stay]] = defaultdict(list)
    for stay in stays:
        if stay.site_id in wards and stay.pupil_id in wanted and (stay.departed is None or stay.departed >= today):
            found[stay.pupil_id].append(stay)
    for pupil_stays in found.values():
        pupil_stays.sort(key=lambda s: s.arrived)
    return found


def current_stays(stays: Iterable[Stay]) -> dict[str, Stay]:
    """Each pupil's open stay (no departure), the latest if several."""
    current: dict[str, Stay] = {}
    for stay in sorted((s for s in stays if s.departed is None), key=lambda s: s.arrived):
        current[stay.pupil_id] = stay
    return current


def list_folders(
    folders: Iterable[Folder], today: date, pupil_id: str | None = None, overdue_only: bool = False
) -> list[Folder]:
    """Folders, the latest issued first: of one pupil when given; only those out and past
    the day they were expected back when `overdue_only`."""
    found = sorted(folders, key=lambda f: f.issued_on, reverse=True)
    if pupil_id:
        found = [f for f in found if f.pupil_id == pupil_id]
    if overdue_only:
        found = [f for f in found if f.returned_on is None and f.expected_back and f.expected_back < today]
    return found


def last_week(today: date) -> date:
    """The Monday of the last complete week: the week the hours rule reads."""
    return rules.week_start(today) - timedelta(days=7)


def judge(
    pupils: list[Pupil],
    inputs: Inputs,
    last_week_hours: Mapping[str, float],
    *,
    today: date,
    thresholds: rules.Thresholds,
    calendar: SchoolCalendar,
) -> dict[str, list[rules.Attention]]:
    """The needs-attention list, by pupil; pupils with nothing are left out."""
    result = {}
    for pupil in pupils:
        pid = pupil.id  # .get, not [], so a pupil with nothing adds no empty list to each dict
        items = rules.needs_attention(
            pupil=pupil,
            today=today,
            calendar=calendar,
            thresholds=thresholds,
            last_week_hours=last_week_hours.get(pid, 0.0),
            **{kind: records.get(pid, ()) for kind, records in inputs.items()},
        )
        if items:
            result[pid] = items
    return result


def caseload_rows(
    pupils: list[Pupil],
    episodes: Mapping[str, list[ProvisionEpisode]],
    attention: Mapping[str, list[rules.Attention]],
    *,
    today: date,
    schools: Mapping[str, School],
    sites: Mapping[str, Site],
    stays: Mapping[str, Stay],
    last_visits: Mapping[str, date],
) -> list[CaseloadRow]:
    """The caseload list's rows: `stays` are the open ones (current_stays), by pupil."""
    rows = []
    for p in pupils:
        school = schools.get(p.base_school_id) if p.base_school_id else None
        stay = stays.get(p.id)
        site = sites.get(stay.site_id) if stay else None
        rows.append(
            CaseloadRow(
                pupil_id=p.id,
                name=p.display_name,
                legal_name=p.legal_name,
                sort_key=pupil_key(p),
                upn=p.upn,
                dob=p.dob,
                nc_year=rules.pupil_nc_year(p, today),
                cohort=rules.cohort(p, episodes.get(p.id, []), today),
                base_school_id=p.base_school_id,
                base_school=school.name if school else "",
                site_id=site.id if site else None,
                site=site.name if site else "",
                last_visit=last_visits.get(p.id),
                attention=tuple(dict.fromkeys(a.kind for a in attention.get(p.id, []))),
            )
        )
    return rows


def overviews(
    pupils: list[Pupil],
    rows: list[CaseloadRow],
    inputs: Inputs,
    attention: Mapping[str, list[rules.Attention]],
    *,
    latest_workers: Mapping[str, str],
    hours: Mapping[str, float],
) -> list[PupilOverview]:
    """What the LA summary reads of each pupil: `latest_workers` by pupil (of their
    newest visit), `hours` delivered in the summary's week, by pupil."""
    return [
        PupilOverview(
            row=row,
            pupil=pupil,
            episodes=inputs["episodes"].get(pupil.id, []),
            plans=inputs["plans"].get(pupil.id, []),
            actions=inputs["actions"].get(pupil.id, []),
            attention=attention.get(pupil.id, []),
            latest_worker=latest_workers.get(pupil.id, ""),
            hours_last_week=round(hours.get(pupil.id, 0.0), 2),
        )
        for pupil, row in zip(pupils, rows, strict=True)
    ]
