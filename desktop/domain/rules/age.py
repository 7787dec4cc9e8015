"""Age: the National Curriculum year, full time for that age, and the cohort."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..calendar import academic_year_start
from ..enums import Cohort, ProvisionType, TravellerGroup
from ..records import ProvisionEpisode, Pupil
from .thresholds import DEFAULT_THRESHOLDS, Thresholds

TRAVELLER_ETHNICITIES = ("WROM", "WIRT")


def nc_year(dob: date, on: date) -> int:
    """National Curriculum year on a date from the date of birth: 0 is Reception,
    negative is nursery."""
    cohort = dob.year if dob.month >= 9 else dob.year - 1
    return academic_year_start(on) - cohort - 5


def pupil_nc_year(pupil: Pupil, on: date) -> int:
    """The year the pupil is taught in: the chronological year moved by the offset."""
    return nc_year(pupil.dob, on) + (pupil.nc_year_offset or 0)


def format_nc_year(year: int) -> str:
    if year == 0:
        return "Reception"
    if year < 0:
        return "Nursery"
    return f"Year {year}"


def describe_nc_year(pupil: Pupil, on: date) -> str:
    """'Year 3 (Year 4 by age)' for a pupil placed out of their year; else 'Year 4'."""
    taught = format_nc_year(pupil_nc_year(pupil, on))
    if not pupil.nc_year_offset:
        return taught
    return f"{taught} ({format_nc_year(nc_year(pupil.dob, on))} by age)"


def full_time_hours_for(year: int, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> float | None:
    """Full-time hours a week for an NC year; None before Reception (not of school age)."""
    if year < 0:
        return None
    ks1, ks2, ks3, ks4 = thresholds.full_time_hours_by_key_stage
    if year <= 2:
        return ks1
    if year <= 6:
        return ks2
    if year <= 9:
        return ks3
    return ks4


def is_traveller(pupil: Pupil) -> bool:
    return pupil.traveller_group is not TravellerGroup.NONE or pupil.ethnicity in TRAVELLER_ETHNICITIES


def cohort(pupil: Pupil, episodes: Iterable[ProvisionEpisode], on: date) -> Cohort:
    """Traveller pupils first; then the tuition that is open now."""
    if is_traveller(pupil):
        return Cohort.TRAVELLER
    open_types = {e.provision_type for e in episodes if e.is_open_on(on)}
    if ProvisionType.HOSPITAL_TUITION in open_types:
        return Cohort.HOSPITAL
    if ProvisionType.HOME_TUITION in open_types:
        return Cohort.HOME_TUITION
    return Cohort.OTHER
