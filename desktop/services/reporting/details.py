"""The pieces every report shares: the service, a pupil and a visit as reports show them."""

from __future__ import annotations

from datetime import date

from desktop.domain import rules
from desktop.domain.enums import PlaceType, SenStatus, Visibility
from desktop.domain.privacy import Households
from desktop.domain.records import ProgressEntry, Pupil, School, Site, Visit
from desktop.reports.data import Level, Note, Place, PupilDetails, ServiceDetails, VisitDetails

from ..errors import ValidationError
from .source import ReportSource, SummarySource


def service_details(app: SummarySource) -> ServiceDetails:
    s = app.settings()
    return ServiceDetails(name=s.service_name, address=s.service_address, phone=s.service_phone, email=s.service_email)


def pupil_details(pupil: Pupil, school: School | None, on: date, *, withhold_address: bool) -> PupilDetails:
    """`withhold_address`: the household's address is suppressed (see domain/privacy.py),
    on this pupil's record or a brother's or sister's at the same address."""
    return PupilDetails(
        name=pupil.display_name,
        forename=pupil.preferred_forename or pupil.forename,
        legal_name=pupil.legal_name,
        dob=pupil.dob,
        nc_year=rules.format_nc_year(rules.pupil_nc_year(pupil, on)),
        upn=pupil.upn,
        base_school=school.name if school else "",
        base_school_dfe=school.dfe_number if school else "",
        address=", ".join(part for part in (pupil.address, pupil.postcode) if part),
        address_suppressed=withhold_address or pupil.suppress_address,
        medical_needs=pupil.medical_needs,
        sen=pupil.sen.label if pupil.sen is not SenStatus.NONE else "",
    )


def visit_details(visit: Visit, pupil_id: str, sites: dict[str, Site], tuition_service: bool = False) -> VisitDetails:
    """The visit as one child's copies show it: the shared part, this child's own
    entry, and the notes about the whole visit or about them; nothing of a sibling's."""
    site = sites.get(visit.site_id) if visit.site_id else None
    entry = visit.entry_for(pupil_id)
    if entry is None:
        raise ValidationError("That pupil was not on this visit.")
    return VisitDetails(
        day=visit.date,
        start=visit.start,
        end=visit.end,
        hours=visit.hours_for(pupil_id),
        place=Place(kind=visit.place_type.label, name=site.name if site else "", detail=visit.place_detail),
        worker=visit.worker,
        held=visit.held_for(pupil_id),
        outcome=visit.status_for(pupil_id),
        subjects=tuple(entry.subjects),
        work_covered=entry.work_covered,
        work_set=entry.work_set,
        work_returned=entry.work_returned,
        levels_and_needs=entry.levels_and_needs,
        next_appointment=visit.next_appointment,
        # Only notes marked for the family may reach the parent copy: anything else counts as professional.
        notes=tuple(
            Note(text=n.text, professional=n.visibility is not Visibility.FAMILY) for n in visit.notes_about(pupil_id)
        ),
        sessions=tuition_service or visit.place_type in (PlaceType.HOME, PlaceType.WARD),
    )


def _tuition_service(app: ReportSource) -> bool:
    return app.settings().service_kind in ("hospital", "home")


def _level(entry: ProgressEntry) -> Level:
    return Level(
        subject=entry.subject,
        level=entry.level,
        assessed_on=entry.assessed_on,
        target=entry.target,
        learning_gap=entry.learning_gap,
    )


def _school(app: ReportSource, pupil: Pupil) -> School | None:
    return app.get_school(pupil.base_school_id) if pupil.base_school_id else None


def _households(app: SummarySource) -> Households:
    return app.address_households()
