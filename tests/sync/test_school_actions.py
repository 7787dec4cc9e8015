"""A base school's laptop offers nothing the LA's server would refuse (each such
action disabled or its field hidden, saying why), and what it still offers is
taken by the real server; a worker's laptop is unchanged. Changes the server
refused are listed in File → Changes not sent…, to copy, save or discard.
Real profiles logged in to the server in-process, the app offscreen. SQLite only."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QPushButton

from desktop.domain.enums import TravellerGroup
from desktop.services import Waymark
from desktop.ui.not_sent import NotSentDialog
from tests.conftest import PASSPHRASE, TODAY
from tests.desktop.conftest import immediate_runner, make_window, ui_settings  # noqa: F401  (fixtures)
from tests.desktop.walk import settle
from tests.sync import helpers as h
from tests.sync.asgi import Faulty
from tests.sync.conftest import Device, add_user

pytestmark = pytest.mark.parametrize("server_url", ["sqlite"], indirect=True)

ADDRESS = "12 Mill Lane, Leeds"

# Every action a school's laptop shows, by its words: what the server would refuse
# (disabled, saying why) and what it takes. A new action must be put in one of them.
REFUSED = {
    "Book",  # the record's header and its Appointments tab
    "Add a parent or carer",
    "Record a move",
    "Add action",
    "Mark done",
    "Record a concern",
    "Cancel appointment",
    "Add a pupil",
    "Add a school",
}
TAKEN = {
    "Log a visit",
    "Print",
    "Edit details",
    "Record a consent",
    "Record planned travel",
    "Dates agreed",
    "Add provision",
    "Record an absence",
    "Record an exclusion",
    "Add a plan",
    "Record a review",
    "Record progress",
    "Issue folder",
    "Mark returned",
    "Mark marked",
    "Folder back",
    "Hide concerns",
    "By day",
    "By site",
    "Progress record",
    "Hours statement",
    "Latest visit report",
    "Subject access copy",
    "Reopen",  # the bar of unsaved forms: local to the laptop
    "Discard",
    # menus
    "Print the caseload summary",
    "Audit trail",
    "Sync now",
    "Connect to the LA server",
    "Sync conflicts",
    "Changes not sent",
    "Settings",
    "Back up",
    "School term dates",  # opens; its import is refused (below)
    "Lock",
    "Quit",
    "Work packs",  # opens; adding a pack is refused (below)
    "Caseload",
    "Appointments",
    "Find a pupil",
    "Refresh",
    "Keyboard shortcuts",
    "About Waymark",
}
SAYS_WHY = ("not with schools", "not schools", "Only the service adds pupils", "not sent to the LA's server")


def words(text: str) -> str:
    return text.replace("&", "").replace("…", "").strip()


@pytest.fixture
def laptops(engine, make_device, in_process, tmp_path):
    """Ann (a tutor) adds Mia, a Traveller pupil at school A, with an address and a
    visit, and syncs; school A's laptop syncs her down, then sends an address for
    her, which the server refuses and the laptop keeps aside."""
    add_user(engine, "ann", "tutor")
    add_user(engine, "school", "school", school_urn=h.URN_A)
    ann = make_device("ann", "ann")
    mia = h.pupil(ann.app, "Mia", traveller_group=TravellerGroup.SHOWMAN, address="3 Quay St", postcode="LS2 7EY")
    h.pupil(ann.app, "Noah")
    h.visit(ann.app, [mia], family="Lovely reading")
    assert not ann.sync().refused
    school = make_device("school", "school")
    school.sync()
    assert {p.forename for p in school.app.list_pupils()} == {"Mia", "Noah"}
    school.app.edit_pupil(mia, address=ADDRESS)
    assert school.sync().refused
    school.app.close()
    ann.app.close()
    return {"school": tmp_path / "school", "ann": tmp_path / "ann", "mia": mia, "net": in_process}


def opened(open_window, folder, pupil_id):
    window = open_window(folder)
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.unlock_button.click()
    assert not window.is_locked
    settle()
    window.workspace.open_pupil(pupil_id)
    settle()
    return window


def controls(window) -> dict[str, list]:
    """Every button and menu action a user could reach, by its words."""
    found: dict[str, list] = {}
    for button in window.workspace.findChildren(QPushButton):
        if button.text() and not button.isHidden():
            found.setdefault(words(button.text()), []).append(button)
    for menu in [window.menuBar(), *[a.menu() for a in window.menuBar().actions() if a.menu()]]:
        for action in menu.actions():
            if action.text() and not action.isSeparator() and not action.menu():
                found.setdefault(words(action.text()), []).append(action)
    print_menu = window.workspace.pupil_view.print_button.menu()
    for action in print_menu.actions():
        if action.text():
            found.setdefault(words(action.text()), []).append(action)
    return found


def test_a_school_laptop_offers_nothing_the_server_would_refuse(laptops, make_window):  # noqa: F811
    window = opened(make_window, laptops["school"], laptops["mia"])
    assert window.limits is not None and window.limits.role == "school"
    found = controls(window)
    unknown = set(found) - REFUSED - TAKEN
    assert not unknown, f"say whether the server takes these from a school: {sorted(unknown)}"
    for name in REFUSED:
        assert name in found, name
        for control in found[name]:
            assert not control.isEnabled(), name
            assert any(why in control.toolTip() for why in SAYS_WHY), (name, control.toolTip())
    assert TAKEN - set(found) == {"Hide concerns"}  # a school has no concerns to hide; the rest are checked
    for name in TAKEN & set(found):
        for control in found[name]:
            assert not any(why in control.toolTip() for why in SAYS_WHY), (name, control.toolTip())
    assert window.workspace.pupil_view.log_button.isEnabled()
    assert window.workspace.pupil_view.edit_button.isEnabled()
    assert window.workspace.pupil_view.travel_button.isEnabled()  # Mia's family travels: dates only


def test_a_school_laptop_forms_leave_out_what_the_server_refuses_and_the_rest_is_taken(laptops, make_window):  # noqa: F811
    window = opened(make_window, laptops["school"], laptops["mia"])
    view = window.workspace.pupil_view

    details = view.edit_details()
    settle()
    assert details.address.isHidden() and details.postcode.isHidden() and details.suppress.isHidden()
    assert not details.no_address.isHidden() and "does not send schools" in details.no_address.text()
    assert "address" not in details.values()
    assert not details.school.isEnabled() and "another base school" in details.school.toolTip()
    details.medical.setPlainText("Asthma: inhaler in her bag")
    details.save_button.click()
    settle()

    travel = view.record_travel()
    settle()
    assert travel.destination.isHidden() and travel.notes.isHidden() and not travel.no_place.isHidden()
    travel.destination.setText("Appleby fair")  # even typed (a draft), it is never sent
    assert travel.travel().destination == ""
    travel.reject()
    travel.drafts.discard()

    visit = window.log_visit(laptops["mia"])
    settle()
    assert not visit.site.isEnabled() and visit.site.currentData() is None
    assert "does not send schools" in visit.site.toolTip()
    assert not visit.professional_note.isEnabled()
    assert "professional-only notes" in visit.professional_note.placeholderText()
    visit.work.same_for_all.setChecked(False)  # each child's own notes: no professional one either
    settle()
    for form in visit.work.forms.values():
        assert form.professional_note is not None and not form.professional_note.isEnabled()
    visit.professional_note.setPlainText("typed before it was a school's laptop")
    visit.family_note.setPlainText("Mia read two pages aloud")
    made = visit.visit()
    assert made.site_id is None and [n.text for n in made.notes] == ["Mia read two pages aloud"]
    visit.save()
    settle()

    packs = window.workspace.open_packs()
    settle()
    assert not packs.add_button.isEnabled() and "not schools" in packs.add_button.toolTip()
    packs.close()
    calendar = window.open_calendar()
    settle()
    assert not calendar.import_button.isEnabled() and not calendar.reset_button.isEnabled()
    assert "term dates" in calendar.import_button.toolTip()
    calendar.close()
    window.lock()

    # What the forms saved, the server takes.
    app = Waymark.open_profile(laptops["school"], PASSPHRASE)
    app.today = lambda: TODAY
    try:
        device = Device(app, Faulty(laptops["net"]))
        result = device.sync()
        assert result.pushed > 0 and not result.refused
    finally:
        app.close()


def test_a_worker_laptop_is_offered_everything(laptops, make_window):  # noqa: F811
    window = opened(make_window, laptops["ann"], laptops["mia"])
    assert window.limits is not None and window.limits.role == "tutor"
    found = controls(window)
    for name in REFUSED - {"Mark done", "Cancel appointment"}:  # these two wait for a selection
        assert all(c.isEnabled() for c in found[name]), name
    view = window.workspace.pupil_view
    details = view.edit_details()
    settle()
    assert not details.address.isHidden() and details.no_address.isHidden()
    assert "address" in details.values()
    assert details.school.isEnabled()
    details.reject()
    visit = window.log_visit(laptops["mia"])
    settle()
    assert visit.site.isEnabled() and visit.professional_note.isEnabled()
    visit.reject()


def test_changes_not_sent_are_listed_copied_saved_and_discarded(laptops, make_window, tmp_path, qtbot):  # noqa: F811
    window = opened(make_window, laptops["school"], laptops["mia"])
    assert window.not_sent_action.isEnabled()
    assert "File → Changes not sent" in window.sync_error.text()

    dialog = window.open_not_sent()
    settle()
    assert isinstance(dialog, NotSentDialog) and dialog.list.count() == 1
    item = dialog.list.item(0).text()
    assert "Mia Ó Súilleabháin — details" in item
    assert f"address: {ADDRESS}" in dialog.fields.toPlainText()
    assert "Schools are not sent where a family lives" in dialog.reason.text()

    dialog.copy()
    copied = QGuiApplication.clipboard().text()
    assert "Mia Ó Súilleabháin — details" in copied and ADDRESS in copied and "Why: Schools" in copied
    saved = tmp_path / "kept.txt"
    dialog.save_as(str(saved))
    settle()
    assert saved.read_text(encoding="utf-8") == copied
    assert saved.stat().st_mode & 0o777 == 0o600  # the words may be about a child: owner only
    dialog.save_as(str(tmp_path / "no-such-folder" / "kept.txt"))
    settle()
    assert "kept.txt was not saved because that folder does not exist" in dialog.banner.text()  # one sentence

    box = dialog.confirm_discard()
    assert isinstance(box, QMessageBox) and "Mia Ó Súilleabháin" in box.text()
    box.button(QMessageBox.StandardButton.No).click()  # "Keep it"
    settle()
    assert dialog.list.count() == 1
    box = dialog.confirm_discard()
    box.button(QMessageBox.StandardButton.Yes).click()  # "Discard it"
    settle()
    assert dialog.list.count() == 0 and not dialog.discard_button.isEnabled()
    assert not window.not_sent_action.isEnabled()
    assert "Changes not sent" not in window.sync_error.text()


def test_a_draft_the_server_would_refuse_is_not_reopened_on_a_school_laptop(laptops, make_window):  # noqa: F811
    """A parent or carer half-typed before the laptop knew it was a school's: the form is
    not opened to be finished and refused; the draft stays in the bar, and the status says why."""
    from desktop.domain.records import Draft

    app = Waymark.open_profile(laptops["school"], PASSPHRASE)
    try:
        app.save_draft(
            Draft(
                kind="contact",
                key=laptops["mia"],
                title="parent or carer for Mia Ó Súilleabháin",
                context={"pupil_id": laptops["mia"], "name": "Mia Ó Súilleabháin"},
                fields={"Name": "Jo Smith"},
            )
        )
    finally:
        app.close()
    window = opened(make_window, laptops["school"], laptops["mia"])
    workspace = window.workspace
    messages: list[str] = []
    workspace.status_message.connect(messages.append)
    [draft] = [d for d in window.app.drafts() if d.kind == "contact"]
    assert workspace._reopen(draft) is None
    settle()
    assert any("cannot be finished here" in m and "family contacts" in m for m in messages), messages
    assert [d.kind for d in window.app.drafts()] == ["contact"]  # kept, to be discarded
    from desktop.ui.pupil_details import ContactDialog

    assert not [d for d in workspace.findChildren(ContactDialog) if d.isVisible()]


def test_the_sync_words_point_to_the_changes_not_sent(engine, make_device):
    from desktop.tasks import ImmediateTaskRunner
    from desktop.ui.sync import SyncController

    add_user(engine, "ann", "tutor")
    add_user(engine, "school", "school", school_urn=h.URN_A)
    ann = make_device("ann", "ann")
    mia = h.pupil(ann.app, "Mia")
    ann.sync()
    school = make_device("school", "school")
    school.sync()
    school.app.edit_pupil(mia, postcode="LS1 4AB")
    words: list[str] = []
    controller = SyncController(ImmediateTaskRunner(), school.sync_service)
    controller.state_changed.connect(words.append)
    controller.sync_now()
    controller.stop()
    assert words[-1] == "Synced. The server refused 1 change: see File → Changes not sent…"
    assert school.app.sync_status().not_sent == 1
    assert "File → Changes not sent" in school.app.sync_status().last_error


def test_a_school_laptop_has_its_limits_the_moment_it_unlocks_with_no_server(
    laptops,
    make_window,  # noqa: F811
    immediate_runner,  # noqa: F811
    monkeypatch,
):
    """The role comes from the encrypted store with the profile, not from the first sync
    status: until then a school's laptop offered everything. Here the status is held back
    and the server cannot be reached (every network task is held), yet the school's
    limits apply from the first moment the caseload shows."""
    held: list = []
    real = immediate_runner.run

    def run(task, on_done=None, on_error=None, *, network: bool = False) -> None:
        if network or getattr(task, "__name__", "") == "sync_status":
            held.append((task, on_done))  # no server; the sync status not yet read
            return
        real(task, on_done, on_error, network=network)

    monkeypatch.setattr(immediate_runner, "run", run)
    window = make_window(laptops["school"])
    first_sight: list = []

    def shown(_index: int) -> None:
        if window.workspace is not None and window.pages.currentWidget() is window.workspace:
            first_sight.append((window.limits and window.limits.role, window.workspace.limits))

    window.pages.currentChanged.connect(shown)
    window = opened(lambda _folder: window, laptops["school"], laptops["mia"])
    assert any(getattr(task, "__name__", "") == "sync_status" for task, _done in held)  # not arrived
    assert first_sight and first_sight[0][0] == "school" and first_sight[0][1].role == "school"
    for action in (window.add_pupil_action, window.add_school_action):
        assert not action.isEnabled() and any(why in action.toolTip() for why in SAYS_WHY)
    found = controls(window)
    for name in REFUSED:
        for control in found.get(name, []):
            assert not control.isEnabled(), name
    # When the status does arrive, it agrees, and nothing changes.
    for task, on_done in held:
        if getattr(task, "__name__", "") == "sync_status":
            on_done(task())
    assert window.limits.role == "school" and not window.add_pupil_action.isEnabled()
