"""Optional unlock through the OS keyring, with an in-memory keyring backend
(a real keyring.backend.KeyringBackend, so the keyring package's own API is
exercised; only the secret store behind it is a dict)."""

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend

from desktop.services import StoreError, ValidationError, Waymark, WrongPassphrase
from desktop.store import keycache
from tests.conftest import PASSPHRASE


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("no such entry")


class NoKeyring(KeyringBackend):
    """What headless Linux has: nothing to keep a secret in."""

    priority = 1

    def get_password(self, service, username):
        raise keyring.errors.NoKeyringError("no backend")

    def set_password(self, service, username, password):
        raise keyring.errors.NoKeyringError("no backend")

    def delete_password(self, service, username):
        raise keyring.errors.NoKeyringError("no backend")


@pytest.fixture
def memory():
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


def test_off_by_default_and_nothing_is_kept(app, profile_dir, memory):
    assert app.settings().keyring_unlock is False
    assert memory.secrets == {}
    assert Waymark.open_with_keyring(profile_dir) is None


def test_turned_on_it_keeps_the_key_not_the_passphrase_and_unlocks(app, profile_dir, memory):
    with pytest.raises(WrongPassphrase):
        app.enable_keyring_unlock("not the passphrase")
    assert memory.secrets == {}
    app.enable_keyring_unlock(PASSPHRASE)
    (secret,) = memory.secrets.values()
    assert PASSPHRASE not in secret and len(secret) == 44  # 32 bytes, base64
    assert app.settings().keyring_unlock is True
    app.close()

    opened = Waymark.open_with_keyring(profile_dir)
    assert opened is not None
    try:
        assert opened.audit_trail()[0].summary == "unlocked (system keyring)"
        opened.disable_keyring_unlock()
        assert memory.secrets == {} and opened.settings().keyring_unlock is False
    finally:
        opened.close()
    assert Waymark.open_with_keyring(profile_dir) is None


def test_the_setting_cannot_be_flipped_without_the_key(app):
    with pytest.raises(ValidationError, match="enable_keyring_unlock"):
        app.update_settings(keyring_unlock=True)


def test_an_la_policy_forbids_it_and_removes_a_kept_key(app, profile_dir, memory):
    app.enable_keyring_unlock(PASSPHRASE)
    app.set_la_policy(keyring_unlock="forbidden")
    assert memory.secrets == {} and app.settings().keyring_unlock is False
    assert app.keyring_allowed() is False
    with pytest.raises(ValidationError, match="policy does not allow"):
        app.enable_keyring_unlock(PASSPHRASE)
    assert memory.secrets == {}
    policy = next(e for e in app.audit_trail() if e.summary.startswith("LA policy"))
    assert [(c.field, c.old, c.new) for c in policy.changes] == [("keyring_unlock", None, "forbidden")]


def test_a_key_kept_before_the_policy_arrived_is_refused_at_unlock(app, profile_dir, memory):
    """The policy can reach the profile while the key is kept (sync on another run)."""
    app.enable_keyring_unlock(PASSPHRASE)
    app.store.set_setting("la_policy", {"keyring_unlock": "forbidden"})
    app.close()
    assert Waymark.open_with_keyring(profile_dir) is None
    assert memory.secrets == {}


def test_a_key_that_no_longer_fits_is_dropped(app, profile_dir, memory):
    app.enable_keyring_unlock(PASSPHRASE)
    app.close()
    keycache.remember(profile_dir, b"\x01" * 32)
    assert Waymark.open_with_keyring(profile_dir) is None
    assert memory.secrets == {}


def test_no_secret_store_says_so_and_the_passphrase_still_works(app, profile_dir):
    before = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        with pytest.raises(StoreError, match="system keyring cannot be used"):
            app.enable_keyring_unlock(PASSPHRASE)
        assert app.settings().keyring_unlock is False
        assert Waymark.open_with_keyring(profile_dir) is None
    finally:
        keyring.set_keyring(before)
