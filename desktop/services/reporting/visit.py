"""The visit report's data."""

from __future__ import annotations

from desktop.domain.collation import pupil_key
from desktop.reports.data import VisitPupil, VisitReport

from .details import _households, _level, _school, _tuition_service, pupil_details, service_details, visit_details
from .source import ReportSource


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
