"""What a mutation touched."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Changes:
    """What a mutation touched: the tables (for views) and the ids, main record first."""

    entities: frozenset[str]
    ids: tuple[str, ...]
    fields: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.ids[0]

    def to_json(self) -> dict:
        return {"id": self.id, "ids": list(self.ids), "entities": sorted(self.entities), "fields": list(self.fields)}
