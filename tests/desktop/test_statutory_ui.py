"""The statutory records in the app: an exclusion recorded from the pupil record,
the NC year set by hand shown beside the year by age, planned travel on the
Stays tab, and the school term dates (File → School term dates)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date, timedelta
from pathlib import Path

import pytest

from desktop.domain.enums import ExclusionKind, TravellerGroup
from desktop.domain.records import PlannedTravel, Pupil, School
from desktop.tasks import ImmediateTaskRunner
from desktop.ui.calendar_dialog import CalendarDialog
from desktop.ui.record import PupilView
from desktop.ui.widgets import to_qdate

from .test_pupil_view import plain

TODAY = date(2026, 11, 22)  # Sunday
FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture
def runner(qtbot):
    return ImmediateTaskRunner()


@pytest.fixture
def view(app, runner, qtbot) -> PupilView:
    widget = PupilView(app, runner)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    return widget


@pytest.fixture
def tyler(app) -> Pupil:
    school = School(urn="140077", la_code="888", estab="4107", name="Fulwood Academy")
    app.add_school(school)
    pupil = Pupil(
        forename="Tyler",
        surname="Wilson",
        dob=date(2013, 5, 1),
        traveller_group=TravellerGroup.SHOWMAN,
        base_school_id=school.id,
    )
    app.add_pupil(pupil)
    return pupil


def test_an_exclusion_recorded_from_the_record(app, view, tyler, qtbot):
    view.show_pupil(tyler.id)
    dialog = view.record_exclusion()
    qtbot.addWidget(dialog)
    # A fixed period is given in school days: Thu 22 and Fri 23 Oct, the half term, then Mon 2 Nov.
    assert dialog.days.isEnabled()
    dialog.start.setDate(to_qdate(date(2026, 10, 22)))
    dialog.days.setValue(3)
    dialog.reason.setText("Fighting")
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    (fixed,) = app.list_exclusions(tyler.id)
    assert (fixed.kind, fixed.end) == (ExclusionKind.FIXED_PERIOD, date(2026, 11, 2))
    text = plain(view.provision)
    assert "Fixed-period exclusion · 22 Oct 2026 – 2 Nov 2026, 3 school days" in text
    assert "Fixed-period exclusions this academic year: 3 school days of 45" in text

    dialog = view.record_exclusion()
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData(ExclusionKind.PERMANENT))
    assert not dialog.days.isEnabled()  # a permanent exclusion has no length
    dialog.start.setDate(to_qdate(TODAY + timedelta(days=90)))
    dialog.submit()
    assert dialog.banner.text() == "An exclusion more than 60 days ahead is not likely; check the date."
    dialog.start.setDate(to_qdate(date(2026, 11, 16)))
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    assert "Permanent exclusion · From 16 Nov 2026" in plain(view.provision)
    assert "Full-time provision due from 23 Nov 2026 (the sixth school day)" in plain(view.provision)
    assert "<b>Exclusion</b>: Permanently excluded from 16 Nov 2026" in view.attention.text()


def test_the_nc_year_set_by_hand_shows_beside_the_year_by_age(app, view, tyler):
    app.edit_pupil(tyler.id, nc_year=8)  # Year 9 by age, taught in Year 8
    view.show_pupil(tyler.id)
    assert "NC year\nYear 8 (Year 9 by age)" in plain(view.profile)
    assert view.facts.text().replace("\u00a0", " ").startswith("Year 8 (Year 9 by age) · Traveller")
    assert app.get_pupil(tyler.id).nc_year_offset == -1


def test_planned_travel_shows_whether_the_base_school_has_agreed_the_dates(app, view, tyler):
    app.add_travel(
        PlannedTravel(pupil_id=tyler.id, leaves=date(2026, 12, 4), returns=date(2027, 2, 8), destination="Winter fairs")
    )
    view.show_pupil(tyler.id)
    view.show_tab("stays")
    text = plain(view.stays)
    assert "4 Dec 2026 – 8 Feb 2027 · Winter fairs" in text
    assert "Dates not yet agreed with the base school" in text
    assert "<b>Travel dates</b>" in view.attention.text()
    (trip,) = app.list_travel(tyler.id)
    app.agree_travel(trip.id, date(2026, 11, 20))
    view.show_pupil(tyler.id)
    assert "Dates agreed with the base school on 20 Nov 2026" in plain(view.stays)
    assert "Travel dates" not in view.attention.text()


def test_term_dates_are_imported_and_reset_from_the_app(app, runner, qtbot, tmp_path):
    changed = []
    runner.did_change.connect(changed.append)
    dialog = CalendarDialog(app, runner)
    qtbot.addWidget(dialog)
    rows = [dialog.years.topLevelItem(i) for i in range(dialog.years.topLevelItemCount())]
    assert [(r.text(0), r.text(1), r.text(3)) for r in rows] == [
        (label, "190", "England default") for label in ("2024/25", "2025/26", "2026/27", "2027/28")
    ]
    dialog.years.setCurrentItem(rows[2])
    assert not dialog.reset_button.isEnabled()  # the default is already in use

    dialog.import_file(str(FIXTURES / "la-term-dates-2026-27.ics"))
    assert dialog.banner.text().startswith("Imported 2026/27 from la-term-dates-2026-27.ics: 192 school days.<br>")
    assert "Council budget consultation closes" in dialog.banner.text()  # skipped, and said so
    assert [c.entities for c in changed] == [frozenset({"calendar_entry"})]
    row = dialog.years.topLevelItem(2)
    assert (row.text(1), row.text(3)) == ("192", "la-term-dates-2026-27.ics")
    assert app.school_calendar().is_school_day(date(2026, 10, 28))  # this LA's half term is a week later

    bad = tmp_path / "holidays.csv"
    bad.write_text("start,end,kind\n2026-10-26,2026-10-30,holiday\n")
    dialog.import_file(str(bad))
    assert "no term dates for 2026/27" in dialog.banner.text()
    assert dialog.years.topLevelItem(2).text(3) == "la-term-dates-2026-27.ics"  # nothing changed

    dialog.years.setCurrentItem(dialog.years.topLevelItem(2))
    assert dialog.reset_button.isEnabled()
    dialog.reset_selected()
    assert dialog.banner.text() == "2026/27 uses the England default again."
    assert dialog.years.topLevelItem(2).text(3) == "England default"
    assert not app.school_calendar().is_school_day(date(2026, 10, 28))


def test_the_term_dates_open_from_the_file_menu(demo_window, qtbot):
    assert demo_window.calendar_action.isEnabled()
    dialog = demo_window.open_calendar()
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and dialog.years.topLevelItemCount() == 4
    assert dialog.import_button.text() == "&Import an LA's dates…"
    dialog.reject()
    demo_window.lock()
    assert not demo_window.calendar_action.isEnabled()
