"""Report benchmark: rendering the printed reports against a minimal three-page
reportlab document rendered in the same run, so the ratios hold on any machine.

    python bench/reports.py [--runs 15]

Scenarios: a visit report (one pupil, three copies) and a 200-visit
travel-period progress record, each from plain data (rendering alone) and
through the services from an encrypted profile (reading + rendering).
Targets: visit report < 150 ms, 200-visit record < 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

from desktop.domain.enums import PlaceType, SiteType, Visibility
from desktop.domain.records import ProgressEntry, Pupil, School, Site, Visit, VisitNote
from desktop.reports import render_progress_record, render_visit_report
from desktop.reports.data import (
    FolderWork,
    Level,
    Note,
    Place,
    ProgressRecord,
    PupilDetails,
    ServiceDetails,
    SubjectProgress,
    VisitDetails,
    VisitPupil,
    VisitReport,
)
from desktop.reports.fonts import register_fonts
from desktop.services import Waymark
from desktop.services.reporting import report_pdf

TODAY = date(2026, 11, 22)
TARGETS = {"visit report": 0.150, "200-visit record": 2.0}

SERVICE = ServiceDetails(
    name="Lancashire Traveller Education Service",
    address="County Hall, Fishergate, Preston PR1 8XJ",
    phone="01772 530000",
    email="tes@lancashire.gov.uk",
)
PUPIL = PupilDetails(
    name="Seán Ó Súilleabháin",
    forename="Seán",
    dob=date(2017, 3, 2),
    nc_year="Year 4",
    upn="R674123101121",
    base_school="St Anne's Catholic Primary School",
    base_school_dfe="888/2145",
    address="Plot 4, Walton Summit transit site, PR5 8AA",
    medical_needs="Asthma; inhaler kept in the trailer",
    sen="SEN support",
)


def a_visit(day: date, n: int) -> VisitDetails:
    return VisitDetails(
        day=day,
        start=clock(10),
        end=clock(11, 30),
        hours=1.5,
        place=Place(kind="Site", name="Walton Summit transit site", detail="the family's trailer"),
        worker="Ann Tutor",
        subjects=("English", "Maths"),
        work_covered=f"Visit {n}: reading aloud from a class novel; number bonds to 20 with counters and a £1 coin game.",
        work_set="Reading journal, two pages a day; times tables (2, 5, 10) practice sheet.",
        work_returned="Spelling pack 3, marked 18/20",
        levels_and_needs="Reading more fluently; needs practice with times tables and handwriting.",
        next_appointment=datetime.combine(day + timedelta(days=7), clock(10)),
        notes=(
            Note(text="Lovely session: Seán read to his sister Máire.", professional=False),
            Note(text="Dad mentioned the family may move on early; ask about dual registration.", professional=True),
        ),
    )


def visit_report() -> VisitReport:
    level = Level(
        subject="Reading", level="Year 3 expected", assessed_on=TODAY, target="Year 4", learning_gap="Inference"
    )
    return VisitReport(
        service=SERVICE,
        day=TODAY,
        pupils=(VisitPupil(pupil=PUPIL, visit=a_visit(TODAY, 1), levels=(level,)),),
        printed_on=TODAY,
    )


def progress_record(visits: int) -> ProgressRecord:
    start = TODAY - timedelta(days=visits)
    levels = [
        SubjectProgress(
            subject=subject,
            at_start=Level(subject=subject, level="Developing", assessed_on=start),
            at_end=Level(subject=subject, level="Secure", assessed_on=TODAY),
            target="Greater depth",
            learning_gap="Place value beyond 100",
        )
        for subject in ("English", "Maths", "Science", "Reading")
    ]
    work = [
        FolderWork(title=f"Worksheet {i}", subject="Maths", status="Marked", comment="Well done", issued_on=start)
        for i in range(12)
    ]
    return ProgressRecord(
        service=SERVICE,
        pupil=PUPIL,
        start=start,
        end=TODAY,
        visits=tuple(a_visit(start + timedelta(days=i), i + 1) for i in range(visits)),
        subjects=tuple(levels),
        folder_work=tuple(work),
        folders_issued=2,
        folders_returned=1,
        printed_on=TODAY,
    )


def minimal_document() -> bytes:
    """The baseline: three pages of one paragraph each, reportlab's defaults."""
    out = BytesIO()
    style = getSampleStyleSheet()["Normal"]
    story = []
    for page in range(3):
        if page:
            story.append(PageBreak())
        story.append(Paragraph(f"Page {page + 1}: a minimal reportlab document.", style))
    SimpleDocTemplate(out).build(story)
    return out.getvalue()


def a_profile(folder: Path, visits: int) -> tuple[Waymark, str, str]:
    """An encrypted profile with one pupil and `visits` visits; returns the app, the pupil and a visit."""
    app = Waymark.create_profile(folder, "correct horse battery", service_name=SERVICE.name, scrypt_n=2**10)
    app.today = lambda: TODAY
    school = School(urn="119234", la_code="888", estab="2145", name=PUPIL.base_school)
    app.add_school(school)
    site = Site(name="Walton Summit transit site", site_type=SiteType.TRANSIT_SITE)
    app.add_site(site)
    pupil = Pupil(forename="Seán", surname="Ó Súilleabháin", dob=PUPIL.dob, base_school_id=school.id)
    app.add_pupil(pupil)
    for subject in ("English", "Maths"):
        app.add_progress(ProgressEntry(pupil_id=pupil.id, subject=subject, level="Developing", assessed_on=TODAY))
    last = ""
    for i in range(visits):
        details = a_visit(TODAY - timedelta(days=i), i + 1)
        visit = Visit.same_for_all(
            date=details.day,
            start=details.start,
            end=details.end,
            place_type=PlaceType.SITE,
            site_id=site.id,
            worker=details.worker,
            pupil_ids=[pupil.id],
            subjects=list(details.subjects),
            work_covered=details.work_covered,
            work_set=details.work_set,
            work_returned=details.work_returned,
            levels_and_needs=details.levels_and_needs,
            next_appointment=details.next_appointment,
            notes=[
                VisitNote(text=n.text, visibility=Visibility.PROFESSIONAL if n.professional else Visibility.FAMILY)
                for n in details.notes
            ],
        )
        last = app.log_visit(visit).id
    return app, pupil.id, last


def timed(fn: Callable[[], object], runs: int) -> float:
    """Median seconds of `runs` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="runs per scenario; the median is reported")
    args = parser.parse_args()

    start = time.perf_counter()
    register_fonts()
    first_visit = render_visit_report(visit_report())
    cold = time.perf_counter() - start

    report, record = visit_report(), progress_record(200)
    baseline = timed(minimal_document, args.runs)
    rows = [
        ("visit report", "from data", timed(lambda: render_visit_report(report), args.runs)),
        (
            "visit report, large print",
            "from data",
            timed(lambda: render_visit_report(report, large_print=True), args.runs),
        ),
        ("200-visit record", "from data", timed(lambda: render_progress_record(record), max(3, args.runs // 3))),
    ]
    with tempfile.TemporaryDirectory() as folder:
        app, pupil_id, visit_id = a_profile(Path(folder) / "profile", 200)
        try:
            rows += [
                ("visit report", "profile", timed(lambda: app.report_pdf("visit", visit_id), args.runs)),
                (
                    "200-visit record",
                    "profile",
                    timed(
                        lambda: report_pdf(app, "progress", pupil_id, start=TODAY - timedelta(days=199), end=TODAY),
                        max(3, args.runs // 3),
                    ),
                ),
            ]
        finally:
            app.close()

    print(f"fonts registered and first visit report rendered (cold): {cold * 1000:.0f} ms ({len(first_visit)} bytes)")
    print(f"baseline, minimal three-page reportlab document: {baseline * 1000:.1f} ms (median of {args.runs})")
    print()
    print(f"{'scenario':28} {'source':10} {'median':>10} {'x baseline':>11} {'target':>9}")
    failed = False
    for name, source, seconds in rows:
        target = TARGETS.get(name)
        verdict = ""
        if target is not None:
            ok = seconds < target
            failed |= not ok
            verdict = f"{'<' if ok else '>='} {target * 1000:.0f} ms {'ok' if ok else 'SLOW'}"
        print(f"{name:28} {source:10} {seconds * 1000:8.1f} ms {seconds / baseline:10.1f}x  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
