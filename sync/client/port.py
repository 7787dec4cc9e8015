"""The port the sync engine talks to: what it needs from a local store, and
nothing about how the store keeps it. The desktop store implements it
(desktop/store/sync_port/); tests may implement it in memory."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from sync.protocol import AuditRow, Op, Pulled


class SyncPort(Protocol):
    def pending(self, limit: int) -> list[Op]:
        """The oldest unsent changes as operations, at most `limit`, oldest first.
        An operation's id is stable: asking again gives the same ids."""

    def acknowledge(self, op_ids: Sequence[str]) -> None:
        """The server has these: remove them from the outbox."""

    def reject(self, refused: Mapping[str, str]) -> None:
        """The server refused these (op id -> reason): keep them aside, out of the outbox."""

    def cursor(self) -> str | None:
        """Where the last applied pull page ended; None before the first."""

    def apply_page(
        self, changes: Sequence[Pulled], cursor: str, tables: Sequence[str] | None = None, left: Sequence[str] = ()
    ) -> None:
        """Apply pulled records and move the cursor on, in one local transaction.
        Pulled changes never go back into the outbox, and never overwrite a field
        that has an unsent local change. `tables`: the tables the pull asked for,
        kept with the cursor (see cursor_tables). `left`: pupils who left the user's
        scope; their records (and rows that belong only to them) leave the store in
        the same transaction, sending no deletes, and any unsent change to them is
        kept aside with a reason (as a refused one is)."""

    def serve_as(self, role: str) -> bool:
        """Optional. The user's role as the server now says: remove what that role is
        not served (sync.protocol.serving), sending no deletes and keeping unsent
        changes aside. True if anything was removed; nothing happens when the role is
        the one already held."""

    def forget_cursor(self) -> None:
        """Start again from a fresh snapshot (the outbox is kept)."""

    def unsent(self) -> int:
        """How many changes wait in the outbox."""


class TablesPort(SyncPort, Protocol):
    """A port that says which tables it knows, so that after an upgrade the
    client back-fills the tables it used to skip. Optional: SyncClient checks."""

    def known_tables(self) -> Sequence[str]:
        """The tables this version can hold (what it asks the server for)."""

    def cursor_tables(self) -> Sequence[str] | None:
        """The tables the cursor covers; None when it was given before clients said."""

    def backfill_state(self) -> tuple[Sequence[str], str] | None:
        """A back-fill under way: its tables and where it stands."""

    def apply_backfill(self, changes: Sequence[Pulled], tables: Sequence[str], cursor: str, done: bool) -> None:
        """Apply a back-fill page (as apply_page, leaving the main cursor alone) and
        note where it stands; when done, the cursor covers `tables` too. One transaction."""


class SnapshotPort(SyncPort, Protocol):
    """A port that removes, after a fresh snapshot (410 for forgotten tombstones or a
    changed scope), the records it did not bring (deleted on the server and their
    tombstones since forgotten, or no longer the user's), and says when it holds nothing
    from the server (a new profile). Optional: SyncClient checks; without it a 410 calls
    forget_cursor."""

    def holds_nothing(self) -> bool:
        """True when nothing pulled from the server is held (the first pull then says
        `fresh`, and is not told of records withdrawn before it)."""

    def begin_snapshot(self, restored: bool = False) -> None:
        """As forget_cursor, noting the records held from the server. `restored` (a server
        put back from a backup): nothing is removed or written over with an older value,
        and what the server lacks is sent again."""

    def snapshot_complete(self) -> None:
        """A pull reached the feed's end: noted records no page brought leave the store,
        sending no deletes, any unsent change to them kept aside. Nothing when no snapshot
        is under way."""


class AuditPort(SyncPort, Protocol):
    """A port with an audit trail to send. Optional: SyncClient checks."""

    def audit_pending(self, limit: int) -> tuple[str, list[AuditRow]]:
        """The trail's id and its oldest unsent rows, at most `limit`, in order."""

    def audit_sent(self, rows: Sequence[AuditRow]) -> None:
        """The server holds these: mark them sent (unless changed since, by an erasure)."""
