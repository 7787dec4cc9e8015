"""Report data from the services: each function reads through `Waymark` and
returns the plain values desktop/reports draws.

`Waymark.report_pdf` calls this module, so it does not import `Waymark` back:
it names what it reads as `ReportSource`, which `Waymark` provides.

Safeguarding concerns are never read here, so no report can print one. What
each copy of a visit report may show is decided later, in reports/copies.py.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Protocol

from desktop.domain import rules
from desktop.domain.calendar import SchoolCalendar
from desktop.domain.collation import collation_key, pupil_key
from desktop.domain.enums import ItemStatus, PlaceType, SenStatus, Visibility
from desktop.domain.privacy import Households, initials
from desktop.domain.records import Folder, ProgressEntry, ProvisionEpisode, Pupil, School, Site, Visit
from desktop.reports import (
    render_caseload_summary,
    render_hours_statement,
    render_progress_record,
    render_visit_report,
)
from desktop.reports.copies import WITHHELD
from desktop.reports.data import (
    CaseloadSummary,
    FolderWork,
    HoursStatement,
    Level,
    Note,
    OverdueItem,
    Place,
    ProgressRecord,
    Provision,
    PupilDetails,
    ServiceDetails,
    SubjectProgress,
    SummaryRow,
    VisitDetails,
    VisitPupil,
    VisitReport,
    WeekRow,
)
from desktop.reports.layout import fmt_date
from desktop.store import Store

from . import checks
from .errors import ValidationError
from .results import CaseloadRow, PupilOverview, PupilRecord, Settings


class ReportSource(Protocol):
    """What the reports read from the services (`Waymark` is one). Never concerns."""

    today: Callable[[], date]
    store: Store  # to write what was printed to the audit trail

    @property
    def actor(self) -> str: ...
    def settings(self) -> Settings: ...
    def caseload(self) -> list[CaseloadRow]: ...
    def overview(self, hours_week: date | None = None) -> list[PupilOverview]: ...
    def list_pupils(self, include_archived: bool = False) -> list[Pupil]: ...
    def pupil_record(self, pupil_id: str) -> PupilRecord: ...
    def get_pupil(self, pupil_id: str) -> Pupil: ...
    def get_school(self, school_id: str) -> School: ...
    def get_visit(self, visit_id: str) -> Visit: ...
    def list_sites(self) -> list[Site]: ...
    def list_visits(
        self, pupil_id: str | None = None, start: date | None = None, end: date | None = None
    ) -> list[Visit]: ...
    def list_folders(self, pupil_id: str | None = None, overdue_only: bool = False) -> list[Folder]: ...
    def list_progress(self, pupil_id: str) -> list[ProgressEntry]: ...
    def address_households(self) -> Households: ...
    def school_calendar(self) -> SchoolCalendar: ...


Progress = Callable[[int, int], None]

DEFAULT_PERIOD = timedelta(weeks=13)  # about a term, when the UI asks without dates


def service_details(app: ReportSource) -> ServiceDetails:
    s = app.settings()
    return ServiceDetails(name=s.service_name, address=s.service_address, phone=s.service_phone, email=s.service_email)


def pupil_details(pupil: Pupil, school: School | None, on: date, *, withhold_address: bool) -> PupilDetails:
    """`withhold_address`: the household's address is suppressed (see domain/privacy.py),
    on this pupil's record or a brother's or sister's at the same address."""
    return PupilDetails(
        name=pupil.display_name,
        forename=pupil.preferred_forename or pupil.forename,
        legal_name=pupil.legal_name,
        dob=pupil.dob,
        nc_year=rules.format_nc_year(rules.pupil_nc_year(pupil, on)),
        upn=pupil.upn,
        base_school=school.name if school else "",
        base_school_dfe=school.dfe_number if school else "",
        address=", ".join(part for part in (pupil.address, pupil.postcode) if part),
        address_suppressed=withhold_address or pupil.suppress_address,
        medical_needs=pupil.medical_needs,
        sen=pupil.sen.label if pupil.sen is not SenStatus.NONE else "",
    )


def visit_details(visit: Visit, pupil_id: str, sites: dict[str, Site], tuition_service: bool = False) -> VisitDetails:
    """The visit as one child's copies show it: the shared part, this child's own
    entry, and the notes about the whole visit or about them; nothing of a sibling's."""
    site = sites.get(visit.site_id) if visit.site_id else None
    entry = visit.entry_for(pupil_id)
    if entry is None:
        raise ValidationError("That pupil was not on this visit.")
    return VisitDetails(
        day=visit.date,
        start=visit.start,
        end=visit.end,
        hours=visit.hours_for(pupil_id),
        place=Place(kind=visit.place_type.label, name=site.name if site else "", detail=visit.place_detail),
        worker=visit.worker,
        held=visit.held_for(pupil_id),
        outcome=visit.status_for(pupil_id),
        subjects=tuple(entry.subjects),
        work_covered=entry.work_covered,
        work_set=entry.work_set,
        work_returned=entry.work_returned,
        levels_and_needs=entry.levels_and_needs,
        next_appointment=visit.next_appointment,
        # Only notes marked for the family may reach the parent copy: anything else counts as professional.
        notes=tuple(
            Note(text=n.text, professional=n.visibility is not Visibility.FAMILY) for n in visit.notes_about(pupil_id)
        ),
        sessions=tuition_service or visit.place_type in (PlaceType.HOME, PlaceType.WARD),
    )


def _tuition_service(app: ReportSource) -> bool:
    return app.settings().service_kind in ("hospital", "home")


def _level(entry: ProgressEntry) -> Level:
    return Level(
        subject=entry.subject,
        level=entry.level,
        assessed_on=entry.assessed_on,
        target=entry.target,
        learning_gap=entry.learning_gap,
    )


def _school(app: ReportSource, pupil: Pupil) -> School | None:
    return app.get_school(pupil.base_school_id) if pupil.base_school_id else None


def _households(app: ReportSource) -> Households:
    return app.address_households()


# --- the visit report ----------------------------------------------------------------


def visit_report(app: ReportSource, visit_id: str) -> VisitReport:
    visit = app.get_visit(visit_id)
    sites = {s.id: s for s in app.list_sites()}
    households = _households(app)
    tuition = _tuition_service(app)
    seen = []
    # Each child's copies by surname, then first name (Unicode collation), whatever order
    # they were ticked in: siblings' copies come out of the printer in a reader's order.
    pupils = sorted((app.get_pupil(pupil_id) for pupil_id in visit.pupil_ids), key=pupil_key)
    for pupil in pupils:
        pupil_id = pupil.id
        levels = tuple(_level(e) for e in app.list_progress(pupil_id) if e.assessed_on == visit.date)
        seen.append(
            VisitPupil(
                pupil=pupil_details(
                    pupil, _school(app, pupil), visit.date, withhold_address=households.withholds(pupil)
                ),
                visit=visit_details(visit, pupil_id, sites, tuition),
                levels=levels,
            )
        )
    return VisitReport(service=service_details(app), day=visit.date, pupils=tuple(seen), printed_on=app.today())


# --- the travel-period progress record -------------------------------------------------


def subject_progress(entries: list[ProgressEntry], start: date, end: date) -> list[SubjectProgress]:
    """Per subject: the level at the start of the period (the latest before it, or
    else the first within it) and the latest by its end, with target and gap."""
    by_subject: dict[str, list[ProgressEntry]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: e.assessed_on):
        if entry.assessed_on <= end:
            by_subject[entry.subject].append(entry)
    result = []
    for subject in sorted(by_subject, key=str.casefold):
        history = by_subject[subject]
        before = [e for e in history if e.assessed_on <= start]
        within = [e for e in history if e.assessed_on >= start]
        at_start = before[-1] if before else within[0]
        at_end = history[-1]
        gap = next((e for e in reversed(history) if e.learning_gap), None)
        result.append(
            SubjectProgress(
                subject=subject,
                at_start=_level(at_start),
                at_end=_level(at_end) if at_end is not at_start else None,
                target=next((e.target for e in reversed(history) if e.target), ""),
                learning_gap=gap.learning_gap if gap else "",
                learning_gap_on=gap.assessed_on if gap else None,
            )
        )
    return result


def _folders_in(folders: list[Folder], start: date, end: date) -> list[Folder]:
    return [f for f in folders if f.issued_on <= end and (f.returned_on is None or f.returned_on >= start)]


def progress_record(app: ReportSource, pupil_id: str, start: date, end: date) -> ProgressRecord:
    checks.report_period(start, end, app.today())
    pupil = app.get_pupil(pupil_id)
    visits = sorted(app.list_visits(pupil_id, start, end), key=lambda v: v.order)
    entries = app.list_progress(pupil_id)
    if not visits and not any(start <= e.assessed_on <= end for e in entries):
        raise ValidationError(
            f"{pupil.display_name} has no visits or assessments from {fmt_date(start)} to {fmt_date(end)}; "
            "there is nothing to report for that period."
        )
    sites = {s.id: s for s in app.list_sites()}
    tuition = _tuition_service(app)
    folders = sorted(_folders_in(app.list_folders(pupil_id), start, end), key=lambda f: f.issued_on)
    folder_work = [
        FolderWork(
            title=item.title,
            subject=item.subject,
            status=item.status.label,
            comment=item.comment,
            issued_on=folder.issued_on,
            returned_on=folder.returned_on,
        )
        for folder in folders
        for item in folder.items
        if item.status in (ItemStatus.RETURNED, ItemStatus.MARKED)
    ]
    return ProgressRecord(
        service=service_details(app),
        pupil=pupil_details(pupil, _school(app, pupil), end, withhold_address=_households(app).withholds(pupil)),
        start=start,
        end=end,
        visits=tuple(visit_details(v, pupil_id, sites, tuition) for v in visits),
        subjects=tuple(subject_progress(entries, start, end)),
        folder_work=tuple(folder_work),
        folders_issued=sum(start <= f.issued_on <= end for f in folders),
        folders_returned=sum(f.returned_on is not None and start <= f.returned_on <= end for f in folders),
        printed_on=app.today(),
    )


# --- the hours statement -----------------------------------------------------------------


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


# --- the LA caseload summary ---------------------------------------------------------------

HOURS_BANDS = rules.HOURS_BANDS


def _hours_week(app: ReportSource, today: date) -> date:
    """The Monday of the last complete week with school days in it: a holiday
    week says nothing about the hours a pupil receives."""
    calendar = app.school_calendar()
    monday = rules.week_start(today) - timedelta(days=7)
    for _ in range(8):  # the summer holiday is the longest gap
        if calendar.count(monday, monday + timedelta(days=4)):
            break
        monday -= timedelta(days=7)
    return monday


def caseload_summary(app: ReportSource, progress: Progress | None = None) -> CaseloadSummary:
    """The LA summary; `progress(done, total)` is told after each pupil (and may raise to cancel)."""
    monday = _hours_week(app, app.today())
    pupils = app.overview(hours_week=monday)
    if not pupils:
        raise ValidationError("The caseload is empty; there is nobody to summarise.")
    return summarise(app, pupils, monday, progress)


def summarise(
    app: ReportSource, pupils: list[PupilOverview], monday: date, progress: Progress | None = None
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


# --- PDFs -----------------------------------------------------------------------------------

REPORT_KINDS = ("visit", "progress", "hours", "summary")


def report_pdf(
    app: ReportSource,
    kind: str,
    record_id: str = "",
    *,
    start: date | None = None,
    end: date | None = None,
    large_print: bool = False,
    progress: Progress | None = None,
    purpose: str = "print",
) -> tuple[bytes, str]:
    """The PDF of a report and its title: what the print preview and the CLI call.
    `record_id` is a visit's id for 'visit', a pupil's for 'progress' and 'hours'.
    A report that carries a UPN, medical needs, an address or professional notes
    is written to the audit trail (`purpose`: print, or export for a file)."""
    end = end or app.today()
    if start is None:  # about a term back; never before the earliest day a report may cover
        start = end - DEFAULT_PERIOD if end > checks.EARLIEST_REPORT_DAY + DEFAULT_PERIOD else end
    # Titles name the pupil by initials only: they show in file managers and print queues.
    if kind == "visit":
        report = visit_report(app, record_id)
        who = ", ".join(initials(p.pupil.name) for p in report.pupils)
        pdf, title = render_visit_report(report, large_print=large_print), f"Visit report {who} {report.day}"
        # The service and school copies carry the UPN and medical needs; the service copy the notes.
        pupil_ids = app.get_visit(record_id).pupil_ids
        notes = [n for p in report.pupils for n in p.visit.notes]
        carried = _carried([p.pupil for p in report.pupils], notes, address=True)
    elif kind == "progress":
        record = progress_record(app, record_id, start, end)
        pdf, title = render_progress_record(record), f"Progress record {initials(record.pupil.name)} {start} to {end}"
        notes = [n for v in record.visits for n in v.notes]
        pupil_ids, carried = [record_id], _carried([record.pupil], notes, address=False)  # the school copy
    elif kind == "hours":
        statement = hours_statement(app, record_id, start, end)
        pdf, title = (
            render_hours_statement(statement),
            f"Hours statement {initials(statement.pupil.name)} {start} to {end}",
        )
        pupil_ids, carried = [record_id], _carried([statement.pupil], (), address=True)
    elif kind == "summary":
        summary = caseload_summary(app, progress)
        pdf, title = render_caseload_summary(summary), f"Caseload summary {app.today()}"
        pupil_ids = [p.id for p in app.list_pupils()]  # every UPN on it is logged against its pupil
        carried = ["UPN"] if any(r.upn for r in summary.rows) else []
    else:
        raise ValidationError(f"There is no '{kind}' report; choose one of: {', '.join(REPORT_KINDS)}.")
    if carried:
        with app.store.transaction(app.actor) as tx:
            tx.audit(
                purpose,
                "report",
                record_id,
                f"{kind} report ({', '.join(carried)})",
                pupil_ids=list(pupil_ids),
                changes={"report": kind, "carries": carried},
            )
    return pdf, title


def _carried(pupils: list[PupilDetails], notes: tuple | list, *, address: bool) -> list[str]:
    """What personal data of the audited kinds a report prints."""
    found = []
    if any(p.upn for p in pupils):
        found.append("UPN")
    if any(p.medical_needs for p in pupils):
        found.append("medical needs")
    if address and any(p.address and not p.address_suppressed for p in pupils):
        found.append("address")
    if any(n.professional for n in notes):
        found.append("professional notes")
    return found
