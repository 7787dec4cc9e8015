"""The type styles of a report, at a chosen size, and paragraphs that never overflow a cell."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    Paragraph,
)

from ..fonts import CONDENSED, CONDENSED_BOLD, SANS, SANS_BOLD, register_fonts
from .formats import text
from .palette import (
    EMPTY,
    INK,
    MUTED,
)


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
