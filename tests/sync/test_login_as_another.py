"""A profile belongs to the user it synced as (desktop/services/sync.py, SyncService.login):
logging it in as another user is refused before the server is asked, while it holds
anything of the first one; the same user may log in again, from any server address."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, insert

from desktop.domain.records import Draft, Pupil
from desktop.services import ValidationError
from desktop.services.sync import ACCOUNT, PULLED_FROM
from desktop.tasks import ImmediateTaskRunner
from desktop.ui.sync import ConnectDialog
from sync.server import admin
from tests.sync import helpers as h
from tests.sync.conftest import PASSWORD, SERVER, add_user

REFUSED = "This profile holds ann's records, so it cannot log in as another user."
KEPT = "ann's records and unsent changes stay here."
MOVED = "http://127.0.0.1:9/"  # the LA's server at a new address (in-process here too)


def _devices(engine, user: str) -> list[str]:
    return [d["id"] for d in admin.list_devices(engine) if d["user"] == user]


def _state(device) -> tuple:
    store = device.app.store
    return (
        store.get_setting(ACCOUNT),
        store.get_setting(PULLED_FROM),
        device.port.cursor(),
        device.port.unsent(),
        [p.id for p in device.app.list_pupils()],
    )


@pytest.fixture
def anns(engine, make_device):
    """A laptop that synced as ann: her pupil on it, and one change not yet sent."""
    add_user(engine, "ann", "tutor")
    add_user(engine, "bob", "tutor")
    laptop = make_device("laptop", "ann")
    pupil_id = h.pupil(laptop.app)
    laptop.sync()
    h.progress(laptop.app, pupil_id, "Read to me about otters")
    assert laptop.port.unsent() and laptop.port.cursor()
    return laptop, pupil_id


def test_a_profile_that_synced_as_ann_will_not_log_in_as_bob(engine, anns):
    laptop, pupil_id = anns
    before, asked = _state(laptop), laptop.net.sent
    with pytest.raises(ValidationError) as refused:
        laptop.login("bob")
    words = str(refused.value)
    assert words.startswith(REFUSED) and words.endswith(KEPT) and "\n" not in words
    assert laptop.net.sent == asked  # the server was never asked
    assert _devices(engine, "bob") == []
    assert _state(laptop) == before  # account, identity, cursor, outbox, pupils
    assert laptop.sync_service.account().user == "ann"
    laptop.sync()  # still ann's laptop, still syncing
    assert laptop.port.unsent() == 0 and laptop.app.get_pupil(pupil_id) is not None


def test_ann_may_log_in_again_and_from_the_servers_new_address(engine, anns):
    laptop, pupil_id = anns
    laptop.login("ann")
    assert laptop.port.cursor()  # the same server and user: the cursor stands
    laptop.sync_service.login(MOVED, "ann", PASSWORD)
    assert laptop.sync_service.account().server == MOVED.rstrip("/")
    assert laptop.app.get_pupil(pupil_id) is not None and laptop.port.unsent()
    laptop.sync()
    assert laptop.port.unsent() == 0 and [p.id for p in laptop.app.list_pupils()] == [pupil_id]
    assert len(_devices(engine, "ann")) == 3


def test_after_logout_the_profile_is_still_anns(engine, anns):
    laptop, pupil_id = anns
    laptop.sync_service.logout()
    assert laptop.sync_service.account() is None
    with pytest.raises(ValidationError, match=REFUSED):
        laptop.sync_service.login(MOVED, "bob", PASSWORD)
    assert _devices(engine, "bob") == []
    laptop.login("ann")
    assert laptop.sync_service.account().user == "ann" and laptop.app.get_pupil(pupil_id) is not None


def test_a_profile_logged_in_before_its_identity_was_kept_is_still_anns_after_logout(engine, anns):
    """Older versions kept only the account: logging out keeps who it was."""
    laptop, _pupil_id = anns
    laptop.app.store.set_setting(PULLED_FROM, None)
    laptop.sync_service.logout()
    assert laptop.sync_service.synced_as() == "ann"
    with pytest.raises(ValidationError, match=REFUSED):
        laptop.login("bob")


def test_names_compare_as_the_server_compares_them(engine, anns):
    """The server holds "Ann" and "ann" as two users (users.name is compared exactly)."""
    laptop, _pupil_id = anns
    add_user(engine, "Ann", "tutor")
    with pytest.raises(ValidationError, match=REFUSED):
        laptop.login("Ann")
    assert _devices(engine, "Ann") == []
    laptop.sync_service.login(SERVER, "  ann ", PASSWORD)  # typed with spaces: still ann
    assert laptop.sync_service.account().user == "ann"


def test_a_new_profile_logs_in_as_anyone(engine, anns, make_device):
    fresh = make_device("fresh")
    fresh.login("bob")
    assert fresh.sync_service.account().user == "bob" and fresh.sync_service.synced_as() == "bob"
    fresh.sync()
    assert fresh.app.list_pupils() == []  # ann's pupil is not bob's


def test_a_profile_that_holds_nothing_of_ann_may_become_bobs(engine, make_device):
    """Ann logged in and synced an empty caseload: nothing of hers to leak."""
    add_user(engine, "ann", "tutor")
    add_user(engine, "bob", "tutor")
    laptop = make_device("laptop", "ann")
    laptop.sync()
    laptop.login("bob")
    assert laptop.sync_service.synced_as() == "bob" and _devices(engine, "bob")
    h.pupil(laptop.app)  # now bob's: his pupil makes it his
    with pytest.raises(ValidationError, match="holds bob's records"):
        laptop.login("ann")


def _a_draft(app) -> None:
    app.save_draft(Draft(kind="pupil", title="new pupil", fields={"Forename": "Mirela"}))


def _a_change_not_sent(app) -> None:  # as sync_leave keeps one when its pupil leaves the laptop
    with app.store.reading() as conn:
        conn.execute(
            insert(app.store.tables["sync_rejected"]).values(
                op_id="op-1",
                entity="pupil",
                entity_id="p-1",
                fields={"medical_needs": "Asthma"},
                changed_at="2026-11-20T10:00:00.000Z-0000-d",
                reason="no longer on your caseload",
                at="2026-11-20T10:00:00",
            )
        )
        conn.commit()


@pytest.mark.parametrize("leave", [_a_draft, _a_change_not_sent], ids=["draft", "change-not-sent"])
def test_ann_s_typed_words_alone_keep_the_profile_hers(engine, make_device, leave):
    """No record held, but words ann typed: a half-filled form, or a change the server
    could not take (File → Changes not sent…)."""
    add_user(engine, "ann", "tutor")
    add_user(engine, "bob", "tutor")
    laptop = make_device("laptop", "ann")
    laptop.sync()
    leave(laptop.app)
    assert laptop.port.holds_nothing()
    with pytest.raises(ValidationError, match=REFUSED):
        laptop.login("bob")
    assert _devices(engine, "bob") == []


def test_a_profile_whose_records_all_left_still_holds_their_trail(engine, anns):
    """Ann's pupil moved to bob, so it left her laptop; the school stays, and with it gone
    too the audit trail still holds what ann typed about the pupil."""
    laptop, pupil_id = anns
    laptop.sync()
    admin.assign(engine, pupil_id, user="bob")
    admin.unassign(engine, pupil_id, user="ann")
    assert laptop.sync().left == 1 and laptop.app.store.get(Pupil, pupil_id) is None
    with pytest.raises(ValidationError, match=REFUSED):
        laptop.login("bob")
    store = laptop.app.store
    with store.reading() as conn:  # as if the school had left too
        conn.execute(delete(store.tables["sync_state"]))
        conn.execute(delete(store.tables["school"]))
        conn.commit()
    assert laptop.port.holds_nothing() and store.get(Pupil, pupil_id) is None
    with pytest.raises(ValidationError, match=REFUSED):
        laptop.login("bob")
    assert _devices(engine, "bob") == []


@pytest.mark.parametrize("server_url", ["sqlite"], indirect=True)
def test_the_connect_dialog_shows_the_refusal_in_words(qtbot, engine, anns):
    laptop, _pupil_id = anns
    before = _state(laptop)
    dialog = ConnectDialog(ImmediateTaskRunner(), laptop.sync_service)
    qtbot.addWidget(dialog)
    dialog.show()
    connected = []
    dialog.connected.connect(lambda: connected.append(True))
    dialog.server.setText(SERVER)
    dialog.user.setText("bob")
    dialog.password.setText(PASSWORD)
    dialog._connect()
    assert dialog.error.isVisible() and dialog.error.text().startswith(REFUSED)
    assert "Traceback" not in dialog.error.text() and dialog.isVisible() and not connected
    error = dialog.error  # every line of it shown: the dialog grew to fit
    assert error.height() >= error.heightForWidth(error.width()) and dialog.rect().contains(error.geometry())
    assert dialog.buttons.isEnabled()  # ann may still be typed in
    assert _state(laptop) == before and _devices(engine, "bob") == []
    dialog.user.setText("ann")
    dialog._connect()
    assert connected and laptop.sync_service.account().user == "ann"


def test_an_address_with_a_bar_in_it_does_not_lock_its_user_out(engine, make_device):
    """A reverse proxy serves the LA's server under /la|north: ann logs in again after a sync,
    and is not taken for "north|ann" (the profile keeps "server|user" as who it synced as)."""
    import httpx

    class UnderAPath(httpx.BaseTransport):
        def __init__(self, inner: httpx.BaseTransport) -> None:
            self.inner = inner

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            path = request.url.raw_path.decode().replace("/la%7Cnorth", "")
            request.url = request.url.copy_with(raw_path=path.encode())
            return self.inner.handle_request(request)

    add_user(engine, "ann", "tutor")
    laptop = make_device("laptop")
    laptop.sync_service.transport = UnderAPath(laptop.net)
    laptop.sync_service.login("http://127.0.0.1:9/la|north", "ann", PASSWORD)
    h.pupil(laptop.app)
    laptop.sync()
    assert laptop.sync_service.synced_as() == "ann"
    laptop.sync_service.login("http://127.0.0.1:9/la|north", "ann", PASSWORD)  # before: refused as another user
    assert laptop.sync_service.account().server == "http://127.0.0.1:9/la%7Cnorth"
