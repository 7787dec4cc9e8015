"""Drafts: what a form holds while it is being typed, kept in the encrypted store.

A form saves its draft as the user types (the UI waits for a pause), discards it
when the record is saved or the user chooses to throw it away, and finds it
again after the idle lock, a crash or a kill. See desktop/ui/drafts/."""

from __future__ import annotations

import json
from datetime import datetime

from desktop.domain.records import Draft
from desktop.store import Store
from desktop.store import drafts as stored

from .errors import ValidationError

MAX_DRAFT_BYTES = 256 * 1024  # far above any form; a runaway paste is refused, not stored


class DraftServices:
    """Mixed into `Waymark`: save, find and discard drafts by form kind and key."""

    store: Store

    def save_draft(self, draft: Draft) -> None:
        """Keep (or replace) the draft of one form. Not a change to the record, so
        it returns no `Changes`: views do not redraw for a keystroke."""
        if not draft.kind.strip():
            raise ValidationError("A draft needs the kind of form it belongs to.")
        try:
            size = len(json.dumps(draft.fields)) + len(json.dumps(draft.context))
        except (TypeError, ValueError):
            raise ValidationError("A draft holds only text, numbers, dates as text and yes/no values.") from None
        if size > MAX_DRAFT_BYTES:
            raise ValidationError("This form holds too much text to keep as a draft; save it or shorten it.")
        draft.saved_at = datetime.now()
        stored.save(self.store, draft)

    def draft(self, kind: str, key: str = "") -> Draft | None:
        return stored.load(self.store, kind, key)

    def drafts(self) -> list[Draft]:
        """Every draft kept on this device, the newest first."""
        return stored.newest_first(self.store)

    def discard_draft(self, kind: str, key: str = "") -> bool:
        """Throw a draft away; True if there was one."""
        return stored.discard(self.store, kind, key)
