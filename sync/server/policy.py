"""The LA's policy: LA-wide settings a worker cannot override on their laptop.

Set with `waymark-server policy set KEY=VALUE`, sent to every device on the
last page of each pull, and applied there (and audited) by the desktop.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, Engine, delete, insert, select

from . import db
from .auth import now as utc_now
from .tables import PolicySetting

# key -> (what it means, allowed values: a tuple of words or an inclusive int range)
KEYS: dict[str, tuple[str, tuple[str, ...] | range]] = {
    "keyring_unlock": ("may workers unlock with the system keyring", ("allowed", "forbidden")),
    "retention_archive_years": ("archive a pupil this many years after leaving the caseload", range(0, 51)),
    "retention_destroy_years": ("destroy records this many years after the date of birth", range(1, 101)),
    "auto_lock_max_minutes": ("the longest idle time before the app locks", range(1, 241)),
}


class PolicyError(ValueError):
    """A bad policy key or value: one line for the user."""


def parse(key: str, value: str) -> object:
    if key not in KEYS:
        raise PolicyError(f"'{key}' is not a policy; choose one of: {', '.join(KEYS)}.")
    allowed = KEYS[key][1]
    if isinstance(allowed, range):
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or number not in allowed:
            raise PolicyError(f"{key} must be a whole number from {allowed.start} to {allowed.stop - 1}.")
        return number
    if value not in allowed:
        raise PolicyError(f"{key} must be one of: {', '.join(allowed)}.")
    return value


def parse_assignments(items: list[str]) -> dict[str, object]:
    values = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise PolicyError(f"'{item}' is not KEY=VALUE (for example retention_destroy_years=25).")
        values[key.strip()] = parse(key.strip(), value.strip())
    return values


def current(conn: Connection) -> dict[str, object]:
    return dict(conn.execute(select(PolicySetting.key, PolicySetting.value).order_by(PolicySetting.key)).all())


def show(engine: Engine) -> dict[str, object]:
    with db.reading(engine) as conn:
        return current(conn)


def set_policy(engine: Engine, values: Mapping[str, object]) -> None:
    for key, value in values.items():
        parse(key, str(value))
    with db.writing(engine) as conn:
        for key, value in values.items():
            conn.execute(delete(PolicySetting).where(PolicySetting.key == key))
            conn.execute(insert(PolicySetting).values(key=key, value=value, set_at=utc_now()))


def unset(engine: Engine, keys: list[str]) -> None:
    unknown = [k for k in keys if k not in KEYS]
    if unknown:
        raise PolicyError(f"'{unknown[0]}' is not a policy; choose one of: {', '.join(KEYS)}.")
    with db.writing(engine) as conn:
        conn.execute(delete(PolicySetting).where(PolicySetting.key.in_(keys)))
