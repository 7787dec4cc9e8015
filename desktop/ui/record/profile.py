"""The Profile tab: the pupil, their base school, family and contacts, consents."""

from __future__ import annotations

from desktop.domain.enums import ETHNICITY, SenStatus, Sex, TravellerGroup
from desktop.domain.rules import format_nc_year

from ..widgets import badge, esc, fmt_date, para_text
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
