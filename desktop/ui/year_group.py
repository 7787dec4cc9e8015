"""The NC year a pupil is taught in, set by hand in Add a pupil and Edit details.

"By age" (the default) or a year group, with the year by age shown beside it.
The services keep a year set by hand as an offset from the year by age, so a
pupil placed a year behind moves up with their class each September.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QSize
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QHBoxLayout, QLabel, QSpinBox, QWidget

from desktop.domain.rules import format_nc_year, nc_year

BY_AGE = -2  # the spin box's lowest value, shown as "By age"; Nursery (-1) is the lowest year offered
HIGHEST = 14


class YearSpin(QSpinBox):
    """Year groups by name (Reception, Year 1 … Year 14), "By age" at the bottom.
    From "By age" the arrows step from the year by age, not from the bottom."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.by_age = 0
        self.setRange(BY_AGE, HIGHEST)
        self.setSpecialValueText("By age")
        self.setValue(BY_AGE)

    def textFromValue(self, value: int) -> str:
        return "By age" if value == BY_AGE else format_nc_year(value)

    def _choices(self) -> dict[str, int]:
        names = {self.textFromValue(v).casefold(): v for v in range(BY_AGE, HIGHEST + 1)}
        return names | {str(v): v for v in range(1, HIGHEST + 1)} | {"r": 0}

    def valueFromText(self, text: str) -> int:
        return self._choices().get(text.strip().casefold(), self.value())

    def validate(self, text: str, pos: int) -> object:
        typed = text.strip().casefold()
        choices = self._choices()
        if typed in choices:
            return QValidator.State.Acceptable, text, pos
        if not typed or any(choice.startswith(typed) for choice in choices):
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Invalid, text, pos

    def sizeHint(self) -> QSize:
        """Wide enough for every name ("Reception"), not only the first and last Qt measures."""
        hint = super().sizeHint()
        width = self.fontMetrics().horizontalAdvance
        widest = max(width(self.textFromValue(v)) for v in range(BY_AGE, HIGHEST + 1))
        measured = max(width(self.textFromValue(self.minimum())), width(self.textFromValue(self.maximum())))
        hint.setWidth(hint.width() + max(0, widest - measured))
        return hint

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        if self.value() == BY_AGE:  # below or above the year by age, either way
            return QAbstractSpinBox.StepEnabledFlag.StepUpEnabled | QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        return super().stepEnabled()

    def stepBy(self, steps: int) -> None:
        if self.value() == BY_AGE:
            self.setValue(max(BY_AGE + 1, min(HIGHEST, self.by_age + steps)))
        else:
            super().stepBy(steps)


class YearGroupField(QWidget):
    """The spin box and, beside it, the year by age for the date of birth entered."""

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = today
        self._dob: date | None = None
        self.spin = YearSpin()
        self.spin.setAccessibleName("Year group taught in")
        self.spin.setToolTip("Set only when the pupil is taught out of their year group")
        self.by_age = QLabel()
        self.by_age.setObjectName("hint")
        self.by_age.setAccessibleName("Year group by age")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.spin)
        layout.addWidget(self.by_age, 1)
        # A label's buddy: Alt+letter reaches the spin box (Tab skips a widget with a proxy).
        self.setFocusPolicy(self.spin.focusPolicy())
        self.setFocusProxy(self.spin)
        self.set_dob(None)

    def set_dob(self, dob: date | None) -> None:
        """The year by age follows the date of birth as it is typed (None: not typed yet)."""
        self._dob = dob
        if dob is None:
            self.spin.by_age = 0
            self.by_age.setText("by age: from the date of birth")
            return
        year = nc_year(dob, self.today)
        self.spin.by_age = year
        self.by_age.setText(f"{format_nc_year(year)} by age")

    def set_today(self, today: date) -> None:
        self.today = today
        self.set_dob(self._dob)

    def set_offset(self, offset: int | None) -> None:
        """Show a stored offset as the year taught in (after set_dob)."""
        self.spin.setValue(BY_AGE if not offset else max(BY_AGE + 1, min(HIGHEST, self.spin.by_age + offset)))

    def taught_in(self) -> int | None:
        """The year group chosen, or None for the year by age."""
        value = self.spin.value()
        return None if value == BY_AGE or value == self.spin.by_age else value

    def offset(self) -> int | None:
        """The year chosen as an offset from the year by age (None: by age)."""
        taught = self.taught_in()
        return None if taught is None else taught - self.spin.by_age
