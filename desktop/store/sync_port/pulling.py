"""Pulling: pages applied with their cursor in one transaction, never re-queued and
never over an unsent field; back-fills of tables an older version skipped; the role
the records are held for; pupils who left removed. The parts of a page: applying.py
(rows written, unsent fields held, clocks saved), duplicates.py (a record also added
on another laptop), snapshots.py (starting again after a 410 or a restored server)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import delete, insert

from sync.protocol import Pulled
from sync.protocol.serving import SERVED

from ..sync_leave import narrow_to, remove_pupils
from .applying import Applying
from .duplicates import Duplicates
from .snapshots import Snapshots
from .values import (
    BACKFILL,
    CLOCK,
    CURSOR,
    CURSOR_TABLES,
    KNOWN_AT_SCHEMA_9,
    MERGED,
    NATURAL_KEYS,
    ROLE,
)


class Pulling(Snapshots, Applying, Duplicates):
    """Mixed into StoreSyncPort (port.py)."""

    def cursor(self) -> str | None:
        return self.store.get_setting(CURSOR)

    def serve_as(self, role: str) -> bool:
        """Hold only what `role` is served; True if anything had to go (a narrower role). A role
        this version does not know changes nothing (the sync client refuses its page first): it
        would be served nothing here, and every record would go."""
        if self.store.get_setting(ROLE) == role or role not in SERVED:
            return False
        meta = self.tables["meta"]
        with self._applying() as conn:
            removed = narrow_to(conn, self.tables, role)
            conn.execute(delete(meta).where(meta.c.key == ROLE))
            conn.execute(insert(meta).values(key=ROLE, value=json.dumps(role)))
        self.removed = removed
        return bool(removed)

    def cursor_tables(self) -> list[str] | None:
        tables = self.store.get_setting(CURSOR_TABLES)
        if isinstance(tables, list):
            return list(tables)
        # A cursor from before clients said which tables they knew covers what that version knew.
        return sorted(KNOWN_AT_SCHEMA_9 & set(self.tables)) if self.store.get_setting(CURSOR) else None

    def backfill_state(self) -> tuple[list[str], str] | None:
        going = self.store.get_setting(BACKFILL)
        if not isinstance(going, dict):
            return None
        return list(going.get("tables") or []), str(going.get("cursor") or "")

    def apply_page(
        self, changes: Sequence[Pulled], cursor: str, tables: Sequence[str] | None = None, left: Sequence[str] = ()
    ) -> None:
        settings: dict[str, object] = {CURSOR: cursor}
        if tables is not None:
            settings[CURSOR_TABLES] = sorted(tables)
        self._apply(changes, settings, left)

    def apply_backfill(self, changes: Sequence[Pulled], tables: Sequence[str], cursor: str, done: bool) -> None:
        """A page of records of tables an older version skipped; the main cursor stays where it is."""
        if done:
            covered = set(self.cursor_tables() or ()) | set(tables)
            settings: dict[str, object] = {CURSOR_TABLES: sorted(covered), BACKFILL: None}
        else:
            settings = {BACKFILL: {"tables": sorted(tables), "cursor": cursor}}
        wanted = set(tables)  # a server older than `tables=` sends every table: only these are new here
        self._apply([c for c in changes if c.entity in wanted], settings)

    def _apply(self, changes: Sequence[Pulled], settings: dict[str, object], left: Sequence[str] = ()) -> None:
        """Apply pulled records and write `settings` (the cursor, ...) in one transaction;
        `left`: pupils who left the user's scope, removed in it too (sync_leave.py)."""
        meta = self.tables["meta"]
        clock = self.store.clock
        # The newest clock of the records held here, the base of this laptop's clock (never one of a
        # table it skips, nor one too far ahead: Clock.believable); an earlier one kept only if believed.
        newest = max(
            (c for ch in changes if ch.entity in self.known for c in ch.clocks.values() if clock.believable(c)),
            default=None,
        )
        before = self.store.get_setting(CLOCK)
        self._merged = {k: dict(v) for k, v in (self.store.get_setting(MERGED) or {}).items()}
        merged_before = json.dumps(self._merged, sort_keys=True)
        with self._applying() as conn:
            held = self._held = self._unsent_fields(conn, [c.entity_id for c in changes])
            self._resend = defaultdict(set)  # fields kept after a restore, sent again (_keep_newer)
            if self._restoring(conn):
                self._keep_newer(conn, changes, held)
            by_entity: dict[str, list[Pulled]] = defaultdict(list)
            for change in changes:
                if change.entity in self.known:
                    by_entity[change.entity].append(change)
            # Referenced tables first: a school that arrives in the same page as its
            # pupils is in place (and merged with a local duplicate) before they are written.
            for entity in sorted(by_entity, key=lambda e: e not in NATURAL_KEYS):
                self._apply_entity(conn, entity, by_entity[entity], held)
            self._refresh_copies(conn, by_entity)
            self._save_clocks(conn, [c for c in changes if c.entity in self.known], held)
            self._brought(conn, changes)
            if left:  # after the page, so none of its rows about them stays (sync_leave.py)
                self.removed = remove_pupils(conn, self.tables, set(left))
            if newest:
                settings = settings | {CLOCK: max(newest, before if clock.believable(before) else "")}
            if json.dumps(self._merged, sort_keys=True) != merged_before:
                settings = settings | {MERGED: self._merged}
            for key, value in settings.items():
                conn.execute(delete(meta).where(meta.c.key == key))
                if value is not None:
                    conn.execute(insert(meta).values(key=key, value=json.dumps(value)))
        if newest:
            clock.observe(newest)
