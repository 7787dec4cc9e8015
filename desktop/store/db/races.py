"""A record written from a form opened earlier: which fields are the writer's own
changes, and which of those raced a change made meanwhile (a pull, another form).

The outbox sends each field with a base: the server's clock for it that this device
had seen (sync_state, written by every pull). A field pulled while the form was open
has the pulled clock there, so an edit of it sent with that base tells the server
"written after the other edit" and silently replaces it. Forgetting that one field's
clock sends the edit with no base for it: to the server it is concurrent with the
other edit (as it was), so the later one wins and, for free text, the other becomes
a conflict record both sides can see. Pulling keeps a field with an unsent change out
of sync_state, so the clock stays forgotten until the edit is sent and comes back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from . import sqla


def changed_fields(current: Mapping, new: Mapping, opened: Mapping | None) -> tuple[list[str], list[str]]:
    """The fields to write (they differ from what is stored), and those of them that also
    changed since `opened` (the row as the writer read it; None: the writer read `current`).
    With `opened`, a field counts only if the writer changed it from `opened`."""
    if opened is None:
        return [k for k, v in new.items() if current[k] != v], []
    fields = [k for k, v in new.items() if k in opened and opened[k] != v and current[k] != v]
    return fields, [k for k in fields if current[k] != opened[k]]


def forget_bases(conn, tables: Mapping, entity: str, entity_id: str, fields: Sequence[str]) -> None:
    """Drop the clocks this device holds for `fields` of one record (see the module's words)."""
    state = tables.get("sync_state")
    if not fields or state is None:
        return
    where = (state.c.entity == entity) & (state.c.entity_id == entity_id)
    clocks = conn.execute(sqla.select(state.c.clocks).where(where)).scalar()
    if not isinstance(clocks, dict) or not set(fields) & set(clocks):
        return
    kept = {name: clock for name, clock in clocks.items() if name not in fields}
    conn.execute(sqla.update(state).where(where).values(clocks=kept))
