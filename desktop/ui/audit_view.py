"""File → Audit trail: who did what to which record, when; filtered by pupil and
date; and a check that the chain of hashes still holds."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .widgets import DATE_FORMAT, from_qdate, to_qdate

if TYPE_CHECKING:
    from desktop.services import Waymark
    from desktop.tasks import TaskRunner

COLUMNS = ("When", "Who", "Did", "Record", "Detail")
LIMIT = 5000  # rows shown at once; narrow the dates to see further back


class AuditDialog(QDialog):
    def __init__(
        self,
        app: Waymark,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        pupil_id: str | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.app, self.runner = app, runner
        self.setWindowTitle("Audit trail")
        self.setAccessibleName("Audit trail")
        self._generation = 0
        today = today or date.today()
        self.pupil = QComboBox()
        self.pupil.setAccessibleName("Pupil")
        self.pupil.addItem("Everyone and everything", None)
        self._wanted_pupil = pupil_id
        self.start = QDateEdit(to_qdate(today - timedelta(days=90)))
        self.end = QDateEdit(to_qdate(today))
        for edit, name in ((self.start, "From"), (self.end, "To")):
            edit.setDisplayFormat(DATE_FORMAT)
            edit.setCalendarPopup(True)
            edit.setAccessibleName(name)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Audit entries")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.status = QLabel("")
        self.status.setAccessibleName("Audit status")
        self.status.setWordWrap(True)
        self.verify_button = QPushButton("&Check the trail")
        self.verify_button.setAccessibleName("Check the audit trail's hash chain")
        self.verify_result = QLabel("")
        self.verify_result.setAccessibleName("Check result")
        self.verify_result.setWordWrap(True)
        self.verify_result.setTextFormat(Qt.TextFormat.PlainText)

        filters = QHBoxLayout()
        for text, widget in (("&Pupil:", self.pupil), ("&From:", self.start), ("&To:", self.end)):
            caption = QLabel(text)
            caption.setBuddy(widget)
            filters.addWidget(caption)
            filters.addWidget(widget, 1 if widget is self.pupil else 0)
        checks = QHBoxLayout()
        checks.addWidget(self.verify_button)
        checks.addWidget(self.verify_result, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(checks)
        layout.addWidget(buttons)
        self.resize(900, 560)

        self.pupil.currentIndexChanged.connect(self.reload)
        self.start.dateChanged.connect(self.reload)
        self.end.dateChanged.connect(self.reload)
        self.verify_button.clicked.connect(self.verify)
        self.runner.run(lambda: app.list_pupils(include_archived=True), self._pupils_loaded, self._failed)

    def _alive(self) -> bool:
        return shiboken6.isValid(self) and self.isVisible()

    def _pupils_loaded(self, pupils: list) -> None:
        if not shiboken6.isValid(self):
            return
        self.pupil.blockSignals(True)
        for p in pupils:
            self.pupil.addItem(f"{p.legal_name} ({p.dob:%d/%m/%Y})", p.id)
        if self._wanted_pupil:
            index = self.pupil.findData(self._wanted_pupil)
            if index >= 0:
                self.pupil.setCurrentIndex(index)
        self.pupil.blockSignals(False)
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        pupil_id = self.pupil.currentData()
        start, end = from_qdate(self.start.date()), from_qdate(self.end.date())
        self.status.setText("Loading…")
        app = self.app
        self.runner.run(
            lambda: app.audit_trail(pupil_id, start, end, LIMIT),
            lambda entries: self._loaded(generation, entries),
            self._failed,
        )

    def _loaded(self, generation: int, entries: list) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:
            return
        self.table.setRowCount(len(entries))
        for row, e in enumerate(entries):
            cells = (f"{e.at:%d/%m/%Y %H:%M}", e.actor, e.action_label, e.entity_label, e.detail)
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(row, column, item)
        more = " (the most recent; narrow the dates to see earlier ones)" if len(entries) >= LIMIT else ""
        self.status.setText(f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}{more}.")

    def verify(self) -> None:
        self.verify_result.setText("Checking…")
        self.runner.run(self.app.verify_audit, self._verified, self._failed)

    def _verified(self, result: object) -> None:
        if not shiboken6.isValid(self):
            return
        if result.intact:
            erased = f", {result.redacted} blanked by erasures" if result.redacted else ""
            self.verify_result.setStyleSheet("")
            self.verify_result.setText(f"The trail is intact: {result.rows} rows checked{erased}.")
            return
        first = result.breaks[0]
        self.verify_result.setStyleSheet("QLabel { color: #b3261e; font-weight: bold; }")
        self.verify_result.setText(
            f"The trail is broken at row {first.seq} ({first.at}, {first.action}): {first.reason}"
            + (f"; {len(result.breaks) - 1} more problem(s)." if len(result.breaks) > 1 else ".")
        )

    def _failed(self, message: str) -> None:
        if shiboken6.isValid(self):
            self.status.setText(message)
