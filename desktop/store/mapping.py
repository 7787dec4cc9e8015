"""Records <-> rows. Field names equal column names, so one generic mapping
serves every record; list fields live in child tables or JSON columns."""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from enum import Enum
from functools import cache

from desktop.domain import records as r


@dataclass(frozen=True)
class Link:
    """A list of ids held in a link table (visit -> pupils)."""

    table: str
    parent_column: str
    value_column: str
    # Parent fields copied onto each link row (column -> parent field), so an
    # index on the link answers "latest visit of each pupil" without a join.
    copies: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Children:
    """A list of child records held in their own table (visit -> entries, notes)."""

    record: type
    parent_column: str
    # Parent fields copied onto each child row, as for a Link; derived locally,
    # so they are neither record fields nor sent to the server.
    copies: tuple[tuple[str, str], ...] = ()


TABLES: dict[type, str] = {
    r.School: "school",
    r.Pupil: "pupil",
    r.Contact: "contact",
    r.Site: "site",
    r.Stay: "stay",
    r.ProvisionEpisode: "provision_episode",
    r.Visit: "visit",
    r.VisitEntry: "visit_entry",
    r.VisitNote: "visit_note",
    r.Concern: "concern",
    r.WorkPack: "work_pack",
    r.Folder: "folder",
    r.FolderItem: "folder_item",
    r.ProgressEntry: "progress_entry",
    r.Plan: "plan",
    r.Review: "review",
    r.Action: "action",
    r.Consent: "consent",
    r.Absence: "absence",
    r.Appointment: "appointment",
    r.Exclusion: "exclusion",
    r.PlannedTravel: "planned_travel",
    r.CalendarEntry: "calendar_entry",
    r.SyncConflict: "sync_conflict",
}

COLLECTIONS: dict[type, dict[str, Link | Children]] = {
    r.Visit: {
        # Each child's entry carries the visit's date, so "latest visit of each
        # pupil" and a pupil's timeline are seeks on the entry table's index.
        "entries": Children(r.VisitEntry, "visit_id", copies=(("visit_date", "date"),)),
        "notes": Children(r.VisitNote, "visit_id"),
    },
    r.Appointment: {"pupil_ids": Link("appointment_pupil", "appointment_id", "pupil_id")},
    r.Folder: {"items": Children(r.FolderItem, "folder_id")},
}

RECORDS_BY_TABLE = {table: cls for cls, table in TABLES.items()}


@cache
def column_fields(cls: type) -> tuple[str, ...]:
    collections = COLLECTIONS.get(cls, {})
    return tuple(f.name for f in dataclasses.fields(cls) if f.name not in collections)


@cache
def enum_fields(cls: type) -> dict[str, type[Enum]]:
    """The fields of a record that hold an enum, and its type."""
    hints = typing.get_type_hints(cls)
    found = {}
    for name, hint in hints.items():
        # An optional enum (NotSeenReason | None) is a union: take its enum member type.
        options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        for option in options:
            if isinstance(option, type) and issubclass(option, Enum):
                found[name] = option
    return found


@cache
def enum_choices(cls: type) -> dict[str, tuple[frozenset[str], object]]:
    """A record's enum fields: (the values this version knows, the value to hold instead of one
    it does not: the field's default, none, or the first it knows). A newer laptop's new
    choice, or an odd value, must not make a record unreadable on a laptop or the LA's server."""
    defaults = {f.name: f.default for f in dataclasses.fields(cls)}
    found = {}
    for name, enum in enum_fields(cls).items():
        default = defaults.get(name, dataclasses.MISSING)
        if default is dataclasses.MISSING:
            default = next(iter(enum))
        found[name] = (frozenset(m.value for m in enum), default.value if isinstance(default, Enum) else default)
    return found


def to_row(record: object) -> dict:
    row = {}
    for name in column_fields(type(record)):
        value = getattr(record, name)
        row[name] = value.value if isinstance(value, Enum) else value
    return row


def from_row(cls: type, row: typing.Mapping) -> object:
    enums = enum_fields(cls)
    values = {}
    for name in column_fields(cls):
        value = row[name]
        if name in enums and value is not None:
            value = enums[name](value)
        values[name] = value
    return cls(**values)
