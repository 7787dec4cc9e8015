"""`DraftsBar`: every unsaved form kept on this device, offered above the caseload."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from desktop.domain.records import Draft

from .keeper import when_saved


class DraftsBar(QFrame):
    """Above the caseload after unlocking or starting again: every unsaved form kept on
    this device. One: "You have an unsaved visit for Noah and Lily Smith, kept at 14:32."
    with Reopen and Discard. Several: a short list, a Reopen and a Discard for each.
    Nothing leaves the list unless the user reopens it, discards it, or saves it."""

    reopen_requested = Signal(object)  # Draft
    discard_requested = Signal(object)  # Draft

    SHOWN_ROWS = 4  # more than this scroll, so the caseload keeps its room

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("draftsBar")
        self.setStyleSheet(
            "QFrame#draftsBar { background: #e6eef8; border: 1px solid #bcd0ea; border-radius: 4px; }"
            " QFrame#draftsBar QLabel { color: #1f4f82; }"
        )
        self.setAccessibleName("Unsaved forms")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Unsaved form")
        self.reopen_button = QPushButton("Reopen")
        self.reopen_button.setAccessibleName("Reopen the unsaved form")
        self.discard_button = QPushButton("Discard")
        self.discard_button.setAccessibleName("Discard the unsaved form")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.text, 1)
        top.addWidget(self.reopen_button)
        top.addWidget(self.discard_button)
        self.list = QWidget()
        self.list.setObjectName("draftsList")
        self.list.setAccessibleName("Unsaved forms: reopen or discard each")
        self._rows = QVBoxLayout(self.list)
        self._rows.setContentsMargins(12, 0, 0, 0)
        self._rows.setSpacing(2)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.list)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setStyleSheet("QScrollArea, QWidget#draftsList { background: transparent; }")
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 4, 8, 4)
        column.setSpacing(2)
        column.addLayout(top)
        column.addWidget(self.scroll)
        self.drafts: list[Draft] = []
        self.rows: list[tuple[QLabel, QPushButton, QPushButton]] = []  # label, Reopen, Discard per draft
        self.reopen_button.clicked.connect(lambda: self.drafts and self.reopen_requested.emit(self.drafts[0]))
        self.discard_button.clicked.connect(lambda: self.drafts and self._discard(self.drafts[0]))
        self.hide()

    def set_drafts(self, drafts: list[Draft]) -> None:
        self.drafts = list(drafts)
        self._clear_rows()
        if not self.drafts:
            self.text.clear()
            self.hide()
            return
        one = len(self.drafts) == 1
        self.reopen_button.setVisible(one)
        self.discard_button.setVisible(one)
        self.scroll.setVisible(not one)
        if one:
            first = self.drafts[0]
            self.text.setText(f"You have an unsaved {first.title}, kept {when_saved(first)}.")
        else:
            self.text.setText(f"You have {len(self.drafts)} unsaved forms. Reopen or discard each:")
            for draft in self.drafts:
                self._add_row(draft)
            height = self.reopen_button.sizeHint().height() + 2
            self.scroll.setFixedHeight(min(len(self.drafts), self.SHOWN_ROWS) * height + 2)
        self.show()

    def _add_row(self, draft: Draft) -> None:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        text = QLabel(f"{draft.title[:1].upper()}{draft.title[1:]}, kept {when_saved(draft)}")
        text.setAccessibleName("Unsaved form")
        reopen = QPushButton("Reopen")
        reopen.setAccessibleName(f"Reopen the unsaved {draft.title}")
        discard = QPushButton("Discard")
        discard.setAccessibleName(f"Discard the unsaved {draft.title}")
        reopen.clicked.connect(lambda: self.reopen_requested.emit(draft))
        discard.clicked.connect(lambda: self._discard(draft))
        row.addWidget(text, 1)
        row.addWidget(reopen)
        row.addWidget(discard)
        self._rows.addWidget(holder)
        self.rows.append((text, reopen, discard))

    def _clear_rows(self) -> None:
        while self._rows.count():
            item = self._rows.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()
                item.widget().deleteLater()
        self.rows = []

    def remove(self, kind: str, key: str) -> None:
        self.set_drafts([d for d in self.drafts if (d.kind, d.key) != (kind, key)])

    def _discard(self, draft: Draft) -> None:
        self.remove(draft.kind, draft.key)
        self.discard_requested.emit(draft)
