"""Sync in the app (pytest-qt, offscreen): the background controller and its
backoff, the status words, F9, the Connect dialog and the Conflicts view,
against the real server in-process. Desktop tests, so SQLite only."""

from __future__ import annotations

import threading
from html import escape

import pytest
import shiboken6
from PySide6.QtCore import QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.services.sync import SyncService
from desktop.tasks import ImmediateTaskRunner, TaskRunner
from desktop.ui import sync as sync_ui
from desktop.ui.sync import ConflictsDialog, ConnectDialog, SyncController
from sync.server import admin, policy
from tests.conftest import PASSPHRASE
from tests.desktop.conftest import immediate_runner, make_window, ui_settings  # noqa: F401  (fixtures)
from tests.sync import helpers as h
from tests.sync.conftest import PASSWORD, SERVER, add_user, new_profile

pytestmark = pytest.mark.parametrize("server_url", ["sqlite"], indirect=True)


@pytest.fixture
def laptop(engine, make_device):
    add_user(engine, "ann", "tutor")
    return make_device("laptop", "ann")


def controller(device, runner=None) -> tuple[SyncController, list[str]]:
    words: list[str] = []
    made = SyncController(runner or ImmediateTaskRunner(), device.sync_service)
    made.state_changed.connect(words.append)
    made.start()
    return made, words


def test_an_edit_is_sent_soon_and_the_status_says_so(qtbot, laptop):
    sync, words = controller(laptop)
    changed = []
    sync.runner.did_change.connect(changed.append)
    h.pupil(laptop.app)
    sync.note_change()
    assert 0 < sync.next_in <= sync_ui.SOON
    sync.sync_now()
    assert words[0] == "Syncing…" and words[-1] == "Synced"
    assert "Sending changes: 2 so far…" in words  # progress, for a long first sync
    assert laptop.port.unsent() == 0
    assert changed and changed[-1].ids == ("sync",)  # the pull's echo redraws the views
    assert sync_ui.SOON < sync.next_in <= sync_ui.EVERY
    assert laptop.app.sync_status().last_sync


def test_offline_backs_off_and_recovers(qtbot, laptop):
    sync, words = controller(laptop)
    h.pupil(laptop.app)
    laptop.net.offline = True
    sync.sync_now()
    assert words[-1] == "Offline: trying again in 30 seconds. Your changes are kept."
    assert 25_000 < sync.next_in <= 30_000
    sync.sync_now()
    assert words[-1].startswith("Offline: trying again in 1 minute")
    sync.sync_now()
    assert words[-1].startswith("Offline: trying again in 2 minutes")
    assert "Could not reach the LA server" in laptop.app.sync_status().last_error
    assert laptop.port.unsent() > 0
    laptop.net.offline = False
    sync.sync_now()
    assert words[-1] == "Synced" and sync.failures == 0
    assert laptop.app.sync_status().last_error is None


def test_a_revoked_laptop_stops_trying_and_says_why(qtbot, laptop, engine):
    sync, words = controller(laptop)
    admin.revoke_device(engine, laptop.app.store.get_setting("sync_account")["device_id"])
    sync.sync_now()
    assert "revoked" in words[-1] and "unsent changes stay on this laptop" in words[-1]
    assert sync.next_in == -1  # retrying will not help


def test_sync_runs_off_the_windows_thread(qtbot, laptop):
    runner = TaskRunner()
    seen = []
    real = laptop.sync_service.sync

    def spy(progress=None):
        seen.append(threading.current_thread())
        return real(progress)

    laptop.sync_service.sync = spy
    sync, words = controller(laptop, runner)
    outcomes = []
    sync.synced.connect(outcomes.append)
    sync.sync_now()
    qtbot.waitUntil(lambda: bool(outcomes), timeout=20_000)
    assert seen and seen[0] is not threading.main_thread() and seen[0].name.startswith("waymark-net")
    assert words[-1] == "Synced"
    runner.shutdown()


def test_the_conflicts_view_shows_both_versions_and_keeps_a_merge(qtbot, laptop, make_device):
    other = make_device("other", "ann")
    pupil_id = h.pupil(laptop.app)
    laptop.sync()
    other.sync()
    laptop.app.edit_pupil(pupil_id, medical_needs="Asthma")
    other.app.edit_pupil(pupil_id, medical_needs="Epilepsy")
    laptop.sync()
    other.sync()
    dialog = ConflictsDialog(ImmediateTaskRunner(), other.sync_service)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 1
    assert (dialog.mine.toPlainText(), dialog.theirs.toPlainText()) == ("Epilepsy", "Asthma")  # by laptop
    dialog.merged.setPlainText("Asthma; epilepsy")
    dialog.keep_merged.click()
    assert dialog.list.count() == 0 and dialog.empty.isVisibleTo(dialog)
    assert other.app.get_pupil(pupil_id).medical_needs == "Asthma; epilepsy"
    other.sync()
    laptop.sync()
    assert laptop.app.get_pupil(pupil_id).medical_needs == "Asthma; epilepsy"
    assert laptop.sync_service.conflicts() == []


def test_the_connect_dialog_registers_the_laptop_or_says_what_went_wrong(qtbot, engine, make_device):
    add_user(engine, "bea", "tutor")
    device = make_device("fresh")
    dialog = ConnectDialog(ImmediateTaskRunner(), device.sync_service)
    qtbot.addWidget(dialog)
    dialog.server.setText(SERVER)
    dialog.user.setText("bea")
    dialog.password.setText("not her password")
    dialog._connect()
    assert dialog.error.isVisibleTo(dialog) and "do not match" in dialog.error.text()
    connected = []
    dialog.connected.connect(lambda: connected.append(True))
    dialog.password.setText(PASSWORD)
    dialog._connect()
    assert connected and device.sync_service.account().user == "bea"
    assert dialog.password.text() == ""  # not kept in the widget


class HeldRunner(ImmediateTaskRunner):
    """Runs each task when told to, as the network pool answers after a while."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: list = []

    def run(self, task, on_done=None, on_error=None, *, network: bool = False) -> None:
        self.waiting.append(lambda: ImmediateTaskRunner.run(self, task, on_done, on_error, network=network))


def test_a_connect_dialog_closed_while_the_server_answers_still_starts_the_sync(qtbot, engine, make_device):
    add_user(engine, "bea", "tutor")
    device = make_device("fresh")
    runner, synced = HeldRunner(), []
    dialog = ConnectDialog(runner, device.sync_service, after_login=lambda: synced.append(True))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.server.setText(SERVER)
    dialog.user.setText("bea")
    dialog.password.setText(PASSWORD)
    dialog._connect()
    dialog.close()  # Esc, or the idle lock, before the answer
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(dialog)
    [answer] = runner.waiting
    answer()  # no "Internal C++ object already deleted" error box
    assert synced == [True] and device.sync_service.account().user == "bea"


def test_f9_in_the_window_syncs_now(qtbot, engine, in_process, profile_template, tmp_path, make_window, monkeypatch):  # noqa: F811
    add_user(engine, "ann", "tutor")
    from tests.sync.asgi import Faulty

    transport = Faulty(in_process)
    monkeypatch.setattr(
        "desktop.services.sync.SyncService.__init__",
        lambda self, app, transport_=None: _init(self, app, transport),
    )
    folder = tmp_path / "profile"
    new_profile(profile_template, folder, "Ann").close()
    window = make_window(folder)
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.unlock_button.click()
    assert window.sync_now_action.shortcut().toString() == "F9"
    assert window.sync_now_action in window.menuBar().actions()[0].menu().actions()
    SyncService(window.app).login(SERVER, "ann", PASSWORD)
    h.pupil(window.app)
    assert window.idle._timer.interval() == 10 * 60_000
    policy.set_policy(engine, {"auto_lock_max_minutes": 2})  # the LA's policy comes with this sync
    window.sync_now_action.trigger()
    QApplication.processEvents()
    assert window.app.sync_status().unsent == 0
    assert window.statusBar().currentMessage() == "Synced"
    assert window.sync_label.text().startswith("All changes sent · Last sync: ")
    assert window.idle._timer.interval() == 2 * 60_000  # the shorter idle lock applies at once


def _init(self, app, transport) -> None:
    from desktop.store.sync_port import StoreSyncPort

    self.app, self.store, self.port, self.transport = app, app.store, StoreSyncPort(app.store), transport


def _conflicting(laptop, other) -> dict[str, str]:
    """Two children, each with their medical needs changed on both laptops; their shared
    visit's work for one child; and a site's notes: four conflicts on `other`."""
    from desktop.domain.enums import SiteType
    from desktop.domain.records import Site

    ids = {"lily": h.pupil(laptop.app, "Lily"), "sam": h.pupil(laptop.app, "Sam")}
    ids["visit"] = h.visit(laptop.app, [ids["lily"], ids["sam"]])
    ids["site"] = laptop.app.add_site(Site(name="Ribble Way", site_type=SiteType.TRANSIT_SITE)).id
    laptop.sync()
    other.sync()
    for device, words in ((laptop, "Asthma"), (other, "Epilepsy")):
        for child in ("lily", "sam"):
            device.app.edit_pupil(ids[child], medical_needs=f"{words} ({child})")
        visit = device.app.get_visit(ids["visit"])
        visit.entries[1].work_covered = f"Number bonds, {words}"
        device.app.edit_visit(visit)
        site = device.app.store.get(Site, ids["site"])
        site.notes = f"Water tap broken, {words}"
        with device.app.store.transaction("ann") as tx:
            tx.update(site)
    laptop.sync()
    assert other.sync().conflicts == 4
    return ids


def test_each_conflict_names_the_child_it_is_about(qtbot, laptop, make_device):
    other = make_device("other", "ann")
    _conflicting(laptop, other)
    dialog = ConflictsDialog(ImmediateTaskRunner(), other.sync_service)
    qtbot.addWidget(dialog)
    titles = sorted(dialog.list.item(i).text() for i in range(dialog.list.count()))
    surname = "Ó Súilleabháin"
    assert f"Lily {surname} — details: medical needs" in titles
    assert f"Sam {surname} — details: medical needs" in titles
    assert f"Sam {surname} — visit on 20 Nov 2026: work covered" in titles
    assert "Site Ribble Way: notes" in titles  # about no child: the record's own name
    for row in range(dialog.list.count()):
        dialog.list.setCurrentRow(row)
        title = dialog.list.item(row).text()
        assert dialog.heading.text().startswith(f"<b>{escape(title)}</b>")
    topics = {other.sync_service.about(c).title for c in other.sync_service.conflicts()}
    assert topics == set(titles)


def test_a_pupil_who_leaves_goes_from_the_open_window(
    qtbot,
    engine,
    in_process,
    profile_template,
    tmp_path,
    make_window,  # noqa: F811  (the fixture)
    monkeypatch,
):
    """Polly's record is open when her sync says she is no longer this worker's: the
    caseload and the record follow, nothing fails, and the status bar says why."""
    from tests.sync.asgi import Faulty

    add_user(engine, "ann", "tutor")
    add_user(engine, "bea", "tutor", team="north")
    transport = Faulty(in_process)
    monkeypatch.setattr(
        "desktop.services.sync.SyncService.__init__",
        lambda self, app, transport_=None: _init(self, app, transport),
    )
    ann = new_profile(profile_template, tmp_path / "ann", "Ann")
    SyncService(ann).login(SERVER, "ann", PASSWORD)
    polly, peter = h.pupil(ann, "Polly"), h.pupil(ann, "Peter")
    h.visit(ann, [polly, peter])
    SyncService(ann).sync()
    ann.close()
    admin.assign(engine, polly, team="north")
    folder = tmp_path / "bea"
    bea = new_profile(profile_template, folder, "Bea")
    SyncService(bea).login(SERVER, "bea", PASSWORD)
    bea.close()
    window = make_window(folder)
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.unlock_button.click()
    window.sync_now_action.trigger()
    QApplication.processEvents()
    workspace = window.workspace
    assert workspace.model.rowCount() == 1
    workspace.open_pupil(polly)
    for index in range(workspace.pupil_view.tabs.count()):
        workspace.pupil_view.tabs.setCurrentIndex(index)
    QApplication.processEvents()
    admin.unassign(engine, polly, team="north")
    window.sync_now_action.trigger()
    for _ in range(5):
        QApplication.processEvents()
    assert workspace.model.rowCount() == 0
    assert "no longer yours" in window.statusBar().currentMessage()
    assert window.app.list_pupils() == []
    view = workspace.pupil_view
    assert view.pupil_id is None and "Polly" not in view.name.text()  # her record left the screen too
    assert "No pupil with id" not in view.banner.text()


# engine: this module's server, unused here (no laptop in this test is connected to it).
def test_a_laptop_with_no_server_says_so_and_leaves_no_syncing_behind(
    qtbot,
    engine,
    profile_template,
    tmp_path,
    make_window,  # noqa: F811  (the fixture imported above)
):
    folder = tmp_path / "profile"
    new_profile(profile_template, folder, "Ann").close()
    window = make_window(folder)
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.unlock_button.click()
    bar = window.statusBar()
    qtbot.waitUntil(lambda: not window.sync_controller.running)  # the first sync, straight after unlocking
    QApplication.processEvents()
    assert bar.currentMessage() == ""  # not a "Syncing…" that never ends
    assert window.sync_label.text() == "Not connected to a server"
    window.sync_now_action.trigger()  # F9: the user asked, so say what to do
    qtbot.waitUntil(lambda: not window.sync_controller.running)
    QApplication.processEvents()
    assert bar.currentMessage() == sync_ui.NOT_CONNECTED


def test_logging_in_to_another_server_pulls_its_feed_from_the_start(laptop, engine):
    laptop.sync()
    assert laptop.port.cursor()
    service = laptop.sync_service
    service.login(SERVER, "ann", PASSWORD)  # the same server and user again: the cursor stands
    assert laptop.port.cursor()
    service.login("http://127.0.0.1:9/", "ann", PASSWORD)  # another server (in-process here too)
    assert laptop.port.cursor() is None  # its feed is read from the beginning


def _conflicts_dialog(qtbot, device) -> ConflictsDialog:
    dialog = ConflictsDialog(ImmediateTaskRunner(), device.sync_service)
    qtbot.addWidget(dialog)
    dialog.show()  # the draft keeper starts when the dialog is shown
    assert dialog.drafts is not None and dialog.drafts.started
    return dialog


def _button(box, text: str):
    return next(b for b in box.buttons() if b.text() == text)


def test_each_conflict_keeps_its_own_half_typed_merge(qtbot, laptop, make_device):
    other = make_device("other", "ann")
    _conflicting(laptop, other)
    dialog = _conflicts_dialog(qtbot, other)
    offered = []
    for row in (0, 1, 2):
        dialog.list.setCurrentRow(row)
        offered.append(dialog.merged.toPlainText())
    dialog.list.setCurrentRow(0)
    QTest.keyClicks(dialog.merged, " first")
    dialog.list.setCurrentRow(1)
    assert dialog.merged.toPlainText() == offered[1]  # the next conflict's own offer, not row 0's text
    QTest.keyClicks(dialog.merged, " second")
    dialog.list.setCurrentRow(2)
    assert dialog.merged.toPlainText() == offered[2]
    dialog.list.setCurrentRow(0)
    assert dialog.merged.toPlainText() == offered[0] + " first"
    dialog.list.setCurrentRow(1)
    assert dialog.merged.toPlainText() == offered[1] + " second"
    # Keeping one merge keeps the other's typing.
    dialog.list.setCurrentRow(0)
    kept_id = dialog.rows[0][0].id
    dialog.keep_merged.click()
    assert kept_id not in {c.id for c in other.sync_service.conflicts()}
    assert dialog.list.count() == 3
    texts = []
    for row in range(dialog.list.count()):
        dialog.list.setCurrentRow(row)
        texts.append(dialog.merged.toPlainText())
    assert offered[1] + " second" in texts  # row 1's typing survived the reload after row 0 was kept
    assert texts.count(offered[1] + " second") == 1 and offered[0] + " first" not in texts


def test_esc_with_a_typed_merge_asks_and_keep_editing_changes_nothing(qtbot, laptop, make_device):
    other = make_device("other", "ann")
    _conflicting(laptop, other)
    dialog = _conflicts_dialog(qtbot, other)
    dialog.list.setCurrentRow(1)
    QTest.keyClicks(dialog.merged, " and inhaler")
    typed = dialog.merged.toPlainText()
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    box = dialog.discard_question
    assert box is not None and box.isVisible() and dialog.isVisible()
    assert "merge of sync conflicts" in box.text()
    assert box.defaultButton().text() == "&Keep editing"
    _button(box, "&Keep editing").click()
    assert dialog.isVisible() and dialog.list.currentRow() == 1 and dialog.merged.toPlainText() == typed
    assert len(other.sync_service.conflicts()) == 4  # nothing resolved

    dialog.close_button.click()  # Close asks as Esc does
    box = dialog.discard_question
    assert box is not None and box.isVisible()
    _button(box, "&Discard").click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert other.app.draft("conflicts") is None
    assert len(other.sync_service.conflicts()) == 4


def test_a_merge_kept_for_later_comes_back_in_the_next_conflicts_view(qtbot, laptop, make_device):
    other = make_device("other", "ann")
    _conflicting(laptop, other)
    dialog = _conflicts_dialog(qtbot, other)
    dialog.list.setCurrentRow(2)
    conflict_id = dialog.rows[2][0].id
    QTest.keyClicks(dialog.merged, " (both true)")
    typed = dialog.merged.toPlainText()
    dialog.reject()  # the window's close button
    _button(dialog.discard_question, "Keep for &later").click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    kept = other.app.draft("conflicts")
    assert kept is not None and kept.fields == {conflict_id: typed}
    assert kept.context.get("private")  # a conflict may hold a professional's words: it never opens by itself

    again = _conflicts_dialog(qtbot, other)
    assert again.banner.isVisible() and again.banner.text().startswith("You have an unsaved merge of sync conflicts")
    row = next(r for r in range(len(again.rows)) if again.rows[r][0].id == conflict_id)
    again.list.setCurrentRow(row)
    assert again.merged.toPlainText() == typed
    assert again.drafts.dirty  # a merge put back is asked about again before it is thrown away
    again.keep_merged.click()  # kept: the draft goes with it
    assert conflict_id not in {c.id for c in other.sync_service.conflicts()}
    again.reject()  # nothing typed is left: it closes at once
    assert not again.isVisible() and again.discard_question is None
    assert other.app.draft("conflicts") is None


def test_the_lock_keeps_a_typed_merge_without_asking(qtbot, laptop, make_device):
    from desktop.ui.drafts import keep_all_drafts

    other = make_device("other", "ann")
    _conflicting(laptop, other)
    dialog = _conflicts_dialog(qtbot, other)
    QTest.keyClicks(dialog.merged, " typed as the lock came")
    typed = dialog.merged.toPlainText()
    keep_all_drafts(dialog)  # what the window does before it closes the profile
    dialog.close()
    assert not dialog.isVisible() and dialog.discard_question is None
    assert list(other.app.draft("conflicts").fields.values()) == [typed]


def test_enter_in_the_conflicts_view_resolves_nothing(qtbot, laptop, make_device):
    """Enter on the list (or a button's neighbour) must not keep a side the user never chose:
    no resolve button is the dialog's default; each still works by click and mnemonic."""
    other = make_device("other", "ann")
    _conflicting(laptop, other)
    dialog = _conflicts_dialog(qtbot, other)
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    dialog.list.setFocus()
    dialog.list.setCurrentRow(1)
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        QTest.keyClick(dialog.list, key)
        QApplication.processEvents()
    assert len(other.sync_service.conflicts()) == 4  # nothing resolved
    assert dialog.isVisible() and dialog.list.count() == 4
    for button in (dialog.keep_mine, dialog.keep_theirs, dialog.keep_merged):
        assert not button.isDefault() and not button.autoDefault()
    # The mnemonic still resolves (Alt+M: Keep &mine).
    chosen = dialog.rows[1][0].id
    QTest.keyClick(dialog.list, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: len(other.sync_service.conflicts()) == 3)  # Qt clicks a mnemonic 100 ms later
    assert chosen not in {c.id for c in other.sync_service.conflicts()}
