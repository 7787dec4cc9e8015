"""A form open while a background sync pulls another worker's change to its record:
Save writes only what the user changed from what the form opened with, so the pulled
change is never written back over (here, on the server, and on every other laptop).
A field changed both in the form and meanwhile is sent as the race it is: the user's
value wins, and the other worker's words are kept as a conflict everyone sees.
The same holds for a draft put back days later, and for a visit edited from a copy."""

from __future__ import annotations

import copy

import pytest

from desktop.domain.records import VisitNote
from desktop.ui.pupil_details import EditPupilDialog
from tests.desktop.conftest import immediate_runner  # noqa: F401  (a fixture)
from tests.sync import helpers as h
from tests.sync.conftest import add_user

ALLERGY = "Severe nut allergy: EpiPen in bag"
ASTHMA = "Asthma: inhaler in bag"


@pytest.fixture
def pair(engine, make_device):
    """Ann and Bob (LA leads, so each sees the other's pupils), one pupil on both laptops."""
    add_user(engine, "ann", "la-lead")
    add_user(engine, "bob", "la-lead")
    a, b = make_device("a", "ann"), make_device("b", "bob")
    pupil_id = h.pupil(a.app)
    a.sync()
    b.sync()
    return a, b, pupil_id


def bob_records_medical_needs(a, b, pupil_id: str, text: str = ALLERGY) -> None:
    """Bob's change, pulled by Ann's background sync."""
    b.app.edit_pupil(pupil_id, medical_needs=text)
    b.sync()
    a.sync()
    assert a.app.get_pupil(pupil_id).medical_needs == text


def settle(a, b) -> None:
    a.sync()
    b.sync()
    a.sync()


def details(qtbot, device, runner, pupil_id: str, *, shown: bool = False) -> EditPupilDialog:
    dialog = EditPupilDialog(device.app, runner, device.app.get_pupil(pupil_id), None)
    qtbot.addWidget(dialog)
    if shown:  # the draft keeper starts (and puts back a kept draft) once the form is on screen
        dialog.show()
        qtbot.waitUntil(lambda: dialog.drafts.started)
    return dialog


def save(qtbot, dialog: EditPupilDialog) -> None:
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()


def test_a_field_pulled_while_the_details_form_is_open_is_not_reverted_by_save(qtbot, pair, immediate_runner):  # noqa: F811
    a, b, pupil_id = pair
    dialog = details(qtbot, a, immediate_runner, pupil_id)
    bob_records_medical_needs(a, b, pupil_id)

    dialog.social_worker.setText("J. Patel")  # Ann changes only the social worker
    save(qtbot, dialog)
    settle(a, b)
    for device in (a, b):
        got = device.app.get_pupil(pupil_id)
        assert (got.social_worker, got.medical_needs) == ("J. Patel", ALLERGY)
        assert device.sync_service.conflicts() == []
    assert h.dump(a.app) == h.dump(b.app)


def test_a_field_changed_in_the_form_and_meanwhile_keeps_both_texts(qtbot, pair, immediate_runner):  # noqa: F811
    a, b, pupil_id = pair
    dialog = details(qtbot, a, immediate_runner, pupil_id)
    bob_records_medical_needs(a, b, pupil_id)

    dialog.medical.setPlainText(ASTHMA)  # Ann typed over what the form showed her (nothing)
    save(qtbot, dialog)
    assert a.app.get_pupil(pupil_id).medical_needs == ASTHMA
    settle(a, b)
    for device in (a, b):
        assert device.app.get_pupil(pupil_id).medical_needs == ASTHMA  # the later edit wins...
        [conflict] = device.sync_service.conflicts()  # ...and Bob's words are kept, on both laptops
        assert (conflict.entity, conflict.entity_id, conflict.field) == ("pupil", pupil_id, "medical_needs")
        assert {conflict.kept_value, conflict.other_value} == {ASTHMA, ALLERGY}


def test_a_restored_draft_writes_only_what_was_typed_in_it(qtbot, pair, immediate_runner):  # noqa: F811
    a, b, pupil_id = pair
    typed = details(qtbot, a, immediate_runner, pupil_id, shown=True)
    typed.social_worker.setText("J. Patel")
    typed.drafts.keep()  # "Keep for later" (or the laptop locked): the form goes, the draft stays
    typed.close()
    kept = a.app.draft("pupil-details", pupil_id)
    assert kept is not None and kept.fields == {"Social worker": "J. Patel"}

    bob_records_medical_needs(a, b, pupil_id)  # days later, Bob's change arrives

    dialog = details(qtbot, a, immediate_runner, pupil_id, shown=True)  # the draft is put back
    assert dialog.drafts.restored_draft is not None
    assert dialog.social_worker.text() == "J. Patel"
    assert dialog.medical.toPlainText() == ALLERGY  # the form shows the record as it is now
    save(qtbot, dialog)
    assert a.app.draft("pupil-details", pupil_id) is None
    settle(a, b)
    for device in (a, b):
        got = device.app.get_pupil(pupil_id)
        assert (got.social_worker, got.medical_needs) == ("J. Patel", ALLERGY)
        assert device.sync_service.conflicts() == []


def test_a_restored_draft_that_changed_a_field_changed_meanwhile_keeps_both_texts(qtbot, pair, immediate_runner):  # noqa: F811
    a, b, pupil_id = pair
    typed = details(qtbot, a, immediate_runner, pupil_id, shown=True)
    typed.medical.setPlainText(ASTHMA)
    typed.drafts.keep()
    typed.close()

    bob_records_medical_needs(a, b, pupil_id)

    # Put back, added to, and kept again: the draft still knows what its form first showed.
    more = details(qtbot, a, immediate_runner, pupil_id, shown=True)
    assert more.medical.toPlainText() == ASTHMA
    more.social_worker.setText("J. Patel")
    more.drafts.keep()
    more.close()
    assert a.app.draft("pupil-details", pupil_id).context["opened"]["Medical needs"] == ""

    dialog = details(qtbot, a, immediate_runner, pupil_id, shown=True)
    assert dialog.medical.toPlainText() == ASTHMA  # what Ann typed is what she sees and saves
    save(qtbot, dialog)
    settle(a, b)
    for device in (a, b):
        got = device.app.get_pupil(pupil_id)
        assert (got.medical_needs, got.social_worker) == (ASTHMA, "J. Patel")
        [conflict] = device.sync_service.conflicts()
        assert {conflict.kept_value, conflict.other_value} == {ASTHMA, ALLERGY}


def test_a_visit_edited_from_an_earlier_copy_keeps_what_was_pulled_meanwhile(pair):
    a, b, pupil_id = pair
    visit_id = h.visit(a.app, [pupil_id], work="Phonics")
    settle(a, b)

    opened = a.app.get_visit(visit_id)  # Ann opens the visit to edit it
    edited = copy.deepcopy(opened)

    # Meanwhile Bob names the place and adds a note about the visit; Ann's sync pulls both.
    theirs = b.app.get_visit(visit_id)
    theirs.place_detail = "Caravan 12, by the gate"
    theirs.entries[0].levels_and_needs = "Reads CVC words"
    theirs.notes.append(VisitNote(text="Mum asked for a reading book"))
    b.app.edit_visit(theirs)
    b.sync()
    a.sync()

    # Ann changes only the work covered, and saves the copy she opened.
    edited.entries[0].work_covered = "Phonics phase 3"
    a.app.edit_visit(edited, opened=opened)
    settle(a, b)
    for device in (a, b):
        got = device.app.get_visit(visit_id)
        assert got.place_detail == "Caravan 12, by the gate"
        assert got.entries[0].work_covered == "Phonics phase 3"
        assert got.entries[0].levels_and_needs == "Reads CVC words"
        assert [n.text for n in got.notes] == ["Mum asked for a reading book"]
        assert device.sync_service.conflicts() == []
    assert h.dump(a.app) == h.dump(b.app)


def test_a_visit_field_edited_from_a_copy_and_meanwhile_keeps_both_texts(pair):
    a, b, pupil_id = pair
    visit_id = h.visit(a.app, [pupil_id], work="Phonics")
    settle(a, b)
    opened = a.app.get_visit(visit_id)
    edited = copy.deepcopy(opened)

    theirs = b.app.get_visit(visit_id)
    theirs.entries[0].work_covered = "Number bonds to 20"
    b.app.edit_visit(theirs)
    b.sync()
    a.sync()

    edited.entries[0].work_covered = "Phonics phase 3 and reading journal"
    a.app.edit_visit(edited, opened=opened)
    settle(a, b)
    entry_id = opened.entries[0].id
    for device in (a, b):
        assert device.app.get_visit(visit_id).entries[0].work_covered == "Phonics phase 3 and reading journal"
        [conflict] = device.sync_service.conflicts()
        assert (conflict.entity, conflict.entity_id, conflict.field) == ("visit_entry", entry_id, "work_covered")
        assert {conflict.kept_value, conflict.other_value} == {
            "Phonics phase 3 and reading journal",
            "Number bonds to 20",
        }


def test_a_provision_episode_edited_from_what_a_form_showed_keeps_what_was_pulled(pair):
    from datetime import date

    from desktop.domain.enums import ProvisionType
    from desktop.domain.records import ProvisionEpisode

    a, b, pupil_id = pair
    episode = ProvisionEpisode(
        pupil_id=pupil_id,
        provision_type=ProvisionType.HOME_TUITION,
        start=date(2026, 9, 7),
        planned_hours_per_week=5,
        reason="Awaiting a school place",
    )
    a.app.add_episode(episode)
    settle(a, b)
    shown = {"planned_hours_per_week": 5, "reason": "Awaiting a school place", "provider": ""}

    b.app.edit_episode(episode.id, reason="Awaiting a school place; EHCP assessment begun")
    b.sync()
    a.sync()

    a.app.edit_episode(episode.id, opened=shown, **(shown | {"planned_hours_per_week": 10}))
    settle(a, b)
    for device in (a, b):
        got = next(e for e in device.app.pupil_record(pupil_id).episodes if e.id == episode.id)
        assert (got.planned_hours_per_week, got.reason) == (10, "Awaiting a school place; EHCP assessment begun")
