"""What this laptop's user may change, by their role on the LA's server, so the app
does not offer work the server would refuse (a teacher's typing is never wasted).

Read from the same allow-list the server serves and refuses by
(sync/protocol/serving.py): a table a role is not served cannot be written, nor a
field withheld from it, nor a restricted row it may not see. The server also
refuses a base school new pupils, removing a pupil or moving one to another school,
and changes to the LA's reference data
(sync/server/merge/refusals.py, `_refusal`): said once here for the app.

It refuses a school, too, moving any record to another pupil or parent, joining a
child or a note to a visit no school logged, and removing what no school recorded
(`_school_refusal`); and anyone but an LA lead changing a school's URN. The app
offers none of these (no form moves a record, edits a logged visit's children,
removes a record or edits a school), so there is nothing to grey out for them; a
change made all the same is kept in File → Changes not sent with the server's words.
"""

from __future__ import annotations

from dataclasses import dataclass

from sync.protocol.serving import serves, serving

# The LA's shared reference data a base school reads but may not change.
REFERENCE = frozenset({"school", "site", "work_pack", "calendar_entry"})

# A kind of record in words, for a reason ("…keeps family contacts with the service").
KEPT = {
    "appointment": "appointments",
    "appointment_pupil": "appointments",
    "contact": "family contacts",
    "stay": "where a family stays",
    "site": "sites",
    "action": "actions",
    "concern": "safeguarding concerns",
    "school": "the list of schools",
    "work_pack": "the work pack library",
    "calendar_entry": "school term dates",
}


@dataclass(frozen=True)
class RoleLimits:
    """What a role may write. An unconnected profile ('' role) or a worker may write everything."""

    role: str = ""

    @property
    def limited(self) -> bool:
        return self.role == "school"

    def may_write(self, entity: str) -> bool:
        if not self.limited:
            return True
        return serves(self.role, entity) and entity not in REFERENCE

    def may_fill(self, entity: str, field: str) -> bool:
        """May a value be given for this field (a withheld one is refused with a value)?"""
        return not self.limited or field not in serving(self.role).withheld.get(entity, frozenset())

    @property
    def may_add_pupils(self) -> bool:
        return not self.limited

    @property
    def may_move_pupils(self) -> bool:
        """Changing a pupil's base school (the server refuses it from a school)."""
        return not self.limited

    @property
    def why_no_move(self) -> str:
        return "Only the pupil's worker or the LA moves a pupil to another base school, so it would not be sent."

    @property
    def may_write_professional(self) -> bool:
        """Professional-only notes (restricted rows): a role that is not sent them cannot write them."""
        return not self.limited or "professional" in serving(self.role).restricted

    def why_not(self, entity: str) -> str:
        """Why a record of this kind cannot be written here, in words."""
        if entity in REFERENCE:
            return f"Your LA's server keeps {KEPT[entity]} for the service to change, not schools, so it would not be sent."
        kept = KEPT.get(entity, entity.replace("_", " ") + " records")
        return f"Your LA's server keeps {kept} with the service, not with schools, so it would not be sent."

    @property
    def why_no_place(self) -> str:
        return (
            "The LA's server does not send schools where a family lives, stays or was seen, "
            "so it would not take that from here."
        )

    @property
    def why_no_pupils(self) -> str:
        return (
            "Only the service adds pupils to the LA's record; ask them to add the pupil and it comes at the next sync."
        )

    @property
    def why_no_professional(self) -> str:
        return "Schools are not sent professional-only notes, so the LA's server would not take one written here."


def limits_for(role: str) -> RoleLimits:
    return RoleLimits(role or "")
