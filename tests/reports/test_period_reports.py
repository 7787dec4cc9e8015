"""The travel-period progress record, the hours statement and the LA caseload
summary, read back from the PDF."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from desktop.services import reporting
from desktop.services.errors import NotFound, ValidationError

from .conftest import (
    CONCERN,
    HIDDEN_ADDRESS,
    HIDDEN_SITE,
    OPEN_ADDRESS,
    PROFESSIONAL_NOTE,
    TODAY,
    pages_text,
)


def progress_pages(casefile, pupil, start=None, end=TODAY) -> list[str]:
    start = start or casefile.first_visit_day
    return pages_text(reporting.report_pdf(casefile.app, "progress", pupil.id, start=start, end=end)[0])


def test_progress_record_summary_first_then_every_visit(casefile):
    pages = progress_pages(casefile, casefile.sean)
    summary, detail = pages[0], " ".join(pages[1:])
    assert "Travel-period progress record" in summary and "Seán Ó Súilleabháin" in summary
    assert "9 of 10 Visits held" in summary and "13.5 Hours delivered" in summary
    # Levels at the start (the latest before the period) and at the end, with the gap.
    assert "Reading Year 2 expected" in summary and "Year 3 expected" in summary
    assert "Maths Emerging" in summary and "Developing" in summary
    assert "Reading: gap after travel" in summary
    assert "Walton Summit transit site (9)" in summary
    for week in (1, 2, 3, 5, 6, 7, 8, 9, 10):
        assert f"Week {week}: reading aloud" in detail
    # The fourth visit did not happen: it says so, and prints no work covered or returned.
    assert "Not at home" in detail and "Week 4: reading aloud" not in detail
    assert detail.count("Spelling pack 3, marked 18/20") == 9
    assert "Sound mat" in detail and "Marked" in detail and "All sounds correct" in detail
    assert PROFESSIONAL_NOTE in detail  # the record goes to the base school


def test_progress_record_carries_no_concern_and_no_address(casefile):
    for page in progress_pages(casefile, casefile.sean) + progress_pages(
        casefile, casefile.caitlin, TODAY - timedelta(weeks=2)
    ):
        for secret in (CONCERN, OPEN_ADDRESS, HIDDEN_ADDRESS, HIDDEN_SITE):
            assert secret not in page


def test_progress_record_for_an_empty_period_is_refused(casefile):
    with pytest.raises(ValidationError, match="nothing to report"):
        reporting.progress_record(casefile.app, casefile.lukasz.id, date(2026, 1, 1), date(2026, 2, 1))
    with pytest.raises(ValidationError, match="after it ends"):
        reporting.progress_record(casefile.app, casefile.sean.id, TODAY, TODAY - timedelta(days=1))
    with pytest.raises(NotFound):
        reporting.progress_record(casefile.app, "no-such-pupil", TODAY - timedelta(days=7), TODAY)


def test_subject_progress_takes_the_first_level_in_the_period_when_none_before(casefile):
    (reading,) = [
        s
        for s in reporting.progress_record(
            casefile.app, casefile.sean.id, casefile.first_visit_day - timedelta(days=40), TODAY
        ).subjects
        if s.subject == "Reading"
    ]
    assert reading.at_start.level == "Year 2 expected" and reading.at_end.level == "Year 3 expected"


def test_hours_statement_marks_weeks_below_target(casefile):
    pdf, title = reporting.report_pdf(casefile.app, "hours", casefile.kai.id, start=casefile.first_visit_day, end=TODAY)
    text = " ".join(pages_text(pdf))
    assert "Hours statement" in title
    assert "Kai Ahmed" in text and "Epilepsy" in text
    assert "25 hours a week" in text and "5 hours a week" in text and "4 hours a week" in text
    assert "1 of 10 Weeks below target" in text
    assert text.count("▼ Below target") == 1
    assert "w/b 9 Nov 2026 5 1.33 4 2.67 ▼ Below target" in text  # planned, delivered, target, short by
    assert "w/b 16 Nov 2026 5 4 4" in text


def test_hours_statement_with_nothing_in_the_period_is_refused(casefile):
    with pytest.raises(ValidationError, match="no provision or sessions"):
        reporting.hours_statement(casefile.app, casefile.kai.id, date(2025, 1, 6), date(2025, 2, 2))


def test_hours_statement_period_is_whole_weeks_and_a_part_week_is_not_judged(casefile):
    wednesday = TODAY - timedelta(days=4)
    statement = reporting.hours_statement(casefile.app, casefile.kai.id, wednesday - timedelta(days=9), wednesday)
    assert statement.start.weekday() == 0  # moved back to the Monday
    assert statement.weeks[-1].partial and not statement.weeks[-1].below_target
    assert not statement.weeks[0].partial


def test_caseload_summary_rows_and_counts(casefile):
    text = " ".join(pages_text(reporting.report_pdf(casefile.app, "summary")[0]))
    for name in (
        "Seán Ó Súilleabháin",
        "Máire Ó Súilleabháin",
        "Caitlín Ní Dhomhnaill",
        "Łukasz Kowalski",
        "Kai Ahmed",
    ):
        assert name in text
    assert "R674123101121" in text and "WIRT" in text
    assert "Withheld" in text
    for secret in (HIDDEN_SITE, HIDDEN_ADDRESS, CONCERN):
        assert secret not in text
    assert "Traveller 4" in text and "Home tuition 1" in text
    assert "under 5 5" in text  # every pupil had under five hours in the last complete week
    assert "Reviews overdue (1)" in text and "Home tuition review was due 20 Nov 2026" in text
    assert "Folders not returned: 0 out" in text


def test_summary_data_counts(casefile):
    summary = reporting.caseload_summary(casefile.app)
    assert len(summary.rows) == 5
    assert dict(summary.by_hours_band) == {"under 5": 5, "5-8": 0, "8-25": 0, "25 and over": 0}
    assert dict(summary.by_provision) == {"TES visits": 4, "Home tuition": 1}
    assert summary.hours_week_start == date(2026, 11, 9)


def test_the_summary_reports_progress_and_stops_when_told(casefile):
    seen: list[tuple[int, int]] = []
    reporting.caseload_summary(casefile.app, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(i, 5) for i in range(5)]

    class Stop(Exception):
        pass

    def stop_after_two(done: int, total: int) -> None:
        if done == 2:
            raise Stop

    with pytest.raises(Stop):
        reporting.report_pdf(casefile.app, "summary", progress=stop_after_two)


def test_a_learning_gap_says_when_it_was_noted(casefile):
    """Defect: a gap noted before the period printed as if it were current, with no date."""
    from desktop.reports import render_progress_record
    from desktop.reports.data import Level, ProgressRecord, PupilDetails, ServiceDetails, SubjectProgress
    from desktop.reports.layout import fmt_date

    noted = fmt_date(casefile.sibling_visit.date)
    assert f"Reading: gap after travel (noted {noted})" in progress_pages(casefile, casefile.sean)[0]
    start = date(2026, 9, 1)
    old = Level(subject="Maths", level="Emerging", assessed_on=date(2026, 6, 3))
    record = ProgressRecord(
        service=ServiceDetails(name="TES", phone="01772 530000"),
        pupil=PupilDetails(name="Zofia Kowalska", forename="Zofia", dob=date(2018, 1, 1), nc_year="Year 3"),
        start=start,
        end=date(2026, 11, 22),
        visits=(),
        subjects=(
            SubjectProgress(
                subject="Maths",
                at_start=old,
                at_end=None,
                learning_gap="Place value",
                learning_gap_on=old.assessed_on,
            ),
        ),
        folder_work=(),
        printed_on=date(2026, 11, 22),
    )
    text = " ".join(pages_text(render_progress_record(record)))
    assert "Place value (noted 3 Jun 2026, before this period)" in text


def test_every_copy_of_every_report_says_whom_to_call(casefile):
    """The service's phone and email on every page of every report, so a parent or a
    school knows whom to ask; in the body of the parent's and the school's copies too."""
    app = casefile.app
    reports = {
        "visit": reporting.report_pdf(app, "visit", casefile.sibling_visit.id)[0],
        "progress": reporting.report_pdf(app, "progress", casefile.sean.id, start=casefile.first_visit_day)[0],
        "hours": reporting.report_pdf(app, "hours", casefile.kai.id, start=casefile.first_visit_day)[0],
        "summary": reporting.report_pdf(app, "summary")[0],
    }
    for kind, pdf in reports.items():
        for page in pages_text(pdf):
            assert "01772 530000" in page and "tes@example.org" in page, kind
    visit_pages = pages_text(reports["visit"])
    assert "Any questions? Contact Lancashire Traveller Education Service on 01772 530000" in visit_pages[0]
    assert "Questions about this report: Lancashire Traveller Education Service on 01772 530000" in visit_pages[2]


def test_the_progress_record_ends_with_next_steps_for_the_class_teacher(casefile):
    pages = progress_pages(casefile, casefile.sean)
    last = pages[-1]
    steps = last[last.index("Next steps for the class teacher") :]
    assert "Reading: gap after travel" in steps and "Year 4 expected" in steps  # gaps and targets
    assert "Reading journal: two pages a day" in steps  # the work last set
    assert "01772 530000" in steps and "tes@example.org" in steps


def test_tuition_copies_say_next_session_and_traveller_copies_next_stop(casefile):
    app = casefile.app
    home = pages_text(reporting.report_pdf(app, "visit", app.list_visits(casefile.kai.id)[0].id)[0])
    site = pages_text(reporting.report_pdf(app, "visit", casefile.hidden_visit.id)[0])
    assert "Work to do before the next session" in home[0] and "Work set for the next session" in home[1]
    assert "next stop" not in " ".join(home)
    assert "Work to do before the next visit" in site[0] and "Work set for the next stop" in site[1]
