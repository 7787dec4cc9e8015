"""The Profile tab: the pupil, their base school, family and contacts, consents; and the consent form."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtWidgets import QComboBox, QWidget

from desktop.domain.enums import ETHNICITY, SenStatus, Sex, TravellerGroup
from desktop.domain.records import Consent
from desktop.domain.rules import format_nc_year
from desktop.services import Changes, Waymark
from desktop.tasks import TaskRunner

from ..forms import SaveDialog
from ..widgets import badge, esc, fmt_date, from_qdate, para_text, to_qdate
from .data import RecordView
from .html import age, fact_rows


def nc_year_text(taught: int, by_age: int) -> str:
    """'Year 3 (Year 4 by age)' for a pupil taught out of their year; else 'Year 4'."""
    if taught == by_age:
        return format_nc_year(taught)
    return f"{format_nc_year(taught)} ({format_nc_year(by_age)} by age)"


def profile_html(view: RecordView) -> str:
    r = view.record
    p = r.pupil
    names = esc(p.legal_name)
    if p.display_name != p.legal_name:
        names += f" <span class='muted'>(known as {esc(p.display_name)})</span>"
    ethnicity = ETHNICITY.get(p.ethnicity, p.ethnicity)
    language = esc(p.first_language) + (" · " + badge("EAL", "info") if p.eal else "")
    address = ""
    if p.address or p.postcode:
        address = para_text(", ".join(x for x in (p.address, p.postcode) if x))
        if p.suppress_address:
            address = f"{badge('Address suppressed: never printed on any copy', 'danger')}<br>{address}"
        elif r.address_withheld:  # the household's: a brother or sister at this address has it suppressed
            withheld = "Never printed: suppressed on another pupil's record at this address"
            address = f"{badge(withheld, 'danger')}<br>{address}"
    elif p.suppress_address:
        address = badge("Address suppressed: never printed on any copy", "danger")
    html = "<h3>Pupil</h3>" + fact_rows(
        [
            ("Name", names),
            ("Date of birth", f"{fmt_date(p.dob)} (age {age(p.dob, view.today)})"),
            ("NC year", esc(nc_year_text(r.nc_year, r.nc_year_by_age))),
            ("Sex", esc(p.sex.label) if p.sex is not Sex.UNKNOWN else ""),
            ("UPN", esc(p.upn) or "<span class='muted'>none recorded</span>"),
            ("Ethnicity", esc(ethnicity)),
            ("Traveller group", esc(p.traveller_group.label) if p.traveller_group is not TravellerGroup.NONE else ""),
            ("Cohort", esc(r.cohort.label)),
            ("SEN", esc(p.sen.label) if p.sen is not SenStatus.NONE else "None"),
            ("Looked after", badge("Looked after", "info") if p.looked_after else ""),
            ("Social worker", esc(p.social_worker)),
            ("First language", language),
            ("Medical needs", para_text(p.medical_needs)),
            ("Address", address),
        ]
    )
    school = r.school
    html += "<h3>Base school</h3>"
    if school:
        contact = " · ".join(esc(x) for x in (school.contact_name, school.contact_phone, school.contact_email) if x)
        html += fact_rows(
            [
                ("School", f"<b>{esc(school.name)}</b>"),
                ("URN", esc(school.urn)),
                ("DfE number", esc(school.dfe_number)),
                ("Named contact", contact),
            ]
        )
    else:
        html += "<p class='muted'>No base school recorded.</p>"
    html += "<h3>Family and contacts</h3>"
    if r.contacts:
        for c in r.contacts:
            extra = f" {badge('Needs help reading: read reports aloud', 'warn')}" if c.needs_reading_help else ""
            line = f"<b>{esc(c.name)}</b> <span class='muted'>({esc(c.relationship.label)})</span>"
            if c.phone:
                line += f" · {esc(c.phone)}"
            html += f"<p>{line}{extra}</p>"
            if c.notes:
                html += f"<p class='muted'>{para_text(c.notes)}</p>"
    else:
        html += "<p class='muted'>No contacts recorded.</p>"
    if r.consents:
        html += "<h3>Consents</h3>"
        for consent in r.consents:
            state = (
                badge(f"Withdrawn {fmt_date(consent.withdrawn_on)}", "danger")
                if consent.withdrawn_on
                else badge("Given", "family")
            )
            html += f"<p>{esc(consent.purpose)}: given by {esc(consent.given_by)} on {fmt_date(consent.given_on)} {state}</p>"
    return html


CONSENT_PURPOSES = (
    "Sharing records with the base school",
    "Sharing records with the next Traveller Education Service",
    "A part-time timetable",
    "Photographs of work in the folder",
    "Sharing medical information with tutors",
)


class ConsentDialog(SaveDialog):
    """Record a consent: what for, who gave it and when (a parent's or carer's name
    from the record is offered; any other can be typed)."""

    def __init__(
        self, app: Waymark, runner: TaskRunner, pupil_id: str, name: str, carers: list[str], parent: QWidget | None
    ) -> None:
        super().__init__(app, runner, f"Record a consent: {name}", parent)
        self.pupil_id = pupil_id
        self.purpose = QComboBox()
        self.purpose.setEditable(True)
        self.purpose.addItems(CONSENT_PURPOSES)
        self.purpose.setCurrentText("")
        self.purpose.lineEdit().setPlaceholderText("What the consent is for")
        self.given_by = QComboBox()
        self.given_by.setEditable(True)
        self.given_by.addItems(carers)
        self.given_by.setCurrentText(carers[0] if carers else "")
        self.given_on = self.date_edit(app.today())
        self.given_on.setMaximumDate(to_qdate(app.today()))
        self.add_row("&Purpose:", self.purpose, "Purpose")
        self.add_row("Given &by:", self.given_by, "Given by")
        self.add_row("Given &on:", self.given_on, "Given on")
        self.resize(480, 0)
        self.keep_drafts("consent", pupil_id, title=f"consent for {name}", context={"pupil_id": pupil_id, "name": name})

    def task(self) -> Callable[[], Changes]:
        return partial(
            self.app.add_consent,
            Consent(
                pupil_id=self.pupil_id,
                purpose=self.purpose.currentText().strip(),
                given_by=self.given_by.currentText().strip(),
                given_on=from_qdate(self.given_on.date()),
            ),
        )
