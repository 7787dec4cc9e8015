"""The travel-period progress record's data."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from desktop.domain.enums import ItemStatus
from desktop.domain.records import Folder, ProgressEntry
from desktop.reports.data import FolderWork, ProgressRecord, SubjectProgress
from desktop.reports.layout import fmt_date

from .. import checks
from ..errors import ValidationError
from .details import _households, _level, _school, _tuition_service, pupil_details, service_details, visit_details
from .source import ReportSource


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
