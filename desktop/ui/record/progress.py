"""The Progress tab: the subjects-by-dates grid, the learning gaps, and the form that records a level."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.records import ProgressEntry
from desktop.services import Changes, Waymark
from desktop.tasks import TaskRunner

from ..forms import SaveDialog
from ..widgets import HtmlPane, badge, esc, fmt_date, from_qdate, para_text, to_qdate
from .colours import GAP_BACKGROUND, GAP_TEXT


class ProgressGrid(QWidget):
    """Subjects down, assessment dates across, the level in each cell; a learning
    gap tints the cell and is listed underneath in words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget()
        self.table.setAccessibleName("Progress: subjects by date")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.setCornerButtonEnabled(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setDefaultSectionSize(150)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.gaps = HtmlPane("Learning gaps")
        self.legend = QLabel()
        self.legend.setObjectName("hint")
        self.legend.setText("Tinted cells carry a learning gap; hover or select a cell for the target and evidence.")
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setAccessibleName("Selected assessment")
        self.record_button = QPushButton("&Record progress…")
        self.record_button.setAccessibleName("Record progress")
        splitter = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.record_button)
        top_layout.addLayout(bar)
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.legend)
        top_layout.addWidget(self.detail)
        splitter.addWidget(top)
        splitter.addWidget(self.gaps)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([400, 160])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(splitter)
        self.table.currentCellChanged.connect(self._show_detail)
        self._entries: dict[tuple[int, int], ProgressEntry] = {}

    def set_entries(self, entries: list[ProgressEntry]) -> None:
        self.clear()
        if not entries:
            self.gaps.set_body("<p class='muted'>No progress recorded yet.</p>")
            return
        subjects = sorted({e.subject for e in entries})
        dates = sorted({e.assessed_on for e in entries})
        self.table.setRowCount(len(subjects))
        self.table.setColumnCount(len(dates))
        self.table.setVerticalHeaderLabels(subjects)
        self.table.setHorizontalHeaderLabels([fmt_date(d) for d in dates])
        latest: dict[str, ProgressEntry] = {}
        for entry in entries:
            row, column = subjects.index(entry.subject), dates.index(entry.assessed_on)
            self._entries[(row, column)] = entry
            latest[entry.subject] = entry
            item = QTableWidgetItem(entry.level)
            tip = [f"{entry.subject}, {fmt_date(entry.assessed_on)}: {entry.level}"]
            if entry.target:
                tip.append(f"Target: {entry.target}")
            if entry.learning_gap:
                tip.append(f"Learning gap: {entry.learning_gap}")
                item.setBackground(QBrush(GAP_BACKGROUND))
                item.setForeground(QBrush(GAP_TEXT))
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
                item.setText(f"{entry.level}  ⚑")
            if entry.evidence:
                tip.append(f"Evidence: {entry.evidence}")
            if entry.assessed_by:
                tip.append(f"Assessed by {entry.assessed_by}")
            item.setToolTip("\n".join(tip))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, ". ".join(tip))
            self.table.setItem(row, column, item)
        self.table.scrollToItem(self.table.item(0, len(dates) - 1) or QTableWidgetItem())
        gaps = [e for e in latest.values() if e.learning_gap]
        earlier = {e.subject: e for e in entries if e.learning_gap and latest[e.subject] is not e}
        html = "<h3>Learning gaps now</h3>"
        if gaps:
            html += "".join(
                f"<p>{badge(e.subject, 'warn')} {para_text(e.learning_gap)} "
                f"<span class='muted'>({fmt_date(e.assessed_on)}; level {esc(e.level)}"
                f"{', target ' + esc(e.target) if e.target else ''})</span></p>"
                for e in sorted(gaps, key=lambda e: e.subject)
            )
        else:
            html += "<p class='muted'>None at the latest assessment in any subject.</p>"
        closed = [s for s in earlier if s not in {g.subject for g in gaps}]
        if closed:
            html += f"<p class='muted'>Gaps recorded earlier, not at the latest assessment: {esc(', '.join(sorted(closed)))}.</p>"
        self.gaps.set_body(html)

    def clear(self) -> None:
        self._entries = {}
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.detail.setText("")
        self.gaps.clear()

    def _show_detail(self, row: int, column: int, *_: int) -> None:
        entry = self._entries.get((row, column))
        self.detail.setText(self.table.item(row, column).toolTip().replace("\n", " · ") if entry else "")


class ProgressDialog(SaveDialog):
    """Record a level in a subject, with the target and any learning gap (the base school's record sheet)."""

    LEVELS = ("Working towards", "Developing", "Secure", "Greater depth")

    def __init__(
        self, app: Waymark, runner: TaskRunner, pupil_id: str, name: str, subjects: list[str], parent: QWidget | None
    ) -> None:
        super().__init__(app, runner, f"Record progress: {name}", parent)
        self.pupil_id = pupil_id
        self.subject = QComboBox()
        self.subject.setEditable(True)
        self.subject.addItems(sorted(set(subjects) | {"English", "Maths", "Science"}))
        self.level = QComboBox()
        self.level.setEditable(True)
        self.level.addItems(self.LEVELS)
        self.level.setCurrentText("")
        self.assessed_on = self.date_edit(app.today())
        self.assessed_on.setMaximumDate(to_qdate(app.today()))
        self.target = QLineEdit()
        self.gap = QLineEdit()
        self.gap.setPlaceholderText("Left empty when there is none")
        self.evidence = QLineEdit()
        self.evidence.setPlaceholderText("e.g. Work in folder and teacher assessment")
        self.add_row("&Subject:", self.subject, "Subject")
        self.add_row("&Level:", self.level, "Level or descriptor")
        self.add_row("Assessed &on:", self.assessed_on, "Assessed on")
        self.add_row("&Target:", self.target, "Target")
        self.add_row("Learning &gap:", self.gap, "Learning gap")
        self.add_row("&Evidence:", self.evidence, "Evidence")
        self.resize(480, 280)
        self.keep_drafts(
            "progress", pupil_id, title=f"progress entry for {name}", context={"pupil_id": pupil_id, "name": name}
        )

    def task(self) -> Callable[[], Changes]:
        return partial(
            self.app.add_progress,
            ProgressEntry(
                pupil_id=self.pupil_id,
                subject=self.subject.currentText().strip(),
                level=self.level.currentText().strip(),
                assessed_on=from_qdate(self.assessed_on.date()),
                target=self.target.text().strip(),
                learning_gap=self.gap.text().strip(),
                evidence=self.evidence.text().strip(),
            ),
        )
