"""Opening, locking and re-keying a profile, and unlocking it from the OS keyring."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Self

from desktop.store import Store, StoreError

from .. import checks
from ..results import Settings
from .core import Core, _setting_changes


class ProfileServices(Core):
    """Mixed into `Waymark` (api/facade.py); uses the store, clock and write helpers of `Core`."""

    @classmethod
    def create_profile(
        cls,
        data_dir: Path,
        passphrase: str,
        *,
        service_name: str = Settings.service_name,
        worker_name: str = "",
        service_kind: str = "tes",
        scrypt_n: int | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Self:
        """Make a profile with its first settings, all or nothing. `progress(done, total)`
        as it goes: the key from the passphrase, each schema step (slow on a busy machine)."""
        checks.passphrase(passphrase)
        first = checks.settings(
            {"service_name": service_name, "worker_name": worker_name, "service_kind": service_kind}
        )
        defaults = dataclasses.asdict(Settings())
        settings = defaults | first

        def audited(store: Store) -> None:  # the first settings' audit row, before the profile counts as made
            changes = _setting_changes(defaults, settings)
            if changes:
                with store.transaction(str(first["worker_name"] or "this device")) as tx:
                    tx.audit("settings", "profile", "", ", ".join(changes), pupil_ids=[], changes=changes)

        store = Store.create(
            Path(data_dir),
            passphrase,
            scrypt_n=scrypt_n,
            progress=progress,
            settings={"settings": settings},
            finish=audited,
        )
        if progress is not None:
            progress(1, 1)
        return cls(store)

    @staticmethod
    def profile_exists(data_dir: Path) -> bool:
        return Store.exists(Path(data_dir))

    @classmethod
    def open_profile(cls, data_dir: Path, passphrase: str, *, via: str = "", scrypt_n: int | None = None) -> Self:
        """Unlock a profile; the sign-in is written to the audit trail (`via`: how). A key file
        weaker than `scrypt_n` (default: today's cost) is re-wrapped."""
        app = cls(Store.open(Path(data_dir), passphrase, scrypt_n=scrypt_n))
        app.record_sign_in(via)
        return app

    def close(self) -> None:
        """Stop any sync first (it must not write after the close), then close the store."""
        try:
            self.stop_syncs()
        finally:
            self.store.close()

    def record_sign_in(self, via: str = "") -> None:
        self.store.record_event(self.actor, "sign-in", "profile", "", f"unlocked{f' ({via})' if via else ''}")

    def lock(self, reason: str = "") -> None:
        """Stop any sync (waiting a little for it), then close the profile with the lock as
        its last audit row: the store shuts every other thread out (interrupting a statement
        a sync still runs, which rolls back) before the row is written, so nothing reads or
        writes it after the lock's row."""
        words = f"locked{f' ({reason})' if reason else ''}"
        try:
            self.stop_syncs()
        finally:
            self.store.close(last=lambda: self.store.record_event(self.actor, "lock", "profile", "", words))

    def change_passphrase(self, old: str, new: str) -> None:
        checks.passphrase(new, "The new passphrase")
        self.store.change_passphrase(old, new)
        self._audit_event("passphrase", "profile", "", "passphrase changed (the database key was re-wrapped)")

    @classmethod
    def open_with_keyring(cls, data_dir: Path) -> Self | None:
        """The profile opened with the key kept in the OS keyring, or None: no entry, a
        key that no longer fits, keyring unlock turned off, or forbidden by the LA's
        policy (the entry is then removed). The passphrase always works instead."""
        from .. import keyring_unlock

        data_dir = Path(data_dir)
        db_key = keyring_unlock.recall(data_dir)
        if db_key is None:
            return None
        try:
            store = Store.open_with_key(data_dir, db_key)
        except StoreError:
            keyring_unlock.forget(data_dir)
            return None
        app = cls(store)
        if not app.settings().keyring_unlock or not keyring_unlock.allowed(app):
            keyring_unlock.forget(data_dir)
            app.close()
            return None
        app.record_sign_in("system keyring")
        return app

    def set_la_policy(self, **policy: object) -> None:
        """The LA's policy, as sync brings it (la_policy.py: keyring unlock, retention, idle lock)."""
        from .. import la_policy

        la_policy.set_policy(self, policy)

    def la_policy(self) -> dict:
        """The LA's policy held here (settings the worker cannot override)."""
        from .. import la_policy

        return la_policy.current(self)

    def keyring_allowed(self) -> bool:
        from .. import keyring_unlock

        return keyring_unlock.allowed(self)

    def enable_keyring_unlock(self, passphrase: str) -> None:
        from .. import keyring_unlock

        keyring_unlock.enable(self, passphrase)

    def disable_keyring_unlock(self) -> None:
        from .. import keyring_unlock

        keyring_unlock.disable(self)
