"""The document: metadata and fonts, the header band naming the copy, and the footer
with the page number and page count."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
)

from ..data import ServiceDetails
from ..fonts import SANS, SANS_BOLD, register_fonts
from .formats import fmt_date
from .palette import (
    BAND_HEIGHT,
    BAND_TOP,
    FOOTER_Y,
    HAIRLINE,
    MARGIN,
    MUTED,
    NAVY,
)


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
