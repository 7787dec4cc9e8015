"""The boxed form parts: title, sections, field grids, signature lines, data tables
and figures."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    LongTable,
    Paragraph,
    Spacer,
    Table,
)

from .formats import text
from .palette import (
    EMPTY,
    HAIRLINE,
    INK,
    NAVY,
    RULE,
    ZEBRA,
    table_style,
    tint,
)
from .typography import Para, Styles, para


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
