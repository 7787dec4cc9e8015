"""Awkward input still prints: markup characters, very long text in large
type, missing fields, a record with no visits."""

from __future__ import annotations

from datetime import date

from desktop.reports import render_progress_record, render_visit_report
from desktop.reports.data import (
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

from .conftest import copy_of, pages_text

SERVICE = ServiceDetails(name="Hospital Education Service")
PUPIL = PupilDetails(name="Zofia <Kowalska> & Co", forename="Zofia", dob=date(2018, 1, 1), nc_year="Year 3")


def test_markup_characters_and_very_long_text_in_large_print():
    long_text = " ".join(f"Sentence {i} about fractions & <decimals>." for i in range(400))
    visit = VisitDetails(
        day=date(2026, 11, 20),
        place=Place(kind="Ward"),
        work_covered=long_text,
        notes=tuple(Note(text=f"Family note {i}", professional=i % 2 == 1) for i in range(30)),
    )
    report = VisitReport(
        service=SERVICE, day=visit.day, pupils=(VisitPupil(pupil=PUPIL, visit=visit),), printed_on=date(2026, 11, 22)
    )
    pages = pages_text(render_visit_report(report, large_print=True))
    text = " ".join(pages)
    assert "Zofia <Kowalska> & Co" in text
    assert "Sentence 399 about fractions & <decimals>." in text  # the long cell split over pages, not cut
    parent = " ".join(p for p in pages if copy_of(p, SERVICE.name) == "parent")
    assert "Family note 28" in parent and "Family note 29" not in parent


def test_a_visit_with_almost_nothing_recorded():
    visit = VisitDetails(day=date(2026, 11, 20), place=Place(kind="Home"), held=False, outcome="Not at home")
    report = VisitReport(
        service=SERVICE, day=visit.day, pupils=(VisitPupil(pupil=PUPIL, visit=visit),), printed_on=date(2026, 11, 22)
    )
    pages = pages_text(render_visit_report(report))
    assert len(pages) == 3
    assert all("Not at home" in page for page in pages)


def test_a_progress_record_with_levels_but_no_visits():
    level = Level(subject="Maths", level="Secure", assessed_on=date(2026, 10, 1))
    record = ProgressRecord(
        service=SERVICE,
        pupil=PUPIL,
        start=date(2026, 9, 1),
        end=date(2026, 11, 22),
        visits=(),
        subjects=(SubjectProgress(subject="Maths", at_start=level, at_end=None),),
        folder_work=(),
        printed_on=date(2026, 11, 22),
    )
    text = " ".join(pages_text(render_progress_record(record)))
    assert "0 of 0 Visits held" in text and "Maths Secure (1 Oct 2026) No later assessment" in text
