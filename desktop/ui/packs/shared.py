"""What the pack files share: item roles, colours, a pack's NC years, and small
widget makers."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QTreeWidget, QWidget

from desktop.domain.enums import ItemStatus
from desktop.domain.records import WorkPack

ID_ROLE = Qt.ItemDataRole.UserRole + 1


FOLDER_ROLE = Qt.ItemDataRole.UserRole + 2


KEY_STAGES = ("", "EYFS", "KS1", "KS2", "KS3", "KS4")


DEFAULT_WEEKS_AWAY = 6  # half a term: the usual period of travel a folder covers


STATUS_COLOURS = {
    ItemStatus.NOT_STARTED: "#5b6470",
    ItemStatus.IN_PROGRESS: "#8a4600",
    ItemStatus.RETURNED: "#1f4f82",
    ItemStatus.MARKED: "#0b5d3b",
}


OVERDUE_BACKGROUND = QColor("#fbe4e4")


OVERDUE_TEXT = QColor("#a4161a")


RETURNED_TEXT = QColor("#5b6470")


def pack_years(pack: WorkPack) -> range | None:
    """'3-4' -> years 3 and 4; '1' -> year 1; anything else -> unknown."""
    text = pack.nc_years.replace("–", "-").replace(" ", "")
    try:
        first, _, last = text.partition("-")
        return range(int(first), int(last or first) + 1)
    except ValueError:
        return None


def suits(pack: WorkPack, nc_year: int) -> bool:
    years = pack_years(pack)
    return years is not None and nc_year in years


def _pack_row(pack: WorkPack) -> list[str]:
    return [pack.title, pack.subject, pack.key_stage, pack.nc_years, pack.topic, str(len(pack.items))]


def _tree(name: str, headers: list[str]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setAccessibleName(name)
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setAlternatingRowColors(True)
    tree.setUniformRowHeights(True)
    tree.setStyleSheet("QTreeWidget::item { padding: 3px 2px; }")
    tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return tree


def _buddy(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    return label
