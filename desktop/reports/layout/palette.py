"""The reports' colours (ink, rules, each copy's colour) and page measures, and table
styles in our font."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    TableStyle,
)

from ..fonts import SANS

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
