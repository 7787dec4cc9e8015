"""Which pupil each kind of record belongs to, what is free text, what is
restricted: written once, here. The server's scope rules and merge read this;
a new table on the desktop needs one line below before it can sync.

- `Owner(column)`: the row names its pupil (`pupil_id`; a pupil is its own).
- `Parent(entity, column)`: the row belongs to whoever its parent belongs to
  (a folder item to its folder, a review to its plan).
- `OwnerElseParent(column, entity, parent_column)`: the row names its pupil
  when it is about one child (a note on a visit about one child), else it
  belongs to its parent's pupils (a note about the whole visit).
- `Gathered(link, column)`: the row belongs to every pupil its link rows name
  (a visit to each child on it, through `visit_entry.visit_id`; each child's
  entry is that child's alone, so one school never sees another's child's work).
- `Shared`: reference data that belongs to no pupil (schools, sites, work packs);
  which roles get it is SERVED's business, below.
- `Conflict`: a conflict record belongs to the record it is about.
"""

from __future__ import annotations

from dataclasses import dataclass

from sync.protocol.serving import (  # noqa: F401  (the allow-list, re-exported beside SHAPES)
    CONFLICT,
    SERVED,
    Serving,
    conflict_served,
    restriction,
    served_fields,
    serves,
    serving,
)


@dataclass(frozen=True)
class Owner:
    column: str


@dataclass(frozen=True)
class Parent:
    entity: str
    column: str


@dataclass(frozen=True)
class OwnerElseParent:
    column: str
    entity: str
    parent_column: str


@dataclass(frozen=True)
class Gathered:
    link: str  # the link table whose rows name the pupils
    column: str  # the link's column that points at this row


@dataclass(frozen=True)
class Shared:
    pass


@dataclass(frozen=True)
class Conflict:
    pass


Shape = Owner | Parent | OwnerElseParent | Gathered | Shared | Conflict

CONFLICT_ENTITY = CONFLICT  # named once, in the protocol (sync.protocol.serving)

SHAPES: dict[str, Shape] = {
    "school": Shared(),
    "site": Shared(),
    "work_pack": Shared(),
    "calendar_entry": Shared(),  # the LA's term dates
    "pupil": Owner("id"),
    "contact": Owner("pupil_id"),
    "stay": Owner("pupil_id"),
    "provision_episode": Owner("pupil_id"),
    "concern": Owner("pupil_id"),
    "folder": Owner("pupil_id"),
    "progress_entry": Owner("pupil_id"),
    "plan": Owner("pupil_id"),
    "action": Owner("pupil_id"),
    "consent": Owner("pupil_id"),
    "absence": Owner("pupil_id"),
    "exclusion": Owner("pupil_id"),
    "planned_travel": Owner("pupil_id"),
    "visit": Gathered("visit_entry", "visit_id"),
    "visit_entry": Owner("pupil_id"),
    "visit_note": OwnerElseParent("pupil_id", "visit", "visit_id"),
    "folder_item": Parent("folder", "folder_id"),
    "review": Parent("plan", "plan_id"),
    "appointment": Gathered("appointment_pupil", "appointment_id"),
    "appointment_pupil": Owner("pupil_id"),
    CONFLICT_ENTITY: Conflict(),
}

# Link rows and the row they gather pupils into: visit_pupil -> (visit, visit_id).
LINKS: dict[str, tuple[str, str]] = {
    shape.link: (entity, shape.column) for entity, shape in SHAPES.items() if isinstance(shape, Gathered)
}

# Fields where two people's words must never silently replace each other: when
# both sides changed one, the loser is kept as a conflict record.
FREE_TEXT: dict[str, frozenset[str]] = {
    "pupil": frozenset({"medical_needs", "address", "social_worker"}),
    "contact": frozenset({"notes"}),
    "site": frozenset({"notes", "address"}),
    "stay": frozenset({"travel_pattern"}),
    "provision_episode": frozenset({"reason"}),
    "visit": frozenset({"place_detail"}),
    "visit_entry": frozenset({"work_covered", "work_set", "work_returned", "levels_and_needs"}),
    "visit_note": frozenset({"text"}),
    "concern": frozenset({"text", "escalated_to"}),
    "folder_item": frozenset({"comment"}),
    "progress_entry": frozenset({"evidence", "target", "learning_gap"}),
    "plan": frozenset({"success_criteria"}),
    "review": frozenset({"summary", "outcome"}),
    "action": frozenset({"next_step"}),
    "absence": frozenset({"reason"}),
    "exclusion": frozenset({"reason"}),
    "planned_travel": frozenset({"destination", "notes"}),
    "appointment": frozenset({"notes"}),
}


# What each role is served (an allow-list of tables, the fields withheld, the
# restricted rows it may see) is written once, in sync/protocol/serving.py: the
# server serves by it and a laptop whose user's role narrows drops what it no
# longer may hold by the same list.
def owner_pupil(entity: str, entity_id: str, data: dict) -> str | None:
    shape = SHAPES[entity]
    if isinstance(shape, Owner):
        return entity_id if shape.column == "id" else data.get(shape.column)
    if isinstance(shape, OwnerElseParent):
        return data.get(shape.column) or None
    return None


def parent_of(entity: str, data: dict) -> tuple[str, str] | None:
    """The (entity, id) this row takes its pupils from, if any."""
    shape = SHAPES[entity]
    if isinstance(shape, Parent):
        value = data.get(shape.column)
        return (shape.entity, value) if value else None
    if isinstance(shape, OwnerElseParent):
        value = data.get(shape.parent_column)
        return (shape.entity, value) if value and not data.get(shape.column) else None
    if isinstance(shape, Conflict):
        target, target_id = data.get("entity"), data.get("entity_id")
        return (target, target_id) if target in SHAPES and target_id else None
    if entity in LINKS:
        gathered, column = LINKS[entity]
        value = data.get(column)
        return (gathered, value) if value else None
    return None


def is_free_text(entity: str, field: str) -> bool:
    return field in FREE_TEXT.get(entity, ())
