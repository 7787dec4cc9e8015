"""The caseload table's columns: fitted to their content and to a 1366x768 laptop,
the user's own widths and choice of columns kept once they make them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, QPoint
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:  # the services (SQLAlchemy, SQLCipher) load after the unlock window shows
    pass

from ...caseload_model import HEADERS, Column


class ColumnFitting:
    """Mixed into `Workspace`: sizing and choosing the caseload columns."""

    def _fit_columns(self) -> None:
        """Size columns to their content once, then fit them to the table's width, so a
        1366x768 laptop shows Name to Base school with no sideways scrolling: the wide
        columns give way (their text elided, never their header). The user's own widths
        are kept once they drag a column."""
        if self._columns_fitted or not self.model.rowCount():
            return
        metrics = self.table.fontMetrics()
        caps = {Column.NAME: 24, Column.SITE: 22, Column.SCHOOL: 24, Column.ATTENTION: 22}
        sample = range(min(self.model.rowCount(), 300))  # enough to see the widths; cheap at 5,000
        for column in Column:
            texts = [self.model.index(row, column).data() or "" for row in sample]
            widest = max([metrics.horizontalAdvance(t) for t in texts] + [self._header_width(column)])
            cap = caps.get(column, 40) * metrics.averageCharWidth()
            self._wanted[column] = max(min(widest, cap) + 20, self._header_width(column))
        self._fit_to_view()

    def _header_width(self, column: Column) -> int:
        """What the header needs: its text in bold (the stylesheet's), padding, the sort arrow."""
        font = QFont(self.table.horizontalHeader().font())
        font.setBold(True)
        return QFontMetrics(font).horizontalAdvance(HEADERS[column]) + 12 + 20

    def _fit_to_view(self) -> None:
        if self._columns_fitted or not self._wanted:
            return
        header = self.table.horizontalHeader()
        shown = [c for c in Column if not header.isSectionHidden(c)]
        room = self.table.viewport().width()
        widths = {c: self._wanted[c] for c in shown}
        over = sum(widths.values()) - room
        # The columns that can give way, down to what their header needs: where a pupil is
        # first (site, then base school), then what needs attention, and the name last.
        for elastic in ((Column.SITE, Column.SCHOOL), (Column.ATTENTION,), (Column.NAME,)):
            while over > 0:
                slack = {c: widths[c] - self._header_width(c) for c in elastic if c in widths}
                slack = {c: spare for c, spare in slack.items() if spare > 0}
                if not slack:
                    break
                share = sum(slack.values())
                cut = min(over, share)
                for c, spare in slack.items():
                    widths[c] -= min(spare, -(-cut * spare // share))  # round up, never below the header
                over = sum(widths.values()) - room
        self._fitting = True
        try:
            for column, width in widths.items():
                header.resizeSection(column, width)
        finally:
            self._fitting = False

    def _section_resized(self, *_args: object) -> None:
        if self._dragging and not self._fitting:
            self._columns_fitted = self._user_sized = True  # the user dragged a column: their widths from now on

    def _show_column(self, column: Column, on: bool) -> None:
        self.table.horizontalHeader().setSectionHidden(column, not on)
        self._user_sized = True  # their choice of columns is kept
        self._fit_to_view()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_to_view()
        elif watched is self.table.horizontalHeader().viewport():
            if event.type() == QEvent.Type.MouseButtonPress:
                self._dragging = True
            elif event.type() == QEvent.Type.MouseButtonRelease:
                self._dragging = False
        return super().eventFilter(watched, event)

    def _column_menu(self, position: QPoint) -> None:
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        menu.setAccessibleName("Columns")
        for column in Column:
            if column == Column.NAME:
                continue
            action = menu.addAction(HEADERS[column])
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.toggled.connect(lambda on, c=column: self._show_column(c, on))
        menu.popup(header.mapToGlobal(position))

    def _restore_header(self, state: QByteArray) -> None:
        if self.table.horizontalHeader().restoreState(state):
            self._columns_fitted = self._user_sized = True  # the user's widths, not ours
