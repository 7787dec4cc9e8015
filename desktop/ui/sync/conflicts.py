"""File → Sync conflicts: both versions side by side, each conflict's typed merge
kept as a private draft."""

from __future__ import annotations

from html import escape

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.sync import SyncService
from desktop.tasks import TaskRunner

from ..drafts import DraftedDialog, Fields
from ..widgets import Banner


class ConflictsDialog(DraftedDialog):
    """File → Sync conflicts: both versions side by side; keep one, or merge them.

    A merge typed and not yet kept is never lost without asking: each conflict keeps its
    own typed merge while the user moves between them, the merges are kept as one draft
    (kind "conflicts") like any form's, Esc or Close with a merge typed asks Discard /
    Keep for later / Keep editing, and the idle lock keeps them. The draft is private:
    a conflict may hold a professional's words, so it never reopens by itself."""

    resolved = Signal()

    def __init__(self, runner: TaskRunner, service: SyncService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.service, self.app = runner, service, service.app
        self.setWindowTitle("Sync conflicts")
        self.resize(820, 480)
        self.rows: list[tuple] = []
        self.typed: dict[str, str] = {}  # conflict id -> the merge typed for it, not yet kept
        self._current = ""  # the conflict shown
        self._suggested = ""  # the merge offered for it before any typing
        self._showing = False
        outer = QVBoxLayout(self)
        self.banner = Banner(self)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)  # a message may hold the server's words
        outer.addWidget(self.banner)
        layout = QHBoxLayout()
        outer.addLayout(layout)
        self.list = QListWidget()
        self.list.setAccessibleName("Conflicts")
        self.list.currentRowChanged.connect(self._show)
        self.list.setWordWrap(True)  # a child's name and the record in full, never cut short
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSpacing(2)
        layout.addWidget(self.list, 2)
        right = QVBoxLayout()
        layout.addLayout(right, 3)
        self.heading = QLabel("")
        self.heading.setWordWrap(True)
        # Rich text always, everything in it escaped: left to guess, Qt drew an escaped message
        # with no tag in it as plain text, its &#x27; and all.
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        right.addWidget(self.heading)
        self.mine = self._text("Mine (this laptop's user)", right)
        self.theirs = self._text("Theirs", right)
        self.merged = self._text("Merged: edit, then Keep merged", right, read_only=False)
        self.merged.textChanged.connect(self._merge_typed)
        buttons = QHBoxLayout()
        self.keep_mine = QPushButton("Keep &mine")
        self.keep_theirs = QPushButton("Keep &theirs")
        self.keep_merged = QPushButton("Keep mer&ged")
        self.close_button = QPushButton("&Close")
        self.keep_mine.clicked.connect(lambda: self._resolve("mine"))
        self.keep_theirs.clicked.connect(lambda: self._resolve("theirs"))
        self.keep_merged.clicked.connect(lambda: self._resolve(self.merged.toPlainText()))
        self.close_button.clicked.connect(self.reject)  # as Esc: a typed merge is asked about
        for button in (self.keep_mine, self.keep_theirs, self.keep_merged, self.close_button):
            # No default button: Enter on the list must never keep a side the user did not choose.
            button.setAutoDefault(False)
            button.setDefault(False)
            buttons.addWidget(button)
        right.addLayout(buttons)
        self.empty = QLabel("No conflicts: every change merged cleanly.")
        right.addWidget(self.empty)
        self.keep_drafts("conflicts", title="merge of sync conflicts", private=True)
        self.reload()

    @staticmethod
    def _text(title: str, layout: QVBoxLayout, *, read_only: bool = True) -> QPlainTextEdit:
        layout.addWidget(QLabel(title))
        box = QPlainTextEdit()
        box.setReadOnly(read_only)
        box.setAccessibleName(title)
        box.setMaximumHeight(90)
        layout.addWidget(box)
        return box

    # --- the draft: every conflict's typed merge ----------------------------------------

    def draft_fields(self) -> Fields:
        return dict(self.typed)

    def restore_draft(self, values: Fields) -> None:
        present = {row[0].id for row in self.rows}  # the conflicts are listed before a draft is put back
        self.typed.update({key: text for key, text in values.items() if isinstance(text, str) and key in present})
        if self._current in self.typed:
            self._set_merged(self.typed[self._current])

    def _merge_typed(self) -> None:
        if self._showing or not self._current:
            return
        text = self.merged.toPlainText()
        if text == self._suggested:  # typed, then put back as offered: nothing to keep
            self.typed.pop(self._current, None)
        else:
            self.typed[self._current] = text
        if self.drafts is not None:
            self.drafts.changed()

    def _set_merged(self, text: str) -> None:
        self._showing = True
        try:
            self.merged.setPlainText(text)
            self.merged.moveCursor(QTextCursor.MoveOperation.End)  # typing goes on where it stopped
        finally:
            self._showing = False

    # --- loading and showing --------------------------------------------------------------

    def reload(self) -> None:
        service = self.service

        def load() -> list[tuple]:
            return [(c, *service.mine_and_theirs(c), service.about(c)) for c in service.conflicts()]

        self.loading_started()  # a kept merge goes back once the conflicts are listed
        self.runner.run(load, self._loaded, self._load_failed)

    def _load_failed(self, message: str) -> None:
        if shiboken6.isValid(self):
            self._error(message)
            self.loading_finished()

    def _loaded(self, rows: list[tuple]) -> None:
        if not shiboken6.isValid(self):  # closed while the conflicts were read
            return
        self.rows = rows
        self._current = ""  # clearing the list must not count as typing
        # A merge for a conflict that is gone (resolved, or its record left) has nothing to go to.
        present = {row[0].id for row in rows}
        for gone in set(self.typed) - present:
            del self.typed[gone]
        self.list.clear()
        for conflict, _mine, _theirs, topic in rows:
            item = QListWidgetItem(topic.title)  # "Lily Smith — details: medical needs"
            item.setToolTip(topic.title)
            item.setData(Qt.ItemDataRole.UserRole, conflict.id)
            self.list.addItem(item)
        has = bool(rows)
        for widget in (self.keep_mine, self.keep_theirs, self.keep_merged, self.mine, self.theirs, self.merged):
            widget.setEnabled(has)
        self.empty.setVisible(not has)
        if has:
            self.list.setCurrentRow(0)
        else:
            for box in (self.mine, self.theirs, self.merged):
                box.clear()
            self.heading.clear()
        self.loading_finished()

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            self._current = ""
            return
        conflict, mine, theirs, topic = self.rows[row]
        if conflict.kind == "deleted":
            self.heading.setText(
                f"<b>{escape(topic.title)}</b><br>Someone deleted this record on another laptop while these "
                "words were written. Keep mine brings it back with them; keep theirs leaves it deleted."
            )
            theirs = "(deleted)"
        else:
            who = conflict.other_by if conflict.other_value == theirs else conflict.kept_by
            self.heading.setText(
                f"<b>{escape(topic.title)}</b><br>Both laptops changed the {escape(topic.field)}"
                + (f" ({escape(who)})." if who else ".")
            )
        self.mine.setPlainText(mine)
        self.theirs.setPlainText(theirs)
        self._current = ""
        self._suggested = f"{mine}\n{theirs}" if conflict.kind == "edit" else mine
        self._set_merged(self.typed.get(conflict.id, self._suggested))  # what was typed for it, if anything
        self._current = conflict.id

    def _resolve(self, keep: str) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.rows):
            return
        conflict_id = self.rows[row][0].id
        if not keep.strip():
            self._error("The merged text is empty: write what should be kept.")
            return
        service = self.service

        def resolve() -> None:
            service.resolve(conflict_id, keep)

        def done(_result: object) -> None:
            if shiboken6.isValid(self):
                self.typed.pop(conflict_id, None)  # kept (or the user chose a side): no longer a draft
                if self.drafts is not None:
                    self.drafts.changed()
                self.resolved.emit()
                self.reload()

        self.runner.run(resolve, done, self._error)

    def _error(self, message: str) -> None:
        if shiboken6.isValid(self):
            self.heading.setText(escape(message))  # the heading is rich text; a message is not
