"""Edit a pupil's details (including "never print this address") and add a
parent or carer, from the pupil record's Profile tab."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from desktop.domain.enums import ETHNICITY, ContactRelationship, SenStatus, Sex, TravellerGroup
from desktop.domain.records import Contact, Pupil, School

from .forms import SaveDialog
from .widgets import from_qdate, set_available
from .year_group import YearGroupField

if TYPE_CHECKING:
    from desktop.services import Changes, Waymark
    from desktop.services.role_limits import RoleLimits
    from desktop.tasks import TaskRunner


def _combo(items: list[tuple[str, object]], current: object) -> QComboBox:
    combo = QComboBox()
    for text, value in items:
        combo.addItem(text, value)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class EditPupilDialog(SaveDialog):
    """Every detail of the pupil's profile; Save writes only what changed (and says so in the audit)."""

    def __init__(
        self,
        app: Waymark,
        runner: TaskRunner,
        pupil: Pupil,
        parent: QWidget | None,
        *,
        limits: RoleLimits | None = None,
    ) -> None:
        super().__init__(app, runner, f"Edit details: {pupil.display_name}", parent)
        self.pupil = pupil
        # A school's laptop is never sent the family's address: no field for one the server would refuse.
        self.with_address = limits is None or limits.may_fill("pupil", "address")
        self.may_move = limits is None or limits.may_move_pupils
        self.why_no_move = "" if limits is None else limits.why_no_move
        self.forename = QLineEdit(pupil.forename)
        self.surname = QLineEdit(pupil.surname)
        self.preferred = QLineEdit(pupil.preferred_forename)
        self.dob = self.date_edit(pupil.dob)
        self.sex = _combo([(s.label, s.value) for s in Sex], pupil.sex.value)
        self.upn = QLineEdit(pupil.upn)
        self.upn.setPlaceholderText("13 characters (leave blank if not known)")
        self.ethnicity = _combo(
            [("Not recorded", "")] + [(f"{text} ({code})", code) for code, text in ETHNICITY.items()], pupil.ethnicity
        )
        self.traveller = _combo([(g.label, g.value) for g in TravellerGroup], pupil.traveller_group.value)
        self.school = QComboBox()  # filled when the schools have loaded
        self.sen = _combo([(s.label, s.value) for s in SenStatus], pupil.sen.value)
        self.looked_after = QCheckBox("Looked after by the local authority")
        self.looked_after.setChecked(pupil.looked_after)
        self.social_worker = QLineEdit(pupil.social_worker)
        self.first_language = QLineEdit(pupil.first_language)
        self.eal = QCheckBox("English as an additional language")
        self.eal.setChecked(pupil.eal)
        self.medical = QPlainTextEdit(pupil.medical_needs)
        self.medical.setTabChangesFocus(True)
        self.medical.setMaximumHeight(60)
        self.address = QPlainTextEdit(pupil.address)
        self.address.setTabChangesFocus(True)
        self.address.setMaximumHeight(60)
        self.postcode = QLineEdit(pupil.postcode)
        self.suppress = QCheckBox("Never print this address (on any copy of any report)")
        self.suppress.setChecked(pupil.suppress_address)

        self.add_row("&Forename:", self.forename, "Forename")
        self.add_row("&Surname:", self.surname, "Surname")
        self.add_row("&Known as:", self.preferred, "Known as")
        self.add_row("&Date of birth:", self.dob, "Date of birth")
        self.year_group = YearGroupField(app.today())
        self.year_group.set_dob(pupil.dob)
        self.year_group.set_offset(pupil.nc_year_offset)
        self.dob.dateChanged.connect(lambda: self.year_group.set_dob(from_qdate(self.dob.date())))
        self.add_row("&Year group taught in:", self.year_group, "Year group")
        QWidget.setTabOrder(self.dob, self.year_group.spin)  # made last, visited after the date of birth
        self.add_row("Se&x:", self.sex, "Sex")
        self.add_row("&UPN:", self.upn, "Unique pupil number")
        self.add_row("&Ethnicity:", self.ethnicity, "Ethnicity")
        self.add_row("&Traveller community:", self.traveller, "Traveller community")
        self.add_row("&Base school:", self.school, "Base school")
        self.add_row("SE&N:", self.sen, "Special educational needs")
        self.add_row("", self.looked_after, "Looked after")
        self.add_row("Social &worker:", self.social_worker, "Social worker")
        self.add_row("First &language:", self.first_language, "First language")
        self.add_row("", self.eal, "English as an additional language")
        self.add_row("&Medical needs:", self.medical, "Medical needs")
        self.add_row("&Address:", self.address, "Address")
        self.add_row("&Postcode:", self.postcode, "Postcode")
        self.add_row("", self.suppress, "Never print this address")
        self.no_address = QLabel(
            "No address here: the LA's server does not send schools where a family lives, "
            "so it would not take one from here."
        )
        self.no_address.setObjectName("hint")
        self.no_address.setWordWrap(True)
        self.no_address.setAccessibleName("Why there is no address")
        self.form.addRow(self.no_address)
        for widget in (self.address, self.postcode, self.suppress):
            self.form.setRowVisible(widget, self.with_address)
        self.form.setRowVisible(self.no_address, not self.with_address)
        self.resize(560, 0)
        self.keep_drafts(
            "pupil-details",
            pupil.id,
            title=f"change to {pupil.display_name}'s details",
            context={"pupil_id": pupil.id, "name": pupil.display_name},
            edits=True,
        )
        self.load(app.list_schools, self._fill)

    def _fill(self, schools: list[School]) -> None:
        self.school.addItem("Not known", None)
        for school in schools:
            self.school.addItem(f"{school.name} ({school.dfe_number})", school.id)
        self.school.setCurrentIndex(max(0, self.school.findData(self.pupil.base_school_id)))
        if not self.may_move:
            set_available(self.school, False, "", self.why_no_move)
        self.remember_opened()  # every field now shows the record as it opened
        self.forename.setFocus()

    def values(self) -> dict[str, object]:
        values = {
            "forename": self.forename.text().strip(),
            "surname": self.surname.text().strip(),
            "preferred_forename": self.preferred.text().strip(),
            "dob": from_qdate(self.dob.date()),
            "nc_year": self.year_group.taught_in(),  # kept as an offset from the year by age
            "sex": Sex(self.sex.currentData()),
            "upn": self.upn.text().strip(),
            "ethnicity": self.ethnicity.currentData() or "",
            "traveller_group": TravellerGroup(self.traveller.currentData()),
            "base_school_id": self.school.currentData(),
            "sen": SenStatus(self.sen.currentData()),
            "looked_after": self.looked_after.isChecked(),
            "social_worker": self.social_worker.text().strip(),
            "first_language": self.first_language.text().strip(),
            "eal": self.eal.isChecked(),
            "medical_needs": self.medical.toPlainText().strip(),
            "address": self.address.toPlainText().strip(),
            "postcode": self.postcode.text().strip().upper(),
            "suppress_address": self.suppress.isChecked(),
        }
        if not self.with_address:  # never sent, never changed from here
            for name in ("address", "postcode", "suppress_address"):
                del values[name]
        return values

    def task(self) -> Callable[[], Changes]:
        return partial(self.app.edit_pupil, self.pupil.id, opened=self.opened, **self.values())


class ContactDialog(SaveDialog):
    """A parent or carer: how to reach them, and whether they need help reading what is sent."""

    def __init__(self, app: Waymark, runner: TaskRunner, pupil_id: str, name: str, parent: QWidget | None) -> None:
        super().__init__(app, runner, f"Add a parent or carer: {name}", parent)
        self.pupil_id = pupil_id
        self.name = QLineEdit()
        self.relationship = _combo([(r.label, r.value) for r in ContactRelationship], ContactRelationship.MOTHER.value)
        self.phone = QLineEdit()
        self.reading_help = QCheckBox("Needs help reading letters and reports")
        self.notes = QLineEdit()
        self.notes.setPlaceholderText("e.g. Best reached after 4 pm")
        self.add_row("&Name:", self.name, "Name")
        self.add_row("&Relationship:", self.relationship, "Relationship")
        self.add_row("&Phone:", self.phone, "Phone")
        self.add_row("", self.reading_help, "Needs help reading")
        self.add_row("N&otes:", self.notes, "Notes")
        hint = QLabel("Contacts are kept for the service; no report prints them.")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.form.addRow(hint)
        self.resize(460, 0)
        self.keep_drafts(
            "contact", pupil_id, title=f"parent or carer for {name}", context={"pupil_id": pupil_id, "name": name}
        )

    def task(self) -> Callable[[], Changes]:
        return partial(
            self.app.add_contact,
            Contact(
                pupil_id=self.pupil_id,
                name=self.name.text().strip(),
                relationship=ContactRelationship(self.relationship.currentData()),
                phone=self.phone.text().strip(),
                needs_reading_help=self.reading_help.isChecked(),
                notes=self.notes.text().strip(),
            ),
        )
