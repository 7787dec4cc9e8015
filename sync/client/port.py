"""The port the sync engine talks to: what it needs from a local store, and
nothing about how the store keeps it. The desktop store implements it
(desktop/store/sync_port.py); tests may implement it in memory."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from sync.protocol import Change, Op


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

    def apply_page(self, changes: Sequence[Change], cursor: str, left: Sequence[str] = ()) -> None:
        """Apply pulled records and move the cursor on, in one local transaction.
        Pulled changes never go back into the outbox, and never overwrite a field
        that has an unsent local change. `left`: pupils who left the user's scope;
        their records (and rows that belong only to them) leave the store in the
        same transaction, sending no deletes, and any unsent change to them is kept
        aside with a reason (as a refused one is)."""

    def serve_as(self, role: str) -> bool:
        """Optional. The user's role as the server now says: remove what that role is
        not served (sync.protocol.serving), sending no deletes and keeping unsent
        changes aside. True if anything was removed; nothing happens when the role is
        the one already held."""

    def forget_cursor(self) -> None:
        """Start again from a fresh snapshot (the outbox is kept)."""

    def unsent(self) -> int:
        """How many changes wait in the outbox."""
