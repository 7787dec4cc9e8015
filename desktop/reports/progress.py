"""The travel-period progress record: the collated Motifax overview the base
school reads when the pupil comes back. A one-page summary first (figures,
levels at the start and end, learning gaps), then every visit in detail."""

from __future__ import annotations

import io
from collections import Counter

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak

from .copies import Copy, pupil_for, visit_for
from .data import Level, ProgressRecord, VisitDetails
from .layout import (
    PLUM,
    Band,
    BandMark,
    Para,
    ReportDoc,
    Styles,
    data_table,
    field_grid,
    figures,
    fmt_date,
    fmt_hours,
    gap,
    para,
    section,
    styles,
    text,
    title_block,
)
from .visit import place_text

AUDIENCE = Copy.SCHOOL  # the record goes back to the base school
COLOUR = PLUM
RECENT_NEEDS = 6  # how many of the latest "needs identified" notes the summary quotes


def _level_text(level: Level | None, empty: str) -> str:
    return f"{level.level} ({fmt_date(level.assessed_on)})" if level else empty


def _summary(record: ProgressRecord, visits: list[VisitDetails], st: Styles, width: float) -> list[Flowable]:
    p = pupil_for(AUDIENCE, record.pupil)
    held = [v for v in visits if v.held]
    story: list[Flowable] = [
        *title_block(
            "Travel-period progress record",
            f"{p.name} · {fmt_date(record.start)} to {fmt_date(record.end)}",
            st,
        ),
        Para(
            text(
                f"Collated from {len(visits)} visit report{'s' if len(visits) != 1 else ''} by {record.service.name}. "
                "A summary first; every visit follows, oldest first."
            ),
            st.muted,
        ),
        gap(),
        field_grid(
            [
                ("Pupil", p.name),
                ("Date of birth", fmt_date(p.dob)),
                ("NC year", p.nc_year),
                ("UPN", p.upn),
                ("Base school", p.base_school),
                ("DfE number", p.base_school_dfe),
                ("SEN", p.sen or "None"),
                ("Medical needs", p.medical_needs or "None recorded"),
            ],
            st,
            COLOUR,
            width,
            heading="Pupil",
        ),
        gap(),
        figures(
            [
                (f"{len(held)} of {len(visits)}", "Visits held"),
                (fmt_hours(record.hours), "Hours delivered"),
                (str(len(record.folder_work)), "Folder items returned or marked"),
                (str(len(record.subjects)), "Subjects assessed"),
            ],
            st,
            COLOUR,
            width,
        ),
        gap(),
    ]

    if record.subjects:
        rows = [
            (
                s.subject,
                _level_text(s.at_start, "Not assessed"),
                _level_text(s.at_end, "No later assessment"),
                s.target,
                _gap_text(s.learning_gap, s.learning_gap_on, record.start),
            )
            for s in record.subjects
        ]
        widths = [w * width for w in (0.14, 0.2, 0.2, 0.2, 0.26)]
        story += [
            Para("Levels at the start and end of the period", st.heading),
            gap(1.5 * mm),
            data_table(("Subject", "At the start", "At the end", "Target", "Learning gap"), rows, widths, st, COLOUR),
            gap(),
        ]

    needs = [(v.day, v.levels_and_needs) for v in reversed(held) if v.levels_and_needs][:RECENT_NEEDS]
    places = Counter(place_text(v.place) for v in held)
    folders = (
        f"{record.folders_issued} issued and {record.folders_returned} returned in the period; "
        f"{len(record.folder_work)} item{'s' if len(record.folder_work) != 1 else ''} returned or marked "
        "(listed after the visits)."
    )
    story.append(
        section(
            "Needs identified and support given",
            [
                ("Latest needs identified", [para(f"{fmt_date(day)}: {need}", st.body) for day, need in needs] or None),
                ("Where the visits took place", "; ".join(f"{name} ({n})" for name, n in places.most_common())),
                ("Distance-learning folders", folders),
            ],
            st,
            COLOUR,
            width,
        )
    )
    return story


def _gap_text(gap_text: str, noted_on, period_start) -> str:
    """A learning gap says when it was noted, and whether that was before the period."""
    if not gap_text or noted_on is None:
        return gap_text
    when = f"noted {fmt_date(noted_on)}" + (", before this period" if noted_on < period_start else "")
    return f"{gap_text} ({when})"


def _visit_rows(visits: list[VisitDetails], st: Styles) -> list[list]:
    rows = []
    for v in visits:
        if v.held:
            work = [f"<b>{text(', '.join(v.subjects))}</b>"] if v.subjects else []
            if v.work_covered:
                work.append(text(v.work_covered))
            if v.levels_and_needs:
                work.append(f"<i>Needs:</i> {text(v.levels_and_needs)}")
        else:  # nothing was taught, so nothing covered or returned, whatever was typed
            work = [f"<b>{text(v.outcome)}</b>"]
        notes = [
            f'<font color="#5b6675">{"Professional" if n.professional else "Note"}: {text(n.text)}</font>'
            for n in v.notes
        ]
        rows.append(
            [
                fmt_date(v.day),
                place_text(v.place),
                v.worker,
                Para("<br/>".join(work + notes) or "—", st.cell),
                v.work_set,
                v.work_returned if v.held else "",
                fmt_hours(v.hours) if v.held else "0",
            ]
        )
    return rows


def render_progress_record(record: ProgressRecord) -> bytes:
    buffer = io.BytesIO()
    st = styles()
    band = Band(tab="Base school copy", colour=COLOUR, note="Confidential: professional notes")
    doc = ReportDoc(
        buffer,
        title=f"Progress record: {record.pupil.initials}, {fmt_date(record.start)} to {fmt_date(record.end)}",
        subject="Travel-period progress record",
        service=record.service,
        printed_on=record.printed_on,
        band=band,
    )
    width = doc.width
    hide_location = record.pupil.address_suppressed
    visits = [visit_for(AUDIENCE, v, hide_location) for v in record.visits]
    story: list[Flowable] = [BandMark(band), *_summary(record, visits, st, width), PageBreak()]

    story += [Para("Visit by visit", st.heading), gap(1.5 * mm)]
    widths = [w * width for w in (0.1, 0.13, 0.1, 0.34, 0.13, 0.13, 0.07)]
    header = ("Date", "Place", "Worker", "Subjects, work covered and notes", "Work set", "Returned and marked", "Hours")
    story.append(data_table(header, _visit_rows(visits, st), widths, st, COLOUR))

    if record.folder_work:
        rows = [
            (w.title, w.subject, w.status, w.comment, fmt_date(w.issued_on), fmt_date(w.returned_on))
            for w in record.folder_work
        ]
        widths = [w * width for w in (0.28, 0.12, 0.1, 0.28, 0.11, 0.11)]
        story += [
            gap(6 * mm),
            Para("Folder work returned and marked", st.heading),
            gap(1.5 * mm),
            data_table(
                ("Item", "Subject", "Status", "Comment", "Folder issued", "Folder back"), rows, widths, st, COLOUR
            ),
        ]
    story += [gap(6 * mm), _next_steps(record, visits, st, width)]
    doc.render(story)
    return buffer.getvalue()


def _next_steps(record: ProgressRecord, visits: list[VisitDetails], st: Styles, width: float) -> Flowable:
    """What the class teacher can act on, and whom to ask: the record ends here."""
    gaps = [
        f"<b>{text(s.subject)}</b>: {text(_gap_text(s.learning_gap, s.learning_gap_on, record.start))}"
        for s in record.subjects
        if s.learning_gap
    ]
    targets = [f"<b>{text(s.subject)}</b>: {text(s.target)}" for s in record.subjects if s.target]
    last_set = next((v.work_set for v in reversed(visits) if v.work_set), "")
    service = record.service
    ways = " or ".join(part for part in (service.phone, service.email) if part)
    contact = f"{service.name}" + (f", on {ways}" if ways else "") + (f"; {service.address}" if service.address else "")
    rows = [
        ("Learning gaps to pick up", Para("<br/>".join(gaps), st.body) if gaps else "None recorded"),
        ("Targets to work towards", Para("<br/>".join(targets), st.body) if targets else "None recorded"),
        ("Work last set while travelling", last_set or "None"),
        ("Questions about this record", contact),
    ]
    return section("Next steps for the class teacher", rows, st, COLOUR, width)
