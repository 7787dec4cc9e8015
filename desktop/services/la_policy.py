"""The LA's policy: settings the local authority fixes for every worker.

The LA server sends it with each sync (`waymark-server policy set`); it is
kept in the profile (`la_policy`), every change to it is audited like any
other setting, and it wins over the worker's own choice:

- `keyring_unlock`: "forbidden" turns keyring unlock off and removes the kept key;
- `retention_archive_years`, `retention_destroy_years`: the retention schedule;
- `auto_lock_max_minutes`: the app locks after at most this many idle minutes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from .errors import ValidationError
from .results import Settings
from .source import RecordSource

KEY = "la_policy"
FORBIDDEN = "forbidden"
WORDS = ("allowed", FORBIDDEN)
KEYS: dict[str, tuple[str, ...] | range] = {
    "keyring_unlock": WORDS,
    "retention_archive_years": range(0, 51),
    "retention_destroy_years": range(1, 101),
    "auto_lock_max_minutes": range(1, 241),
}
FIXED = ("retention_archive_years", "retention_destroy_years")  # the policy's value is the setting's
NAMES = {
    "retention_archive_years": "archive after leaving",
    "retention_destroy_years": "destroy after the date of birth",
    "auto_lock_minutes": "lock when idle",
}


def _valid(key: str, value: object) -> bool:
    allowed = KEYS.get(key)
    if isinstance(allowed, range):
        return isinstance(value, int) and not isinstance(value, bool) and value in allowed
    return allowed is not None and value in allowed


def current(app: RecordSource) -> dict:
    stored = app.store.get_setting(KEY, {}) or {}
    return dict(stored) if isinstance(stored, dict) else {}


def overlay(settings: Settings, policy: Mapping | None) -> Settings:
    """The worker's settings with the LA's policy applied over them."""
    if not policy:
        return settings
    values: dict[str, object] = {k: policy[k] for k in FIXED if _valid(k, policy.get(k))}
    most = policy.get("auto_lock_max_minutes")
    if _valid("auto_lock_max_minutes", most) and settings.auto_lock_minutes > most:
        values["auto_lock_minutes"] = most
    return dataclasses.replace(settings, **values) if values else settings


def keep_own(saving: dict, stored: object, policy: Mapping | None, values: Mapping[str, object]) -> dict:
    """The settings to save: for those the policy decides, what the worker chose
    before (so taking a setting off the policy brings their own choice back)."""
    own = stored if isinstance(stored, dict) else {}
    decided = [k for k in FIXED if _valid(k, (policy or {}).get(k))]
    if (
        _valid("auto_lock_max_minutes", (policy or {}).get("auto_lock_max_minutes"))
        and "auto_lock_minutes" not in values
    ):
        decided.append("auto_lock_minutes")
    for key in decided:
        if key in own:
            saving[key] = own[key]
        else:
            saving.pop(key, None)
    return saving


def refuse_overrides(policy: Mapping | None, values: Mapping[str, object]) -> None:
    """A setting the policy fixes cannot be changed on the laptop (the same value is fine)."""
    for key in FIXED:
        if key in values and _valid(key, (policy or {}).get(key)) and values[key] != policy[key]:
            raise ValidationError(
                f"Your local authority's policy sets '{NAMES[key]}' to {policy[key]} years; it cannot be changed here."
            )
    most = (policy or {}).get("auto_lock_max_minutes")
    minutes = values.get("auto_lock_minutes")
    if _valid("auto_lock_max_minutes", most) and isinstance(minutes, int) and minutes > most:
        raise ValidationError(f"Your local authority's policy locks the app after at most {most} idle minutes.")


def set_policy(app: RecordSource, policy: Mapping[str, object], *, replace: bool = False) -> list[str]:
    """Keep the LA's policy: merged into the one held, or (`replace`, as sync brings
    it whole) in its place. Audited when it changes; returns the keys that changed."""
    for key, value in policy.items():
        if key not in KEYS:
            raise ValidationError(f"Unknown policy: {key}.")
        if not _valid(key, value):
            raise ValidationError(f"The LA policy's {key} cannot be {value!r}.")
    before = current(app)
    after = dict(policy) if replace else before | dict(policy)
    changes = {
        k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)
    }
    if not changes:
        return []
    with app.store.transaction(app.actor) as tx:
        tx.set_meta(KEY, after)
        tx.audit("settings", "profile", "", "LA policy: " + ", ".join(changes), pupil_ids=[], changes=changes)
    app._settings = None  # the policy shows through settings()
    if after.get("keyring_unlock") == FORBIDDEN:
        from . import keyring_unlock

        keyring_unlock.disable(app)
    return list(changes)


def from_server(app: RecordSource, policy: Mapping[str, object]) -> list[str]:
    """The policy a sync brought, in place of the one held. A key or value this
    version does not know (a newer server) is left out rather than refused."""
    known = {k: v for k, v in policy.items() if _valid(k, v)}
    return set_policy(app, known, replace=True)
