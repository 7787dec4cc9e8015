"""Reading and writing a form's fields by their accessible names, for its draft."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import Enum
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDoubleSpinBox,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QTextEdit,
    QTimeEdit,
    QWidget,
)

Fields = dict[str, Any]


def _jsonable(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return _UNSAVED


_UNSAVED = object()


def _inner(widget: QWidget) -> bool:
    """The line edit inside a combo box, spin box or date edit: its owner is what counts."""
    parent = widget.parentWidget()
    return isinstance(parent, (QComboBox, QAbstractSpinBox))


def not_drafted(*widgets: QWidget) -> None:
    """These fields find or filter (a search box): what is typed there is not the form's."""
    for widget in widgets:
        widget.setProperty("drafted", False)


def field_widgets(root: QWidget) -> dict[str, QWidget]:
    """The form's input widgets by accessible name (a repeated name gets "#2", "#3"…).
    Passphrase fields and fields marked `not_drafted` are never included."""
    found: dict[str, QWidget] = {}
    for widget in root.findChildren(QWidget):
        name = widget.accessibleName()
        if not name or _inner(widget) or isinstance(widget, QDialog) or widget.property("drafted") is False:
            continue
        if isinstance(widget, QLineEdit) and widget.echoMode() != QLineEdit.EchoMode.Normal:
            continue
        if not isinstance(
            widget,
            (QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QCheckBox, QRadioButton, QAbstractSpinBox),
        ):
            continue
        if isinstance(widget, QTextEdit) and widget.isReadOnly():
            continue
        key, n = name, 1
        while key in found:
            n += 1
            key = f"{name}#{n}"
        found[key] = widget
    return found


def read_widget(widget: QWidget) -> object:
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        if widget.isEditable():
            return {"text": widget.currentText()}
        data = _jsonable(widget.currentData())
        return {"data": data} if data is not _UNSAVED else {"text": widget.currentText()}
    if isinstance(widget, (QCheckBox, QRadioButton)):
        return widget.isChecked()
    if isinstance(widget, QDateTimeEdit):  # QDateEdit and QTimeEdit too
        value = widget.dateTime().toPython()
        if isinstance(widget, QDateEdit):
            return value.date().isoformat()
        if isinstance(widget, QTimeEdit):
            return value.time().strftime("%H:%M")
        return value.replace(second=0, microsecond=0).isoformat(timespec="minutes")
    if isinstance(widget, (QSpinBox, QDoubleSpinBox)):
        return widget.value()
    return None


def write_widget(widget: QWidget, value: object) -> None:
    """Put a saved value back; a value the widget no longer offers is left alone."""
    try:
        if isinstance(widget, QLineEdit) and isinstance(value, str):
            widget.setText(value)
        elif isinstance(widget, (QPlainTextEdit, QTextEdit)) and isinstance(value, str):
            widget.setPlainText(value)
        elif isinstance(widget, QComboBox) and isinstance(value, dict):
            if "data" in value:
                for i in range(widget.count()):
                    if _jsonable(widget.itemData(i)) == value["data"]:
                        widget.setCurrentIndex(i)
                        break
            elif widget.isEditable():
                widget.setCurrentText(value.get("text", ""))
            else:
                i = widget.findText(value.get("text", ""))
                if i >= 0:
                    widget.setCurrentIndex(i)
        elif isinstance(widget, (QCheckBox, QRadioButton)) and isinstance(value, bool):
            widget.setChecked(value)
        elif isinstance(widget, QDateEdit) and isinstance(value, str):
            day = date.fromisoformat(value)
            widget.setDate(QDate(day.year, day.month, day.day))
        elif isinstance(widget, QTimeEdit) and isinstance(value, str):
            moment = time.fromisoformat(value)
            widget.setTime(QTime(moment.hour, moment.minute))
        elif isinstance(widget, QDateTimeEdit) and isinstance(value, str):
            moment = datetime.fromisoformat(value)
            widget.setDateTime(
                QDateTime(QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute))
            )
        elif isinstance(widget, (QSpinBox, QDoubleSpinBox)) and isinstance(value, (int, float)):
            widget.setValue(value)
    except ValueError:
        pass  # a malformed value in an old draft: leave the field as the form set it


def read_fields(root: QWidget) -> Fields:
    return {name: read_widget(widget) for name, widget in field_widgets(root).items()}


def write_fields(root: QWidget, values: Fields) -> None:
    widgets = field_widgets(root)
    # Choices first: a choice can enable or fill other fields (a new site, a place type).
    ordered = sorted(widgets.items(), key=lambda item: not isinstance(item[1], (QComboBox, QAbstractButton)))
    for name, widget in ordered:
        if name in values:
            write_widget(widget, values[name])


def changed_signal(widget: QWidget):
    if isinstance(widget, QLineEdit):
        return widget.textChanged
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return widget.textChanged
    if isinstance(widget, QComboBox):
        return widget.editTextChanged if widget.isEditable() else widget.currentIndexChanged
    if isinstance(widget, QAbstractButton):
        return widget.toggled
    if isinstance(widget, QDateTimeEdit):
        return widget.dateTimeChanged
    if isinstance(widget, (QSpinBox, QDoubleSpinBox)):
        return widget.valueChanged
    return None
