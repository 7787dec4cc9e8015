"""The thresholds every rule reads, in one configurable value. Defaults from
../shared/DOMAIN.md ("Rules and thresholds"); docs/rules.md gives each one's
source and the setting that changes it."""

from __future__ import annotations

from dataclasses import dataclass

from ..enums import ProvisionType

# Tuition the service delivers and logs: only these have an hours target.
TUITION_TYPES = (ProvisionType.HOSPITAL_TUITION, ProvisionType.HOME_TUITION)


@dataclass(frozen=True, kw_only=True)
class Thresholds:
    full_time_hours: float = 25.0  # Ofsted's return splits pupils at 25 hours a week (001:232)
    # Full time by age, 21-25 hours a week (001:125): Reception and KS1, KS2, KS3, KS4.
    full_time_hours_by_key_stage: tuple[float, float, float, float] = (21.0, 23.5, 24.0, 25.0)
    home_tuition_minimum_hours: float = 5.0  # national minimum a week (000:5385-5391)
    health_trigger_school_days: int = 15  # LA must arrange education from here (001:153, 003:35)
    part_time_max_weeks: int = 6  # half a term, in teaching weeks of five school days (000:1953)
    hospital_min_stay_days: int = 3  # hospital tuition if the stay is 3 days or more (000:5376)
    tutor_withdrawal_school_hours: float = 10.0  # home tutor withdraws at 10 h back in school (000:5389)
    permanent_exclusion_provision_day: int = 6  # full-time provision from the sixth school day (003:136)
    fixed_period_max_school_days: int = 45  # fixed-period exclusions in an academic year (002:1836)

    def __post_init__(self) -> None:
        # Settings come back from JSON with lists; keep the value hashable.
        object.__setattr__(self, "full_time_hours_by_key_stage", tuple(self.full_time_hours_by_key_stage))

    @property
    def part_time_max_school_days(self) -> int:
        return self.part_time_max_weeks * 5


DEFAULT_THRESHOLDS = Thresholds()
