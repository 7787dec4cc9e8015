"""The record's forms that were missing (consents, absences for health), actions that
cannot work being disabled with a reason, and record forms kept as drafts across
the idle lock."""

from __future__ import annotations

from datetime import date

import shiboken6

from desktop.ui.record import AbsenceDialog, ConsentDialog
from desktop.ui.record.plans import PlanDialog
from tests.conftest import PASSPHRASE
from tests.desktop.shell_helpers import unlock
from tests.desktop.test_pupil_view import family, plain, runner, view  # noqa: F401 (fixtures)


def open_dialogs(root, cls):
    return [d for d in root.findChildren(cls) if shiboken6.isValid(d) and d.isVisible()]


def test_a_consent_is_recorded_from_the_profile_tab(app, view, family, qtbot):  # noqa: F811
    _site, (levi, _esme) = family
    view.show_pupil(levi.id)
    view.consent_button.click()
    [dialog] = open_dialogs(view, ConsentDialog)
    assert dialog.given_by.currentText() == "Shanti Lee"  # the parent or carer on the record is offered
    dialog.submit()
    assert dialog.isVisible() and dialog.banner.text() == "The consent's purpose is required."
    dialog.purpose.setCurrentText("Sharing records with the base school")
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    assert "Sharing records with the base school: given by Shanti Lee on 22 Nov 2026" in plain(view.profile)


def test_an_absence_for_health_is_recorded_from_the_provision_tab(app, view, family, qtbot):  # noqa: F811
    _site, (levi, _esme) = family
    view.show_pupil(levi.id)
    view.absence_button.click()
    [dialog] = open_dialogs(view, AbsenceDialog)
    dialog.start.setDate(dialog.start.date().addDays(-10))
    dialog.end.setText("31/13/2026")
    dialog.submit()
    assert dialog.isVisible() and dialog.banner.text().startswith("Back on: '31/13/2026' is not a date")
    dialog.end.clear()  # still off school
    dialog.expected_end.setText("8/1/27")
    dialog.reason.setText("Surgery and recovery")
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    [absence] = app.pupil_record(levi.id).absences
    assert (absence.start, absence.end, absence.expected_end) == (date(2026, 11, 12), None, date(2027, 1, 8))
    assert "12 Nov 2026 – expected 8 Jan 2027: Surgery and recovery" in plain(view.provision)


def test_what_cannot_be_done_is_disabled_and_says_why(app, view, family):  # noqa: F811
    _site, (levi, _esme) = family
    view.show_pupil(levi.id)
    assert not view.review_button.isEnabled()
    assert view.review_button.toolTip() == "There is no open plan to review: add a plan first."
    assert view.review_button.accessibleDescription() == view.review_button.toolTip()
    assert not view.done_button.isEnabled()
    assert view.done_button.toolTip() == "Select an open action in the list to mark it done."
    assert not view.print_last_visit_action.isEnabled()
    assert view.print_last_visit_action.toolTip().startswith("No visits are recorded yet")
    view.add_plan()
    [plan] = open_dialogs(view, PlanDialog)
    plan.title.setText("Reintegration to St Anne's")
    plan.criteria.setPlainText("Three mornings a week in class")
    plan.submit()
    assert view.review_button.isEnabled()
    assert view.review_button.toolTip() == "Record a review of an open plan"


def test_a_record_form_comes_back_after_the_idle_lock(demo_window, qtbot):
    window = demo_window
    workspace = window.workspace
    pupil_id = workspace.model.row_at(0).pupil_id
    workspace.open_pupil(pupil_id)
    dialog = workspace.pupil_view.add_absence()
    dialog.reason.setText("Broken leg; in plaster until January")
    window.idle.idle.emit()
    assert window.is_locked

    unlock(window, PASSPHRASE)
    record = window.workspace.pupil_view
    [again] = open_dialogs(window, AbsenceDialog)
    assert again.reason.text() == "Broken leg; in plaster until January"
    assert again.pupil_id == pupil_id and record.pupil_id == pupil_id  # the record behind it is the pupil's
    assert again.banner.text().startswith("You have an unsaved absence for ")
