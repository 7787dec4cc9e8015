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

# An allow-list of tables, and of the fields sent in each, the fields never sent
# even in a table a role gets, and the restricted rows it may see. The pull (and
# a snapshot, which is a pull from no cursor) serves nothing else, and a push
# touching anything else is refused per operation. A field the allow-list does
# not name (one a newer laptop added) is not sent until it is named here; a test
# holds every field the desktop syncs to be named, sent or withheld.


@dataclass(frozen=True)
class Serving:
    tables: frozenset[str] | None  # None: every table
    withheld: dict[str, frozenset[str]]  # table -> fields never sent to this role
    restricted: frozenset[str]  # restricted kinds ("concern", "professional") it may see
    fields: dict[str, frozenset[str]] | None = None  # table -> the only fields sent (None: all)


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
_F = frozenset
SCHOOL_FIELDS: dict[str, frozenset[str]] = {
    "absence": _F({"deleted", "end", "expected_end", "pupil_id", "reason", "start"}),
    "calendar_entry": _F({"academic_year", "deleted", "end", "kind", "name", "source", "start"}),
    "consent": _F({"deleted", "given_by", "given_on", "pupil_id", "purpose", "withdrawn_on"}),
    "exclusion": _F({"deleted", "end", "kind", "pupil_id", "reason", "school_id", "start"}),
    "folder": _F({"deleted", "expected_back", "issued_by", "issued_on", "pupil_id", "returned_on"}),
    "folder_item": _F({"comment", "deleted", "folder_id", "pack_id", "status", "subject", "title"}),
    "plan": _F(
        {"closed", "deleted", "next_review", "pupil_id", "review_every_weeks", "start", "success_criteria", "title"}
    ),
    "planned_travel": _F({"agreed_with_school_on", "deleted", "leaves", "pupil_id", "returns"}),
    "progress_entry": _F(
        {"assessed_by", "assessed_on", "deleted", "evidence", "learning_gap", "level", "pupil_id", "subject", "target"}
    ),
    "provision_episode": _F(
        {
            "deleted",
            "end",
            "medical_max_hours_per_week",
            "part_time_consent",
            "planned_hours_per_week",
            "provider",
            "provision_type",
            "pupil_id",
            "reason",
            "review_date",
            "start",
        }
    ),
    "pupil": _F(
        {
            "archived",
            "base_school_id",
            "deleted",
            "dob",
            "eal",
            "ethnicity",
            "first_language",
            "forename",
            "looked_after",
            "medical_needs",
            "nc_year_offset",
            "preferred_forename",
            "preferred_surname",
            "sen",
            "sex",
            "social_worker",
            "surname",
            "traveller_group",
            "upn",
        }
    ),
    "review": _F({"deleted", "held_on", "outcome", "plan_id", "summary"}),
    "school": _F({"contact_email", "contact_name", "contact_phone", "deleted", "estab", "la_code", "name", "urn"}),
    CONFLICT: _F(
        {
            "deleted",
            "entity",
            "entity_id",
            "field",
            "kept_by",
            "kept_clock",
            "kept_value",
            "kind",
            "other_by",
            "other_clock",
            "other_value",
            "raised_at",
            "resolution",
            "resolved",
        }
    ),
    "visit": _F({"date", "deleted", "end", "next_appointment", "outcome", "place_type", "start", "worker"}),
    "visit_entry": _F(
        {
            "deleted",
            "levels_and_needs",
            "not_seen_reason",
            "pupil_id",
            "seen",
            "subjects",
            "visit_date",
            "visit_id",
            "work_covered",
            "work_returned",
            "work_set",
        }
    ),
    "visit_note": _F({"deleted", "pupil_id", "text", "visibility", "visit_id"}),
    "work_pack": _F({"deleted", "items", "key_stage", "nc_years", "subject", "title", "topic"}),
}
SERVED: dict[str, Serving] = {
    "tutor": EVERYTHING,
    "tes": EVERYTHING,
    "la-lead": EVERYTHING,
    "school": Serving(
        tables=SCHOOL_TABLES,
        withheld={
            # The base school's copy never carries the family's address (reports/copies.py),
            # so neither does its sync: suppressed or not, a school does not need it. Nor
            # whether it is suppressed: that alone says a family is in hiding, and a school
            # that cannot see the address has no copy to keep it off (nor may it switch it off).
            "pupil": frozenset({"address", "postcode", "suppress_address"}),
            "visit": frozenset({"site_id", "place_detail"}),  # the kind of place (place_type) stays
            "planned_travel": frozenset({"destination", "notes"}),
        },
        restricted=frozenset(),
        fields=SCHOOL_FIELDS,
    ),
}
NOTHING = Serving(tables=frozenset(), withheld={}, restricted=frozenset())


def serving(role: str) -> Serving:
    """What `role` is served; an unknown role gets nothing."""
    return SERVED.get(role, NOTHING)


def serves(role: str, entity: str) -> bool:
    tables = serving(role).tables
    return tables is None or entity in tables


def field_served(role: str, entity: str, field: str) -> bool:
    policy = serving(role)
    if field in policy.withheld.get(entity, ()):
        return False
    return policy.fields is None or field in policy.fields.get(entity, ())


def served_fields(role: str, entity: str, data: dict) -> dict:
    """The row's fields as `role` may receive them: those its allow-list names, none withheld."""
    policy = serving(role)
    if policy.fields is not None:
        allowed = policy.fields.get(entity, frozenset())
        return {k: v for k, v in data.items() if k in allowed}
    withheld = policy.withheld.get(entity)
    return {k: v for k, v in data.items() if k not in withheld} if withheld else data


def conflict_served(role: str, data: dict) -> bool:
    """A conflict record carries a field's words: served only where that field is."""
    entity = data.get("entity") or ""
    return serves(role, entity) and field_served(role, entity, data.get("field") or "")


RESTRICTABLE = ("concern", "visit_note")  # the tables whose rows restriction() may restrict


def restriction(entity: str, data: dict) -> str:
    """'concern', 'professional' or '' for a row with these fields."""
    if entity == "concern":
        return "concern"
    if entity == "visit_note" and data.get("visibility", "professional") != "family":
        return "professional"
    return ""
