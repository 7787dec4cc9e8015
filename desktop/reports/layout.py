"""The page furniture every report shares: the document (metadata, fonts), the
header band naming the copy, the footer with page numbers, type styles and
the boxed form parts (sections, field grids, signature lines, tables)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from typing import BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    LongTable,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from .data import ServiceDetails
from .fonts import CONDENSED, CONDENSED_BOLD, SANS, SANS_BOLD, register_fonts

INK = colors.HexColor("#1d2733")
MUTED = colors.HexColor("#5b6675")
RULE = colors.HexColor("#9aa5b1")
HAIRLINE = colors.HexColor("#cfd6de")
ZEBRA = colors.HexColor("#f4f6f8")
WARN = colors.HexColor("#b3261e")
WARN_TINT = colors.HexColor("#fbe9e7")

NAVY = colors.HexColor("#1f3a5f")  # the service's own copies and reports
TEAL = colors.HexColor("#0f6e63")  # the parent / carer copy
PLUM = colors.HexColor("#5e2a6e")  # the base school copy

MARGIN = 15 * mm
BAND_TOP = 10 * mm
BAND_HEIGHT = 18 * mm
FOOTER_Y = 9 * mm
EMPTY = "—"


def table_style(commands: list[tuple]) -> TableStyle:
    """A table style whose default font is ours: reportlab's own default (Helvetica)
    would be listed in the PDF, unembedded, even by an empty cell."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), SANS), *commands])


def tint(colour: colors.Color, amount: float = 0.9) -> colors.Color:
    """The colour mixed with white: section headings and label cells."""
    return colors.Color(*(c + (1 - c) * amount for c in (colour.red, colour.green, colour.blue)))


# --- text -------------------------------------------------------------------------


def text(value: str | None) -> str:
    """User text made safe for a Paragraph: markup escaped, line breaks kept."""
    value = (value or "").strip()
    return escape(value).replace("\n", "<br/>") if value else ""


def fmt_date(day: date | None) -> str:
    return f"{day.day} {day:%b %Y}" if day else ""


def fmt_short_date(day: date | None) -> str:
    """22/11/2026: for narrow table columns."""
    return f"{day:%d/%m/%Y}" if day else ""


def fmt_long_date(day: date | datetime) -> str:
    """'Saturday 29 November 2026': easiest to read for a family."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def fmt_time(moment: time | datetime | None) -> str:
    return f"{moment:%H:%M}" if moment else ""


def fmt_hours(hours: float) -> str:
    """1.5 -> '1.5', 2.0 -> '2', 0.333 -> '0.33'."""
    return f"{round(hours, 2):g}"


def fmt_hm(hours: float | None, *, compact: bool = False) -> str:
    """Hours and minutes: 31.67 -> '31 h 40 min', 5 -> '5 h', 0.75 -> '45 min', 0 -> '0 h';
    compact, for a large figure: '31h 40m'."""
    if hours is None:
        return ""
    minutes = round(hours * 60)
    h, m = divmod(minutes, 60)
    if compact:
        return f"{h}h {m:02d}m" if m else f"{h}h"
    if h and m:
        return f"{h} h {m} min"
    return f"{m} min" if m else f"{h} h"


def fmt_duration(hours: float) -> str:
    """Plain words: '1 hour 30 minutes'."""
    minutes = round(hours * 60)
    h, m = divmod(minutes, 60)
    parts = []
    if h:
        parts.append(f"{h} hour{'s' if h != 1 else ''}")
    if m or not h:
        parts.append(f"{m} minute{'s' if m != 1 else ''}")
    return " ".join(parts)


# --- type ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Styles:
    size: float
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    label: ParagraphStyle
    body: ParagraphStyle
    bold: ParagraphStyle
    muted: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_muted: ParagraphStyle
    figure: ParagraphStyle


@cache
def styles(size: float = 9.0, cell_size: float = 8.0) -> Styles:
    """Type scaled from the body size; large print is `styles(16)`."""
    register_fonts()
    lead = 1.3

    def style(name: str, font: str = SANS, scale: float = 1.0, colour: colors.Color = INK, **kw) -> ParagraphStyle:
        pt = size * scale
        return ParagraphStyle(name, fontName=font, fontSize=pt, leading=pt * lead, textColor=colour, **kw)

    def cell(name: str, font: str, colour: colors.Color = INK) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=font, fontSize=cell_size, leading=cell_size * 1.22, textColor=colour)

    return Styles(
        size=size,
        title=style("title", SANS_BOLD, 1.7, spaceAfter=size * 0.15),
        subtitle=style("subtitle", SANS, 1.05, MUTED, spaceAfter=size * 0.3),
        heading=style("heading", SANS_BOLD, 1.05),
        label=style("label", SANS, 0.72 if size < 12 else 0.8, MUTED),
        body=style("body"),
        bold=style("bold", SANS_BOLD),
        muted=style("muted", SANS, 0.9, MUTED),
        cell=cell("cell", CONDENSED),
        cell_bold=cell("cell_bold", CONDENSED_BOLD),
        cell_muted=cell("cell_muted", CONDENSED, MUTED),
        figure=style("figure", SANS_BOLD, 2.0, alignment=1),
    )


class Para(Paragraph):
    """A paragraph that remembers its line breaks for a width: a table that runs
    over pages measures each cell again at every split, which made long records slow."""

    _wrapped_for: float | None = None

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if avail_width != self._wrapped_for or not hasattr(self, "blPara"):  # split() drops blPara to force a re-wrap
            self._wrapped_size = super().wrap(avail_width, avail_height)
            self._wrapped_for = avail_width
        return self._wrapped_size


def para(value: str | None, style: ParagraphStyle, empty: str = EMPTY) -> Paragraph:
    """A paragraph of user text; an em dash when there is nothing to show."""
    body = text(value)
    if not body:
        return Para(f'<font color="{MUTED.hexval()}">{empty}</font>', style)
    return Para(body, style)


# --- the document ---------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """What the header band and footer say, from a BandMark onwards."""

    tab: str  # the copy's name: nobody may mistake one copy for another
    colour: colors.Color = NAVY
    group: str = ""  # pages are numbered within a group: "Page 1 of 2" of this copy
    note: str = ""  # a line for the footer
    outline: str = ""  # an entry in the PDF's outline (bookmarks), starting on this page


class BandMark(Flowable):
    """Zero-size: pages from here on carry this band."""

    def __init__(self, band: Band) -> None:
        super().__init__()
        self.band = band

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv._doctemplate.band = self.band
        if self.band.outline:
            self.canv.page_outline = [*getattr(self.canv, "page_outline", []), self.band.outline]


class _NumberedCanvas(Canvas):
    """Holds pages back until the end, so each can say 'Page 2 of 3' of its own copy."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[dict] = []
        self.page_group = ""
        self.page_tab = ""
        self.page_outline: list[str] = []  # outline entries that start on this page

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self.page_outline = []
        self._startPage()

    def save(self) -> None:
        totals = Counter(state["page_group"] for state in self._held)
        seen: Counter[str] = Counter()
        marks = 0
        for state in self._held:
            self.__dict__.update(state)
            # The outline is written as the pages are: a bookmark points at the page in hand.
            for title in self.page_outline:
                marks += 1
                # An explicit top-left destination: viewers (QtPdf too) warn about a bare /Fit.
                self.bookmarkPage(f"outline{marks}", fit="XYZ", left=0, top=self._pagesize[1], zoom=0)
                self.addOutlineEntry(title, f"outline{marks}", level=0)
            seen[self.page_group] += 1
            width = self._pagesize[0]
            self.setFont(SANS, 7.5)
            self.setFillColor(MUTED)
            number = f"Page {seen[self.page_group]} of {totals[self.page_group]}"
            self.drawRightString(width - MARGIN, FOOTER_Y, number)
            self.setFont(SANS_BOLD, 7.5)
            self.drawRightString(width - MARGIN - self.stringWidth(number, SANS, 7.5) - 3 * mm, FOOTER_Y, self.page_tab)
            super().showPage()
        super().save()


class ReportDoc(BaseDocTemplate):
    """A4 with the header band, footer and clean metadata: title and service only,
    never a user name or a path (the Salford pack leaked both: 002:747, 1341)."""

    def __init__(
        self,
        out: BinaryIO,
        *,
        title: str,
        subject: str,
        service: ServiceDetails,
        printed_on: date,
        band: Band,
        wide: bool = False,
    ) -> None:
        register_fonts()
        super().__init__(
            out,
            pagesize=landscape(A4) if wide else A4,
            title=title,
            author=service.name,
            subject=subject,
            creator="Waymark",
            producer="Waymark",
            keywords="",
            lang="en-GB",
            initialFontName=SANS,  # else every page lists a non-embedded Helvetica
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=BAND_TOP + BAND_HEIGHT + 6 * mm,
            bottomMargin=FOOTER_Y + 7 * mm,
        )
        self.service = service
        self.printed_on = printed_on
        self.band = band
        frame = Frame(
            self.leftMargin, self.bottomMargin, self.width, self.height, 0, 0, 0, 0, id="body", showBoundary=0
        )
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPageEnd=self._furniture)])

    def render(self, story: list[Flowable]) -> None:
        self.build(story, canvasmaker=_NumberedCanvas)

    def _furniture(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        band = self.band
        canv.page_group, canv.page_tab = band.group, band.tab
        width, height = self.pagesize
        left, right = MARGIN, width - MARGIN
        top = height - BAND_TOP
        canv.saveState()
        canv.setFillColor(band.colour)
        canv.roundRect(left, top - BAND_HEIGHT, right - left, BAND_HEIGHT, 2 * mm, stroke=0, fill=1)

        # The copy's name in a white tab on the right: on two lines if the service's name is long.
        tab_width_max = (right - left) * 0.42
        size, lines = 11.5, [band.tab]
        while size > 6 and max(canv.stringWidth(line, SANS_BOLD, size) for line in lines) > tab_width_max - 8 * mm:
            size -= 0.5
            if size < 10 and len(lines) == 1:  # rather two readable lines than one tiny one
                size, lines = 11.5, simpleSplit(band.tab, SANS_BOLD, 11.5, tab_width_max - 8 * mm)[:2]
        tab_width = max(canv.stringWidth(line, SANS_BOLD, size) for line in lines) + 8 * mm
        tab_left = right - 3 * mm - tab_width
        canv.setFillColor(colors.white)
        canv.roundRect(tab_left, top - BAND_HEIGHT + 3 * mm, tab_width, BAND_HEIGHT - 6 * mm, 1.5 * mm, 0, 1)
        canv.setFillColor(band.colour)
        canv.setFont(SANS_BOLD, size)
        first_baseline = top - BAND_HEIGHT / 2 - size * 0.35 + (len(lines) - 1) * size * 0.6
        for i, line in enumerate(lines):
            canv.drawCentredString(tab_left + tab_width / 2, first_baseline - i * size * 1.2, line)

        # The service's name and how to reach it, on the left.
        text_width = tab_left - left - 8 * mm
        canv.setFillColor(colors.white)
        name_size = 12
        while name_size > 8 and canv.stringWidth(self.service.name, SANS_BOLD, name_size) > text_width:
            name_size -= 0.5
        canv.setFont(SANS_BOLD, name_size)
        canv.drawString(left + 4 * mm, top - 7 * mm, self.service.name)
        canv.setFont(SANS, 7.5)
        for i, line in enumerate(simpleSplit(self.service.contact_line, SANS, 7.5, text_width)[:2]):
            canv.drawString(left + 4 * mm, top - 11.5 * mm - i * 9, line)

        # Footer: a hairline, when and by what it was printed, the copy again.
        canv.setStrokeColor(HAIRLINE)
        canv.setLineWidth(0.5)
        canv.line(left, FOOTER_Y + 4 * mm, right, FOOTER_Y + 4 * mm)
        canv.setFillColor(MUTED)
        canv.setFont(SANS, 7.5)
        footer = f"Printed {fmt_date(self.printed_on)} by Waymark"
        if band.note:
            footer += f" · {band.note}"
        room = (right - left) - canv.stringWidth(f"{band.tab} Page 99 of 99", SANS_BOLD, 7.5) - 10 * mm
        if canv.stringWidth(footer, SANS, 7.5) > room:  # a long copy name: drop the note rather than cut it
            footer = f"Printed {fmt_date(self.printed_on)} by Waymark"
        canv.drawString(left, FOOTER_Y, footer)
        canv.restoreState()  # the copy's name and page number are drawn last, when the page count is known


# --- form parts ---------------------------------------------------------------------------


def title_block(title: str, subtitle: str, st: Styles) -> list[Flowable]:
    return [Para(text(title), st.title), Para(text(subtitle), st.subtitle)]


def _heading_row(heading: str, st: Styles, colour: colors.Color) -> Paragraph:
    style = ParagraphStyle("h", parent=st.heading, textColor=colour)
    return Para(text(heading), style)


def label_column(st: Styles) -> float:
    return 42 * mm if st.size < 12 else 62 * mm


def section(
    heading: str,
    rows: Sequence[tuple[str, Flowable | str | None]],
    st: Styles,
    colour: colors.Color,
    width: float,
    label_width: float | None = None,
) -> Table:
    """A boxed section: a tinted heading, then label | value rows."""
    label_width = label_width or label_column(st)
    data: list[list] = [[_heading_row(heading, st, colour), ""]]
    joined: list[tuple] = []
    for label, value in rows:
        if isinstance(value, Flowable | list):
            data.append([Para(text(label), st.bold), value])
            continue
        for i, part in enumerate(pieces(value or "")):
            if i:
                joined += _continuation(len(data), [(0, tint(colour, 0.95)), (1, colors.white)])
            data.append([Para(text(label), st.bold) if i == 0 else "", para(part, st.body)])
    table = Table(data, colWidths=[label_width, width - label_width], splitInRow=40, repeatRows=1)
    pad = st.size * 0.45
    table.setStyle(
        table_style(
            [
                ("SPAN", (0, 0), (-1, 0)),
                ("BACKGROUND", (0, 0), (-1, 0), tint(colour, 0.86)),
                ("BACKGROUND", (0, 1), (0, -1), tint(colour, 0.95)),
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, colour),
                ("BOX", (0, 0), (-1, -1), 0.8, RULE),
                ("INNERGRID", (0, 1), (-1, -1), 0.4, HAIRLINE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), pad),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
                ("LEFTPADDING", (0, 0), (-1, -1), pad * 1.4),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad * 1.4),
                *joined,
            ]
        )
    )
    return table


def _continuation(row: int, backgrounds: list[tuple[int, colors.Color]]) -> list[tuple]:
    """Style a row that continues the one above (a long value cut into pieces): no rule, no gap."""
    commands: list[tuple] = [
        ("TOPPADDING", (0, row), (-1, row), 1.5),
        ("BOTTOMPADDING", (0, row - 1), (-1, row - 1), 0),
    ]
    for column, background in backgrounds:
        commands.append(("LINEABOVE", (column, row), (column, row), 0.6, background))
    return commands


LONG_FIELD = 160  # characters: a value longer than this gets a row of its own, the full width
PIECE = 700  # characters: a very long value is laid out as rows of about this much


def pieces(value: str, size: int = PIECE) -> list[str]:
    """Long text cut into parts of about `size` characters, at a line break or a
    space where there is one. Each part is a table row of its own, so a value of
    any length flows over pages: reportlab cannot always split inside one tall row."""
    parts, rest = [], value.strip()
    while len(rest) > size:
        cut = max(rest.rfind("\n", size // 2, size), rest.rfind(" ", size // 2, size))
        cut = cut if cut > 0 else size
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*parts, rest] if rest or not parts else parts


def field_grid(
    fields: Sequence[tuple[str, str | None]],
    st: Styles,
    colour: colors.Color,
    width: float,
    columns: int = 4,
    heading: str | None = None,
) -> Table:
    """Form boxes: each a small label over its value, `columns` to a row. A long
    value (medical needs, an address) takes a full-width row, which may split
    across pages: any field of any length prints."""
    short = [(label, value) for label, value in fields if len(value or "") <= LONG_FIELD]
    long = [(label, value) for label, value in fields if len(value or "") > LONG_FIELD]
    cells = [[Para(text(label), st.label), para(value, st.bold)] for label, value in short]
    while len(cells) % columns:
        cells.append("")
    data = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    commands = [
        ("BOX", (0, 0), (-1, -1), 0.8, RULE),
        ("INNERGRID", (0, 0), (-1, -1), 0.4, HAIRLINE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), st.size * 0.35),
        ("BOTTOMPADDING", (0, 0), (-1, -1), st.size * 0.5),
        ("LEFTPADDING", (0, 0), (-1, -1), st.size * 0.6),
    ]
    for label, value in long:
        for i, part in enumerate(pieces(value or "")):
            row = len(data) + (1 if heading else 0)
            cell = [Para(text(label), st.label), para(part, st.body)] if i == 0 else para(part, st.body)
            data.append([cell] + [""] * (columns - 1))
            commands += [("SPAN", (0, row), (-1, row))]
            if i:  # a continuation: no rule or gap between the parts of one value
                commands += _continuation(row, [(0, colors.white)])
    if heading:
        data.insert(0, [_heading_row(heading, st, colour)] + [""] * (columns - 1))
        commands += [
            ("SPAN", (0, 0), (-1, 0)),
            ("BACKGROUND", (0, 0), (-1, 0), tint(colour, 0.86)),
            ("LINEBELOW", (0, 0), (-1, 0), 1.2, colour),
            ("TOPPADDING", (0, 0), (-1, 0), st.size * 0.45),
            ("BOTTOMPADDING", (0, 0), (-1, 0), st.size * 0.45),
        ]
    table = Table(data, colWidths=[width / columns] * columns, repeatRows=1 if heading else 0, splitInRow=40)
    table.setStyle(table_style(commands))
    return table


SIGNATURE_NAME = 80  # characters


def signature_block(parties: Sequence[tuple[str, str]], st: Styles, colour: colors.Color, width: float) -> KeepTogether:
    """Signature and date lines side by side, one box per person signing."""
    gap = 5 * mm
    box_width = (width - gap * (len(parties) - 1)) / len(parties)
    boxes = []
    for caption, name in parties:
        line_space = st.size * 2.6
        if len(name) > SIGNATURE_NAME:  # printed in full elsewhere; the box must stay on one page
            name = name[: SIGNATURE_NAME - 1].rstrip() + "…"
        inner = Table(
            [
                [Para(text(caption), st.bold), ""],
                [Para(text(name) or "&nbsp;", st.body), ""],  # a blank line keeps the boxes level
                ["", ""],
                [Para("Signature", st.label), Para("Date", st.label)],
            ],
            colWidths=[box_width * 0.64, box_width * 0.36],
            rowHeights=[None, None, line_space, None],
        )
        inner.setStyle(
            table_style(
                [
                    ("SPAN", (0, 0), (-1, 0)),
                    ("SPAN", (0, 1), (-1, 1)),
                    ("BOX", (0, 0), (-1, -1), 0.8, RULE),
                    ("BACKGROUND", (0, 0), (-1, 0), tint(colour, 0.9)),
                    ("LINEBELOW", (0, 2), (0, 2), 0.8, INK),
                    ("LINEBELOW", (1, 2), (1, 2), 0.8, INK),
                    ("LEFTPADDING", (0, 0), (-1, -1), st.size * 0.6),
                    ("RIGHTPADDING", (0, 0), (-1, -1), st.size * 0.9),
                    ("TOPPADDING", (0, 0), (-1, -1), st.size * 0.3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), st.size * 0.3),
                ]
            )
        )
        boxes.append(inner)
    row: list = []
    widths: list[float] = []
    for i, box in enumerate(boxes):
        if i:
            row.append("")
            widths.append(gap)
        row.append(box)
        widths.append(box_width)
    outer = Table([row], colWidths=widths)
    outer.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return KeepTogether([outer])


def data_table(
    header: Sequence[str],
    rows: Iterable[Sequence[Flowable | str]],
    col_widths: Sequence[float],
    st: Styles,
    colour: colors.Color = NAVY,
    extra: Iterable[tuple] = (),
    empty: str = EMPTY,
) -> LongTable:
    """A table of records that runs over pages, its header repeated on each;
    an empty text cell shows `empty`."""
    data: list[list] = [
        [Para(text(h), ParagraphStyle("th", parent=st.cell_bold, textColor=colors.white)) for h in header]
    ]
    for row in rows:
        data.append([cell if isinstance(cell, Flowable) else para(cell, st.cell, empty) for cell in row])
    table = LongTable(data, colWidths=list(col_widths), repeatRows=1, splitInRow=24)
    table.setStyle(
        table_style(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colour),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]),
                ("BOX", (0, 0), (-1, -1), 0.8, RULE),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, HAIRLINE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 3.5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3.5),
                *extra,
            ]
        )
    )
    return table


def figures(items: Sequence[tuple[str, str]], st: Styles, colour: colors.Color, width: float) -> Table:
    """Key figures as tiles: a large number over what it counts."""
    big = ParagraphStyle("fig", parent=st.figure, textColor=colour)
    caption = ParagraphStyle("cap", parent=st.label, alignment=1)
    gap = 3 * mm
    tile = (width - gap * (len(items) - 1)) / len(items)
    row, widths, commands = [], [], []
    for i, (value, what) in enumerate(items):
        if i:
            row.append("")
            widths.append(gap)
        col = len(row)
        row.append([Para(text(value), big), Para(text(what), caption)])
        widths.append(tile)
        commands += [("BOX", (col, 0), (col, 0), 0.8, RULE), ("BACKGROUND", (col, 0), (col, 0), tint(colour, 0.94))]
    table = Table([row], colWidths=widths)
    table.setStyle(
        table_style([*commands, ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 7)])
    )
    return table


def gap(points: float = 3 * mm) -> Spacer:
    return Spacer(0, points)
