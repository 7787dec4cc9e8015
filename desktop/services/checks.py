"""Bounds on values that arrive from outside (the CLI, a settings form, a
stored profile written by an older version): each check refuses with one
sentence, so no odd value reaches a rule, a timer or a report."""

from __future__ import annotations

import dataclasses
import math
from datetime import date, timedelta

from desktop.domain import rules
from desktop.domain.enums import ServiceKind
from desktop.domain.passphrase import passphrase_problem

from .errors import ValidationError

AUTO_LOCK_MINUTES = (1, 240)  # as the app's settings dialog allows
MAX_HOURS_A_WEEK = 40.0
MAX_TEXT_SETTING = 200  # a service's name or address on the band of every page

# A report covers at most two years, between these dates: enough for a long
# period of travel or a hospital stay, and a mistyped year is refused at once
# rather than a report running for minutes over centuries.
MAX_REPORT_PERIOD = timedelta(days=2 * 366)
EARLIEST_REPORT_DAY = date(2000, 1, 1)
LATEST_REPORT_AHEAD = timedelta(days=366)

# Bounds by the kind of quantity a threshold is (its name says which): a mistyped
# value is refused rather than, say, a 15,000-day health trigger.
THRESHOLD_BOUNDS: tuple[tuple[str, float, float, str], ...] = (
    ("_hours", 0.5, MAX_HOURS_A_WEEK, "hours a week"),
    ("_hours_by_key_stage", 0.5, MAX_HOURS_A_WEEK, "hours a week"),
    ("_days", 1, 190, "days"),  # a school year has 190
    ("_day", 1, 190, "days"),
    ("_weeks", 1, 39, "weeks"),
)
TEXT_SETTINGS = ("service_name", "service_address", "service_phone", "service_email", "worker_name")


def passphrase(text: str, what: str = "The passphrase") -> None:
    """The app's rule, for every way in: at least fair, by the same score the app shows."""
    problem = passphrase_problem(text or "")
    if problem:
        raise ValidationError(problem.replace("That passphrase", what, 1))


def hours(value: float | None, what: str, *, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValidationError(f"{what} must be a number of hours.")
    if not 0 <= value <= MAX_HOURS_A_WEEK:
        raise ValidationError(f"{what} must be between 0 and {MAX_HOURS_A_WEEK:g} hours a week.")
    return float(value)


def settings(values: dict[str, object]) -> dict[str, object]:
    """Checked and tidied settings; unknown names are the caller's to refuse."""
    checked = dict(values)
    for name in TEXT_SETTINGS:
        if name in checked:
            value = checked[name]
            if not isinstance(value, str):
                raise ValidationError(f"The {name.replace('_', ' ')} must be text.")
            value = " ".join(value.split())
            if len(value) > MAX_TEXT_SETTING:
                raise ValidationError(
                    f"The {name.replace('_', ' ')} is too long ({len(value)} characters; at most {MAX_TEXT_SETTING})."
                )
            checked[name] = value
    if "service_name" in checked and not checked["service_name"]:
        raise ValidationError("The service's name is required: it heads every report.")
    if "service_kind" in checked:
        try:
            checked["service_kind"] = ServiceKind.parse(str(checked["service_kind"])).value
        except ValueError:
            choices = ", ".join(k.value for k in ServiceKind)
            raise ValidationError(
                f"'{checked['service_kind']}' is not a kind of service; choose one of: {choices}."
            ) from None
    if "auto_lock_minutes" in checked:
        minutes, (low, high) = checked["auto_lock_minutes"], AUTO_LOCK_MINUTES
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not low <= minutes <= high:
            raise ValidationError(
                f"The idle lock is between {low} and {high} minutes; {minutes if isinstance(minutes, int) else repr(minutes)} is not."
            )
    if "thresholds" in checked:
        checked["thresholds"] = thresholds(checked["thresholds"])
    return checked


def thresholds(value: object) -> dict[str, object]:
    """Each threshold a finite number (or numbers) of the kind its name says, within bounds."""
    if isinstance(value, rules.Thresholds):
        value = dataclasses.asdict(value)
    if not isinstance(value, dict):
        raise ValidationError("The thresholds are not in a form Waymark knows.")
    defaults = dataclasses.asdict(rules.DEFAULT_THRESHOLDS)
    unknown = set(value) - set(defaults)
    if unknown:
        raise ValidationError(f"Unknown threshold: {', '.join(sorted(unknown))}.")
    checked: dict[str, object] = {}
    for name, number in value.items():
        default = defaults[name]
        low, high, unit = next(
            ((lo, hi, u) for end, lo, hi, u in THRESHOLD_BOUNDS if name.endswith(end)), (0, 1000, "")
        )
        parts = list(number) if isinstance(default, tuple) and isinstance(number, (list, tuple)) else [number]
        if isinstance(default, tuple) and len(parts) != len(default):
            raise ValidationError(f"{name} takes {len(default)} numbers.")
        for part in parts:
            if isinstance(part, bool) or not isinstance(part, (int, float)) or not math.isfinite(part):
                raise ValidationError(f"{name} must be a number.")
            if not low <= part <= high:
                raise ValidationError(f"{name} must be between {low:g} and {high:g} {unit}".rstrip() + ".")
        if isinstance(default, tuple):
            checked[name] = tuple(float(p) for p in parts)
        else:
            checked[name] = int(number) if isinstance(default, int) else float(number)
    return checked


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def report_period(start: date, end: date, today: date) -> None:
    if end < start:
        raise ValidationError(f"The period starts ({_day(start)}) after it ends ({_day(end)}).")
    latest = today + LATEST_REPORT_AHEAD
    if start < EARLIEST_REPORT_DAY or end > latest:
        raise ValidationError(
            f"A report's period must fall between {_day(EARLIEST_REPORT_DAY)} and {_day(latest)}; check the year."
        )
    if end - start > MAX_REPORT_PERIOD:
        raise ValidationError("A report covers at most two years; choose a shorter period, or print it in parts.")
