"""Where pupils are: record a family's move to a site (a known one or a new one),
and add a base school. Both save through the services, off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from desktop.domain.enums import SiteType
from desktop.domain.records import School, Site

from .forms import SaveDialog
from .widgets import from_qdate, to_qdate

if TYPE_CHECKING:
    from desktop.services import Changes, Waymark
    from desktop.tasks import TaskRunner

NEW_SITE = "new"


@dataclass
class MoveChoices:
    sites: list[Site]
    current_site_id: str | None
    family: list[tuple[str, str]]  # (pupil id, name): the pupil's brothers and sisters at the same site
    today: date


def load_move_choices(app: Waymark, pupil_id: str) -> MoveChoices:
    stay = app.current_stays().get(pupil_id)
    family = [(p.id, p.display_name) for p in app.family_at_site(pupil_id)]
    return MoveChoices(app.list_sites(), stay.site_id if stay else None, family, app.today())


class MoveDialog(SaveDialog):
    """Record that a family has arrived at a site: their last stay ends that day."""

    def __init__(self, app: Waymark, runner: TaskRunner, pupil_id: str, name: str, parent: QWidget | None) -> None:
        super().__init__(app, runner, f"Record a move: {name}", parent)
        self.pupil_id = pupil_id
        self.site = QComboBox()
        self.site_name = QLineEdit()
        self.site_name.setPlaceholderText("e.g. Layby on the A59 near Gisburn")
        self.site_type = QComboBox()
        for kind in SiteType:
            self.site_type.addItem(kind.label, kind)
        self.arrived = self.date_edit(app.today())
        self.weeks = QSpinBox()
        self.weeks.setRange(0, 104)
        self.weeks.setSpecialValueText("Not known")
        self.weeks.setSuffix(" weeks")
        self.family_box = QWidget()
        self.family_box.setAccessibleName("Moving with")
        self.family_layout = QVBoxLayout(self.family_box)
        self.family_layout.setContentsMargins(0, 0, 0, 0)
        self.family: list[QCheckBox] = []
        self.add_row("&Site:", self.site, "Site")
        self.add_row("New site's &name:", self.site_name, "New site's name")
        self.add_row("Site &type:", self.site_type, "Site type")
        self.add_row("&Arrived on:", self.arrived, "Arrived on")
        self.add_row("&Proposed stay:", self.weeks, "Proposed length of stay")
        self.add_row("Moving &with:", self.family_box, "Moving with")
        note = QLabel("Their current stay ends on the day they arrived.")
        note.setObjectName("hint")
        self.form.addRow(note)
        self.site.currentIndexChanged.connect(self._site_changed)
        self.resize(500, 320)
        self.keep_drafts("move", pupil_id, title=f"move for {name}", context={"pupil_id": pupil_id, "name": name})
        self.load(lambda: load_move_choices(app, pupil_id), self._fill)

    def _fill(self, choices: MoveChoices) -> None:
        self.arrived.setMaximumDate(to_qdate(choices.today))
        self.site.clear()
        self.site.addItem("A new site…", NEW_SITE)
        for site in choices.sites:
            if site.id != choices.current_site_id:
                self.site.addItem(f"{site.name} ({site.site_type.label})", site.id)
        for pupil_id, name in choices.family:
            box = QCheckBox(name)
            box.setChecked(True)
            box.setAccessibleName(f"{name} is moving too")
            box.setProperty("pupil_id", pupil_id)
            self.family_layout.addWidget(box)
            self.family.append(box)
        if not choices.family:
            self.family_layout.addWidget(QLabel("No brothers or sisters recorded at their site"))
        self._site_changed()
        self.site.setFocus()

    def _site_changed(self) -> None:
        new = self.site.currentData() == NEW_SITE
        self.site_name.setEnabled(new)
        self.site_type.setEnabled(new)

    def moving(self) -> list[str]:
        return [self.pupil_id, *(box.property("pupil_id") for box in self.family if box.isChecked())]

    def task(self) -> Callable[[], Changes]:
        weeks = self.weeks.value() or None
        arrived = from_qdate(self.arrived.date())
        if self.site.currentData() == NEW_SITE:
            site = Site(name=self.site_name.text().strip(), site_type=SiteType(self.site_type.currentData()))
            return partial(self.app.move_to_site, self.moving(), arrived, new_site=site, proposed_weeks=weeks)
        return partial(
            self.app.move_to_site, self.moving(), arrived, site_id=self.site.currentData(), proposed_weeks=weeks
        )


class SchoolDialog(SaveDialog):
    """Add a base school: the numbers that identify it and who to talk to there."""

    def __init__(self, app: Waymark, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(app, runner, "Add a school", parent)
        self.name = QLineEdit()
        self.urn = QLineEdit()
        self.urn.setPlaceholderText("6 digits, e.g. 119876")
        self.la_code = QLineEdit()
        self.la_code.setPlaceholderText("3 digits, e.g. 888")
        self.estab = QLineEdit()
        self.estab.setPlaceholderText("4 digits, e.g. 3001")
        self.contact_name = QLineEdit()
        self.contact_phone = QLineEdit()
        self.contact_email = QLineEdit()
        self.add_row("&Name:", self.name, "School name")
        self.add_row("&URN:", self.urn, "Unique reference number")
        self.add_row("&LA code:", self.la_code, "Local authority code")
        self.add_row("&Establishment number:", self.estab, "Establishment number")
        self.add_row("&Contact:", self.contact_name, "Named contact")
        self.add_row("&Phone:", self.contact_phone, "Contact's phone")
        self.add_row("E&mail:", self.contact_email, "Contact's email")
        self.resize(460, 300)
        self.keep_drafts("school", title="new school")

    def task(self) -> Callable[[], Changes]:
        return partial(
            self.app.add_school,
            School(
                urn=self.urn.text().strip(),
                la_code=self.la_code.text().strip(),
                estab=self.estab.text().strip(),
                name=self.name.text().strip(),
                contact_name=self.contact_name.text().strip(),
                contact_phone=self.contact_phone.text().strip(),
                contact_email=self.contact_email.text().strip(),
            ),
        )
