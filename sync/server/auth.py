"""Passwords, device tokens and the checks every request passes.

Passwords are hashed with Argon2id (argon2-cffi). A device token is 256
random bits shown once at login; the server keeps only its SHA-256. Repeated
wrong passwords lock the name for a growing while (429 with Retry-After),
rather than holding a worker thread asleep. A name no user has is locked just
the same (kept in memory, not in the database), so the answers never tell which
names exist.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, bindparam, or_, select, update

from sync.protocol import MIN_CLIENT_VERSION, PROTOCOL_VERSION

from .tables import Device, User

FREE_TRIES = 5  # wrong passwords before the name is locked
MAX_LOCK = timedelta(minutes=15)
SEEN_EVERY = timedelta(minutes=1)  # last_seen is written at most this often
UNKNOWN_NAMES = 10_000  # names no user has whose wrong tries are kept (in memory; the oldest go first)

_hasher = PasswordHasher()
_DUMMY = None


def set_hash_cost(*, time_cost: int, memory_cost: int) -> None:
    """Tests make hashing cheap; the defaults are argon2-cffi's (RFC 9106 low-memory)."""
    global _hasher, _DUMMY
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)
    _DUMMY = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def burn_time(password: str) -> None:
    """Spend what a real check would, so an unknown name answers as slowly as a known one."""
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = _hasher.hash("waymark")
    verify_password(_DUMMY, password)


def new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


class AuthError(Exception):
    """A request refused; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}


TOO_OLD = (
    "This copy of Waymark is too old to sync with your LA's server. Please install the latest version; "
    "your unsent changes are kept on this laptop."
)
REVOKED = (
    "This device's access to the LA server was revoked. Your unsent changes stay on this laptop; "
    "ask your LA's Waymark administrator to let it back in."
)
DISABLED = (
    "Your account on the LA server has been disabled. Your unsent changes stay on this laptop; "
    "ask your LA's Waymark administrator."
)
UNKNOWN_DEVICE = "This device is not signed in to the LA server. Log in again; your unsent changes are kept."


def check_protocol(header: str | None) -> int:
    if header is None:
        raise AuthError(426, TOO_OLD, {"Upgrade": f"Waymark-Protocol/{PROTOCOL_VERSION}"})
    try:
        version = int(header)
    except ValueError:
        raise AuthError(400, "The Waymark-Protocol header must be a whole number.") from None
    if version < MIN_CLIENT_VERSION:
        raise AuthError(426, TOO_OLD, {"Upgrade": f"Waymark-Protocol/{PROTOCOL_VERSION}"})
    return version


@dataclass(frozen=True)
class Principal:
    """Who is asking: the user and the device they use."""

    user: User
    device: Device


# A device and its user in one query (every request asks).
_DEVICE_COLUMNS = [c.name for c in Device.__table__.c]
_USER_COLUMNS = [c.name for c in User.__table__.c]
_WHO = (
    select(*Device.__table__.c, *User.__table__.c)
    .join_from(Device.__table__, User.__table__, Device.user_id == User.id)
    .where(Device.token_hash == bindparam("token_hash"))
)


def check_bearer(authorization: str | None) -> str:
    """The token of a plainly-formed bearer header, else 401 (no database needed)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthError(401, UNKNOWN_DEVICE, {"WWW-Authenticate": "Bearer"})
    return token


def authenticate(conn: Connection, authorization: str | None) -> Principal:
    token = check_bearer(authorization)
    found = conn.execute(_WHO, {"token_hash": token_hash(token)}).first()
    if found is None:
        raise AuthError(401, UNKNOWN_DEVICE, {"WWW-Authenticate": "Bearer"})
    device = Device.model_validate(dict(zip(_DEVICE_COLUMNS, found[: len(_DEVICE_COLUMNS)], strict=True)))
    user = User.model_validate(dict(zip(_USER_COLUMNS, found[len(_DEVICE_COLUMNS) :], strict=True)))
    if device.revoked:
        raise AuthError(401, REVOKED, {"WWW-Authenticate": "Bearer"})
    if user.disabled:
        raise AuthError(401, DISABLED, {"WWW-Authenticate": "Bearer"})
    return Principal(user, device)


def seen_due(principal: Principal) -> bool:
    last = principal.device.last_seen
    return last is None or now() - last > SEEN_EVERY


def touch(conn: Connection, principal: Principal) -> None:
    conn.execute(update(Device).where(Device.id == principal.device.id).values(last_seen=now()))


def first_pull(conn: Connection, principal: Principal, held_from: int) -> None:
    """Where this device's holdings begin (Device.first_pull_seq), kept at its first pull
    (app's pull). Two first pulls at once keep the lower: no answer either gave
    can then be told less than it may hold."""
    devices = Device.__table__
    conn.execute(
        update(devices)
        .where(
            devices.c.id == principal.device.id,
            or_(devices.c.first_pull_seq.is_(None), devices.c.first_pull_seq > held_from),
        )
        .values(first_pull_seq=held_from)
    )


NO_MATCH = "That user name and password do not match."


def _check_lock(locked_until: datetime | None, moment: datetime) -> None:
    """429 while a name is locked."""
    if locked_until and locked_until > moment:
        wait = int((locked_until - moment).total_seconds()) + 1
        raise AuthError(429, f"Too many wrong passwords. Try again in {wait} seconds.", {"Retry-After": str(wait)})


def _lock_after(failed: int, moment: datetime) -> datetime | None:
    """Until when a name with `failed` wrong passwords in a row is locked (None: not)."""
    if failed < FREE_TRIES:
        return None
    return moment + min(timedelta(seconds=2 ** (failed - FREE_TRIES + 1)), MAX_LOCK)


class _UnknownNames:
    """Wrong tries at names no user has, counted as a user's are: else a name that gets 429
    after FREE_TRIES wrong passwords is one that exists. In memory, never in the database, and
    bounded (the least recently tried name is forgotten first), so no one can fill either.
    One per database (its engine) and server process: with several workers, a name's tries are
    counted by whichever answers."""

    def __init__(self, size: int = UNKNOWN_NAMES) -> None:
        self.size = size
        self.tries: OrderedDict[str, tuple[int, datetime | None]] = OrderedDict()
        self.lock = threading.Lock()  # requests are answered on several threads

    def check(self, name: str, moment: datetime) -> None:
        with self.lock:
            _failed, locked = self.tries.get(name, (0, None))
        _check_lock(locked, moment)

    def failed(self, name: str, moment: datetime) -> None:
        with self.lock:
            count = self.tries.pop(name, (0, None))[0] + 1
            self.tries[name] = (count, _lock_after(count, moment))
            while len(self.tries) > self.size:
                self.tries.popitem(last=False)


_unknown: weakref.WeakKeyDictionary[Engine, _UnknownNames] = weakref.WeakKeyDictionary()
_unknown_lock = threading.Lock()


def unknown_names(engine: Engine) -> _UnknownNames:
    with _unknown_lock:
        found = _unknown.get(engine)
        if found is None:
            found = _unknown[engine] = _UnknownNames()
        return found


def login(conn: Connection, name: str, password: str, device_name: str) -> tuple[User, Device, str]:
    """Check the password and register a device; its token is returned once."""
    row = conn.execute(select(User.__table__).where(User.name == name)).mappings().first()
    user = User.model_validate(dict(row)) if row else None
    moment = now()
    if user is None:
        unknown = unknown_names(conn.engine)
        unknown.check(name, moment)  # locked as a user's name would be
        burn_time(password)
        unknown.failed(name, moment)
        raise AuthError(401, NO_MATCH)
    _check_lock(user.locked_until, moment)
    if not verify_password(user.password_hash, password):
        failed = user.failed_logins + 1
        locked = _lock_after(failed, moment)
        conn.execute(update(User).where(User.id == user.id).values(failed_logins=failed, locked_until=locked))
        raise AuthError(401, NO_MATCH)
    if user.disabled:
        raise AuthError(401, DISABLED)
    if user.failed_logins or user.locked_until:
        conn.execute(update(User).where(User.id == user.id).values(failed_logins=0, locked_until=None))
    token, hashed = new_token()
    device = Device(
        id=secrets.token_hex(16),
        user_id=user.id,
        name=device_name,
        token_hash=hashed,
        created_at=moment,
        last_seen=moment,
    )
    conn.execute(Device.__table__.insert().values(**device.model_dump()))
    return user, device, token
