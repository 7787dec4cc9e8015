"""The hours statement (health needs and home tuition): week by week, hours
planned and delivered against the target, weeks below target marked, and a
small chart. The target each week comes from the domain rule (rules.target_hours):
the planned hours, at least the minimum, never above the medical maximum, pro
rata to the week's school days. The week not yet over is shown, not counted."""

from __future__ import annotations

import io

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from .copies import Copy, pupil_for
from .data import HoursStatement, WeekRow
from .fonts import SANS
from .layout import (
    HAIRLINE,
    MUTED,
    NAVY,
    WARN,
    WARN_TINT,
    Band,
    BandMark,
    Para,
    ReportDoc,
    data_table,
    field_grid,
    figures,
    fmt_date,
    fmt_hm,
    fmt_hours,
    gap,
    section,
    styles,
    text,
    title_block,
)

COLOUR = NAVY
CHART_HEIGHT = 52 * mm


def _axis(top: float) -> tuple[float, float]:
    """A round step and the top of the axis: four or five steps of 0.5, 1, 2, 5, 10..."""
    for step in (0.5, 1, 2, 2.5, 5, 10, 20, 50):
        if top / step <= 5:
            return step, step * max(1, -(-top // step))
    return 100.0, 100.0 * -(-top // 100)


def hours_chart(weeks: tuple[WeekRow, ...], width: float, height: float = CHART_HEIGHT) -> Drawing:
    """Bars of hours delivered a week (red when below target) under the target's line."""
    drawing = Drawing(width, height, initialFontName=SANS)  # else the chart lists an unembedded Helvetica
    left, bottom, right, top = 24, 26, width - 4, height - 8
    step, top_value = _axis(max([w.delivered for w in weeks] + [w.target for w in weeks] + [1]) * 1.05)

    def y(value: float) -> float:
        return bottom + (top - bottom) * value / top_value

    for i in range(round(top_value / step) + 1):  # grid lines with their values
        value = step * i
        drawing.add(Line(left, y(value), right, y(value), strokeColor=HAIRLINE, strokeWidth=0.4))
        drawing.add(
            String(
                left - 3,
                y(value) - 2.5,
                fmt_hours(value),
                fontName=SANS,
                fontSize=6.5,
                fillColor=MUTED,
                textAnchor="end",
            )
        )
    slot = (right - left) / max(len(weeks), 1)
    bar = slot * 0.62
    label_every = max(1, round(len(weeks) / 12))
    for i, week in enumerate(weeks):
        x = left + i * slot + (slot - bar) / 2
        fill = WARN if week.below_target else (MUTED if week.partial else COLOUR)
        if week.delivered:
            drawing.add(Rect(x, bottom, bar, y(week.delivered) - bottom, fillColor=fill, strokeColor=None))
        if week.target:
            drawing.add(
                Line(
                    left + i * slot,
                    y(week.target),
                    left + (i + 1) * slot,
                    y(week.target),
                    strokeColor=WARN,
                    strokeWidth=1.2,
                    strokeDashArray=[3, 2],
                )
            )
        if i % label_every == 0:
            drawing.add(
                String(
                    x + bar / 2,
                    bottom - 9,
                    f"{week.week_start:%d/%m}",
                    fontName=SANS,
                    fontSize=6.5,
                    fillColor=MUTED,
                    textAnchor="middle",
                )
            )
    drawing.add(Line(left, bottom, right, bottom, strokeColor=MUTED, strokeWidth=0.6))

    # Legend, so the chart reads on a black-and-white printer too; a target's
    # entries only when there is a target line to explain.
    legend_y = 4
    drawing.add(Rect(left, legend_y, 7, 7, fillColor=COLOUR, strokeColor=None))
    drawing.add(String(left + 10, legend_y + 1, "Hours delivered", fontName=SANS, fontSize=7, fillColor=MUTED))
    if not any(w.target for w in weeks):
        return drawing
    drawing.add(Rect(left + 80, legend_y, 7, 7, fillColor=WARN, strokeColor=None))
    drawing.add(String(left + 90, legend_y + 1, "Below target", fontName=SANS, fontSize=7, fillColor=MUTED))
    drawing.add(
        Line(
            left + 150,
            legend_y + 3.5,
            left + 165,
            legend_y + 3.5,
            strokeColor=WARN,
            strokeWidth=1.2,
            strokeDashArray=[3, 2],
        )
    )
    drawing.add(String(left + 169, legend_y + 1, "Weekly target", fontName=SANS, fontSize=7, fillColor=MUTED))
    return drawing


def render_hours_statement(statement: HoursStatement) -> bytes:
    buffer = io.BytesIO()
    st = styles()
    band = Band(tab="Hours statement", colour=COLOUR, note="Confidential")
    doc = ReportDoc(
        buffer,
        title=f"Hours statement: {statement.pupil.initials}, {fmt_date(statement.start)} to {fmt_date(statement.end)}",
        subject="Hours statement",
        service=statement.service,
        printed_on=statement.printed_on,
        band=band,
    )
    width = doc.width
    p = pupil_for(Copy.SERVICE, statement.pupil)
    weeks = statement.weeks
    counted = statement.counted
    planned = sum(w.planned for w in counted)
    delivered = sum(w.delivered for w in counted)
    targeted = [w for w in counted if w.target]
    target_total = sum(w.target for w in targeted)
    if statement.has_target:
        share = f"{round(100 * sum(w.delivered for w in targeted) / target_total)}%" if target_total else "—"
        judged = [
            (share, "Of the target delivered"),
            (f"{statement.weeks_below} of {len(targeted)}", "Weeks below target"),
        ]
    else:
        judged = [(str(sum(1 for w in counted if w.delivered)), "Weeks with sessions"), ("None", "Hours target")]
    unfinished = [w for w in weeks if w.partial]

    story: list[Flowable] = [
        BandMark(band),
        *title_block("Hours statement", f"{p.name} · {fmt_date(statement.start)} to {fmt_date(statement.end)}", st),
        field_grid(
            [
                ("Pupil", p.name),
                ("Date of birth", fmt_date(p.dob)),
                ("NC year", p.nc_year),
                ("Base school", p.base_school),
                ("UPN", p.upn),
                ("Medical needs", p.medical_needs or "None recorded"),
            ],
            st,
            COLOUR,
            width,
            columns=3,
            heading="Pupil",
        ),
        gap(),
        figures(
            [
                (fmt_hm(delivered, compact=True), "Hours delivered"),
                (fmt_hm(planned, compact=True), "Hours planned"),
                *judged,
            ],
            st,
            COLOUR,
            width,
        ),
    ]
    if unfinished:
        w = unfinished[0]
        story += [
            gap(1.5 * mm),
            Para(
                text(
                    f"The week beginning {fmt_date(w.week_start)} is not over: its {fmt_hm(w.delivered)} so far "
                    "are shown in the table but not counted above."
                ),
                st.muted,
            ),
        ]
    full_time = (
        f"{fmt_hm(statement.full_time_for_age)} a week in {p.nc_year}"
        if statement.full_time_for_age is not None
        else "Not of school age"
    )
    story += [
        gap(),
        section(
            "Targets",
            [
                ("Full time", f"{full_time} (Ofsted counts pupils under {fmt_hm(statement.full_time_hours)})"),
                (
                    "Planned now",
                    f"{fmt_hm(statement.planned_now)} a week of tuition"
                    if statement.planned_now is not None
                    else "No tuition in force",
                ),
                ("Minimum for tuition", f"{fmt_hm(statement.minimum_hours)} a week"),
                (
                    "Medically advised maximum",
                    f"{fmt_hm(statement.medical_max_hours)} a week"
                    if statement.medical_max_hours is not None
                    else "None recorded",
                ),
                (
                    "Weekly target",
                    "The planned hours, at least the minimum, never above the medical maximum or full time; "
                    "pro rata in a week with fewer school days (a holiday has none). "
                    "Only hospital and home tuition have a target.",
                ),
            ],
            st,
            COLOUR,
            width,
        ),
    ]
    for warning in statement.warnings:
        story += [gap(1.5 * mm), Para(f'<font color="{WARN.hexval()}"><b>▲ {text(warning)}.</b></font>', st.body)]
    story.append(gap())
    if statement.provision:
        rows = [
            (
                e.kind,
                e.provider,
                fmt_date(e.start),
                fmt_date(e.end) or "Open",
                fmt_hm(e.planned_hours),
                fmt_hm(e.medical_max_hours) if e.medical_max_hours is not None else "",
                fmt_date(e.review_date),
            )
            for e in statement.provision
        ]
        widths = [w * width for w in (0.18, 0.24, 0.11, 0.11, 0.11, 0.13, 0.12)]
        header = ("Provision", "Provider", "Start", "End", "Planned h/week", "Medical max h/week", "Review")
        story += [data_table(header, rows, widths, st, COLOUR), gap()]
    story += [Para("Hours delivered each week", st.heading), hours_chart(weeks, width), gap()]

    rows, marks = [], []
    for i, w in enumerate(weeks, start=1):
        short = max(w.target - w.delivered, 0) if w.target and not w.partial else 0
        mark = ""
        if w.below_target:
            mark = Para(f'<font color="{WARN.hexval()}"><b>▼ Below target</b></font>', st.cell)
            marks.append(("BACKGROUND", (0, i), (-1, i), WARN_TINT))
        elif w.partial:
            mark = "Week not over: hours so far"
        elif w.holiday:
            mark = "Holiday: no school days" if w.first_day is None else "No school days in the period"
        elif w.school_days < 5:
            mark = f"{w.school_days} school day{'s' if w.school_days != 1 else ''}: target pro rata"
        week = f"w/b {fmt_date(w.week_start)}"
        if w.first_day is not None:
            week += f" (from {w.first_day.day} {w.first_day:%b})"
        rows.append(
            [
                week,
                fmt_hm(w.planned),
                fmt_hm(w.delivered),
                fmt_hm(w.target) if w.target else ("—" if w.holiday else "None"),
                fmt_hm(short) if short else "",
                mark,
            ]
        )
    widths = [w * width for w in (0.22, 0.13, 0.13, 0.13, 0.13, 0.26)]
    header = ("Week", "Planned", "Delivered", "Target", "Short by", "")
    story.append(data_table(header, rows, widths, st, COLOUR, extra=marks, empty=""))
    story.append(gap(2 * mm))
    story.append(
        Para(
            text("Hours are contact time from the sessions logged; sessions that did not take place count as none."),
            st.muted,
        )
    )
    doc.render(story)
    return buffer.getvalue()
