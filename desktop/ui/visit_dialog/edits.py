"""Date and time boxes that Tab leaves at once, and the start a visit logged on the spot gets."""

from __future__ import annotations

from datetime import time

from PySide6.QtWidgets import (
    QDateEdit,
    QDateTimeEdit,
    QTimeEdit,
    QWidget,
)


class _TabLeaves:
    """Tab leaves a date or time field at once, instead of stepping through its
    day, month and year: the form is filled by Tab and Alt+letter."""

    def focusNextPrevChild(self, forward: bool) -> bool:
        return QWidget.focusNextPrevChild(self, forward)


class DateEdit(_TabLeaves, QDateEdit):
    pass


class TimeEdit(_TabLeaves, QTimeEdit):
    pass


class DateTimeEdit(_TabLeaves, QDateTimeEdit):
    pass


def round_down(moment: time) -> time:
    """Now, to the quarter hour below: a sensible start for a visit logged on the spot."""
    return time(moment.hour, moment.minute - moment.minute % 15)
