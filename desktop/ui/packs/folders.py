"""A pupil's folders and their items, used by the pupil record; overdue ones in red."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enums import ItemStatus
from desktop.domain.records import Folder
from desktop.services import Changes, Waymark
from desktop.tasks import TaskRunner

from ..common import set_tab_order
from ..widgets import Banner, fmt_date
from .issue import IssueFolderDialog
from .shared import FOLDER_ROLE, ID_ROLE, OVERDUE_BACKGROUND, OVERDUE_TEXT, RETURNED_TEXT, STATUS_COLOURS, _tree


def folder_overdue(folder: Folder, today: date) -> bool:
    return folder.returned_on is None and folder.expected_back is not None and folder.expected_back < today


def _folder_title(folder: Folder, today: date) -> tuple[str, str]:
    """The folder's line and its status text."""
    title = f"Issued {fmt_date(folder.issued_on)}"
    if folder.issued_by:
        title += f" by {folder.issued_by}"
    if folder.returned_on:
        return title, f"Back {fmt_date(folder.returned_on)}"
    if folder_overdue(folder, today):
        days = (today - folder.expected_back).days
        return title, f"OVERDUE: due back {fmt_date(folder.expected_back)} ({days} day{'s' if days != 1 else ''})"
    if folder.expected_back:
        return title, f"Out: due back {fmt_date(folder.expected_back)}"
    return title, "Out"


class FoldersPanel(QWidget):
    """A pupil's folders, newest first, with their items; mark items returned or
    marked, record the folder back, issue a new one. Overdue folders are tinted
    red and say so in words."""

    def __init__(self, app: Waymark, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app, self.runner = app, runner
        self._pupil_id: str | None = None
        self._folders: list[Folder] = []
        self.setAccessibleName("Folders")

        self.summary = QLabel()
        self.summary.setObjectName("sectionTitle")
        self.summary.setAccessibleName("Folders summary")
        self.issue_button = QPushButton("&Issue folder…")
        self.issue_button.setObjectName("primary")
        self.issue_button.setAccessibleName("Issue a folder")
        self.returned_button = QPushButton("Mark &returned")
        self.returned_button.setAccessibleName("Mark the selected items returned")
        self.marked_button = QPushButton("Mark marke&d")
        self.marked_button.setAccessibleName("Mark the selected items marked")
        self.back_button = QPushButton("F&older back")
        self.back_button.setAccessibleName("Record the whole folder as back")
        self.back_button.setToolTip("The folder has come back: items not yet returned are marked returned.")
        self.tree = _tree("Folders and their items", ["Folder and items", "Subject", "Status"])
        self.tree.setRootIsDecorated(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        # In the record's narrow pane "Issued 9 Jun 2026 by Base school" wraps rather than
        # losing its end: rows take the height their text needs.
        # In the record's narrow pane a folder's line is two ("Issued 9 Jun 2026" / "by Base
        # school") rather than one that loses its end: rows take the height their text needs.
        self.tree.setUniformRowHeights(False)
        self.empty = QLabel("No folders issued yet.")
        self.empty.setObjectName("hint")
        self.banner = Banner(self)

        bar = QHBoxLayout()
        for button in (self.returned_button, self.marked_button, self.back_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.issue_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.summary)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty)
        set_tab_order(self.tree, self.returned_button, self.marked_button, self.back_button, self.issue_button)

        self.issue_button.clicked.connect(self.issue)
        self.returned_button.clicked.connect(lambda: self.set_selected_status(ItemStatus.RETURNED))
        self.marked_button.clicked.connect(lambda: self.set_selected_status(ItemStatus.MARKED))
        self.back_button.clicked.connect(self.return_selected_folder)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.clear()

    # --- public -----------------------------------------------------------------------------

    def set_folders(self, pupil_id: str, folders: list[Folder], today: date) -> None:
        same_pupil = pupil_id == self._pupil_id
        expanded = self._expanded() if same_pupil else None
        selected = {i.data(0, ID_ROLE) for i in self.tree.selectedItems()} if same_pupil else set()
        self._pupil_id, self._folders = pupil_id, folders
        self.issue_button.setEnabled(True)
        self.tree.clear()
        bold = QFont(self.tree.font())
        bold.setBold(True)
        overdue = 0
        for folder in folders:
            title, status = _folder_title(folder, today)
            late = folder_overdue(folder, today)
            overdue += late
            back = sum(i.status in (ItemStatus.RETURNED, ItemStatus.MARKED) for i in folder.items)
            shown = title.replace(" by ", "\nby ", 1)
            top = QTreeWidgetItem([shown, f"{back} of {len(folder.items)} back", status])
            top.setData(0, ID_ROLE, folder.id)
            top.setData(0, FOLDER_ROLE, folder.id)
            top.setToolTip(0, title)
            top.setToolTip(2, status)
            for column in range(3):
                top.setFont(column, bold)
                if late:
                    top.setBackground(column, QBrush(OVERDUE_BACKGROUND))
                    top.setForeground(column, QBrush(OVERDUE_TEXT))
                elif folder.returned_on:
                    top.setForeground(column, QBrush(RETURNED_TEXT))
            top.setData(0, Qt.ItemDataRole.AccessibleTextRole, f"{title}. {status}. {back} of {len(folder.items)} back")
            for entry in folder.items:
                child = QTreeWidgetItem([entry.title, entry.subject, entry.status.label])
                child.setData(0, ID_ROLE, entry.id)
                child.setData(0, FOLDER_ROLE, folder.id)
                child.setForeground(2, QBrush(QColor(STATUS_COLOURS[entry.status])))
                if entry.comment:
                    child.setToolTip(0, entry.comment)
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setFirstColumnSpanned(False)
            # Open folders are expanded; returned ones fold away unless the user opened them.
            top.setExpanded(folder.id in expanded if expanded is not None else folder.returned_on is None)
            for item in [top, *(top.child(c) for c in range(top.childCount()))]:
                item.setSelected(item.data(0, ID_ROLE) in selected)
        out = sum(f.returned_on is None for f in folders)
        parts = [f"{len(folders)} folder{'s' if len(folders) != 1 else ''}", f"{out} out"]
        if overdue:
            parts.append(f"{overdue} overdue")
        self.summary.setText(" · ".join(parts) if folders else "Folders")
        self.summary.setStyleSheet(f"color: {OVERDUE_TEXT.name()};" if overdue else "")
        self.empty.setVisible(not folders)
        self.tree.setVisible(bool(folders))
        self._selection_changed()

    def clear(self) -> None:
        self._pupil_id, self._folders = None, []
        self.tree.clear()
        self.summary.setText("Folders")
        self.summary.setStyleSheet("")
        self.banner.clear_message()
        self.empty.setVisible(True)
        self.issue_button.setEnabled(False)
        self._selection_changed()

    def issue(self) -> IssueFolderDialog | None:
        if not self._pupil_id:
            return None
        dialog = IssueFolderDialog(self.app, self.runner, self._pupil_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def set_selected_status(self, status: ItemStatus) -> None:
        targets = self._selected_items()
        if not targets:
            return

        def work() -> Changes:
            changed: list[Changes] = [
                self.app.set_item_status(folder_id, item_id, status) for folder_id, item_id in targets
            ]
            return Changes(frozenset().union(*(c.entities for c in changed)), tuple(c.id for c in changed))

        self.banner.clear_message()
        self.runner.run(work, None, self.banner.show_message)

    def return_selected_folder(self) -> None:
        folder_id = self._selected_folder()
        if folder_id:
            self.banner.clear_message()
            self.runner.run(lambda: self.app.return_folder(folder_id), None, self.banner.show_message)

    # --- selection ----------------------------------------------------------------------------

    def _expanded(self) -> set[str]:
        return {
            self.tree.topLevelItem(i).data(0, ID_ROLE)
            for i in range(self.tree.topLevelItemCount())
            if self.tree.topLevelItem(i).isExpanded()
        }

    def _selected_items(self) -> list[tuple[str, str]]:
        """(folder id, item id) for each selected item; a selected folder means all its items."""
        found: dict[str, tuple[str, str]] = {}
        for item in self.tree.selectedItems():
            children = [item.child(c) for c in range(item.childCount())] if item.parent() is None else [item]
            for child in children:
                found[child.data(0, ID_ROLE)] = (child.data(0, FOLDER_ROLE), child.data(0, ID_ROLE))
        return list(found.values())

    def _selected_folder(self) -> str | None:
        folders = {item.data(0, FOLDER_ROLE) for item in self.tree.selectedItems()}
        if len(folders) != 1:
            return None
        folder_id = folders.pop()
        folder = next((f for f in self._folders if f.id == folder_id), None)
        return folder_id if folder and folder.returned_on is None else None

    def _selection_changed(self) -> None:
        has_items = bool(self._selected_items())
        self.returned_button.setEnabled(has_items)
        self.marked_button.setEnabled(has_items)
        self.back_button.setEnabled(self._selected_folder() is not None)

    def _context_menu(self, position) -> None:
        if not self._selected_items():
            return
        menu = QMenu(self)
        menu.setAccessibleName("Item status")
        for status in ItemStatus:
            menu.addAction(f"Mark {status.label.lower()}", lambda s=status: self.set_selected_status(s))
        if self._selected_folder():
            menu.addSeparator()
            menu.addAction("Folder back", self.return_selected_folder)
        menu.exec(self.tree.viewport().mapToGlobal(position))
