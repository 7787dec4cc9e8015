"""A pulled record as a client reads it: a `Change` (models.py) as a plain tuple.
A client reads a pull's answer with orjson and plain checks, not a model per
record (that was most of its time on a large pull); standard library only, so
the desktop's store takes these without loading pydantic."""

from __future__ import annotations

from typing import Any, NamedTuple

from .clock import STAMP

_stamp = STAMP.fullmatch


class Pulled(NamedTuple):
    entity: str
    entity_id: str
    fields: dict[str, Any]
    clocks: dict[str, str]
    deleted: bool
    seq: int


def read_changes(changes: object) -> list[Pulled] | None:
    """A pull answer's `changes` (as JSON decoded them) if each is plainly a Change, its
    clocks change stamps, else None."""
    if type(changes) is not list:
        return None
    read = []
    for c in changes:
        if type(c) is not dict:
            return None
        entity, entity_id, fields, clocks = c.get("entity"), c.get("entity_id"), c.get("fields"), c.get("clocks")
        deleted, seq = c.get("deleted", False), c.get("seq")
        if not (type(entity) is str and type(entity_id) is str and type(fields) is dict and type(clocks) is dict):
            return None
        if type(deleted) is not bool or type(seq) is not int:
            return None
        for v in clocks.values():  # (inline: a pull reads tens of thousands)
            if type(v) is not str or _stamp(v) is None:
                return None
        read.append(Pulled(entity, entity_id, fields, clocks, deleted, seq))
    return read


def all_stamps(clocks: dict) -> bool:
    """Whether every clock is a change stamp (clock.py): a laptop keeps the newest as the
    base of its own clock, so one that is not (or is not text) makes the page not understood."""
    return all(type(v) is str and _stamp(v) is not None for v in clocks.values())
