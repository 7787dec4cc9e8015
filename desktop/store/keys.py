"""The database key and its wrapping.

The SQLCipher key is 32 random bytes, never stored in the clear. It is kept
wrapped (AES-256-GCM) by a key derived from the passphrase with scrypt, in a
small JSON key file beside the database. Changing the passphrase re-wraps the
same key, so the database itself is not re-encrypted.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

KEYFILE_FORMAT = "waymark-key/1"
# About 0.1 s and 32 MiB on a modest laptop: slow for guessing, quick to unlock.
DEFAULT_SCRYPT_N = 2**15


class StoreError(Exception):
    """Anything the user must be told about opening a store, in one clear line."""


class WrongPassphrase(StoreError):
    def __init__(self) -> None:
        super().__init__("Wrong passphrase: the profile was not unlocked.")


class NotAStore(StoreError):
    """The files are damaged or are not a Waymark store; they are left untouched."""


@dataclass(frozen=True)
class WrappedKey:
    salt: bytes
    n: int
    nonce: bytes
    ciphertext: bytes

    def to_json(self) -> str:
        b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
        return json.dumps(
            {
                "format": KEYFILE_FORMAT,
                "kdf": {"name": "scrypt", "salt": b64(self.salt), "n": self.n, "r": 8, "p": 1},
                "wrap": {"name": "AES-256-GCM", "nonce": b64(self.nonce), "ciphertext": b64(self.ciphertext)},
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> WrappedKey:
        try:
            data = json.loads(text)
            if data.get("format") != KEYFILE_FORMAT:
                raise ValueError("unknown format")
            kdf, wrap = data["kdf"], data["wrap"]
            return cls(
                salt=base64.b64decode(kdf["salt"]),
                n=int(kdf["n"]),
                nonce=base64.b64decode(wrap["nonce"]),
                ciphertext=base64.b64decode(wrap["ciphertext"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise NotAStore("The key file is damaged or is not a Waymark key file.") from exc


def _derive(passphrase: str, salt: bytes, n: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=8, p=1).derive(passphrase.encode("utf-8"))


_AAD = KEYFILE_FORMAT.encode()


def wrap_key(db_key: bytes, passphrase: str, n: int = DEFAULT_SCRYPT_N) -> WrappedKey:
    salt, nonce = os.urandom(16), os.urandom(12)
    kek = _derive(passphrase, salt, n)
    return WrappedKey(salt, n, nonce, AESGCM(kek).encrypt(nonce, db_key, _AAD))


def unwrap_key(wrapped: WrappedKey, passphrase: str) -> bytes:
    kek = _derive(passphrase, wrapped.salt, wrapped.n)
    try:
        return AESGCM(kek).decrypt(wrapped.nonce, wrapped.ciphertext, _AAD)
    except InvalidTag:
        raise WrongPassphrase() from None


def new_db_key() -> bytes:
    return os.urandom(32)


def write_keyfile(path: Path, wrapped: WrappedKey) -> None:
    """Replace the key file atomically, so a crash never leaves it half written."""
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(wrapped.to_json())
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def read_keyfile(path: Path) -> WrappedKey:
    try:
        return WrappedKey.from_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise NotAStore(f"The key file cannot be read ({exc.__class__.__name__}).") from exc
