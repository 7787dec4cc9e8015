"""What Log a visit needs, fetched in one background call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.domain.enums import Outcome
from desktop.domain.records import Site, Visit, VisitEntry

if TYPE_CHECKING:  # the services load after the unlock window shows
    from desktop.services import Waymark


# The outcome of the whole visit. "Pupil unwell" is said child by child now (not seen: unwell).
OUTCOMES = [o for o in Outcome if o is not Outcome.PUPIL_UNWELL]


@dataclass
class VisitContext:
    """What the dialog needs, fetched in one background call."""

    visit: Visit
    last: dict[str, VisitEntry]  # each child's own entry at the last visit they were seen
    subjects: list[str]
    sites: list[Site]
    role: str = ""  # the user's role on the LA's server: a school may not give a site or professional notes


def load_context(app: Waymark, pupil_id: str | None) -> VisitContext:
    visit = app.visit_defaults(pupil_id)
    return VisitContext(
        visit=visit,
        last=app.last_entries(visit.pupil_ids),
        subjects=app.known_subjects(),
        sites=app.list_sites(),
        role=app.sync_role(),
    )
