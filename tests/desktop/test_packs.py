"""Packs and folders: add a pack, issue a folder from packs, mark items, overdue stands out."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt

from desktop.domain.enums import ItemStatus
from desktop.domain.records import Pupil, WorkPack
from desktop.tasks import ImmediateTaskRunner
from desktop.ui.packs import (
    OVERDUE_BACKGROUND,
    AddPackDialog,
    FoldersPanel,
    IssueFolderDialog,
    PackLibraryDialog,
    pack_years,
)
from desktop.ui.widgets import to_qdate

TODAY = date(2026, 11, 22)


@pytest.fixture
def runner(qtbot):
    return ImmediateTaskRunner()


@pytest.fixture
def pupil(app):
    pupil = Pupil(forename="Seán", surname="Ó Súilleabháin", dob=date(2017, 10, 10))  # Year 4 in Nov 2026
    app.add_pupil(pupil)
    return pupil


@pytest.fixture
def packs(app):
    made = [
        WorkPack(title="Fractions of shapes", subject="Maths", nc_years="3-4", items=["Halves", "Thirds", "Wall"]),
        WorkPack(title="Algebra basics", subject="Maths", nc_years="7-8", items=["Expressions", "Equations"]),
        WorkPack(title="Writing a recount", subject="English", nc_years="4", items=["My journey", "Paragraphs"]),
    ]
    for pack in made:
        app.add_pack(pack)
    return made


def test_library_lists_filters_and_adds_packs(app, runner, packs, qtbot):
    library = PackLibraryDialog(app, runner)
    qtbot.addWidget(library)
    assert library.tree.topLevelItemCount() == 3
    assert library.count.text() == "3 packs"
    library.find.setText("maths")
    assert library.count.text() == "2 of 3 packs"
    library.find.clear()
    library.tree.setCurrentItem(library.tree.findItems("Algebra basics", Qt.MatchFlag.MatchExactly)[0])
    assert "Expressions" in library.details.toPlainText()

    dialog = library.add_pack()
    qtbot.addWidget(dialog)
    dialog.title.setText("Forces and magnets")
    dialog.subject.setCurrentText("Science")
    dialog.key_stage.setCurrentText("KS2")
    dialog.years.setText("3")
    dialog.items.setPlainText("Push and pull\n\nMagnet test\n")
    with qtbot.waitSignal(dialog.added):
        dialog.submit()
    saved = next(p for p in app.list_packs() if p.title == "Forces and magnets")
    assert saved.items == ["Push and pull", "Magnet test"] and saved.key_stage == "KS2"
    assert library.tree.topLevelItemCount() == 4  # refreshed by did_change
    another = AddPackDialog(app, runner)
    qtbot.addWidget(another)
    assert another.subject.findText("Science") >= 0  # subjects offered from the library and the defaults


def test_add_pack_refusal_is_shown_in_words(app, runner, qtbot):
    dialog = AddPackDialog(app, runner)
    qtbot.addWidget(dialog)
    dialog.subject.setCurrentText("Maths")
    dialog.submit()
    assert dialog.banner.text() == "The pack's title is required."
    assert app.list_packs() == []


def test_issue_folder_from_packs_then_mark_items(app, runner, pupil, packs, qtbot):
    dialog = IssueFolderDialog(app, runner, pupil.id)
    qtbot.addWidget(dialog)
    assert dialog.heading.text() == "Issue a folder to Seán Ó Súilleabháin (Year 4)"
    # Packs that suit Year 4 come first.
    first_two = {dialog.tree.topLevelItem(i).text(0) for i in range(2)}
    assert first_two == {"Fractions of shapes", "Writing a recount"}
    assert dialog.issued_on.date() == to_qdate(TODAY)
    assert dialog.expected_back.date() == to_qdate(TODAY + timedelta(weeks=6))

    dialog.submit()
    assert dialog.banner.text() == "Check at least one pack to put in the folder."

    dialog.set_checked([packs[0].id, packs[2].id])
    assert dialog.summary.text() == "2 packs, 5 items"
    dialog.expected_back.setDate(to_qdate(date(2027, 1, 15)))
    with qtbot.waitSignal(dialog.issued):
        dialog.submit()
    (folder,) = app.list_folders(pupil.id)
    assert folder.expected_back == date(2027, 1, 15)
    assert [i.title for i in folder.items] == ["My journey", "Paragraphs", "Halves", "Thirds", "Wall"]

    panel = FoldersPanel(app, runner)
    qtbot.addWidget(panel)
    panel.set_folders(pupil.id, app.list_folders(pupil.id), TODAY)
    top = panel.tree.topLevelItem(0)
    assert top.text(2) == "Out: due back 15 Jan 2027"
    assert top.text(1) == "0 of 5 back"
    assert not panel.returned_button.isEnabled()

    top.child(0).setSelected(True)
    top.child(1).setSelected(True)
    assert panel.returned_button.isEnabled() and panel.back_button.isEnabled()
    changes = []
    runner.did_change.connect(changes.append)
    panel.set_selected_status(ItemStatus.RETURNED)
    assert len(changes) == 1 and changes[0].entities & {"folder", "folder_item"}  # one refresh for two items
    statuses = [i.status for i in app.get_folder(folder.id).items]
    assert statuses[:3] == [ItemStatus.RETURNED, ItemStatus.RETURNED, ItemStatus.NOT_STARTED]

    panel.set_folders(pupil.id, app.list_folders(pupil.id), TODAY)  # as the pupil view does on did_change
    top = panel.tree.topLevelItem(0)
    assert top.text(1) == "2 of 5 back"
    assert top.child(0).text(2) == "Returned"
    assert top.child(0).isSelected()  # the selection survives the reload
    panel.tree.clearSelection()
    top.child(0).setSelected(True)
    panel.set_selected_status(ItemStatus.MARKED)
    assert app.get_folder(folder.id).items[0].status is ItemStatus.MARKED

    panel.tree.clearSelection()
    top.setSelected(True)
    panel.return_selected_folder()
    back = app.get_folder(folder.id)
    assert back.returned_on == TODAY
    assert [i.status for i in back.items] == [ItemStatus.MARKED] + [ItemStatus.RETURNED] * 4


def test_overdue_folder_stands_out(app, runner, pupil, packs, qtbot):
    app.issue_folder(pupil.id, [packs[0].id], issued_on=date(2026, 9, 1), expected_back=date(2026, 11, 8))
    app.issue_folder(pupil.id, [packs[2].id], issued_on=date(2026, 11, 20), expected_back=date(2026, 12, 18))
    panel = FoldersPanel(app, runner)
    qtbot.addWidget(panel)
    panel.set_folders(pupil.id, app.list_folders(pupil.id), TODAY)
    late, current = panel.tree.topLevelItem(1), panel.tree.topLevelItem(0)  # newest first
    assert late.text(2) == "OVERDUE: due back 8 Nov 2026 (14 days)"
    assert late.background(0).color() == OVERDUE_BACKGROUND
    assert current.background(0).color() != OVERDUE_BACKGROUND
    assert panel.summary.text() == "2 folders · 2 out · 1 overdue"


def test_folder_back_twice_is_refused_in_words(app, runner, pupil, packs, qtbot):
    changes = app.issue_folder(pupil.id, [packs[0].id], expected_back=TODAY + timedelta(days=7))
    panel = FoldersPanel(app, runner)
    qtbot.addWidget(panel)
    panel.set_folders(pupil.id, app.list_folders(pupil.id), TODAY)
    panel.tree.topLevelItem(0).setSelected(True)
    app.return_folder(changes.id)  # someone else already recorded it back
    panel.return_selected_folder()
    assert panel.banner.text() == "That folder was already returned on 22/11/2026."


def test_clear_drops_the_pupils_folders(app, runner, pupil, packs, qtbot):
    app.issue_folder(pupil.id, [packs[0].id])
    panel = FoldersPanel(app, runner)
    qtbot.addWidget(panel)
    panel.set_folders(pupil.id, app.list_folders(pupil.id), TODAY)
    panel.clear()
    assert panel.tree.topLevelItemCount() == 0
    assert panel.issue() is None and not panel.issue_button.isEnabled()


def test_pack_years():
    assert pack_years(WorkPack(title="t", subject="s", nc_years="3-4")) == range(3, 5)
    assert pack_years(WorkPack(title="t", subject="s", nc_years="1")) == range(1, 2)
    assert pack_years(WorkPack(title="t", subject="s", nc_years="")) is None
