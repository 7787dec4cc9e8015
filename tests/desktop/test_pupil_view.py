"""The pupil record: what was logged shows; concerns wait for a deliberate step and
are audited; lock clears every trace; the record redraws when its data changes."""

from __future__ import annotations

import io
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date, time, timedelta

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLabel, QTableWidget, QTextBrowser, QTreeWidget, QWidget

from desktop.domain.enums import (
    ContactRelationship,
    NotSeenReason,
    Outcome,
    PlaceType,
    ProvisionType,
    SiteType,
    TravellerGroup,
    Visibility,
)
from desktop.domain.records import (
    Action,
    Concern,
    Contact,
    ProgressEntry,
    ProvisionEpisode,
    Pupil,
    School,
    Site,
    Stay,
    Visit,
    VisitEntry,
    VisitNote,
    WorkPack,
)
from desktop.tasks import ImmediateTaskRunner
from desktop.ui.record import GAP_BACKGROUND, PupilView, ReportPeriodDialog
from desktop.ui.widgets import to_qdate

TODAY = date(2026, 11, 22)  # Sunday


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
def family(app):
    """Levi and Esme Lee on a transit site; Levi's address is suppressed."""
    school = School(urn="119234", la_code="888", estab="2145", name="St Anne's Catholic Primary School")
    app.add_school(school)
    site = Site(name="Walton Summit transit site", site_type=SiteType.TRANSIT_SITE, postcode="PR5 8AA")
    app.add_site(site)
    kids = []
    for forename, dob in (("Levi", date(2016, 3, 1)), ("Esme", date(2018, 6, 1))):
        pupil = Pupil(
            forename=forename,
            surname="Lee",
            dob=dob,
            traveller_group=TravellerGroup.GYPSY_ROMA,
            ethnicity="WROM",
            base_school_id=school.id,
            address="Trailer 4, Walton Summit",
            suppress_address=forename == "Levi",
        )
        app.add_pupil(pupil)
        app.record_stay(Stay(pupil_id=pupil.id, site_id=site.id, arrived=date(2026, 10, 1), proposed_weeks=8))
        app.add_contact(
            Contact(
                pupil_id=pupil.id, name="Shanti Lee", relationship=ContactRelationship.MOTHER, needs_reading_help=True
            )
        )
        kids.append(pupil)
    return site, kids


def visit(site, kids, day, covered, family_note="", professional_note="", outcome=Outcome.HELD) -> Visit:
    notes = []
    if family_note:
        notes.append(VisitNote(text=family_note, visibility=Visibility.FAMILY))
    if professional_note:
        notes.append(VisitNote(text=professional_note, visibility=Visibility.PROFESSIONAL))
    return Visit.same_for_all(
        date=day,
        start=time(10, 0),
        end=time(11, 30),
        place_type=PlaceType.SITE,
        site_id=site.id,
        pupil_ids=[k.id for k in kids],
        subjects=["English", "Maths"],
        work_covered=covered,
        outcome=outcome,
        notes=notes,
    )


def plain(pane: QTextBrowser) -> str:
    """A rich-text pane's words, one line each, without the badges' padding."""
    return "\n".join(line.replace("\xa0", " ").strip() for line in pane.toPlainText().splitlines())


def all_text(widget) -> str:
    """Everything a widget tree shows as text: labels, rich text, tree and table cells."""
    parts = [w.text() for w in widget.findChildren(QLabel)]
    parts += [w.toPlainText() for w in widget.findChildren(QTextBrowser)]
    for tree in widget.findChildren(QTreeWidget):
        for i in range(tree.topLevelItemCount()):
            item = tree.topLevelItem(i)
            for node in [item, *(item.child(c) for c in range(item.childCount()))]:
                parts += [node.text(c) for c in range(tree.columnCount())]
    for table in widget.findChildren(QTableWidget):
        parts += [
            table.item(r, c).text()
            for r in range(table.rowCount())
            for c in range(table.columnCount())
            if table.item(r, c)
        ]
        parts += [table.verticalHeaderItem(r).text() for r in range(table.rowCount()) if table.verticalHeaderItem(r)]
    return "\n".join(parts)


def test_the_record_shows_the_visits_logged_newest_first(app, view, family):
    site, (levi, esme) = family
    app.log_visit(visit(site, [levi, esme], date(2026, 11, 10), "Number bonds to 20", family_note="Great work today"))
    app.log_visit(
        visit(
            site,
            [levi, esme],
            date(2026, 11, 17),
            "Reading aloud",
            family_note="Levi read a whole chapter",
            professional_note="Family may move on before Christmas",
        )
    )
    view.show_pupil(levi.id)
    assert view.name.text() == "Levi Lee"
    assert view.tabs.tabText(view.tab_index["visits"]) == "Visits (2)"
    text = plain(view.visits)
    assert text.index("Reading aloud") < text.index("Number bonds to 20")  # newest first
    assert "Tue 17 Nov 2026" in text and "Visit shared with Esme Lee" in text
    assert "Family sees this\nLevi read a whole chapter" in text
    assert "Professionals only: not on the parent's copy\nFamily may move on before Christmas" in text
    assert "2 visits, seen at 2, 3 h in all" in text


def test_each_childs_record_shows_their_own_entry(app, view, family):
    """Siblings at one visit: Levi's record has his work, never Esme's; a child not
    seen shows the visit as not seen, with the reason, and no hours."""
    site, (levi, esme) = family
    app.log_visit(
        Visit(
            date=date(2026, 11, 17),
            start=time(10),
            end=time(11, 30),
            site_id=site.id,
            entries=[
                VisitEntry(pupil_id=levi.id, subjects=["Maths"], work_covered="Ratio", work_set="Ratio sheet"),
                VisitEntry(pupil_id=esme.id, seen=False, not_seen_reason=NotSeenReason.UNWELL, work_set="Spellings"),
            ],
            notes=[
                VisitNote(text="A good morning.", visibility=Visibility.FAMILY),
                VisitNote(text="Levi's glasses are broken.", visibility=Visibility.FAMILY, pupil_id=levi.id),
            ],
        )
    )
    view.show_pupil(levi.id)
    levi_text = plain(view.visits)
    assert "Ratio sheet" in levi_text and "Levi's glasses are broken." in levi_text and "A good morning." in levi_text
    assert "Spellings" not in levi_text and "1 visit, seen at 1, 1.5 h in all" in levi_text
    view.show_pupil(esme.id)
    esme_text = plain(view.visits)
    assert "Not seen: unwell" in esme_text and "Spellings" in esme_text and "A good morning." in esme_text
    assert "Ratio" not in esme_text and "glasses" not in esme_text
    assert "1 visit, seen at 0, 0 h in all" in esme_text


def test_a_visit_logged_elsewhere_redraws_the_record(app, runner, view, family):
    site, (levi, _esme) = family
    view.show_pupil(levi.id)
    assert "No visits logged yet" in plain(view.visits)
    runner.run(
        lambda: app.log_visit(visit(site, [levi], date(2026, 11, 20), "Times tables", outcome=Outcome.NOT_AT_HOME))
    )
    text = plain(view.visits)
    assert "Not at home" in text and "Times tables" not in text  # nothing was covered at a visit not held
    assert view.tabs.currentIndex() == view.tab_index["visits"]  # the new visit is shown where it landed
    assert view.tabs.tabText(view.tab_index["visits"]) == "Visits (1)"


def test_log_visit_and_print_requests(app, view, family, qtbot):
    site, (levi, _esme) = family
    changes = app.log_visit(visit(site, [levi], date(2026, 11, 20), "Phonics"))
    view.show_pupil(levi.id)
    with qtbot.waitSignal(view.log_visit_requested) as logged:
        qtbot.mouseClick(view.log_button, Qt.MouseButton.LeftButton)
    assert logged.args == [levi.id]
    with qtbot.waitSignal(view.print_requested) as printed:
        view.visits.anchorClicked.emit(QUrl(f"waymark:print/visit/{changes.id}"))
    assert printed.args == ["visit", changes.id]
    # A progress record or an hours statement asks which weeks it covers, offering this stay first.
    view.print_progress_action.trigger()
    [period] = [d for d in view.findChildren(ReportPeriodDialog) if d.isVisible()]
    assert period.period.currentText() == "This stay at Walton Summit transit site (1 Oct 2026 to 22 Nov 2026)"
    with qtbot.waitSignal(view.print_period_requested) as printed:
        period.preview_button.click()
    assert printed.args == ["progress", levi.id, date(2026, 10, 1), TODAY]
    view.print_hours_action.trigger()
    [period] = [d for d in view.findChildren(ReportPeriodDialog) if d.isVisible()]
    period.start.setDate(to_qdate(date(2026, 11, 2)))  # any other dates can be typed
    assert period.period.currentText() == "Other dates"
    period.end.setDate(to_qdate(date(2026, 10, 1)))
    period.preview_button.click()
    assert period.isVisible() and "ends before it starts" in period.banner.text()
    period.end.setDate(to_qdate(date(2026, 11, 20)))
    with qtbot.waitSignal(view.print_period_requested) as printed:
        period.preview_button.click()
    assert printed.args == ["hours", levi.id, date(2026, 11, 2), date(2026, 11, 20)]
    with qtbot.waitSignal(view.print_requested) as printed:
        view.print_last_visit_action.trigger()
    assert printed.args == ["visit", changes.id]


def test_profile_marks_a_suppressed_address_and_reading_help(app, view, family):
    _, (levi, esme) = family
    view.show_pupil(levi.id)
    profile = plain(view.profile)
    assert "Address suppressed: never printed on any copy" in profile
    assert "Trailer 4, Walton Summit" in profile
    assert "St Anne's Catholic Primary School" in profile and "888/2145" in profile
    assert "Needs help reading" in profile
    assert "Gypsy / Roma" in profile
    view.show_pupil(esme.id)
    # Esme's own record does not suppress it, but her brother's at the same address does.
    assert "Never printed: suppressed on another pupil's record at this address" in plain(view.profile)
    assert "Walton Summit transit site" in plain(view.stays)
    assert "Current" in plain(view.stays)


def report_text(app, visit_id: str) -> str:
    pdf, _title = app.report_pdf("visit", visit_id)
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_editing_details_can_withhold_an_address_from_every_report(app, view, family, qtbot):
    site, (_levi, esme) = family
    logged = app.log_visit(visit(site, [esme], date(2026, 11, 20), "Phonics"))
    # Already withheld: Levi's "never print" covers the household's address (issue 10, 1.1).
    assert "Trailer 4, Walton Summit" not in report_text(app, logged.id)
    view.show_pupil(esme.id)
    dialog = view.edit_details()
    qtbot.addWidget(dialog)
    assert dialog.school.currentText() == "St Anne's Catholic Primary School (888/2145)"
    dialog.upn.setText("A674123101121")
    dialog.suppress.setChecked(True)
    dialog.submit()
    assert (
        dialog.banner.text() == "UPN check letter is wrong: expected R, got A." or "expected R" in dialog.banner.text()
    )
    assert app.get_pupil(esme.id).suppress_address is False  # nothing saved
    dialog.upn.setText("R674123101121")
    dialog.medical.setPlainText("Asthma: inhaler in the trailer")
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    saved = app.get_pupil(esme.id)
    assert (saved.suppress_address, saved.upn, saved.medical_needs) == (
        True,
        "R674123101121",
        "Asthma: inhaler in the trailer",
    )
    assert saved.base_school_id is not None and saved.forename == "Esme"  # untouched fields kept
    assert "Address suppressed: never printed on any copy" in plain(view.profile)
    assert "Trailer 4, Walton Summit" not in report_text(app, logged.id)


def test_a_plan_added_and_reviewed_from_the_record(app, view, family, qtbot):
    _site, (levi, _esme) = family
    view.show_pupil(levi.id)
    assert view.record_review() is None
    assert view.banner.text() == "There is no open plan to review. Add a plan first."
    dialog = view.add_plan()
    qtbot.addWidget(dialog)
    dialog.title.setText("Reintegration to St Anne's")
    dialog.start.setDate(to_qdate(TODAY - timedelta(weeks=7)))
    dialog.submit()  # success criteria are set when a plan starts
    assert dialog.banner.text().startswith("A plan needs its success criteria")
    dialog.criteria.setPlainText("In class two mornings a week by the first review")
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    assert "Review overdue: due 15 Nov 2026" in plain(view.plans)
    assert "Review overdue" in view.attention.text()

    dialog = view.record_review()
    qtbot.addWidget(dialog)
    assert dialog.plan.currentText() == "Reintegration to St Anne's (due 15 Nov 2026)"
    dialog.submit()
    assert dialog.banner.text() == "What the review found is required."
    dialog.summary.setPlainText("Two mornings a week going well")
    dialog.outcome.setText("Three mornings from January")
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    text = plain(view.plans)
    assert "Next review 3 Jan 2027" in text and "Review overdue" not in text
    assert "Last reviewed 22 Nov 2026: Two mornings a week going well Outcome: Three mornings from January" in text
    assert "Review overdue" not in view.attention.text()


def test_adding_a_parent_or_carer(app, view, family, qtbot):
    _site, (_levi, esme) = family
    view.show_pupil(esme.id)
    dialog = view.add_contact()
    qtbot.addWidget(dialog)
    dialog.submit()
    assert dialog.banner.text() == "The contact's name is required."
    dialog.name.setText("Joe Lee")
    dialog.relationship.setCurrentIndex(dialog.relationship.findData(ContactRelationship.FATHER.value))
    dialog.phone.setText("07700 900123")
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    profile = plain(view.profile)
    assert "Joe Lee" in profile and "07700 900123" in profile


def audit_reads(app) -> int:
    audit = app.store.tables["audit_event"]
    with app.store.reading() as conn:
        return len(conn.execute(audit.select().where(audit.c.action == "view-restricted")).all())


def test_concerns_load_only_after_the_user_confirms_and_the_read_is_audited(app, view, family, monkeypatch, qtbot):
    _, (levi, esme) = family
    app.add_concern(
        Concern(pupil_id=levi.id, raised_on=date(2026, 11, 10), text="Bruise on forearm", escalated_to="DSL")
    )
    calls = []
    real = app.list_concerns
    monkeypatch.setattr(app, "list_concerns", lambda pid: calls.append(pid) or real(pid))

    view.show_pupil(levi.id)
    view.show_tab("concerns")
    panel = view.concerns
    assert "1 open concern recorded for Levi Lee" in panel.warning_text.text()
    assert "audit trail" in panel.warning_text.text()
    assert not panel.revealed and not panel.show_button.isEnabled()
    assert "Bruise" not in all_text(view)
    panel.reveal()  # without the confirmation nothing happens
    assert calls == [] and audit_reads(app) == 0

    panel.reason.setChecked(True)
    qtbot.mouseClick(panel.show_button, Qt.MouseButton.LeftButton)
    assert calls == [levi.id]
    assert panel.revealed
    assert "Bruise on forearm" in plain(panel.list) and "escalated to DSL" in plain(panel.list)
    assert audit_reads(app) == 1

    # Redrawing the record for another reason does not read them again.
    app.add_action(Action(pupil_id=levi.id, due=TODAY, owner="Ann Tutor", next_step="Call the school"))
    view.show_pupil(levi.id)
    assert audit_reads(app) == 1

    # Another pupil: concealed again, and nothing of Levi's concern remains.
    view.show_pupil(esme.id)
    assert not view.concerns.revealed and not view.concerns.reason.isChecked()
    assert "Bruise" not in all_text(view)
    assert "No open concerns are recorded for Esme Lee" in view.concerns.warning_text.text()


def test_recording_a_concern_needs_no_reveal(app, view, family, qtbot):
    _, (levi, _) = family
    view.show_pupil(levi.id)
    dialog = view.concerns.record_concern()
    qtbot.addWidget(dialog)
    dialog.submit()
    assert dialog.banner.text() == "The concern's text is required."
    dialog.text.setPlainText("Said he is frightened to go home")
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    assert "1 open concern" in view.concerns.warning_text.text()
    assert audit_reads(app) == 0
    assert "frightened" not in all_text(view)


def test_clear_drops_every_bit_of_pupil_data(app, runner, view, family):
    site, (levi, esme) = family
    app.log_visit(visit(site, [levi, esme], date(2026, 11, 17), "Reading aloud", family_note="Lovely session"))
    pack = WorkPack(title="Fractions", subject="Maths", items=["Halves"])
    app.add_pack(pack)
    app.issue_folder(levi.id, [pack.id], expected_back=date(2026, 11, 1) + timedelta(days=60))
    app.add_progress(
        ProgressEntry(pupil_id=levi.id, subject="Maths", level="Developing", assessed_on=date(2026, 11, 1))
    )
    app.add_concern(Concern(pupil_id=levi.id, raised_on=TODAY, text="Bruise"))
    view.show_pupil(levi.id)
    view.concerns.reason.setChecked(True)
    view.concerns.reveal()
    assert "Levi" in all_text(view) and "Bruise" in all_text(view)

    view.clear()
    leftover = all_text(view)
    for secret in (
        "Levi",
        "Esme",
        "Lee",
        "Reading aloud",
        "Lovely session",
        "Fractions",
        "Developing",
        "Bruise",
        "Walton",
    ):
        assert secret not in leftover, secret
    assert view.pupil_id is None and view.view is None
    assert view.placeholder.isVisibleTo(view)
    # After the lock, a change does not reload anyone's record.
    runner.run(lambda: app.log_visit(visit(site, [levi], date(2026, 11, 20), "Spelling")))
    assert "Spelling" not in all_text(view) and view.view is None


def test_progress_grid_highlights_learning_gaps(app, view, family):
    _, (levi, _) = family
    for day, subject, level, gap in (
        (date(2026, 9, 7), "Maths", "Working towards", "Place value beyond 100"),
        (date(2026, 11, 2), "Maths", "Developing", "Times tables"),
        (date(2026, 9, 7), "English", "Secure", ""),
        (date(2026, 11, 2), "English", "Secure", ""),
    ):
        app.add_progress(
            ProgressEntry(pupil_id=levi.id, subject=subject, level=level, assessed_on=day, learning_gap=gap)
        )
    view.show_pupil(levi.id)
    table = view.progress.table
    assert [table.verticalHeaderItem(r).text() for r in range(table.rowCount())] == ["English", "Maths"]
    assert [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())] == ["7 Sep 2026", "2 Nov 2026"]
    maths_now = table.item(1, 1)
    assert maths_now.text().startswith("Developing")
    assert maths_now.background().color() == GAP_BACKGROUND
    assert "Learning gap: Times tables" in maths_now.toolTip()
    assert table.item(0, 1).background().color() != GAP_BACKGROUND
    gaps = plain(view.progress.gaps)
    assert "Maths" in gaps and "Times tables" in gaps and "Place value" not in gaps


def test_hours_chart_marks_weeks_below_target(app, view, family):
    _, (levi, _) = family
    app.add_episode(
        ProvisionEpisode(
            pupil_id=levi.id,
            provision_type=ProvisionType.HOME_TUITION,
            start=date(2026, 10, 26),
            planned_hours_per_week=5,
        )
    )
    # 5 hours in the week of 26 Oct, 1.5 in the week of 2 Nov, nothing since.
    for day in (date(2026, 10, 26), date(2026, 10, 27)):
        app.log_visit(
            Visit.same_for_all(
                date=day, start=time(9, 0), end=time(11, 30), place_type=PlaceType.HOME, pupil_ids=[levi.id]
            )
        )
    app.log_visit(
        Visit.same_for_all(
            date=date(2026, 11, 3), start=time(9, 0), end=time(10, 30), place_type=PlaceType.HOME, pupil_ids=[levi.id]
        )
    )
    view.show_pupil(levi.id)
    chart = view.hours_chart
    assert [w.week_start for w in chart.weeks][:2] == [date(2026, 10, 26), date(2026, 11, 2)]
    bars = next(s for s in chart.chart().series() if s.type() == s.SeriesType.SeriesTypeStackedBar)
    sets = {b.label(): [b.at(i) for i in range(b.count())] for b in bars.barSets()}
    assert sets["Delivered"][0] == 5
    assert sets["Below target"][1:3] == [1.5, 0]
    assert sets["This week so far"][-1] == 0
    assert "Below target in 2 complete weeks, most recently the week of 9 Nov 2026" in view.hours_text.text()
    assert "Hours below target" in view.attention.text()
    assert chart.accessibleDescription() == view.hours_text.text()


def test_actions_can_be_added_and_marked_done(app, view, family, qtbot):
    _, (levi, _) = family
    app.add_action(
        Action(pupil_id=levi.id, due=date(2026, 11, 1), owner="Inclusion officer", next_step="Request GP letter")
    )
    view.show_pupil(levi.id)
    item = view.actions.topLevelItem(0)
    assert [item.text(c) for c in range(4)] == ["1 Nov 2026", "Inclusion officer", "Request GP letter", "Overdue"]
    assert "Action overdue" in view.attention.text()
    item.setSelected(True)
    view.done_button.click()
    assert view.actions.topLevelItem(0).text(3) == "Done"
    assert "Action overdue" not in view.attention.text()

    dialog = view.add_action()
    qtbot.addWidget(dialog)
    assert dialog.owner.text() == "Ann Tutor"
    dialog.next_step.setText("Send progress record to base school")
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    assert view.actions.topLevelItem(0).text(2) == "Send progress record to base school"


def test_record_progress_and_add_provision_from_the_record(app, view, family, qtbot):
    _, (levi, _) = family
    view.show_pupil(levi.id)
    assert "No progress recorded yet" in plain(view.progress.gaps)
    dialog = view.record_progress()
    qtbot.addWidget(dialog)
    dialog.subject.setCurrentText("Maths")
    dialog.submit()
    assert dialog.banner.text() == "The level or descriptor is required."
    dialog.level.setCurrentText("Developing")
    dialog.gap.setText("Times tables")
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    assert view.progress.table.item(0, 0).text().startswith("Developing")
    assert "Times tables" in plain(view.progress.gaps)

    dialog = view.add_episode()
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData(ProvisionType.HOME_TUITION))
    assert not dialog.consent.isEnabled()
    dialog.provider.setText("Home Tuition Service")
    dialog.planned.setValue(5)
    dialog.medical_max.setValue(3)
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    (episode,) = app.pupil_record(levi.id).episodes
    assert (episode.planned_hours_per_week, episode.medical_max_hours_per_week) == (5, 3)
    assert episode.review_date == TODAY + timedelta(weeks=6)
    assert "Home tuition" in plain(view.provision) and "medical maximum 3 h" in plain(view.provision)
    assert "target" in view.hours_text.text()  # a target now applies


def test_a_family_moving_to_a_new_site(app, view, family, qtbot):
    site, (levi, esme) = family
    app.log_visit(visit(site, [levi, esme], date(2026, 11, 20), "Phonics"))
    view.show_pupil(levi.id)
    dialog = view.record_move()
    qtbot.addWidget(dialog)
    assert [box.text() for box in dialog.family] == ["Esme Lee"] and dialog.family[0].isChecked()
    assert dialog.site.findText("Walton Summit transit site", Qt.MatchFlag.MatchStartsWith) == -1  # where they are
    assert dialog.site.currentText() == "A new site…" and dialog.site_name.isEnabled()
    dialog.submit()
    assert dialog.banner.text() == "The new site's name is required."
    dialog.site_name.setText("Layby on the A59")
    dialog.site_type.setCurrentIndex(dialog.site_type.findData(SiteType.ROADSIDE))
    dialog.weeks.setValue(2)
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    stays = app.current_stays()
    assert app.get_site(stays[levi.id].site_id).name == "Layby on the A59"
    assert stays[esme.id].site_id == stays[levi.id].site_id and stays[levi.id].proposed_weeks == 2
    text = plain(view.stays)
    assert text.index("Layby on the A59") < text.index("Walton Summit transit site")  # newest first
    assert "Layby on the A59" in view.facts.text().replace("\u00a0", " ")

    dialog = view.record_move()  # Levi alone goes back; Esme stays where she is
    qtbot.addWidget(dialog)
    dialog.site.setCurrentIndex(dialog.site.findData(site.id))
    assert not dialog.site_name.isEnabled()
    dialog.family[0].setChecked(False)
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    stays = app.current_stays()
    assert stays[levi.id].site_id == site.id and stays[esme.id].site_id != site.id


def test_folders_and_appointments_tabs_follow_the_pupil(app, view, family):
    _site, (levi, esme) = family
    pack = WorkPack(title="Fractions", subject="Maths", items=["Halves", "Quarters"])
    app.add_pack(pack)
    app.issue_folder(levi.id, [pack.id], issued_on=date(2026, 10, 1), expected_back=date(2026, 11, 12))
    view.show_pupil(levi.id)
    top = view.folders.tree.topLevelItem(0)
    assert top.text(2) == "OVERDUE: due back 12 Nov 2026 (10 days)"
    assert "Folder overdue" in view.attention.text()
    dialog = view.book()
    assert set(dialog.checked_pupils()) == {levi.id, esme.id}  # siblings on the same site
    dialog.submit()
    assert view.appointments.tree.topLevelItemCount() == 2  # the day, and the slot
    assert "next visit 23 Nov 2026, 10:00" in view.facts.text().replace("\u00a0", " ")
    view.show_pupil(esme.id)
    assert view.folders.tree.topLevelItemCount() == 0


def test_an_unknown_pupil_says_so(view):
    view.show_pupil("no-such-id")
    assert view.placeholder.text() == "The record could not be opened. No pupil with id 'no-such-id'."


def unnamed_controls(root: QWidget) -> list[str]:
    """Controls Tab can reach that a screen reader would announce with no name."""
    missing = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible() or not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        if isinstance(widget.parentWidget(), (QAbstractSpinBox, QComboBox)):
            continue  # the editor inside a spin box or combo speaks for its parent
        interface = QAccessible.queryAccessibleInterface(widget)
        if interface is None or not interface.text(QAccessible.Text.Name).strip():
            missing.append(f"{type(widget).__name__} in {type(widget.parentWidget()).__name__}")
    return missing


def test_every_control_has_an_accessible_name(app, view, family, qtbot):
    _, (levi, _) = family
    app.add_concern(Concern(pupil_id=levi.id, raised_on=TODAY, text="Bruise"))
    view.show()
    view.show_pupil(levi.id)
    for tab in view.tab_index:
        view.show_tab(tab)
        assert unnamed_controls(view) == [], tab
    view.concerns.reason.setChecked(True)
    view.concerns.reveal()
    assert unnamed_controls(view) == []
    dialogs = (
        view.book(),
        view.add_action(),
        view.add_episode(),
        view.record_progress(),
        view.concerns.record_concern(),
        view.record_move(),
        view.edit_details(),
        view.add_contact(),
        view.add_plan(),
        view.record_exclusion(),
    )
    for dialog in (*dialogs, view.folders.issue()):
        qtbot.addWidget(dialog)
        assert unnamed_controls(dialog) == [], type(dialog).__name__
        dialog.reject()


class DeferredRunner(ImmediateTaskRunner):
    """Holds tasks until `flush()`, like the worker thread when it is busy."""

    def __init__(self) -> None:
        super().__init__()
        self.queue: list = []

    def run(self, task, on_done=None, on_error=None, *, network: bool = False) -> None:
        self.queue.append((task, on_done, on_error))

    def flush(self) -> int:
        ran = 0
        while self.queue:
            task, on_done, on_error = self.queue.pop(0)
            super().run(task, on_done, on_error)
            ran += 1
        return ran


def test_a_burst_of_changes_costs_one_more_load_and_stale_results_are_dropped(app, family, qtbot, monkeypatch):
    import desktop.ui.record.view as pupil_view

    site, (levi, esme) = family
    loads = []
    real = pupil_view.load_record
    monkeypatch.setattr(pupil_view, "load_record", lambda a, pid: loads.append(pid) or real(a, pid))
    runner = DeferredRunner()
    view = PupilView(app, runner)
    qtbot.addWidget(view)
    view.show_pupil(levi.id)
    view.show_pupil(esme.id)  # chosen before Levi's record arrived
    changes = app.log_visit(visit(site, [esme], date(2026, 11, 20), "Spelling"))
    for _ in range(5):
        runner.did_change.emit(changes)
    assert len(runner.queue) == 2  # Levi's (now stale) and Esme's; the changes wait for Esme's
    runner.flush()
    assert loads == [levi.id, esme.id, esme.id]  # Levi's (dropped), Esme's, and one reload for the five changes
    assert view.name.text() == "Esme Lee"
    assert "Spelling" in plain(view.visits)
    view.clear()
    assert view.name.text() == ""


def test_a_form_closed_before_its_choices_arrive_drops_them(app, family, qtbot):
    import shiboken6

    from desktop.ui.places import MoveDialog

    _site, (levi, _esme) = family
    runner = DeferredRunner()
    dialog = MoveDialog(app, runner, levi.id, "Levi Lee", None)
    assert not dialog.save_button.isEnabled()  # nothing to choose from yet
    shiboken6.delete(dialog)  # closed, or the app locked, while the store thread was busy
    assert runner.flush() == 1  # the answer arrives and is dropped without an error

    dialog = MoveDialog(app, runner, levi.id, "Levi Lee", None)
    qtbot.addWidget(dialog)
    runner.flush()
    assert dialog.save_button.isEnabled() and dialog.site.count() == 1  # only "A new site…"
