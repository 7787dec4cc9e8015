"""At 1366x768 (the usual LA laptop) every window and dialog shows its labels, buttons,
tabs and column headers whole, and the caseload shows its main columns without a
horizontal scroll bar."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.services import Waymark
from desktop.ui.caseload_model import HEADERS, Column
from desktop.ui.places import SchoolDialog
from tests.conftest import FAST_SCRYPT, PASSPHRASE
from tests.desktop.fit import clipped, scrolls_sideways
from tests.desktop.shell_helpers import unlock, visible_texts
from tests.desktop.walk import every_window


def test_no_text_is_cut_short_anywhere(demo_window, make_window, tmp_path):
    demo_window.resize(1366, 768)
    found = {}
    for where, widget in every_window(demo_window, make_window, tmp_path):
        problems = clipped(widget)
        if problems:
            found[where] = problems
    import pprint

    assert found == {}, pprint.pformat(found, width=150)


def test_the_caseload_shows_its_main_columns_without_scrolling_sideways(demo_window):
    window = demo_window
    window.resize(1366, 768)
    workspace = window.workspace
    QApplication.processEvents()
    header = workspace.table.horizontalHeader()
    shown = [HEADERS[Column(s)] for s in range(header.count()) if not header.isSectionHidden(s)]
    assert shown == ["Name", "Year", "Last visit", "Needs attention", "Site", "Base school"]
    assert not scrolls_sideways(workspace.table)
    assert clipped(window) == []
    # The user's own widths are theirs: a dragged column is not fitted again.
    QTest.mousePress(header.viewport(), Qt.MouseButton.LeftButton)
    header.resizeSection(Column.NAME, 300)
    QTest.mouseRelease(header.viewport(), Qt.MouseButton.LeftButton)
    window.resize(1300, 768)
    QApplication.processEvents()
    assert header.sectionSize(Column.NAME) == 300


def test_the_record_header_keeps_each_fact_whole(demo_window):
    workspace = demo_window.workspace
    with_upn = next(r for r in workspace.model.rows() if r.upn)
    workspace.open_pupil(with_upn.pupil_id)
    facts = workspace.pupil_view.facts.text()
    assert f"UPN\u00a0{with_upn.upn}" in facts  # a line may break between facts, never inside one


def test_a_folder_line_is_whole_in_the_narrow_record_pane(demo_window):
    """'Issued 9 Jun 2026 by Base school' lost its end in the record's pane at 1366x768."""
    workspace = demo_window.workspace
    demo_window.resize(1366, 768)
    for row in workspace.model.rows():
        workspace.open_pupil(row.pupil_id)
        tree = workspace.pupil_view.folders.tree
        if tree.topLevelItemCount() and "by" in tree.topLevelItem(0).text(0):
            break
    workspace.pupil_view.show_tab("folders")
    QApplication.processEvents()
    top = tree.topLevelItem(0)
    metrics = QFontMetrics(top.font(0))
    lines = top.text(0).split("\n")
    assert len(lines) == 2 and lines[1].startswith("by ")
    room = tree.columnWidth(0) - tree.indentation() - 8
    assert all(metrics.horizontalAdvance(line) <= room for line in lines), (lines, room)
    assert tree.visualItemRect(top).height() >= 2 * metrics.lineSpacing()  # both lines shown


def test_an_empty_profile_says_what_to_do_first(make_window, tmp_path, qtbot):
    Waymark.create_profile(tmp_path / "p", PASSPHRASE, scrypt_n=FAST_SCRYPT).close()
    window = make_window(tmp_path / "p")
    unlock(window, PASSPHRASE)
    workspace = window.workspace
    guide = workspace.getting_started
    assert guide.isVisible() and not workspace.table.isVisible() and not workspace.finders.isVisible()
    assert "Your caseload is empty" in " ".join(visible_texts(guide))
    assert "Common Transfer File" in guide.later.text()
    assert workspace.pupil_view.placeholder.text() == "Add a pupil to see their record here."
    assert not window.summary_action.isEnabled()
    assert window.summary_action.toolTip() == "The caseload is empty: there is nobody to summarise yet."
    QApplication.processEvents()
    assert clipped(window) == []

    guide.school_button.click()
    [dialog] = [d for d in workspace.findChildren(SchoolDialog) if d.isVisible()]
    for field, text in (
        (dialog.name, "St Anne's"),
        (dialog.urn, "119234"),
        (dialog.la_code, "888"),
        (dialog.estab, "2145"),
    ):
        field.setText(text)
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    assert "1 school is recorded" in guide.school_text.text()

    add = workspace.add_pupil()
    add.forename.setText("Levi")
    add.surname.setText("Lee")
    add.dob.setText("1/3/2016")
    add.save()
    assert not guide.isVisible() and workspace.table.isVisible() and workspace.finders.isVisible()
    assert workspace.shown_label.text() == "1 pupil"
    assert window.summary_action.isEnabled()


def test_an_empty_caseload_leaves_no_unfitted_columns_behind(make_window, demo_dir, tmp_path):
    """The header of an empty caseload is never fitted; saved at the lock, it must not
    stop the next session's caseload from fitting its columns."""
    Waymark.create_profile(tmp_path / "empty", PASSPHRASE, scrypt_n=FAST_SCRYPT).close()
    empty = make_window(tmp_path / "empty")
    unlock(empty, PASSPHRASE)
    empty.lock()
    window = make_window(demo_dir)  # the same settings file
    unlock(window, PASSPHRASE)
    QApplication.processEvents()
    assert not scrolls_sideways(window.workspace.table)
    assert clipped(window) == []
