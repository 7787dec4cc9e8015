"""The subject access copy (UK GDPR article 15): everything held about a pupil,
section by section, each record a boxed list of its fields. The services decide
what goes in (concerns only when asked for explicitly); this draws it."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether

from .data import ServiceDetails
from .layout import NAVY, Band, BandMark, Para, ReportDoc, fmt_date, gap, section, styles, text, title_block


@dataclass(frozen=True)
class HeldRecord:
    heading: str
    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class HeldSection:
    title: str
    records: tuple[HeldRecord, ...]
    note: str = ""  # e.g. why a section is withheld


@dataclass(frozen=True, kw_only=True)
class SubjectAccessReport:
    service: ServiceDetails
    forename: str  # for the document's title: never the full name in metadata
    name: str
    made_on: date
    includes_restricted: bool
    sections: tuple[HeldSection, ...]


def render_subject_access(report: SubjectAccessReport) -> bytes:
    buffer = io.BytesIO()
    st = styles()
    band = Band(tab="Subject access copy", colour=NAVY, note="Confidential")
    doc = ReportDoc(
        buffer,
        title=f"Subject access record: {report.forename}",
        subject="Information held about a pupil (UK GDPR article 15)",
        service=report.service,
        printed_on=report.made_on,
        band=band,
    )
    width = doc.width
    restricted = (
        "Safeguarding concerns are included, at the explicit request of the person who made this copy."
        if report.includes_restricted
        else "Safeguarding concerns are not included: they are restricted, and are added only on an explicit request."
    )
    story: list[Flowable] = [
        BandMark(band),
        *title_block("Information held about a pupil", f"{report.name} · made {fmt_date(report.made_on)}", st),
        Para(
            text(
                f"Everything {report.service.name} holds about {report.name} in Waymark on {fmt_date(report.made_on)}, "
                f"and the record of who has read, printed or changed it. {restricted} Check it for information "
                "about other people before it is released."
            ),
            st.muted,
        ),
        gap(4 * mm),
    ]
    for held in report.sections:
        story += [Para(text(held.title), st.heading), gap(1.5 * mm)]
        if held.note:
            story += [Para(text(held.note), st.muted), gap(2 * mm)]
        if not held.records and not held.note:
            story += [Para("None held.", st.muted), gap(3 * mm)]
        for record in held.records:
            box = section(record.heading, list(record.fields), st, NAVY, width)
            # Short records stay whole on a page; long ones split between rows.
            story += [KeepTogether([box]) if len(record.fields) <= 12 else box, gap(2.5 * mm)]
        story.append(gap(2 * mm))
    doc.render(story)
    return buffer.getvalue()
