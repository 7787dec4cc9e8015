"""What the appointment files share: item roles, the entities watched, lengths and
working days."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt

ID_ROLE = Qt.ItemDataRole.UserRole + 1


PUPILS_ROLE = Qt.ItemDataRole.UserRole + 2


WATCHED = frozenset({"appointment", "pupil", "site"})


def fmt_length(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day
