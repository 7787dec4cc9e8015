"""The database key and its wrapping.

The SQLCipher key is 32 random bytes, never stored in the clear. It is kept
wrapped (AES-256-GCM) by a key derived from the passphrase with scrypt, in a
small JSON key file beside the database. Changing the passphrase re-wraps the
same key, so the database itself is not re-encrypted.

A key file is hostile input until proven otherwise: its cost parameter is
bounded before scrypt runs (a crafted n would exhaust memory), and a
passphrase-independent checksum tells a damaged file from a wrong passphrase.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from .errors import KeyFileDamaged, NotAStore, StoreClosed, StoreError, WrongPassphrase
from .profile import fsync_dir

__all__ = ["KeyFileDamaged", "NotAStore", "StoreClosed", "StoreError", "WrappedKey", "WrongPassphrase"]

KEYFILE_FORMAT = "waymark-key/1"
# OWASP's current guidance for scrypt: N=2^17, r=8, p=1 (128 MiB, about half a
# second on a modest laptop). Key files made with less are re-wrapped at unlock.
DEFAULT_SCRYPT_N = 2**17
# What a key file may ask for: twice today's cost at most (256 MiB), so a crafted
# file cannot exhaust memory; the floor is what the test suite uses.
MIN_SCRYPT_N = 2**10
MAX_SCRYPT_N = 2**18
SCRYPT_R, SCRYPT_P = 8, 1
# For tests and benchmarks only: the cost of new key files, and the level below
# which a key file is re-wrapped. Never set it in use.
SCRYPT_N_VARIABLE = "WAYMARK_SCRYPT_N"

SALT_BYTES, NONCE_BYTES, DB_KEY_BYTES, TAG_BYTES = 16, 12, 32, 16


def target_scrypt_n() -> int:
    """The scrypt cost new key files get: DEFAULT_SCRYPT_N unless a test lowers it."""
    value = os.environ.get(SCRYPT_N_VARIABLE, "")
    if value.isdigit() and _valid_n(int(value)):
        return int(value)
    return DEFAULT_SCRYPT_N


def _valid_n(n: int) -> bool:
    return MIN_SCRYPT_N <= n <= MAX_SCRYPT_N and n & (n - 1) == 0


def _checksum(salt: bytes, n: int, nonce: bytes, ciphertext: bytes) -> str:
    """A hash of the wrapped key, independent of the passphrase: a flipped bit in the
    salt or ciphertext is reported as damage rather than as a wrong passphrase."""
    digest = hashlib.sha256()
    for part in (KEYFILE_FORMAT.encode(), salt, str(n).encode(), nonce, ciphertext):
        digest.update(len(part).to_bytes(4, "big") + part)
    return digest.hexdigest()


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
                "kdf": {"name": "scrypt", "salt": b64(self.salt), "n": self.n, "r": SCRYPT_R, "p": SCRYPT_P},
                "wrap": {"name": "AES-256-GCM", "nonce": b64(self.nonce), "ciphertext": b64(self.ciphertext)},
                "check": _checksum(self.salt, self.n, self.nonce, self.ciphertext),
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> WrappedKey:
        """Parse and check a key file; anything odd raises KeyFileDamaged."""
        try:
            data = json.loads(text)
        except ValueError:
            raise KeyFileDamaged("not JSON") from None
        if not isinstance(data, dict) or data.get("format") != KEYFILE_FORMAT:
            raise KeyFileDamaged("unknown format")
        kdf, wrap = data.get("kdf"), data.get("wrap")
        if not isinstance(kdf, dict) or not isinstance(wrap, dict):
            raise KeyFileDamaged("parts missing")
        n, r, p = kdf.get("n"), kdf.get("r", SCRYPT_R), kdf.get("p", SCRYPT_P)
        if kdf.get("name") != "scrypt" or (r, p) != (SCRYPT_R, SCRYPT_P):
            raise KeyFileDamaged("unknown key derivation")
        if type(n) is not int or not _valid_n(n):  # bool and float are refused too
            raise KeyFileDamaged("its scrypt cost is out of range")
        salt = _b64(kdf.get("salt"), SALT_BYTES)
        nonce = _b64(wrap.get("nonce"), NONCE_BYTES)
        ciphertext = _b64(wrap.get("ciphertext"), DB_KEY_BYTES + TAG_BYTES)
        check = data.get("check")
        if check is not None and check != _checksum(salt, n, nonce, ciphertext):
            raise KeyFileDamaged("its checksum does not match")
        return cls(salt=salt, n=n, nonce=nonce, ciphertext=ciphertext)


def _b64(value: object, length: int) -> bytes:
    if not isinstance(value, str):
        raise KeyFileDamaged("parts missing")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise KeyFileDamaged("bad encoding") from None
    if len(raw) != length:
        raise KeyFileDamaged("a part has the wrong length")
    return raw


def _derive(passphrase: str, salt: bytes, n: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=SCRYPT_R, p=SCRYPT_P).derive(passphrase.encode("utf-8"))


_AAD = KEYFILE_FORMAT.encode()


def wrap_key(db_key: bytes, passphrase: str, n: int | None = None) -> WrappedKey:
    n = target_scrypt_n() if n is None else n
    if not _valid_n(n):
        raise StoreError(f"The scrypt cost must be a power of two from {MIN_SCRYPT_N} to {MAX_SCRYPT_N}.")
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    kek = _derive(passphrase, salt, n)
    return WrappedKey(salt, n, nonce, AESGCM(kek).encrypt(nonce, db_key, _AAD))


def unwrap_key(wrapped: WrappedKey, passphrase: str) -> bytes:
    kek = _derive(passphrase, wrapped.salt, wrapped.n)
    try:
        return AESGCM(kek).decrypt(wrapped.nonce, wrapped.ciphertext, _AAD)
    except InvalidTag:
        raise WrongPassphrase() from None


def needs_rewrap(wrapped: WrappedKey, text: str, target_n: int) -> bool:
    """An older key file: weaker than today's cost, or made before files carried a checksum."""
    return wrapped.n < target_n or '"check"' not in text


def new_db_key() -> bytes:
    return os.urandom(DB_KEY_BYTES)


def write_keyfile(path: Path, wrapped: WrappedKey) -> None:
    """Replace the key file atomically, so a crash never leaves it half written."""
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", encoding="utf-8") as fh:
        os.fchmod(fh.fileno(), 0o600)  # a stale .tmp may have had other modes
        fh.write(wrapped.to_json())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


MAX_KEYFILE_BYTES = 64 * 1024  # a real one is about 400 bytes


def read_keyfile_text(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_KEYFILE_BYTES + 1)
    except OSError as exc:
        raise NotAStore(f"The key file {path} cannot be read ({exc.strerror or exc.__class__.__name__}).") from exc
    if len(raw) > MAX_KEYFILE_BYTES:
        raise KeyFileDamaged("too large")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyFileDamaged("not text") from None


def read_keyfile(path: Path) -> WrappedKey:
    return WrappedKey.from_json(read_keyfile_text(path))
