"""The page furniture every report shares: the document (metadata, fonts), the
header band naming the copy, the footer with page numbers, type styles and
the boxed form parts (sections, field grids, signature lines, tables).

One file per part: palette, formats, typography, document, forms."""

from __future__ import annotations

from .document import Band, BandMark, ReportDoc
from .formats import fmt_date, fmt_duration, fmt_hm, fmt_hours, fmt_long_date, fmt_short_date, fmt_time, text
from .forms import (
    LONG_FIELD,
    PIECE,
    SIGNATURE_NAME,
    data_table,
    field_grid,
    figures,
    gap,
    label_column,
    pieces,
    section,
    signature_block,
    title_block,
)
from .palette import (
    BAND_HEIGHT,
    BAND_TOP,
    EMPTY,
    FOOTER_Y,
    HAIRLINE,
    INK,
    MARGIN,
    MUTED,
    NAVY,
    PLUM,
    RULE,
    TEAL,
    WARN,
    WARN_TINT,
    ZEBRA,
    table_style,
    tint,
)
from .typography import Para, Styles, para, styles

__all__ = [
    "BAND_HEIGHT",
    "BAND_TOP",
    "EMPTY",
    "FOOTER_Y",
    "HAIRLINE",
    "INK",
    "LONG_FIELD",
    "MARGIN",
    "MUTED",
    "NAVY",
    "PIECE",
    "PLUM",
    "RULE",
    "SIGNATURE_NAME",
    "TEAL",
    "WARN",
    "WARN_TINT",
    "ZEBRA",
    "Band",
    "BandMark",
    "Para",
    "ReportDoc",
    "Styles",
    "data_table",
    "field_grid",
    "figures",
    "fmt_date",
    "fmt_duration",
    "fmt_hm",
    "fmt_hours",
    "fmt_long_date",
    "fmt_short_date",
    "fmt_time",
    "gap",
    "label_column",
    "para",
    "pieces",
    "section",
    "signature_block",
    "styles",
    "table_style",
    "text",
    "tint",
    "title_block",
]
