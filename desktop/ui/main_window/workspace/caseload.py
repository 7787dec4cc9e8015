"""The caseload pane of the workspace: search and filters over the table (or first
steps for an empty profile), loading, filtering and selecting a pupil."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enums import Cohort

if TYPE_CHECKING:  # the services (SQLAlchemy, SQLCipher) load after the unlock window shows
    from desktop.services import CaseloadRow

from ...caseload_model import COHORT_LABELS, CaseloadFilter, CaseloadModel, CaseloadProxy, Column
from ...common import label, set_tab_order
from ...getting_started import GettingStarted


class CaseloadPane:
    """Mixed into `Workspace`: the caseload table, its filters and the pupil selected."""

    def _build_caseload(self) -> QWidget:
        """The caseload pane: search, filters, the table (or first steps), the count."""
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search names, UPN or base school  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the caseload")
        self.cohort = QComboBox()
        self.cohort.setAccessibleName("Filter by cohort")
        self.cohort.addItem("All cohorts", None)
        for cohort in Cohort:
            self.cohort.addItem(COHORT_LABELS[cohort], cohort.value)  # Qt keeps a StrEnum as a plain str
        self.site = QComboBox()
        self.site.setAccessibleName("Filter by site")
        self.school = QComboBox()
        self.school.setAccessibleName("Filter by base school")
        for combo in (self.site, self.school):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
        self.attention = QCheckBox("Needs &attention")
        self.attention.setAccessibleName("Show only pupils who need attention")
        self._fill_choice(self.site, "All sites", [])
        self._fill_choice(self.school, "All base schools", [])

        self.model = CaseloadModel(self)
        self.proxy = CaseloadProxy(self.model, self)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Caseload")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, as keyboard users expect
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        header.setSectionHidden(Column.UPN, True)  # searchable, but rarely read: shown on request
        header.setSectionHidden(Column.COHORT, True)  # a filter above says it; shown on request
        self._columns_fitted = False  # the user has set their own widths (or we have fitted them once)
        self._fitting = False
        self._wanted: dict[int, int] = {}  # each column's width for its content, capped
        self._dragging = False  # the user is dragging a column's edge
        self._user_sized = False  # the user has dragged a column or chosen the columns
        header.sectionResized.connect(self._section_resized)
        header.viewport().installEventFilter(self)
        self.table.viewport().installEventFilter(self)

        find = QHBoxLayout()
        find.addWidget(self.search, 1)
        find.addWidget(self.attention)
        filters = QHBoxLayout()
        filters.addWidget(self._labelled("&Cohort:", self.cohort))
        filters.addWidget(self.cohort, 1)
        filters.addWidget(self._labelled("&Site:", self.site))
        filters.addWidget(self.site, 2)
        filters.addWidget(self._labelled("&Base school:", self.school))
        filters.addWidget(self.school, 2)

        self.shown_label = label("", "hint")
        # A new, empty profile shows what to do first instead of an empty table.
        self.getting_started = GettingStarted()
        self.getting_started.add_school_requested.connect(self.add_school)
        self.getting_started.add_pupil_requested.connect(self.add_pupil)
        self.finders = QWidget()
        finders = QVBoxLayout(self.finders)
        finders.setContentsMargins(0, 0, 0, 0)
        finders.addLayout(find)
        finders.addLayout(filters)
        self.caseload_pages = QStackedWidget()
        self.caseload_pages.addWidget(self.table)
        self.caseload_pages.addWidget(self.getting_started)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(8, 8, 4, 4)
        column.addWidget(self.finders)
        column.addWidget(self.caseload_pages, 1)
        column.addWidget(self.shown_label)
        return left

    def _connect_caseload(self) -> None:
        set_tab_order(self.search, self.cohort, self.site, self.school, self.attention, self.table)
        self.search.textChanged.connect(self._filters_changed)
        self.cohort.currentIndexChanged.connect(self._filters_changed)
        self.site.currentIndexChanged.connect(self._filters_changed)
        self.school.currentIndexChanged.connect(self._filters_changed)
        self.attention.toggled.connect(self._filters_changed)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.activated.connect(lambda index: self.log_visit(self.proxy.pupil_id(index.row())))

    @staticmethod
    def _labelled(text: str, buddy: QWidget) -> QLabel:
        widget = QLabel(text)
        widget.setBuddy(buddy)
        return widget

    @staticmethod
    def _fill_choice(combo: QComboBox, everything: str, choices: list[tuple[str, str]]) -> None:
        """Refill a filter combo, keeping the current choice when it still exists."""
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, None)
        for key, text in sorted(choices, key=lambda c: c[1].casefold()):
            combo.addItem(text, key)
        combo.setCurrentIndex(max(0, combo.findData(current)) if current else 0)
        combo.blockSignals(False)

    # --- loading and filtering ---------------------------------------------------------

    def reload(self) -> None:
        if not self._loaded_once:
            self.shown_label.setText("Loading the caseload…")
        self.call(self.app.caseload, self._loaded)

    def _loaded(self, rows: list[CaseloadRow]) -> None:
        current, self._select_next = self._select_next or self.current_pupil_id(), None
        self._fill_choice(self.site, "All sites", list({(r.site_id, r.site) for r in rows if r.site_id}))
        self._fill_choice(
            self.school, "All base schools", list({(r.base_school_id, r.base_school) for r in rows if r.base_school_id})
        )
        self._needing = sum(1 for r in rows if r.attention)
        self._show_getting_started(not rows)
        self.model.set_rows(rows)
        self.proxy.sort(self.table.horizontalHeader().sortIndicatorSection(), self._sort_order())
        self._apply_filter()
        self._fit_columns()
        first_load = not self._loaded_once
        self._loaded_once = True
        shown = self._shown_pupil
        if shown and not any(r.pupil_id == shown for r in rows):
            # Gone from the caseload: if gone from the laptop too (a sync removed a pupil who is
            # no longer this user's), the record must not stay on screen.
            self.call(lambda: self.app.get_pupil(shown), None, lambda _message: self._forget_shown(shown))
        if current and self.select_pupil(current):
            return
        if first_load and self.proxy.rowCount():
            self.table.selectRow(0)

    def _show_getting_started(self, empty: bool) -> None:
        if empty:
            self.call(lambda: len(self.app.list_schools()), self.getting_started.set_schools)
        if empty == (self.caseload_pages.currentWidget() is self.getting_started):
            return
        had_focus = self.table.hasFocus()
        self.caseload_pages.setCurrentWidget(self.getting_started if empty else self.table)
        if empty and had_focus:
            self.getting_started.pupil_button.setFocus()
        self.finders.setVisible(not empty)
        self.pupil_view.placeholder.setText(
            "Add a pupil to see their record here." if empty else "Select a pupil to see their record."
        )

    def _sort_order(self) -> Qt.SortOrder:
        return self.table.horizontalHeader().sortIndicatorOrder()

    def _filters_changed(self) -> None:
        self._apply_filter()

    def current_filter(self) -> CaseloadFilter:
        return CaseloadFilter(
            text=self.search.text(),
            cohort=Cohort(self.cohort.currentData()) if self.cohort.currentData() else None,
            site_id=self.site.currentData(),
            school_id=self.school.currentData(),
            attention_only=self.attention.isChecked(),
        )

    def _apply_filter(self) -> None:
        self._filtering = True
        try:
            self.proxy.set_filter(self.current_filter())
        finally:
            self._filtering = False
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        pupils = "pupil" if total == 1 else "pupils"
        text = f"{total:,} {pupils}" if shown == total else f"Showing {shown:,} of {total:,} {pupils}"
        if self._needing:
            text += f" · {self._needing:,} need attention"
        self.shown_label.setText(text)
        self.counts_changed.emit(shown, total)

    def current_pupil_id(self) -> str | None:
        index = self.table.selectionModel().currentIndex()
        return self.proxy.pupil_id(index.row()) if index.isValid() else None

    def select_pupil(self, pupil_id: str) -> bool:
        row = self.proxy.proxy_row_for(pupil_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.proxy.index(row, 0))
        return True

    def _current_changed(self) -> None:
        # While a search narrows the list the current row hops from pupil to pupil;
        # loading each record would slow every keystroke, so wait until typing pauses.
        if self._filtering:
            self._show_later.start()
        else:
            self._show_later.stop()
            self._show_current()

    def _forget_shown(self, pupil_id: str) -> None:
        if self._shown_pupil == pupil_id:
            self._shown_pupil = None
            self.pupil_view.clear()

    def _show_current(self) -> None:
        pupil_id = self.current_pupil_id()
        if pupil_id and pupil_id != self._shown_pupil:
            self._shown_pupil = pupil_id
            self.pupil_view.show_pupil(pupil_id)  # the view refreshes itself on did_change
