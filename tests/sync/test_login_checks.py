"""What the laptop checks before a login goes to the server (sync/client/connection.py,
check_url; sync/client/logging_in.py): an address httpx cannot read, one with a name and
password in it, and values too long for the protocol are each one plain sentence that never
shows the password, and nothing is kept or registered. Desktop-side tests, so SQLite only."""

from __future__ import annotations

import httpx
import pytest

from desktop.services import ValidationError
from desktop.services.sync import SyncService
from desktop.tasks import ImmediateTaskRunner
from desktop.ui.sync import ConnectDialog
from sync.client import InsecureServer, check_url
from sync.server import admin
from tests.sync.conftest import PASSWORD, SERVER, add_user

SECRET = "MySecretPassphraseStart-" + "x" * 990 + "-AndItsEnd1234567890abcd"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://someone:secret@127.0.0.1:8765", "user name or password"),
        ("https://someone:secret@waymark.example.gov.uk", "user name or password"),
        ("https://someone@waymark.example.gov.uk", "user name or password"),
        ("https://:secret@waymark.example.gov.uk:8443", "user name or password"),
        ("http://127.0.0.1:port", "port number"),
        ("https://waymark.example.gov.uk:44З", "port number"),  # a Cyrillic Ze typed for a 3
        ("https://waymark.example.gov.uk:٤٤٣", "port number"),  # digits, but not 0-9
        ("https://waymark.example.gov.uk:99999", "port number"),
        ("https://[::1", "not a server address"),
        ("https://xn--zz.example.gov.uk", "not a server address"),  # IDNA refuses it
        ("https://waymark example.gov.uk", "not a server address"),
        ("https://waymark\x00.example.gov.uk", "not a server address"),
    ],
)
def test_an_address_that_is_not_one_is_refused_in_one_plain_sentence(url, words):
    with pytest.raises(InsecureServer) as refused:
        check_url(url)
    said = str(refused.value)
    assert words in said and "\n" not in said and "secret" not in said


@pytest.mark.parametrize(
    "url", ["https://waymark.example.gov.uk:8443/", "http://[::1]:8765", "http://localhost:8765", "https://éxample.org"]
)
def test_a_good_address_still_passes(url):
    assert check_url(url) == url.rstrip("/")


def test_a_bar_in_an_address_is_percent_encoded():
    """The profile keeps "server|user" as who it synced as: an address's "|" (the same to the
    server as %7C) would have made ann "north|ann" to her own profile, and locked her out."""
    assert check_url("https://waymark.example.gov.uk/la|north") == "https://waymark.example.gov.uk/la%7Cnorth"


SQLITE_ONLY = pytest.mark.parametrize("server_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
def test_a_login_to_an_address_with_a_password_in_it_keeps_and_registers_nothing(engine, make_device):
    """httpx would send the address's name and password as Basic auth in place of the device's
    token on every sync (401 for ever), and the address would be kept and shown, password and all."""
    add_user(engine, "ann", "tutor")
    laptop = make_device("laptop")
    with pytest.raises(ValidationError, match="user name or password") as refused:
        laptop.sync_service.login("http://someone:secret@127.0.0.1:8765", "ann", PASSWORD)
    assert "secret" not in str(refused.value)
    assert laptop.sync_service.account() is None and not laptop.app.sync_status().server
    assert admin.list_devices(engine) == []


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("user", "password", "device", "words"),
    [
        ("a" * 101, PASSWORD, "laptop", "The user name is too long: at most 100 characters."),
        ("ann", PASSWORD, "d" * 201, "This laptop's name is too long: at most 200 characters."),
        ("ann", SECRET, "laptop", "The password is too long: at most 1,000 characters."),
        ("ann\x00", PASSWORD, "laptop", "The user name holds a character that cannot be sent; type it again."),
    ],
    ids=["user", "device", "password", "nul"],
)
def test_a_value_too_long_for_the_login_is_plain_words_without_the_password(
    engine, make_device, user, password, device, words
):
    add_user(engine, "ann", "tutor")
    laptop = make_device("laptop")
    with pytest.raises(ValidationError) as refused:
        laptop.sync_service.login(SERVER, user, password, device_name=device)
    assert str(refused.value) == words
    assert refused.value.__context__ is None or "Start-" not in str(refused.value.__context__)
    assert laptop.sync_service.account() is None and admin.list_devices(engine) == []


def test_the_connect_dialog_says_a_password_is_too_long_without_showing_it(qtbot, app):
    nothing = httpx.MockTransport(lambda request: pytest.fail("nothing should reach the server"))
    dialog = ConnectDialog(ImmediateTaskRunner(), SyncService(app, transport=nothing))
    qtbot.addWidget(dialog)
    dialog.server.setText(SERVER)
    dialog.user.setText("ann")
    dialog.password.setText(SECRET)
    dialog._connect()
    assert dialog.error.isVisibleTo(dialog)
    assert dialog.error.text() == "The password is too long: at most 1,000 characters."
