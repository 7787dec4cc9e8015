"""What every part of the `Waymark` facade shares: the open store, the clock, the
settings (read once, written only through update_settings) and the write helpers."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from datetime import date

from desktop.domain import rules
from desktop.store import Store

from .. import checks
from .. import la_policy as policies
from ..errors import NotFound, ValidationError
from ..results import Changes, Settings


def _require(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(f"{what} is required.")
    return value


class Core:
    """The state and helpers the per-noun parts of `Waymark` build on."""

    def __init__(self, store: Store, today: Callable[[], date] = date.today) -> None:
        self.store = store
        self.today = today
        self._settings: Settings | None = None  # read once; every write goes through update_settings
        self._keyring_change = False  # set only while keyring_unlock.py changes that setting
        self._sync_runs = None  # made by the first sync (sync_runs.py loads the sync client)

    @property
    def sync_runs(self):
        """The syncs running on this profile, which the lock stops (sync_runs.SyncRuns)."""
        if self._sync_runs is None:
            from ..sync_runs import SyncRuns

            self._sync_runs = SyncRuns(self.store.path)
        return self._sync_runs

    def stop_syncs(self) -> bool:
        """Tell any sync of this profile to stop and wait a little for it (sync_runs.LOCK_WAIT).
        True when none is left running on another thread."""
        return True if self._sync_runs is None else self._sync_runs.stop()

    def _audit_event(self, action: str, entity: str, entity_id: str, summary: str = "", **kw: object) -> None:
        with self.store.transaction(self.actor) as tx:
            tx.audit(action, entity, entity_id, summary, **kw)

    def settings(self) -> Settings:
        if self._settings is None:
            stored = self.store.get_setting("settings", {}) or {}
            known = {f.name for f in dataclasses.fields(Settings)}
            values: dict[str, object] = {}
            for name, value in stored.items() if isinstance(stored, dict) else ():
                with contextlib.suppress(ValidationError):  # a value an older version let through: the default
                    values |= checks.settings({name: value}) if name in known and name != "thresholds" else {}
            kept: dict[str, object] = {}
            stored_thresholds = stored.get("thresholds") if isinstance(stored, dict) else None
            for name, value in (stored_thresholds or {}).items() if isinstance(stored_thresholds, dict) else ():
                with contextlib.suppress(ValidationError):  # one odd threshold falls back alone
                    kept |= checks.thresholds({name: value})
            thresholds = rules.Thresholds(**kept)
            self._settings = policies.overlay(
                Settings(thresholds=thresholds, **values), self.store.get_setting(policies.KEY)
            )
        return self._settings

    def check_settings(self, **values: object) -> dict[str, object]:
        """Raise ValidationError if these settings could not be saved (unknown, invalid, or
        decided by the LA's policy); changes nothing. The checked values come back."""
        unknown = set(values) - set(dataclasses.asdict(self.settings()))
        if unknown:
            raise ValidationError(f"Unknown setting: {', '.join(sorted(unknown))}.")
        values = checks.settings(values)
        _check_retention(values)
        policies.refuse_overrides(self.store.get_setting(policies.KEY), values)
        return values

    def update_settings(self, **values: object) -> Settings:
        current = dataclasses.asdict(self.settings())
        values = self.check_settings(**values)
        if "keyring_unlock" in values and not self._keyring_change:
            raise ValidationError("Turn keyring unlock on or off with enable_keyring_unlock / disable_keyring_unlock.")
        before = dict(current)
        actor = self.actor if self.settings().worker_name else (values.get("worker_name") or self.actor)
        current.update(values)
        changes = _setting_changes(before, current)
        saving = policies.keep_own(
            dict(current), self.store.get_setting("settings"), self.store.get_setting(policies.KEY), values
        )
        with self.store.transaction(str(actor)) as tx:
            tx.set_meta("settings", saving)
            if changes:
                tx.audit("settings", "profile", "", ", ".join(changes), pupil_ids=[], changes=changes)
        self._settings = None
        return self.settings()

    @property
    def actor(self) -> str:
        return self.settings().worker_name or "this device"

    # --- helpers --------------------------------------------------------------

    def _get(self, cls: type, record_id: str, what: str) -> object:
        record = self.store.get(cls, record_id) if record_id else None
        if record is None:
            raise NotFound(f"No {what} with id '{record_id}'.")
        return record

    def _insert(self, record: object, summary: str = "") -> Changes:
        with self.store.transaction(self.actor) as tx:
            tx.insert(record, summary=summary)
        return Changes(frozenset(e for _, e, _ in tx.changed), (record.id,))

    def _update(self, record: object, summary: str = "", *, opened: object | None = None) -> Changes:
        """Write `record`; with `opened` (the record as the caller read it), only what the
        caller changed from it, so a change pulled meanwhile is not written back over."""
        with self.store.transaction(self.actor) as tx:
            fields = tx.update(record, summary=summary, opened=opened)
        return Changes(frozenset(e for _, e, _ in tx.changed), (record.id,), tuple(fields))


def _check_retention(values: dict) -> None:
    archive = values.get("retention_archive_years")
    if archive is not None and not (isinstance(archive, int) and 0 <= archive <= 50):
        raise ValidationError("Archive after leaving: between 0 and 50 years.")
    destroy = values.get("retention_destroy_years")
    if destroy is not None and not (isinstance(destroy, int) and 1 <= destroy <= 100):
        raise ValidationError("Destroy after the date of birth: between 1 and 100 years.")


def _setting_changes(before: dict, after: dict, prefix: str = "") -> dict[str, list]:
    """Old and new value of each setting that changed; thresholds by name."""
    changes: dict[str, list] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if isinstance(old, dict) or isinstance(new, dict):
            changes |= _setting_changes(old or {}, new or {}, f"{prefix}{key}.")
        elif old != new:
            changes[f"{prefix}{key}"] = [old, new]
    return changes
