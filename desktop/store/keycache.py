"""Optional unlock through the OS secret store (the `keyring` package).

Off by default. When a worker turns it on, the unlocked 32-byte database key
(not the passphrase) is kept in the OS keyring under an entry named for the
profile's folder; the app can then open the profile without the passphrase.
Headless Linux has no secret store: every function here says so with a
StoreError or returns None, and the passphrase path keeps working.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from pathlib import Path

import keyring
import keyring.errors

from . import keys
from .keys import StoreError

SERVICE = "Waymark"


def entry_name(data_dir: Path) -> str:
    """One entry per profile folder; the name gives away no path or person."""
    return "profile-" + hashlib.sha256(str(Path(data_dir).resolve()).encode()).hexdigest()[:24]


def key_from_passphrase(data_dir: Path, passphrase: str) -> bytes:
    """The database key, unwrapped with the passphrase (WrongPassphrase if it is not right)."""
    return keys.unwrap_key(keys.read_keyfile(Path(data_dir) / "waymark.key"), passphrase)


def remember(data_dir: Path, db_key: bytes) -> None:
    try:
        keyring.set_password(SERVICE, entry_name(data_dir), base64.b64encode(db_key).decode("ascii"))
    except keyring.errors.KeyringError as exc:
        raise StoreError(f"The system keyring cannot be used on this computer ({exc.__class__.__name__}).") from exc


def recall(data_dir: Path) -> bytes | None:
    """The key kept for this profile, or None (no entry, no keyring, or a damaged entry)."""
    try:
        value = keyring.get_password(SERVICE, entry_name(data_dir))
    except keyring.errors.KeyringError:
        return None
    if not value:
        return None
    try:
        key = base64.b64decode(value, validate=True)
    except ValueError:
        return None
    return key if len(key) == 32 else None


def forget(data_dir: Path) -> None:
    # No entry, or no keyring: either way nothing is kept.
    with contextlib.suppress(keyring.errors.KeyringError):
        keyring.delete_password(SERVICE, entry_name(data_dir))
