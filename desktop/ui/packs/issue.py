"""Issuing a distance-learning folder to a pupil from packs, with an expected-back date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDateEdit,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.records import Pupil, WorkPack
from desktop.domain.rules import format_nc_year
from desktop.services import Changes, Waymark
from desktop.tasks import TaskRunner

from ..common import set_tab_order
from ..drafts import DraftedDialog, Fields, not_drafted, read_fields, write_fields
from ..widgets import DATE_FORMAT, Banner, from_qdate, to_qdate
from .shared import DEFAULT_WEEKS_AWAY, ID_ROLE, _buddy, _tree, suits


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
