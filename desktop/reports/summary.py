"""The LA caseload summary: one row per pupil in the columns of Ofsted's
tracking sheet (seed 001:899), then the counts leaders ask for: by cohort,
by provision type, by hours band (pupils with tuition in force only), reviews
overdue, folders not returned. Hours below target, reviews overdue and
actions overdue are marked in the rows."""

from __future__ import annotations

import io

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Table

from .data import CaseloadSummary, OverdueItem
from .layout import (
    NAVY,
    WARN,
    Band,
    BandMark,
    Para,
    ReportDoc,
    Styles,
    data_table,
    fmt_date,
    fmt_hm,
    fmt_short_date,
    gap,
    styles,
    table_style,
    text,
    title_block,
)
from .rows import Cell, RowTable, Text

COLOUR = NAVY

# (heading, width in mm): 267 mm is the width of landscape A4 inside the margins.
COLUMNS = (
    ("#", 6),
    ("Name", 24),
    ("UPN", 22),
    ("Eth. / sex", 14),
    ("DOB, NC year", 17),
    ("SEND", 12),
    ("Locality", 22),
    ("Original school", 23),
    ("Lead worker", 16),
    ("Providers", 24),
    ("Provision start", 15),
    ("Hours a week: planned / last week", 18),
    ("Next review", 18),
    ("Reasons", 18),
    ("Action and by whom", 22),
)
SEX_CODES = {"Female": "F", "Male": "M"}


def _counts(
    heading: str, items: tuple[tuple[str, int], ...], st: Styles, width: float, apart: tuple[str, int] | None = None
) -> Table:
    """Counts with their total; `apart` is a line counted separately, under the total."""
    rows: list[tuple] = [(name, str(n)) for name, n in items] or [("None", "0")]
    total = str(sum(n for _, n in items))
    rows.append((Para("Total", st.cell_bold), Para(total, st.cell_bold)))
    if apart is not None:
        rows.append((Para(text(apart[0]), st.cell_muted), Para(str(apart[1]), st.cell_muted)))
    return data_table((heading, "Pupils"), rows, (width * 0.72, width * 0.28), st, COLOUR)


def _overdue(heading: str, items: tuple[OverdueItem, ...], due_label: str, st: Styles, width: float) -> list[Flowable]:
    title = Para(text(f"{heading} ({len(items)})"), st.heading)
    if not items:
        return [title, gap(1 * mm), Para("None.", st.muted)]
    rows = [(i.pupil, i.what, fmt_date(i.due)) for i in items]
    return [
        title,
        gap(1.5 * mm),
        data_table(("Pupil", "What", due_label), rows, [width * f for f in (0.25, 0.55, 0.2)], st, COLOUR),
    ]


def render_caseload_summary(summary: CaseloadSummary) -> bytes:
    buffer = io.BytesIO()
    st = styles(9.0, 6.6)
    band = Band(tab="LA caseload summary", colour=COLOUR, note="Confidential: pupils' personal data")
    doc = ReportDoc(
        buffer,
        title=f"Caseload summary, {fmt_date(summary.on)}",
        subject="LA caseload summary",
        service=summary.service,
        printed_on=summary.on,
        band=band,
        wide=True,
    )
    width = doc.width
    scale = width / (sum(w for _, w in COLUMNS) * mm)
    widths = [w * mm * scale for _, w in COLUMNS]
    rows: list[list[Cell]] = []
    for i, r in enumerate(summary.rows, start=1):
        review: Cell = (Text(r.review_kind), Text(fmt_short_date(r.review_date))) if r.review_kind else ()
        if r.review_overdue:
            review = (Text(r.review_kind), Text(f"{fmt_short_date(r.review_date)} overdue", bold=True, colour=WARN))
        hours: Cell = f"{fmt_hm(r.planned_hours, compact=True)} / {fmt_hm(r.hours_last_week, compact=True)}"
        if r.hours_below_target:
            hours = (Text(hours), Text("below target", bold=True, colour=WARN))
        action: Cell = r.action
        if r.action_overdue:
            action = (Text(r.action), Text("overdue", bold=True, colour=WARN))
        rows.append(
            [
                str(i),
                Text(r.name, bold=True),
                r.upn,
                " · ".join(part for part in (r.ethnicity, SEX_CODES.get(r.sex, "")) if part),
                (Text(fmt_short_date(r.dob)), Text(r.nc_year)),
                r.send,
                r.locality,
                r.school,
                r.responsible,
                r.provision,
                fmt_short_date(r.provision_start),
                hours,
                review,
                r.reasons,
                action,
            ]
        )
    story: list[Flowable] = [
        BandMark(band),
        *title_block(
            "Caseload summary",
            f"{summary.service.name} · at {fmt_date(summary.on)} · {len(summary.rows)} pupils",
            st,
        ),
        # Thousands of rows at an LA: drawn as plain text rows (rows.py), not a Table of Paragraphs.
        RowTable([h for h, _ in COLUMNS], rows, widths, st, COLOUR),
        gap(6 * mm),
    ]

    third = (width - 12 * mm) / 3
    counts = Table(
        [
            [
                _counts("Cohort", summary.by_cohort, st, third),
                _counts("Open provision", summary.by_provision, st, third),
                _counts(
                    "Pupils with tuition, by hours received",
                    summary.by_hours_band,
                    st,
                    third,
                    apart=("Not banded: no tuition in force", summary.not_banded),
                ),
            ]
        ],
        colWidths=[third + 6 * mm, third + 6 * mm, third],
    )
    counts.setStyle(table_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story += [
        KeepTogether(
            [
                Para("Counts", st.heading),
                Para(
                    text(
                        "A pupil counts once by cohort, and once for each open provision. Hours bands count the "
                        "pupils with hospital or home tuition in force, by hours received in the week beginning "
                        f"{fmt_date(summary.hours_week_start)}; {summary.not_banded} "
                        f"pupil{' is' if summary.not_banded == 1 else 's are'} on a school roll or supported "
                        "by visits, with no tuition in force, and not banded."
                    ),
                    st.muted,
                ),
                gap(2 * mm),
                counts,
            ]
        ),
        gap(6 * mm),
        *_overdue("Reviews overdue", summary.reviews_overdue, "Was due", st, width * 0.7),
        gap(6 * mm),
        *_overdue(
            f"Folders not returned: {summary.folders_out} out, of which overdue",
            summary.folders_overdue,
            "Expected back",
            st,
            width * 0.7,
        ),
    ]
    doc.render(story)
    return buffer.getvalue()
