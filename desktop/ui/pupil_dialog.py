"""Add a pupil to the caseload: the details a first visit needs, nothing more.
The rest of the record is filled in later from the pupil view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.dates import DateTypoError
from desktop.domain.enums import ETHNICITY, Sex, TravellerGroup
from desktop.domain.records import Pupil, School, Site, Stay
from desktop.domain.upn import UpnError, validate_upn

if TYPE_CHECKING:  # the services load after the unlock window shows
    from desktop.services import Changes, Waymark
    from desktop.tasks import TaskRunner

from .common import label, set_tab_order
from .drafts import DraftedDialog
from .widgets import DATE_FORMAT, Banner, DateField
from .year_group import YearGroupField


@dataclass
class PupilChoices:
    schools: list[School]
    sites: list[Site]
    today: date


def load_choices(app: Waymark) -> PupilChoices:
    return PupilChoices(app.list_schools(), app.list_sites(), app.today())


def add_pupil_and_stay(app: Waymark, pupil: Pupil, site_id: str | None, arrived: date) -> Changes:
    """One task, so the caseload redraws once with the pupil already at their site."""
    from desktop.services import Changes

    changes = app.add_pupil(pupil)
    if not site_id:
        return changes
    stay = app.record_stay(Stay(pupil_id=pupil.id, site_id=site_id, arrived=arrived))
    return Changes(changes.entities | stay.entities, (*changes.ids, *stay.ids))


class AddPupilDialog(DraftedDialog):
    """Kept as a draft while typed (see ui/drafts/)."""

    saved = Signal(str)  # the new pupil's id

    def __init__(self, app: Waymark, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app, self.runner = app, runner
        self._today = date.today()
        self.setWindowTitle("Add a pupil")
        self.setAccessibleName("Add a pupil")
        self.setModal(True)

        self.forename = QLineEdit()
        self.surname = QLineEdit()
        self.preferred = QLineEdit()
        self.preferred.setPlaceholderText("If the child is known by another first name")
        self.dob = DateField()  # empty until typed: a guessed date of birth would be saved unnoticed
        self.year_group = YearGroupField(self._today)
        self.sex = QComboBox()
        for sex in Sex:
            self.sex.addItem(sex.label, sex.value)
        self.sex.setCurrentIndex(self.sex.findData(Sex.UNKNOWN.value))
        self.upn = QLineEdit()
        self.upn.setPlaceholderText("13 characters, e.g. R674123101121 (leave blank if not known)")
        self.upn_hint = label("", "error", wrap=True)
        self.upn_hint.hide()
        self.ethnicity = QComboBox()
        self.ethnicity.addItem("Not recorded", "")
        for code, text in ETHNICITY.items():
            self.ethnicity.addItem(f"{text} ({code})", code)
        self.traveller = QComboBox()
        for group in TravellerGroup:
            self.traveller.addItem(group.label, group.value)
        self.school = QComboBox()
        self.site = QComboBox()
        self.arrived = QDateEdit()
        self.arrived.setDisplayFormat(DATE_FORMAT)
        self.arrived.setCalendarPopup(True)
        names = {
            self.forename: "Forename",
            self.surname: "Surname",
            self.preferred: "Known as",
            self.dob: "Date of birth",
            self.sex: "Sex",
            self.upn: "Unique pupil number",
            self.ethnicity: "Ethnicity",
            self.traveller: "Traveller community",
            self.school: "Base school",
            self.site: "Staying at site",
            self.arrived: "Arrived at the site on",
        }
        for widget, name in names.items():
            widget.setAccessibleName(name)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("&Forename:", self.forename)
        form.addRow("&Surname:", self.surname)
        form.addRow("&Known as:", self.preferred)
        form.addRow("&Date of birth:", self.dob)
        year_label = QLabel("&Year group taught in:")
        year_label.setBuddy(self.year_group)
        form.addRow(year_label, self.year_group)
        form.addRow("Se&x:", self.sex)
        form.addRow("&UPN:", self.upn)
        form.addRow("", self.upn_hint)
        form.addRow("&Ethnicity:", self.ethnicity)
        form.addRow("&Traveller community:", self.traveller)
        form.addRow("&Base school:", self.school)
        form.addRow("Staying at s&ite:", self.site)
        form.addRow("&Arrived on:", self.arrived)

        self.error = label("", "error", wrap=True)
        self.error.hide()
        self.error.setAccessibleName("Problem adding the pupil")
        buttons = QDialogButtonBox()
        self.save_button = QPushButton("Add pupil")
        self.save_button.setObjectName("primary")
        self.save_button.setAccessibleName("Add pupil")
        self.save_button.setDefault(True)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        self.banner = Banner(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        set_tab_order(
            self.forename,
            self.surname,
            self.preferred,
            self.dob,
            self.year_group.spin,
            self.sex,
            self.upn,
            self.ethnicity,
            self.traveller,
            self.school,
            self.site,
            self.arrived,
            self.save_button,
            cancel,
        )

        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self, activated=self.save)
        self.upn.textChanged.connect(self._check_upn)
        self.dob.textChanged.connect(self._dob_typed)
        self.site.currentIndexChanged.connect(lambda: self.arrived.setEnabled(bool(self.site.currentData())))
        self.resize(560, 0)
        self.keep_drafts("pupil", title="new pupil")
        self.loading_started()  # until start() has filled the choices

    def start(self) -> None:
        self.setEnabled(False)
        self.runner.run(lambda: load_choices(self.app), self._fill, self._failed)

    def _failed(self, message: str) -> None:
        self.setEnabled(True)
        self.show_error(message)
        self.loading_finished()

    def _fill(self, choices: PupilChoices) -> None:
        self.setEnabled(True)
        self._today = choices.today
        self.year_group.set_today(choices.today)
        today = QDate(choices.today.year, choices.today.month, choices.today.day)
        self.arrived.setMaximumDate(today)
        self.arrived.setDate(today)
        self.school.clear()
        self.school.addItem("Not known", None)
        for school in choices.schools:
            self.school.addItem(f"{school.name} ({school.dfe_number})", school.id)
        self.site.clear()
        self.site.addItem("Not staying at a site", None)
        for site in choices.sites:
            self.site.addItem(site.name, site.id)
        self.arrived.setEnabled(False)
        self.forename.setFocus()
        self.loading_finished()

    def _dob_typed(self) -> None:
        """The year by age beside the year group follows the date of birth as it is typed."""
        try:
            self.year_group.set_dob(self.dob.value())
        except DateTypoError:
            self.year_group.set_dob(None)

    def _check_upn(self, text: str) -> None:
        """Say at once when a UPN cannot be right, before the user reaches Save."""
        if not text.strip() or len(text.strip().replace(" ", "")) < 13:
            self.upn_hint.hide()
            return
        try:
            validate_upn(text)
        except UpnError as exc:
            self.upn_hint.setText(str(exc))
            self.upn_hint.show()
        else:
            self.upn_hint.hide()

    def pupil(self) -> Pupil:
        """The pupil as typed; ValueError (with a message for the user) if the date of birth is missing or wrong."""
        dob = self.dob.value()
        if dob is None:
            raise DateTypoError("Enter the date of birth.")
        self.year_group.set_dob(dob)
        return Pupil(
            forename=self.forename.text().strip(),
            surname=self.surname.text().strip(),
            preferred_forename=self.preferred.text().strip(),
            dob=dob,
            nc_year_offset=self.year_group.offset(),  # None: the year by age
            sex=Sex(self.sex.currentData()),
            upn=self.upn.text().strip(),
            ethnicity=self.ethnicity.currentData() or "",
            traveller_group=TravellerGroup(self.traveller.currentData()),
            base_school_id=self.school.currentData(),
        )

    def save(self) -> None:
        if not self.save_button.isEnabled():
            return
        try:
            pupil = self.pupil()
        except DateTypoError as exc:
            self.show_error(str(exc))
            self.dob.setFocus()
            return
        site_id, arrived = self.site.currentData(), self.arrived.date().toPython()
        self.save_button.setEnabled(False)
        self.error.hide()
        self.runner.run(lambda: add_pupil_and_stay(self.app, pupil, site_id, arrived), self._saved, self._save_failed)

    def _saved(self, changes: Changes) -> None:
        self.draft_saved_as_record()
        self.saved.emit(changes.id)
        self.accept()

    def _save_failed(self, message: str) -> None:
        self.save_button.setEnabled(True)
        self.show_error(message)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
