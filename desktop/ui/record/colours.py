"""The record's colours, shared by the chart, the progress grid and the actions list."""

from __future__ import annotations

from PySide6.QtGui import QColor

DELIVERED_COLOUR = QColor("#2f7d6d")
BELOW_COLOUR = QColor("#d9822b")
CURRENT_COLOUR = QColor("#9cc9be")
TARGET_COLOUR = QColor("#1d2733")
GAP_BACKGROUND = QColor("#fdf1dc")
GAP_TEXT = QColor("#8a4600")
OVERDUE_TEXT = QColor("#a4161a")
