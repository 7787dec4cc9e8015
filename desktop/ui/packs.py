"""Work packs and distance-learning folders.

Packs are provided before a period of travel; a folder issued from them goes
with the family and its items come back returned and marked. Packs that do not
come back are a signal (DOMAIN.md, "The distance-learning folder"), so an
overdue folder stands out in red on the pupil's record.

- `PackLibraryDialog`: the pack library (find, look inside, add).
- `AddPackDialog`: a new pack, one item a line.
- `IssueFolderDialog`: issue a folder to a pupil from packs, with an expected-back date.
- `FoldersPanel`: a pupil's folders and items, used by the pupil record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enums import ItemStatus
from desktop.domain.records import Folder, Pupil, WorkPack
from desktop.domain.rules import format_nc_year
from desktop.services import Changes, Waymark
from desktop.tasks import TaskRunner

from .common import set_tab_order
from .drafts import DraftedDialog, Fields, not_drafted, read_fields, write_fields
from .widgets import DATE_FORMAT, Banner, HtmlPane, esc, fmt_date, from_qdate, size_columns, to_qdate

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


# --- the pack library ---------------------------------------------------------------------


class PackLibraryDialog(QDialog):
    """The work pack library: find a pack, see what is in it, add new ones."""

    def __init__(self, app: Waymark, runner: TaskRunner, parent: QWidget | None = None) -> None:
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


# --- issuing a folder ------------------------------------------------------------------------


@dataclass
class IssueChoices:
    pupil: Pupil
    nc_year: int
    packs: list[WorkPack]
    today: date
    weeks_away: int  # the proposed length of the current stay, or half a term


def load_issue_choices(app: Waymark, pupil_id: str) -> IssueChoices:
    pupil = app.get_pupil(pupil_id)
    stay = app.current_stays().get(pupil_id)
    weeks = stay.proposed_weeks if stay and stay.proposed_weeks else DEFAULT_WEEKS_AWAY
    return IssueChoices(pupil, app.nc_year(pupil), app.list_packs(), app.today(), weeks)


class IssueFolderDialog(DraftedDialog):
    """Issue a distance-learning folder to a pupil from packs, with the date it is
    expected back. Packs that suit the pupil's NC year come first and are ticked-ready.
    Kept as a draft (the packs checked and the dates), one per pupil."""

    issued = Signal(str)  # the folder's id

    def __init__(self, app: Waymark, runner: TaskRunner, pupil_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app, self.runner, self.pupil_id = app, runner, pupil_id
        self._choices: IssueChoices | None = None
        self._saving = False
        self.setWindowTitle("Issue a folder")
        self.setAccessibleName("Issue a folder")
        self.setModal(True)

        self.heading = QLabel("Issue a folder")
        self.heading.setObjectName("sectionTitle")
        self.find = QLineEdit()
        self.find.setPlaceholderText("Find a pack")
        self.find.setClearButtonEnabled(True)
        self.find.setAccessibleName("Find a pack")
        self.tree = _tree("Work packs: check each one to put in the folder", ["Pack", "Subject", "Years", "Items"])
        for column, width in enumerate((280, 90, 60, 50)):
            self.tree.setColumnWidth(column, width)
        self.issued_on = QDateEdit()
        self.expected_back = QDateEdit()
        for edit, name in ((self.issued_on, "Issued on"), (self.expected_back, "Expected back")):
            edit.setDisplayFormat(DATE_FORMAT)
            edit.setCalendarPopup(True)
            edit.setAccessibleName(name)
        self.summary = QLabel()
        self.summary.setObjectName("hint")
        self.summary.setAccessibleName("What goes in the folder")
        self.banner = Banner(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.issue_button = buttons.addButton("&Issue folder", QDialogButtonBox.ButtonRole.AcceptRole)
        self.issue_button.setObjectName("primary")
        self.issue_button.setDefault(True)
        self.issue_button.setEnabled(False)
        self.issue_button.setAccessibleName("Issue folder")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")

        dates = QHBoxLayout()
        dates.addWidget(_buddy("Issued &on:", self.issued_on))
        dates.addWidget(self.issued_on)
        dates.addSpacing(16)
        dates.addWidget(_buddy("&Expected back:", self.expected_back))
        dates.addWidget(self.expected_back)
        dates.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.banner)
        find = QHBoxLayout()
        find.addWidget(_buddy("&Packs:", self.find))
        find.addWidget(self.find, 1)
        layout.addLayout(find)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.summary)
        layout.addLayout(dates)
        layout.addWidget(buttons)
        set_tab_order(self.find, self.tree, self.issued_on, self.expected_back)

        self.find.textChanged.connect(self._filter)
        self.tree.itemChanged.connect(self._update_summary)
        self.issued_on.dateChanged.connect(self._issued_changed)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.submit)
        self.resize(620, 520)
        not_drafted(self.find)  # it only finds packs
        self.keep_drafts("folder", pupil_id, title="folder", context={"pupil_id": pupil_id})
        self.tree.itemChanged.connect(lambda *_: self.drafts.changed())
        self.loading_started()  # a kept draft's packs go back once the packs are listed
        self.runner.run(lambda: load_issue_choices(app, pupil_id), self._loaded, self._load_failed)

    def _load_failed(self, message: str) -> None:
        self._failed(message)
        self.loading_finished()

    def draft_fields(self) -> Fields:
        return {**read_fields(self), "packs": sorted(self.checked_packs())}

    def restore_draft(self, values: Fields) -> None:
        write_fields(self, values)
        self.set_checked(list(values.get("packs", [])))
        self._filter()

    def draft_description(self) -> tuple[str, dict] | None:
        if self._choices is None:
            return None
        name = self._choices.pupil.display_name
        return f"folder for {name}", {"pupil_id": self.pupil_id, "name": name}

    def _loaded(self, choices: IssueChoices) -> None:
        self._choices = choices
        year = format_nc_year(choices.nc_year)
        self.heading.setText(f"Issue a folder to {choices.pupil.display_name} ({year})")
        self.issued_on.setDate(to_qdate(choices.today))
        self.expected_back.setDate(to_qdate(choices.today + timedelta(weeks=choices.weeks_away)))
        self.tree.blockSignals(True)
        ordered = sorted(choices.packs, key=lambda p: (not suits(p, choices.nc_year), p.subject, p.title))
        for pack in ordered:
            item = QTreeWidgetItem([pack.title, pack.subject, pack.nc_years, str(len(pack.items))])
            item.setData(0, ID_ROLE, pack.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Unchecked)
            item.setToolTip(0, "\n".join(pack.items))
            if suits(pack, choices.nc_year):
                item.setText(2, f"{pack.nc_years} ✓")
                item.setToolTip(2, f"Suits {year}")
            self.tree.addTopLevelItem(item)
        self.tree.blockSignals(False)
        if not choices.packs:
            self.banner.show_message("The pack library is empty. Add packs from Work packs in the main window.", "warn")
        self._update_summary()
        self.issue_button.setEnabled(True)
        self.find.setFocus()
        self.loading_finished()

    def _failed(self, message: str) -> None:
        self._saving = False
        self.banner.show_message(message)
        self.issue_button.setEnabled(self._choices is not None)

    def _issued_changed(self) -> None:
        if self.expected_back.date() < self.issued_on.date():
            self.expected_back.setDate(self.issued_on.date())

    def _filter(self) -> None:
        needle = self.find.text().strip().casefold()
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            text = f"{item.text(0)} {item.text(1)} {item.text(2)}".casefold()
            checked = item.checkState(0) == Qt.CheckState.Checked
            item.setHidden(not checked and bool(needle) and needle not in text)

    def set_checked(self, pack_ids: list[str]) -> None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            state = Qt.CheckState.Checked if item.data(0, ID_ROLE) in pack_ids else Qt.CheckState.Unchecked
            item.setCheckState(0, state)

    def checked_packs(self) -> list[str]:
        return [
            self.tree.topLevelItem(i).data(0, ID_ROLE)
            for i in range(self.tree.topLevelItemCount())
            if self.tree.topLevelItem(i).checkState(0) == Qt.CheckState.Checked
        ]

    def _update_summary(self) -> None:
        chosen = set(self.checked_packs())
        items = sum(len(p.items) for p in (self._choices.packs if self._choices else []) if p.id in chosen)
        if not chosen:
            self.summary.setText("Check the packs that go in the folder.")
        else:
            self.summary.setText(
                f"{len(chosen)} pack{'s' if len(chosen) != 1 else ''}, {items} item{'s' if items != 1 else ''}"
            )

    def submit(self) -> None:
        if self._saving or self._choices is None:
            return
        pack_ids = self.checked_packs()
        if not pack_ids:
            self.banner.show_message("Check at least one pack to put in the folder.")
            self.tree.setFocus()
            return
        issued_on, expected_back = from_qdate(self.issued_on.date()), from_qdate(self.expected_back.date())
        self._saving = True
        self.issue_button.setEnabled(False)
        self.runner.run(
            lambda: self.app.issue_folder(self.pupil_id, pack_ids, issued_on=issued_on, expected_back=expected_back),
            self._saved,
            self._failed,
        )

    def _saved(self, changes: Changes) -> None:
        self._saving = False
        self.draft_saved_as_record()
        self.issued.emit(changes.id)
        self.accept()


# --- a pupil's folders ------------------------------------------------------------------------


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
