"""A table of thousands of short records, drawn row by row.

The LA caseload summary has a row per pupil: at 5,000 pupils, a reportlab
Table of Paragraphs (75,000 of them, each parsed as markup, wrapped and drawn
in its own graphics state) took half a minute. `RowTable` draws the same table
(`layout.data_table`'s look: a coloured header repeated on every page, zebra
rows, a hairline under each, a box round each page's part, the same paddings,
fonts and line spacing) from plain text: each cell is wrapped once with the
font's metrics and its lines drawn as strings. Cells are `Text` runs, not
markup, so nothing a user typed is read as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from .layout import EMPTY, HAIRLINE, MUTED, NAVY, RULE, ZEBRA, Styles

TOP, BOTTOM, SIDE = 2.5, 3.0, 3.5  # cell padding, as data_table's


@dataclass(frozen=True)
class Text:
    """A run of text starting on a line of its own, wrapped to the cell."""

    text: str
    bold: bool = False
    colour: colors.Color | None = None  # the cell style's colour when None


Cell = str | Text | Sequence[Text]  # a plain string is one run (blank: EMPTY, muted); () is a blank cell


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap as a Paragraph does it; a word wider than the cell is cut."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if stringWidth(candidate, font, size) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while stringWidth(word, font, size) > width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and stringWidth(word[:cut], font, size) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


class RowTable(Flowable):
    """Header and rows; splits between rows, repeating the header."""

    def __init__(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Cell]],
        col_widths: Sequence[float],
        st: Styles,
        colour: colors.Color = NAVY,
        *,
        _laid: tuple | None = None,
        _first: int = 0,
    ) -> None:
        super().__init__()
        self.col_widths = list(col_widths)
        self.colour = colour
        self.style: ParagraphStyle = st.cell
        self.bold_font = st.cell_bold.fontName
        self.first = _first  # index of this part's first row in the whole table: zebra parity
        if _laid is None:
            head = self._lay([Text(h, bold=True, colour=colors.white) for h in header])
            _laid = (head, [self._lay(row) for row in rows])
        self.head, self.rows = _laid

    # --- layout ----------------------------------------------------------------------

    def _lay(self, row: Sequence[Cell]) -> tuple[float, list[list[tuple[str, str, colors.Color]]]]:
        """A row's height and, per cell, its lines as (text, font, colour)."""
        st, cells = self.style, []
        for cell, width in zip(row, self.col_widths, strict=True):
            if isinstance(cell, str):  # as data_table's para(): a blank shows EMPTY
                runs = [Text(cell) if cell.strip() else Text(EMPTY, colour=MUTED)]
            else:  # as a Paragraph: runs are drawn as they are, () is a blank cell
                runs = [cell] if isinstance(cell, Text) else list(cell)
            lines = []
            for run in runs:
                font = self.bold_font if run.bold else st.fontName
                for line in wrap(run.text.strip(), font, st.fontSize, width - 2 * SIDE):
                    lines.append((line, font, run.colour or st.textColor))
            cells.append(lines)
        height = max(max(len(lines) for lines in cells), 1) * st.leading + TOP + BOTTOM
        return height, cells

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = sum(self.col_widths)
        self.height = self.head[0] + sum(height for height, _ in self.rows)
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        room, fits = avail_height - self.head[0], 0
        for height, _ in self.rows:
            if height > room:
                break
            room -= height
            fits += 1
        if fits == 0 or fits == len(self.rows):
            return []
        return [self._part(0, fits), self._part(fits, len(self.rows))]

    def _part(self, start: int, end: int) -> RowTable:
        part = RowTable.__new__(RowTable)
        Flowable.__init__(part)  # not the layout's own marks on this one (postponed, frame)
        for name in ("col_widths", "colour", "style", "bold_font", "head"):
            setattr(part, name, getattr(self, name))
        part.rows, part.first = self.rows[start:end], self.first + start
        return part

    # --- drawing ---------------------------------------------------------------------

    def draw(self) -> None:
        canv, st = self.canv, self.style
        rows = [self.head, *self.rows]
        tops, y = [], self.height
        for height, _ in rows:
            tops.append(y)
            y -= height
        # Backgrounds first, then the rules, then every line of text in one text object.
        for i, ((height, _), top) in enumerate(zip(rows, tops, strict=True)):
            if i == 0 or (self.first + i - 1) % 2:
                canv.setFillColor(self.colour if i == 0 else ZEBRA)
                canv.rect(0, top - height, self.width, height, stroke=0, fill=1)
        canv.setStrokeColor(HAIRLINE)
        canv.setLineWidth(0.3)
        canv.lines(
            [(0, top - height, self.width, top - height) for (height, _), top in zip(rows[1:], tops[1:], strict=True)]
        )
        tx = canv.beginText()
        font_now = colour_now = None
        for (_, cells), top in zip(rows, tops, strict=True):
            x = SIDE
            for lines, width in zip(cells, self.col_widths, strict=True):
                baseline = top - TOP - st.fontSize  # where a Paragraph puts its first line
                for line, font, colour in lines:
                    if font != font_now:
                        tx.setFont(font, st.fontSize)
                        font_now = font
                    if colour != colour_now:
                        tx.setFillColor(colour)
                        colour_now = colour
                    tx.setTextOrigin(x, baseline)
                    tx.textOut(line)
                    baseline -= st.leading
                x += width
        canv.drawText(tx)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.8)
        canv.rect(0, 0, self.width, self.height, stroke=1, fill=0)
