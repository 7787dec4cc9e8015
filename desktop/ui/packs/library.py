"""The pack library (find, look inside, add) and a new pack, one item a line."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.records import WorkPack
from desktop.services import Changes, Waymark
from desktop.tasks import TaskRunner

from ..common import set_tab_order
from ..drafts import DraftedDialog, not_drafted
from ..widgets import Banner, HtmlPane, esc, set_available, size_columns
from .shared import ID_ROLE, KEY_STAGES, _buddy, _pack_row, _tree


class PackLibraryDialog(QDialog):
    """The work pack library: find a pack, see what is in it, add new ones."""

    def __init__(self, app: Waymark, runner: TaskRunner, parent: QWidget | None = None, *, why_not: str = "") -> None:
        super().__init__(parent)
        self.app, self.runner = app, runner
        self._packs: list[WorkPack] = []
        self.setWindowTitle("Work pack library")
        self.setAccessibleName("Work pack library")

        self.find = QLineEdit()
        self.find.setPlaceholderText("Find a pack by title, subject, topic or year")
        self.find.setClearButtonEnabled(True)
        self.find.setAccessibleName("Find a pack")
        not_drafted(self.find)  # the library only finds packs: Add pack is the form
        self.add_button = QPushButton("&Add pack…")
        self.add_button.setAccessibleName("Add a work pack")
        set_available(self.add_button, not why_not, "Add a work pack to the library", why_not)  # a school's laptop
        self.tree = _tree("Work packs", ["Title", "Subject", "Key stage", "Years", "Topic", "Items"])
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        size_columns(self.tree, (210, 80, 75, 55, 100, 45), stretch=0)  # titles give way, headers never
        self.details = HtmlPane("What is in the pack")
        self.details.setMinimumWidth(220)
        self.count = QLabel()
        self.count.setObjectName("hint")
        self.count.setAccessibleName("Number of packs")
        self.banner = Banner(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName("Close")
        buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(_buddy("&Find:", self.find))
        top.addWidget(self.find, 1)
        top.addWidget(self.add_button)
        splitter = QSplitter()
        splitter.addWidget(self.tree)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)
        set_tab_order(self.find, self.add_button, self.tree, self.details)

        self.find.textChanged.connect(self._filter)
        self.tree.currentItemChanged.connect(self._show_details)
        self.add_button.clicked.connect(self.add_pack)
        runner.did_change.connect(self._on_change)
        self.resize(960, 560)
        self.refresh()

    def refresh(self) -> None:
        self.runner.run(self.app.list_packs, self._loaded, self.banner.show_message)

    def _on_change(self, changes: Changes) -> None:
        if "work_pack" in changes.entities:
            self.refresh()

    def _loaded(self, packs: list[WorkPack]) -> None:
        self._packs = packs
        current = self.tree.currentItem().data(0, ID_ROLE) if self.tree.currentItem() else None
        self.tree.setSortingEnabled(False)
        self.tree.clear()
        for pack in packs:
            item = QTreeWidgetItem(_pack_row(pack))
            item.setData(0, ID_ROLE, pack.id)
            item.setTextAlignment(5, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tree.addTopLevelItem(item)
            if pack.id == current:
                self.tree.setCurrentItem(item)
        self.tree.setSortingEnabled(True)
        self._filter()
        if self.tree.currentItem() is None and self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))

    def _filter(self) -> None:
        needle = self.find.text().strip().casefold()
        shown = 0
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            text = " ".join(item.text(c) for c in range(5)).casefold()
            item.setHidden(bool(needle) and needle not in text)
            shown += not item.isHidden()
        total = self.tree.topLevelItemCount()
        self.count.setText(f"{total} packs" if shown == total else f"{shown} of {total} packs")

    def _show_details(self, item: QTreeWidgetItem | None) -> None:
        pack = next((p for p in self._packs if item and p.id == item.data(0, ID_ROLE)), None)
        if pack is None:
            self.details.set_body("<p class='muted'>Choose a pack to see what is in it.</p>")
            return
        facts = " · ".join(
            x for x in (pack.subject, pack.key_stage, pack.nc_years and f"Years {pack.nc_years}", pack.topic) if x
        )
        items = "".join(f"<li>{esc(t)}</li>" for t in pack.items)
        self.details.set_body(f"<h2>{esc(pack.title)}</h2><p class='muted'>{esc(facts)}</p><ol>{items}</ol>")

    def add_pack(self) -> AddPackDialog:
        dialog = AddPackDialog(self.app, self.runner, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog


class AddPackDialog(DraftedDialog):
    """A new work pack: title, subject, key stage, NC years, topic, items (one a line).
    Kept as a draft while typed (one new pack at a time)."""

    added = Signal(str)

    def __init__(self, app: Waymark, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app, self.runner = app, runner
        self._saving = False
        self.setWindowTitle("Add a work pack")
        self.setAccessibleName("Add a work pack")
        self.setModal(True)
        self.title = QLineEdit()
        self.subject = QComboBox()
        self.subject.setEditable(True)
        self.key_stage = QComboBox()
        self.key_stage.addItems(KEY_STAGES)
        self.years = QLineEdit()
        self.years.setPlaceholderText("e.g. 3-4")
        self.topic = QLineEdit()
        self.items = QPlainTextEdit()
        self.items.setPlaceholderText("One item a line, e.g.\nHalves and quarters\nThirds\nFraction wall")
        self.items.setTabChangesFocus(True)
        self.banner = Banner(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton("&Add pack", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("primary")
        self.save_button.setDefault(True)
        form = QFormLayout()
        for text, widget, name in (
            ("&Title:", self.title, "Title"),
            ("&Subject:", self.subject, "Subject"),
            ("&Key stage:", self.key_stage, "Key stage"),
            ("NC &years:", self.years, "National Curriculum years"),
            ("T&opic:", self.topic, "Topic"),
            ("&Items:", self.items, "Items, one a line"),
        ):
            widget.setAccessibleName(name)
            form.addRow(_buddy(text, widget), widget)
        self.save_button.setAccessibleName("Add pack")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(buttons)
        set_tab_order(self.title, self.subject, self.key_stage, self.years, self.topic, self.items)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.submit)
        self.resize(460, 420)
        self.keep_drafts("pack", title="work pack")
        self.loading_started()  # a kept subject goes back once the subjects are listed
        self.runner.run(self.app.known_subjects, self._subjects, lambda _message: self.loading_finished())

    def _subjects(self, subjects: list[str]) -> None:
        typed = self.subject.currentText()
        self.subject.addItems(subjects)
        self.subject.setCurrentText(typed)
        self.loading_finished()

    def pack(self) -> WorkPack:
        return WorkPack(
            title=self.title.text().strip(),
            subject=self.subject.currentText().strip(),
            key_stage=self.key_stage.currentText(),
            nc_years=self.years.text().strip(),
            topic=self.topic.text().strip(),
            items=self.items.toPlainText().splitlines(),
        )

    def submit(self) -> None:
        if self._saving:
            return
        self._saving = True
        pack = self.pack()
        self.runner.run(lambda: self.app.add_pack(pack), self._saved, self._failed)

    def _failed(self, message: str) -> None:
        self._saving = False
        self.banner.show_message(message)

    def _saved(self, changes: Changes) -> None:
        self._saving = False
        self.draft_saved_as_record()
        self.added.emit(changes.id)
        self.accept()
