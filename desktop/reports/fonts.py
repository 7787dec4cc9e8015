"""The report fonts: DejaVu, shipped in resources/fonts and embedded (subset) in
every PDF, so Ó Súilleabháin, Łukasz, Ní Dhomhnaill and £ print on any
machine. reportlab's built-in Helvetica has no Ł and is never embedded."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

SANS = "WaymarkSans"
SANS_BOLD = "WaymarkSans-Bold"
CONDENSED = "WaymarkCondensed"
CONDENSED_BOLD = "WaymarkCondensed-Bold"

_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    CONDENSED: "DejaVuSansCondensed.ttf",
    CONDENSED_BOLD: "DejaVuSansCondensed-Bold.ttf",
}


def fonts_dir() -> Path:
    """resources/fonts in a checkout; WAYMARK_FONTS_DIR where a package puts them elsewhere."""
    override = os.environ.get("WAYMARK_FONTS_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "resources" / "fonts"


@cache
def register_fonts() -> None:
    """Register the fonts once per process; <b> in a paragraph picks the bold face."""
    folder = fonts_dir()
    for name, filename in _FILES.items():
        path = folder / filename
        if not path.is_file():
            raise FileNotFoundError(f"The report font {filename} is missing from {folder}.")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    for regular, bold in ((SANS, SANS_BOLD), (CONDENSED, CONDENSED_BOLD)):
        addMapping(regular, 0, 0, regular)
        addMapping(regular, 1, 0, bold)
        addMapping(regular, 0, 1, regular)  # no italic face: keep the upright one
        addMapping(regular, 1, 1, bold)
