"""Optional unlock through the OS keyring: off by default, never where the LA's
policy forbids it.

The LA's policy is a setting the LA owns (`la_policy` in the profile; sync
brings it from the LA server; la_policy.py keeps it). When keyring unlock is on, the database key is
kept in the OS secret store (store/keycache.py) and `Waymark.open_with_keyring`
opens the profile without the passphrase; the idle lock still closes the profile
and clears every view. Turning it off, or a policy that forbids it, removes
the key from the secret store at once.
"""

from __future__ import annotations

from pathlib import Path

from desktop.store import keycache

from .errors import ValidationError
from .source import RecordSource

FORBIDDEN = "forbidden"


def la_policy(app: RecordSource) -> dict:
    return dict(app.store.get_setting("la_policy", {}) or {})


def allowed(app: RecordSource) -> bool:
    return la_policy(app).get("keyring_unlock") != FORBIDDEN


def _data_dir(app: RecordSource) -> Path:
    return Path(app.store.path).parent


def _set(app: RecordSource, on: bool) -> None:
    app._keyring_change = True
    try:
        app.update_settings(keyring_unlock=on)
    finally:
        app._keyring_change = False


def enable(app: RecordSource, passphrase: str) -> None:
    """Keep the key in the OS keyring; asks for the passphrase again, as a check."""
    if not allowed(app):
        raise ValidationError("Your local authority's policy does not allow unlocking with the system keyring.")
    db_key = keycache.key_from_passphrase(_data_dir(app), passphrase)
    keycache.remember(_data_dir(app), db_key)
    _set(app, True)


def disable(app: RecordSource) -> None:
    keycache.forget(_data_dir(app))
    if app.settings().keyring_unlock:
        _set(app, False)


def has_entry(data_dir: Path) -> bool:
    return keycache.recall(Path(data_dir)) is not None


def recall(data_dir: Path) -> bytes | None:
    return keycache.recall(Path(data_dir))


def forget(data_dir: Path) -> None:
    keycache.forget(Path(data_dir))
