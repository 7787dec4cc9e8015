"""What each printed copy may show: the rule, in one place, tested.

Motifax left one copy with the parent, one with the service and one with the
base school (seed 000:1478-1485). They do not carry the same fields: a
child's condition is shared only as necessary (001:629, 638), and some
families must not be locatable (004:168, 234). The renderers draw what
`visit_copy` returns and nothing else, so a field can only reach paper
through this module.

- No copy shows a safeguarding concern: report data never holds one.
- No copy shows a suppressed address, nor the name of the place where the
  pupil was seen (a site's name locates a family as well as its address).
- The parent / carer copy never shows professional-only notes, the UPN or
  medical needs; it is worded plainly and may be printed in large type.
- The base school copy leaves out the family's address: the school needs the
  pupil's progress, not where the family is staying.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

from .data import Level, Place, PupilDetails, ServiceDetails, VisitDetails, VisitReport


class Copy(StrEnum):
    PARENT = "parent"
    SERVICE = "service"
    SCHOOL = "school"


VISIT_COPIES = (Copy.PARENT, Copy.SERVICE, Copy.SCHOOL)


@dataclass(frozen=True)
class CopyPolicy:
    professional_notes: bool
    address: bool  # unless suppressed
    upn: bool
    medical_needs: bool
    plain_language: bool


POLICIES: dict[Copy, CopyPolicy] = {
    Copy.PARENT: CopyPolicy(
        professional_notes=False, address=True, upn=False, medical_needs=False, plain_language=True
    ),
    Copy.SERVICE: CopyPolicy(professional_notes=True, address=True, upn=True, medical_needs=True, plain_language=False),
    Copy.SCHOOL: CopyPolicy(professional_notes=True, address=False, upn=True, medical_needs=True, plain_language=False),
}

WITHHELD = "Withheld"


def copy_title(copy: Copy, service_name: str) -> str:
    return {
        Copy.PARENT: "Parent / carer copy",
        Copy.SERVICE: f"{service_name} copy",
        Copy.SCHOOL: "Base school copy",
    }[copy]


def copy_instruction(copy: Copy, pupil: PupilDetails) -> str:
    return {
        Copy.PARENT: f"This copy is yours to keep. Please keep it in {pupil.forename}'s folder "
        "and show it to the next teacher.",
        Copy.SERVICE: "Keep on the pupil's file. Contains professional notes: do not leave with the family.",
        Copy.SCHOOL: "Return to the pupil's base school, for the class teacher and the pupil's record.",
    }[copy]


def pupil_for(copy: Copy, pupil: PupilDetails) -> PupilDetails:
    """The pupil's details with what this copy may not show blanked out."""
    policy = POLICIES[copy]
    return dataclasses.replace(
        pupil,
        address=pupil.address if policy.address and not pupil.address_suppressed else "",
        upn=pupil.upn if policy.upn else "",
        medical_needs=pupil.medical_needs if policy.medical_needs else "",
        sen=pupil.sen if policy.medical_needs else "",
    )


def place_for(place: Place, hide_location: bool) -> Place:
    """Where the visit was; only the kind of place when the family must not be found."""
    if hide_location:
        return Place(kind=place.kind)
    return place


def visit_for(copy: Copy, visit: VisitDetails, hide_location: bool) -> VisitDetails:
    policy = POLICIES[copy]
    notes = tuple(n for n in visit.notes if policy.professional_notes or not n.professional)
    return dataclasses.replace(visit, notes=notes, place=place_for(visit.place, hide_location))


@dataclass(frozen=True)
class VisitCopy:
    """Exactly what one copy of a visit report prints for one pupil."""

    copy: Copy
    title: str
    instruction: str
    plain_language: bool
    large_print: bool
    service: ServiceDetails
    pupil: PupilDetails
    visit: VisitDetails
    levels: tuple[Level, ...]


def visit_copies(report: VisitReport, *, large_print: bool = False) -> list[VisitCopy]:
    """Every page set of a visit report: for each pupil seen, the three copies.

    Siblings seen together share a stopping place, so one suppressed address
    hides the place of the visit on every sibling's report.
    """
    hide_location = any(p.pupil.address_suppressed for p in report.pupils)
    # Each child's copies are drawn from their own VisitDetails, which holds only
    # their entry and notes: a sibling's work cannot reach them.
    copies = []
    for seen in report.pupils:
        for copy in VISIT_COPIES:
            copies.append(
                VisitCopy(
                    copy=copy,
                    title=copy_title(copy, report.service.name),
                    instruction=copy_instruction(copy, seen.pupil),
                    plain_language=POLICIES[copy].plain_language,
                    large_print=large_print and copy is Copy.PARENT,  # large type is for the family's copy
                    service=report.service,
                    pupil=pupil_for(copy, seen.pupil),
                    visit=visit_for(copy, seen.visit, hide_location),
                    levels=seen.levels,
                )
            )
    return copies
