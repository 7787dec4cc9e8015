"""What each role is served, written once: the LA server serves by it (sync/server/
scope.py), and a laptop whose user's role narrows drops what it no longer may
hold by the same list (desktop/store/sync_leave.py).

Some families must not be locatable (refuges, witness protection: DOMAIN.md,
"Privacy and safeguarding"), and a child's condition is shared only as
necessary. A base school gets its own pupils' learning (visits, each child's
entries, folders, progress, plans and reviews), never where a family lives,
stays or was seen, never a safeguarding concern, never a professional-only note.
"""

from __future__ import annotations

from dataclasses import dataclass

CONFLICT = "sync_conflict"

# An allow-list of tables, the fields never sent even in a table a role gets,
# and the restricted rows it may see. The pull (and a snapshot, which is a pull
# from no cursor) serves nothing else, and a push touching anything else is
# refused per operation.


@dataclass(frozen=True)
class Serving:
    tables: frozenset[str] | None  # None: every table
    withheld: dict[str, frozenset[str]]  # table -> fields never sent to this role
    restricted: frozenset[str]  # restricted kinds ("concern", "professional") it may see


RESTRICTED_KINDS = frozenset({"concern", "professional"})  # every kind restriction() may give
EVERYTHING = Serving(tables=None, withheld={}, restricted=RESTRICTED_KINDS)
SCHOOL_TABLES = frozenset(
    {
        "school",  # public reference data (URN, name, office contact)
        "work_pack",
        "calendar_entry",  # the LA's term dates
        "pupil",
        "provision_episode",  # hours offered: the school keeps the pupil on roll
        "absence",  # the named person for medical absence counts the days
        "exclusion",
        "planned_travel",  # dates only, to record code T
        "folder",
        "folder_item",
        "progress_entry",
        "plan",
        "review",
        "consent",
        "visit",
        "visit_entry",
        "visit_note",  # notes for the family only (see restriction)
        CONFLICT,  # only about what the school is served (see conflict_served)
    }
)  # not: site, stay, contact, appointment(_pupil), action, concern
SERVED: dict[str, Serving] = {
    "tutor": EVERYTHING,
    "tes": EVERYTHING,
    "la-lead": EVERYTHING,
    "school": Serving(
        tables=SCHOOL_TABLES,
        withheld={
            # The base school's copy never carries the family's address (reports/copies.py),
            # so neither does its sync: suppressed or not, a school does not need it.
            "pupil": frozenset({"address", "postcode"}),
            "visit": frozenset({"site_id", "place_detail"}),  # the kind of place (place_type) stays
            "planned_travel": frozenset({"destination", "notes"}),
        },
        restricted=frozenset(),
    ),
}
NOTHING = Serving(tables=frozenset(), withheld={}, restricted=frozenset())


def serving(role: str) -> Serving:
    """What `role` is served; an unknown role gets nothing."""
    return SERVED.get(role, NOTHING)


def serves(role: str, entity: str) -> bool:
    tables = serving(role).tables
    return tables is None or entity in tables


def served_fields(role: str, entity: str, data: dict) -> dict:
    """The row's fields as `role` may receive them."""
    withheld = serving(role).withheld.get(entity)
    return {k: v for k, v in data.items() if k not in withheld} if withheld else data


def conflict_served(role: str, data: dict) -> bool:
    """A conflict record carries a field's words: served only where that field is."""
    entity = data.get("entity") or ""
    return serves(role, entity) and data.get("field") not in serving(role).withheld.get(entity, ())


RESTRICTABLE = ("concern", "visit_note")  # the tables whose rows restriction() may restrict


def restriction(entity: str, data: dict) -> str:
    """'concern', 'professional' or '' for a row with these fields."""
    if entity == "concern":
        return "concern"
    if entity == "visit_note" and data.get("visibility", "professional") != "family":
        return "professional"
    return ""
