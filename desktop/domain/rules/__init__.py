"""The field's rules as pure functions, their thresholds in one configurable
value (defaults from ../shared/DOMAIN.md: "Rules and thresholds"). Every rule
that counts school days takes a `SchoolCalendar`; docs/rules.md lists each
rule, its source and the setting that changes it."""

from ..calendar import WEEKDAYS, SchoolCalendar, academic_year_label, academic_year_start
from .age import (
    cohort,
    describe_nc_year,
    format_nc_year,
    full_time_hours_for,
    is_traveller,
    nc_year,
    pupil_nc_year,
)
from .attention import ATTENTION_LABELS, Attention, fmt_hours, full_time_check, needs_attention
from .exclusions import exclusion_school_days, fixed_period_days, provision_due
from .health import HealthDays, absence_last_day, health_absence_days
from .hours import (
    HOURS_BANDS,
    WeekHours,
    hours_band,
    in_force,
    target_hours,
    visit_hours_for,
    visit_pupils,
    week_start,
    weekly_hours,
)
from .thresholds import DEFAULT_THRESHOLDS, TUITION_TYPES, Thresholds

__all__ = [
    "ATTENTION_LABELS",
    "DEFAULT_THRESHOLDS",
    "HOURS_BANDS",
    "TUITION_TYPES",
    "WEEKDAYS",
    "Attention",
    "HealthDays",
    "SchoolCalendar",
    "Thresholds",
    "WeekHours",
    "absence_last_day",
    "academic_year_label",
    "academic_year_start",
    "cohort",
    "describe_nc_year",
    "exclusion_school_days",
    "fixed_period_days",
    "fmt_hours",
    "format_nc_year",
    "full_time_check",
    "full_time_hours_for",
    "health_absence_days",
    "hours_band",
    "in_force",
    "is_traveller",
    "nc_year",
    "needs_attention",
    "provision_due",
    "pupil_nc_year",
    "target_hours",
    "visit_hours_for",
    "visit_pupils",
    "week_start",
    "weekly_hours",
]
