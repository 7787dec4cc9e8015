"""What a new, empty profile shows instead of an empty table: what to do first."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QPushButton, QVBoxLayout, QWidget

from .common import label


class GettingStarted(QWidget):
    """Steps for a new caseload: add a school, add a pupil, then log a visit. (Importing
    pupils from a school's Common Transfer File is named as not there yet.)"""

    add_school_requested = Signal()
    add_pupil_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Getting started")
        card = QFrame()
        card.setObjectName("card")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(label("Your caseload is empty", "heading"))
        layout.addWidget(
            label(
                "Three steps to your first visit report. Each can be done again at any time.", "subheading", wrap=True
            )
        )
        steps = QGridLayout()
        steps.setHorizontalSpacing(14)
        steps.setVerticalSpacing(12)
        self.school_text = label("", wrap=True)
        self.school_button = QPushButton("Add a school…")
        self.school_button.setAccessibleName("Add a school")
        self.pupil_text = label(
            "<b>2. Add a pupil</b>: their name, date of birth, UPN if they have one, base school and "
            "the site they are staying at (Ctrl+Shift+N).",
            wrap=True,
        )
        self.pupil_button = QPushButton("Add a pupil…")
        self.pupil_button.setObjectName("primary")
        self.pupil_button.setAccessibleName("Add a pupil")
        visit_text = label(
            "<b>3. Log a visit</b> from the pupil's record, or press Ctrl+N anywhere. "
            "Print the visit report for the family, your service and the base school.",
            wrap=True,
        )
        for row, (text, button) in enumerate(
            ((self.school_text, self.school_button), (self.pupil_text, self.pupil_button), (visit_text, None))
        ):
            text.setTextFormat(Qt.TextFormat.RichText)
            steps.addWidget(text, row, 0)
            if button is not None:
                steps.addWidget(button, row, 1, Qt.AlignmentFlag.AlignTop)
        steps.setColumnStretch(0, 1)
        layout.addLayout(steps)
        self.later = label(
            "Importing pupils from a school's Common Transfer File (CTF) is not available yet: add them here.",
            "hint",
            wrap=True,
        )
        layout.addWidget(self.later)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 16, 16, 16)
        outer.addWidget(card)
        outer.addStretch(1)
        self.school_button.clicked.connect(self.add_school_requested)
        self.pupil_button.clicked.connect(self.add_pupil_requested)
        self.set_schools(0)

    def set_schools(self, count: int) -> None:
        """Step 1 says how many schools are recorded once there are some."""
        if count:
            done = f"{count} school{'s are' if count != 1 else ' is'} recorded; add another when you need it."
            self.school_text.setText(f"<b>1. Add the base schools</b> ✓ {done}")
        else:
            self.school_text.setText(
                "<b>1. Add the base schools</b> your pupils are on roll at: the name, URN, LA code and "
                "establishment number (a school can also be added later)."
            )
