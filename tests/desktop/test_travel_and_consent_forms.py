"""Forms on the pupil record for what the statutory rules need: planned travel
recorded and agreed from the Stays tab, and a part-time timetable refused
without the parent's consent."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date, timedelta

import shiboken6

from desktop.domain.enums import ProvisionType
from desktop.domain.records import Pupil
from desktop.ui.record.stays import TravelDialog
from desktop.ui.widgets import to_qdate
from tests.conftest import PASSPHRASE
from tests.desktop.shell_helpers import unlock

from .test_pupil_view import plain
from .test_statutory_ui import TODAY, runner, tyler, view  # noqa: F401  (fixtures)


def test_planned_travel_is_recorded_and_agreed_from_the_stays_tab(app, view, tyler, qtbot):  # noqa: F811
    view.show_pupil(tyler.id)
    view.show_tab("stays")
    assert view.travel_button.isVisibleTo(view) and view.travel_button.isEnabled()
    assert not view.agree_button.isEnabled()  # nothing waits for the school yet
    assert "No planned travel" in view.agree_button.toolTip()

    dialog = view.record_travel()
    qtbot.addWidget(dialog)
    assert not dialog.returns.isEnabled() and not dialog.agreed_on.isEnabled()
    dialog.leaves.setDate(to_qdate(date(2026, 12, 4)))
    dialog.has_return.setChecked(True)
    dialog.returns.setDate(to_qdate(date(2026, 12, 1)))
    dialog.submit()
    assert dialog.banner.text() == "The family cannot be back before they leave."
    assert app.list_travel(tyler.id) == []
    dialog.returns.setDate(to_qdate(date(2027, 2, 8)))
    dialog.destination.setText("  Winter fairs in the North East ")
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    (trip,) = app.list_travel(tyler.id)
    assert (trip.leaves, trip.returns, trip.destination, trip.agreed_with_school_on) == (
        date(2026, 12, 4),
        date(2027, 2, 8),
        "Winter fairs in the North East",
        None,
    )
    assert "Dates not yet agreed with the base school" in plain(view.stays)
    assert "Travel dates" in view.attention.text()

    # The base school agreed on Friday: marked from the tab, and the alert goes.
    assert view.agree_button.isEnabled()
    dialog = view.agree_travel()
    qtbot.addWidget(dialog)
    assert dialog.trip.currentText() == "4 Dec 2026 – 8 Feb 2027 · Winter fairs in the North East"
    assert dialog.agreed_on.maximumDate() == to_qdate(TODAY)  # agreed already, never ahead
    dialog.agreed_on.setDate(to_qdate(date(2026, 11, 20)))
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    assert app.list_travel(tyler.id)[0].agreed_with_school_on == date(2026, 11, 20)
    assert "Dates agreed with the base school on 20 Nov 2026" in plain(view.stays)
    assert "Travel dates" not in view.attention.text()
    assert not view.agree_button.isEnabled()

    # Travel recorded as already agreed, with no return date known.
    dialog = view.record_travel()
    qtbot.addWidget(dialog)
    dialog.leaves.setDate(to_qdate(date(2027, 4, 12)))
    dialog.agreed.setChecked(True)
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    later = app.list_travel(tyler.id)[-1]
    assert (later.returns, later.agreed_with_school_on) == (None, TODAY)
    assert "12 Apr 2027 – return not known" in plain(view.stays)


def test_planned_travel_is_for_a_traveller_family_and_the_button_says_so(app, view):  # noqa: F811
    settled = Pupil(forename="Amelia", surname="Cooper", dob=date(2015, 2, 3))
    app.add_pupil(settled)
    view.show_pupil(settled.id)
    assert not view.travel_button.isEnabled()
    assert "not recorded as from a Traveller family" in view.travel_button.toolTip()
    assert not view.agree_button.isEnabled()


def test_a_part_time_timetable_needs_consent_ticked_in_the_form(app, view, tyler, qtbot):  # noqa: F811
    view.show_pupil(tyler.id)
    dialog = view.add_episode()
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData(ProvisionType.PART_TIME_TIMETABLE))
    assert dialog.consent.isEnabled()
    dialog.planned.setValue(12.5)
    dialog.review.setDate(to_qdate(TODAY + timedelta(weeks=4)))
    dialog.submit()
    assert dialog.banner.text() == (
        "A part-time timetable needs the parent's or carer's consent: tick "
        "\u201cParent or carer has agreed to a part-time timetable\u201d once they have agreed."
    )
    assert dialog.isVisible() and app.pupil_record(tyler.id).episodes == []
    dialog.consent.setChecked(True)
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    (episode,) = app.pupil_record(tyler.id).episodes
    assert episode.provision_type is ProvisionType.PART_TIME_TIMETABLE and episode.part_time_consent
    assert "Parental consent recorded" in plain(view.provision)


def test_planned_travel_being_typed_comes_back_after_the_idle_lock(demo_window, qtbot):
    window = demo_window
    workspace = window.workspace
    traveller = next(r.pupil_id for r in workspace.model.rows() if r.name == "Noah Boswell")
    workspace.open_pupil(traveller)
    dialog = workspace.pupil_view.record_travel()
    dialog.destination.setText("Appleby Horse Fair, then the northern fairs")
    window.idle.idle.emit()
    assert window.is_locked

    unlock(window, PASSPHRASE)
    [again] = [d for d in window.findChildren(TravelDialog) if shiboken6.isValid(d) and d.isVisible()]
    assert again.destination.text() == "Appleby Horse Fair, then the northern fairs"
    assert again.pupil_id == traveller
    assert again.banner.text().startswith("You have an unsaved planned travel for Noah")
