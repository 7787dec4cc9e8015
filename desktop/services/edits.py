"""A record edited in a form opened earlier, brought onto the record as it is now.

A form shows a record as it was when it opened; sync may pull another worker's change
to it before Save. Saving the form whole would write the old value of every field the
user never touched back over that change (and send it on to every laptop). `rebase`
keeps the user's own changes (what differs from the record as the form opened) and
takes everything else from the record as it is now; the store then writes only those
changes (`Transaction.update(..., opened=...)`), marking any that raced a change made
meanwhile as concurrent, so the server keeps both texts."""

from __future__ import annotations

import dataclasses
from typing import TypeVar

R = TypeVar("R")


def rebase(edited: R, opened: R, current: R) -> R:
    """`current` with the changes made from `opened` to `edited`, field by field; a list of
    records with ids (a visit's entries, notes) child by child: one added meanwhile stays,
    one the user removed goes, one the user added comes."""
    values = {}
    for field in dataclasses.fields(edited):
        mine, was, now = (getattr(r, field.name) for r in (edited, opened, current))
        if _children(mine) or _children(was) or _children(now):
            values[field.name] = _rebase_children(mine, was, now)
        else:
            values[field.name] = mine if mine != was else now
    return dataclasses.replace(current, **values)


def _children(value: object) -> bool:
    return isinstance(value, list) and any(dataclasses.is_dataclass(v) and hasattr(v, "id") for v in value)


def _rebase_children(mine: list, was: list, now: list) -> list:
    opened = {child.id: child for child in was if child.id}
    current = {child.id: child for child in now if child.id}
    kept = {child.id for child in mine if child.id}
    merged = []
    for child in now:  # in the order they are now; what the user removed goes
        if child.id in opened and child.id not in kept:
            continue
        edited = next((c for c in mine if c.id and c.id == child.id), None)
        merged.append(child if edited is None else rebase(edited, opened.get(child.id, child), child))
    for child in mine:
        if not child.id or (child.id not in opened and child.id not in current):  # added by the user
            merged.append(child)
        elif child.id not in current and child != opened[child.id]:
            merged.append(child)  # edited here, deleted meanwhile: the edit goes, so its words are kept
    return merged
