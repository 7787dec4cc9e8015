"""The rows a push works on, in memory, and small helpers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from .. import shapes
from ..shapes import LINKS, SHAPES, Owner, OwnerElseParent, Shared
from ..tables import Record

RESERVED_FIELDS = frozenset({"id", "updated_at"})
GATHERED = tuple(entity for entity, _column in LINKS.values())
CLOCK_ALLOWANCE = timedelta(seconds=60)  # a device clock this far ahead is believed
CHUNK = 400
RECORDS = Record.__table__

Key = tuple[str, str]


@dataclass
class Row:
    entity: str
    entity_id: str
    data: dict
    clocks: dict
    authors: dict
    created_by: int | None
    seq: int | None = None  # None: not in the database yet
    members: set[str] = field(default_factory=set)
    stored_members: set[str] | None = None  # as in record_pupils (None: not loaded / new)
    restricted: str = ""  # as stored
    withdrawn: tuple[int | None, str] = (None, "")  # as stored: (withdrawn_seq, withdrawn_clock)
    dirty: bool = False
    # (clock, author) while every field was set by one operation (a record made in this push):
    # its stored clocks and authors are then one each, with nothing to count (clock.compress).
    one_write: tuple[str, str] | None = None

    @property
    def key(self) -> Key:
        return (self.entity, self.entity_id)

    @property
    def deleted(self) -> bool:
        return bool(self.data.get("deleted"))

    # parent and owner are read many times per row in a push: worked out once, again after a change.
    _parent: object = field(default=None, repr=False, compare=False)
    _owner: object = field(default=None, repr=False, compare=False)
    _known: bool = field(default=False, repr=False, compare=False)

    def changed(self) -> None:
        """The row's data changed: its parent and owner are worked out again when next asked."""
        self._known = False

    def _know(self) -> None:
        self._parent = shapes.parent_of(self.entity, self.data)
        self._owner = shapes.owner_pupil(self.entity, self.entity_id, self.data)
        self._known = True

    @property
    def parent(self) -> Key | None:
        if not self._known:
            self._know()
        return self._parent

    @property
    def owner(self) -> str | None:
        if not self._known:
            self._know()
        return self._owner


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _listed(row: Row) -> bool:
    """Whether the row's pupils are kept in record_pupils (rows that do not name their one pupil)."""
    shape = SHAPES[row.entity]
    if isinstance(shape, Shared | Owner):
        return False
    return not (isinstance(shape, OwnerElseParent) and row.owner)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))
