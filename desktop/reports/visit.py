"""The visit report: Motifax's three copies of every visit, one set per pupil
seen, in one A4 PDF. What a copy shows is decided in copies.py; this module
only lays it out (plain words and, if asked, large type on the family's copy)."""

from __future__ import annotations

import io

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak

from .copies import Copy, VisitCopy, visit_copies
from .data import Place, VisitDetails, VisitReport
from .layout import (
    LONG_FIELD,
    NAVY,
    PLUM,
    TEAL,
    Band,
    BandMark,
    Para,
    ReportDoc,
    Styles,
    data_table,
    field_grid,
    fmt_date,
    fmt_duration,
    fmt_hours,
    fmt_long_date,
    fmt_time,
    gap,
    label_column,
    para,
    pieces,
    section,
    signature_block,
    styles,
    text,
    title_block,
)

COLOURS = {Copy.PARENT: TEAL, Copy.SERVICE: NAVY, Copy.SCHOOL: PLUM}

LARGE_PRINT_SIZE = 16.0  # RNIB's large print starts at 16 pt


def place_text(place: Place) -> str:
    return ", ".join(part for part in (place.name, place.detail) if part) or place.kind


def _time_text(visit: VisitDetails, plain: bool) -> str:
    if not visit.start:
        return ""
    span = f"{fmt_time(visit.start)} to {fmt_time(visit.end)}" if visit.end else fmt_time(visit.start)
    if visit.hours:
        span += f" ({fmt_duration(visit.hours) if plain else fmt_hours(visit.hours) + ' h'})"
    return span


def _notes(c: VisitCopy, st: Styles, professional: bool) -> list[Flowable] | None:
    notes = [n for n in c.visit.notes if n.professional is professional]
    if not notes:
        return None
    return [para(part, st.body) for n in notes for part in pieces(n.text)]


def _levels(c: VisitCopy, st: Styles, width: float) -> Flowable | list[Flowable] | None:
    if not c.levels:
        return None
    long = any(len(f) > LONG_FIELD for lv in c.levels for f in (lv.subject, lv.level, lv.target, lv.learning_gap))
    if c.plain_language or long:
        # One paragraph a level: a table nested in a cell cannot flow over a page.
        lines = []
        for lv in c.levels:
            line = f"{lv.subject}: {lv.level}"
            if not c.plain_language:
                line += "".join(f". {what}: {v}" for what, v in (("Target", lv.target), ("Gap", lv.learning_gap)) if v)
            lines += [para(part, st.body) for part in pieces(line)]
        return lines
    rows = [(lv.subject, lv.level, lv.target, lv.learning_gap) for lv in c.levels]
    widths = [w * width for w in (0.2, 0.2, 0.3, 0.3)]
    return data_table(("Subject", "Level", "Target", "Learning gap"), rows, widths, st, COLOURS[c.copy])


def copy_story(c: VisitCopy, width: float, group: str = "") -> list[Flowable]:
    """One copy of the report for one pupil, from its band to its signatures."""
    st = styles(LARGE_PRINT_SIZE, 13.0) if c.large_print else styles()
    colour = COLOURS[c.copy]
    plain = c.plain_language
    v, p = c.visit, c.pupil
    columns = 2 if c.large_print else 4
    story: list[Flowable] = [
        # The outline names each copy, so the print preview can print one copy or one kind.
        BandMark(Band(tab=c.title, colour=colour, group=group, note=_footer_note(c), outline=f"{c.title} — {p.name}")),
        *title_block(
            "Visit report" if not plain else f"Your visit report for {p.forename}",
            f"{p.name} · {fmt_long_date(v.day) if plain else fmt_date(v.day)}",
            st,
        ),
        Para(text(c.instruction), st.muted),
        gap(3 * mm),
    ]

    pupil_fields = [
        ("Name" if plain else "Pupil", p.name),
        ("Date of birth", fmt_date(p.dob)),
        ("School year" if plain else "NC year", p.nc_year),
        ("School" if plain else "Base school", p.base_school),
    ]
    if not plain:
        pupil_fields.append(("UPN", p.upn))
        pupil_fields.append(("SEN", p.sen or "None"))
    if p.address:
        pupil_fields.append(("Address", p.address))
    if p.medical_needs:
        pupil_fields.append(("Medical needs", p.medical_needs))
    story += [
        field_grid(pupil_fields, st, colour, width, columns, "Who this report is for" if plain else "Pupil"),
        gap(),
    ]

    visit_fields = [
        ("Date", fmt_long_date(v.day) if plain else fmt_date(v.day)),
        ("Time", _time_text(v, plain)),
        ("Where" if plain else "Place", place_text(v.place)),
        ("Teacher" if plain else "Worker", v.worker),
    ]
    story += [field_grid(visit_fields, st, colour, width, columns, "When and where" if plain else "Visit"), gap()]

    story += [_work_section(c, st, colour, width), gap()]

    note_rows: list[tuple[str, object]] = []
    family_notes = _notes(c, st, professional=False)
    note_rows.append(("Notes" if plain else "Notes for the family", family_notes))
    if not plain:
        note_rows.append(("Professional notes (not on the parent / carer copy)", _notes(c, st, professional=True)))
    next_visit = ""
    if v.next_appointment:
        when = fmt_long_date(v.next_appointment) if plain else fmt_date(v.next_appointment.date())
        next_visit = f"{when} at {fmt_time(v.next_appointment)}"
    note_rows.append(("Next visit" if plain else "Next appointment", next_visit or ("Not booked yet" if plain else "")))
    story += [section("Notes and next visit" if plain else "Notes and next appointment", note_rows, st, colour, width)]
    ways = " or ".join(part for part in (c.service.phone, c.service.email) if part)
    if ways and c.copy is not Copy.SERVICE:  # in the body too: as large as the rest in large print
        question = "Any questions? Contact" if plain else "Questions about this report:"
        story += [gap(), para(f"{question} {c.service.name} on {ways}.", st.body if plain else st.muted)]
    story.append(gap(6 * mm))

    parties = [("Teacher" if plain else "Worker", v.worker), ("Parent / carer", "")]
    if c.copy is Copy.SCHOOL:
        parties.append(("Received at the base school", ""))
    story.append(signature_block(parties, st, colour, width))
    return story


def next_time(v: VisitDetails, plain: bool) -> str:
    """Home and hospital tuition comes in sessions; a TES teacher meets the family at their next stop."""
    if v.sessions:
        return "Work to do before the next session" if plain else "Work set for the next session"
    return "Work to do before the next visit" if plain else "Work set for the next stop"


def _work_section(c: VisitCopy, st: Styles, colour, width: float) -> Flowable:
    """This child's own work. A child not taught has no work covered, returned or
    levels, whatever was typed: only any work left for them."""
    v, p, plain = c.visit, c.pupil, c.plain_language
    if not v.held:
        rows = [("What happened" if plain else "Outcome", v.outcome), (next_time(v, plain), v.work_set)]
        return section("What we did" if plain else "Work", rows, st, colour, width)
    subjects = ", ".join(v.subjects)
    if plain:
        rows = [
            ("Subjects", subjects),
            ("What we worked on", v.work_covered),
            ("Work brought back and marked", v.work_returned),
            (f"How {p.forename} is getting on", v.levels_and_needs),
        ]
        levels = _levels(c, st, width)
        if levels is not None:
            rows.append(("Levels", levels))
        rows.append((next_time(v, plain), v.work_set))
        return section("What we did", rows, st, colour, width)
    rows = [
        ("Subjects", subjects),
        ("Work covered", v.work_covered),
        ("Work returned and marked", v.work_returned),
        ("Levels reached and needs identified", v.levels_and_needs),
    ]
    levels = _levels(c, st, width - label_column(st) - 2 * st.size)
    if levels is not None:
        rows.append(("Levels recorded at this visit", levels))
    rows.append((next_time(v, plain), v.work_set))
    return section("Work", rows, st, colour, width)


def _footer_note(c: VisitCopy) -> str:
    return "Yours to keep" if c.copy is Copy.PARENT else "Confidential: professional notes"


def render_visit_report(report: VisitReport, *, large_print: bool = False) -> bytes:
    """The three copies for each pupil seen, each copy starting a new page."""
    buffer = io.BytesIO()
    names = ", ".join(p.pupil.initials for p in report.pupils)  # initials only: see PupilDetails.initials
    copies = visit_copies(report, large_print=large_print)
    doc = ReportDoc(
        buffer,
        title=f"Visit report: {names}, {fmt_date(report.day)}",
        subject=f"Visit report, {fmt_date(report.day)}",
        service=report.service,
        printed_on=report.printed_on,
        band=Band(tab=copies[0].title),
    )
    story: list[Flowable] = []
    for i, c in enumerate(copies):
        if i:
            story.append(PageBreak())
        story += copy_story(c, doc.width, group=str(i))
    doc.render(story)
    return buffer.getvalue()
