"""Values a push's operation carries that the LA's server (or a laptop) cannot keep, each
refused for that operation alone, in words, before anything looks a record up by them."""

from __future__ import annotations

from sync.protocol.values import is_id

from ..shapes import CONFLICT_ENTITY, LINKS, SHAPES, Conflict, Owner, OwnerElseParent, Parent
from ..tables import PupilSchool

UNKEEPABLE = {
    "NUL": "A value holds a character the LA's server cannot keep (NUL).",
    "number": "A number in this change is too large for the LA's server and the laptops to keep.",
    "depth": "A value in this change is nested too deeply for the LA's server and the laptops to keep.",
}
# `deleted` says whether a record is removed: true or false, nothing else (a 1 or a "yes" would be
# read as removing it by some checks and not by others).
NOT_A_FLAG = "This change neither removes a record nor keeps it (its deleted is not true or false)."


def _id_columns() -> dict[str, tuple[str, ...]]:
    """The fields of each kind of record that name another record (its pupil, its parent, the
    row a link gathers it into, a pupil's school): the merge looks records up by them."""
    columns: dict[str, set[str]] = {entity: set() for entity in SHAPES}
    for entity, shape in SHAPES.items():
        if (isinstance(shape, Owner) and shape.column != "id") or isinstance(shape, Parent):
            columns[entity].add(shape.column)
        elif isinstance(shape, OwnerElseParent):
            columns[entity].update((shape.column, shape.parent_column))
        elif isinstance(shape, Conflict):
            columns[entity].update(("entity", "entity_id"))  # the record it is about
    for link, (_gathered, column) in LINKS.items():
        columns[link].add(column)
    columns["pupil"].add("base_school_id")  # writing.py keeps each pupil's school by it
    return {entity: tuple(sorted(names)) for entity, names in columns.items() if names}


ID_COLUMNS = _id_columns()
# Other fields the merge looks up in a set (a conflict's field among those a role is served, its
# answer among the answers): a text, or a list or an object would fail the lookup.
TEXT_COLUMNS = {CONFLICT_ENTITY: ("field", "resolution")}
URN_LENGTH = PupilSchool.__table__.c.urn.type.length  # a school's URN, kept with its pupils (writing.py)


def odd_link(entity: str, fields: dict) -> str:
    """Why a field naming another record (or a school's URN) cannot be kept, or "": a list or an
    object there cannot name one, and is refused before anything looks records up by it."""
    for column in ID_COLUMNS.get(entity, ()):
        if not is_id(fields.get(column)):
            return f"This change's {column} is not a record's id, so the LA's server cannot keep it."
    for column in TEXT_COLUMNS.get(entity, ()):
        value = fields.get(column)
        if value is not None and type(value) is not str:
            return f"This change's {column} is not a text, so the LA's server cannot keep it."
    if entity == "school":
        urn = fields.get("urn")
        if urn is not None and not (type(urn) is str and len(urn) <= URN_LENGTH):
            return f"A school's URN is {URN_LENGTH} digits; this change's is not, so the LA's server cannot keep it."
    return ""
