"""Awkward input still prints: markup characters, very long text in large
type, missing fields, a record with no visits."""

from __future__ import annotations

from datetime import date

import pytest

from desktop.reports import render_hours_statement, render_progress_record, render_visit_report
from desktop.reports.data import (
    HoursStatement,
    Level,
    Note,
    Place,
    ProgressRecord,
    Provision,
    PupilDetails,
    ServiceDetails,
    SubjectProgress,
    VisitDetails,
    VisitPupil,
    VisitReport,
    WeekRow,
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


def _long(n: int, end: str) -> str:
    words = " ".join(f"need{i}" for i in range(n // 7))
    return f"{words} {end}"


@pytest.mark.parametrize(
    ("medical", "address"),
    [(_long(1100, "MEDEND"), ""), (_long(2000, "MEDEND"), _long(2000, "ADDREND")), ("z" * 2500 + " MEDEND", "")],
    ids=["medical-1100", "medical-and-address-2000", "one-unbroken-word"],
)
def test_any_field_of_any_length_prints_across_pages(medical, address):
    """LayoutError came at about 1,100 characters of medical needs (visit report), 2,000
    (progress record, hours statement) or an address of 2,000: a form box held it whole."""
    pupil = PupilDetails(
        name="Zofia Kowalska",
        forename="Zofia",
        dob=date(2018, 1, 1),
        nc_year="Year 3",
        medical_needs=medical,
        address=address,
    )
    visit = VisitDetails(day=date(2026, 11, 20), place=Place(kind="Ward"), hours=1.0)
    report = VisitReport(
        service=SERVICE, day=visit.day, pupils=(VisitPupil(pupil=pupil, visit=visit),), printed_on=date(2026, 11, 22)
    )
    record = ProgressRecord(
        service=SERVICE,
        pupil=pupil,
        start=date(2026, 9, 1),
        end=date(2026, 11, 22),
        visits=(visit,),
        subjects=(),
        folder_work=(),
        printed_on=date(2026, 11, 22),
    )
    statement = HoursStatement(
        service=SERVICE,
        pupil=pupil,
        start=date(2026, 9, 7),
        end=date(2026, 11, 22),
        provision=(Provision(kind="Hospital tuition", start=date(2026, 9, 7)),),
        weeks=(WeekRow(week_start=date(2026, 9, 7), planned=5, delivered=1, target=5, below_target=True),),
        full_time_hours=25,
        minimum_hours=5,
        medical_max_hours=None,
        printed_on=date(2026, 11, 22),
    )
    visit_pdfs = (render_visit_report(report), render_visit_report(report, large_print=True))
    for pdf in (*visit_pdfs, render_progress_record(record), render_hours_statement(statement)):
        assert "MEDEND" in " ".join(pages_text(pdf))  # the last word printed: split over pages, not cut
    for pdf in visit_pdfs:  # the address is on the visit report's parent and service copies
        assert not address or "ADDREND" in " ".join(pages_text(pdf))
