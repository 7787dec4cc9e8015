"""Small pieces the pupil record, packs, appointments and print preview share:
British date formats, an inline message banner, and a read-only rich-text pane
for timelines (Qt's rich-text subset of HTML, so it reads well to a screen reader
and scales on high-DPI screens)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from html import escape
from typing import ClassVar

from PySide6.QtCore import QDate, Qt, QTime, QUrl, Signal
from PySide6.QtGui import QAction, QFont, QFontMetrics
from PySide6.QtWidgets import QHeaderView, QLabel, QLineEdit, QTableView, QTextBrowser, QTreeView, QWidget

from desktop.domain.dates import DateTypoError, format_date, parse_date

# --- formats -------------------------------------------------------------------


def fmt_date(day: date | None, empty: str = "—") -> str:
    """22 Nov 2026 (portable: no %-d)."""
    return f"{day.day} {day:%b %Y}" if day else empty


def fmt_day(day: date) -> str:
    """Monday 23 Nov 2026."""
    return f"{day:%A} {fmt_date(day)}"


def fmt_time(moment: time | datetime | None) -> str:
    return f"{moment:%H:%M}" if moment else ""


def fmt_datetime(moment: datetime | None, empty: str = "—") -> str:
    return f"{fmt_date(moment.date())}, {moment:%H:%M}" if moment else empty


def fmt_hours(hours: float) -> str:
    return f"{round(hours, 1):g} h"


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def to_qtime(moment: time) -> QTime:
    return QTime(moment.hour, moment.minute)


def from_qtime(value: QTime) -> time:
    return time(value.hour(), value.minute())


DATE_FORMAT = "d MMM yyyy"  # QDateEdit display format matching fmt_date


class DateField(QLineEdit):
    """A date that starts empty (a date of birth must be typed, never guessed).
    Takes 30/11/2018, 30.11.18, 30 Nov 2018 or 2018-11-30; once typed it reads
    30 Nov 2018, like every other date in the app."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("e.g. 30/11/2018")
        self.editingFinished.connect(self._tidy)

    def value(self) -> date | None:
        """The date typed, None if nothing is; DateTypoError if it is not a date."""
        return parse_date(self.text()) if self.text().strip() else None

    def set_value(self, day: date | None) -> None:
        self.setText(format_date(day) if day else "")

    def _tidy(self) -> None:
        try:
            day = self.value()
        except DateTypoError:
            return  # left as typed; the form says what is wrong when it is saved
        if day is not None and self.text() != format_date(day):
            self.setText(format_date(day))


# --- rich text -------------------------------------------------------------------------

# Colours: calm, readable on white, and not the only signal (every badge has words).
INK = "#1d2733"
MUTED = "#5b6470"
RULE = "#e3e6ea"
BADGES = {
    "family": ("#e3f4ec", "#0b5d3b"),
    "professional": ("#f1e8f7", "#5a2d7a"),
    "warn": ("#fdf1dc", "#8a4600"),
    "danger": ("#fbe4e4", "#a4161a"),
    "info": ("#e6eef8", "#1f4f82"),
    "plain": ("#eceff3", "#3a4450"),
}


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def badge(text: str, kind: str = "plain") -> str:
    background, colour = BADGES[kind]
    return (
        f'<span style="background-color:{background}; color:{colour}; font-weight:600;">&nbsp;{esc(text)}&nbsp;</span>'
    )


def para_text(text: str) -> str:
    """Escape free text and keep its line breaks."""
    return esc(text).replace("\n", "<br>")


PANE_CSS = f"""
body {{ color: {INK}; }}
h2 {{ font-size: 13pt; margin: 0 0 4px 0; }}
h3 {{ font-size: 11pt; margin: 10px 0 2px 0; }}
td {{ padding: 2px 8px 2px 0; vertical-align: top; }}
td.key {{ color: {MUTED}; white-space: nowrap; }}
td.when {{ color: {MUTED}; white-space: nowrap; padding-right: 14px; }}
p.muted, span.muted {{ color: {MUTED}; }}
p {{ margin: 2px 0; }}
a {{ color: #1f5fa8; }}
"""


class HtmlPane(QTextBrowser):
    """A read-only rich-text pane. Links with the `waymark:` scheme are not
    followed; they are emitted as `link_activated(path)`, e.g. "print/visit/<id>"."""

    link_activated = Signal(str)

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.document().setDefaultStyleSheet(PANE_CSS)
        self.document().setDocumentMargin(12)
        self.anchorClicked.connect(self._on_anchor)

    def set_body(self, html: str) -> None:
        self.setHtml(f"<body>{html}</body>")

    def _on_anchor(self, url: QUrl) -> None:
        if url.scheme() == "waymark":
            self.link_activated.emit(url.path())


def link(path: str, text: str) -> str:
    return f'<a href="waymark:{esc(path)}">{esc(text)}</a>'


# --- column headers ---------------------------------------------------------------------


def header_width(header: QHeaderView, section: int) -> int:
    """What a column header needs to show its text whole: the text in bold (the
    stylesheet's), the padding, and room for the sort arrow when it can show one."""
    font = QFont(header.font())
    font.setBold(True)
    text = str(header.model().headerData(section, Qt.Orientation.Horizontal) or "")
    return QFontMetrics(font).horizontalAdvance(text) + 12 + (20 if header.isSortIndicatorShown() else 4)


def size_columns(view: QTreeView | QTableView, widths: Sequence[int], *, stretch: int | None = None) -> None:
    """Give each column its width, but never less than its header needs; the `stretch`
    column (if any) takes the room left over, so narrow panes do not scroll sideways."""
    header = view.header() if isinstance(view, QTreeView) else view.horizontalHeader()
    for section, width in enumerate(widths):
        header.resizeSection(section, max(width, header_width(header, section)))
    if stretch is not None:
        header.setStretchLastSection(False)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(min(60, header.minimumSectionSize()))


# --- availability -------------------------------------------------------------------------


def set_available(control: QWidget | QAction, enabled: bool, what: str, why_not: str) -> None:
    """Enable a button or menu action, or disable it and say why: in its tooltip (shown
    on a disabled control, and in menus that show tooltips) and to screen readers."""
    control.setEnabled(enabled)
    control.setToolTip(what if enabled else why_not)
    control.setStatusTip("" if enabled else why_not)
    if isinstance(control, QWidget):
        control.setAccessibleDescription("" if enabled else why_not)


# --- messages --------------------------------------------------------------------------


class Banner(QLabel):
    """An inline message above a view or in a dialog: errors never come as tracebacks,
    and never as a modal box the idle lock would have to get past."""

    STYLES: ClassVar[dict[str, str]] = {
        "error": "background:#fbe4e4; color:#a4161a; border:1px solid #e8b4b4;",
        "warn": "background:#fdf1dc; color:#8a4600; border:1px solid #efd3a5;",
        "info": "background:#e6eef8; color:#1f4f82; border:1px solid #bcd0ea;",
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAccessibleName("Message")
        self.hide()

    def show_message(self, text: str, kind: str = "error") -> None:
        self.setStyleSheet(f"QLabel {{ {self.STYLES[kind]} border-radius:4px; padding:6px 8px; }}")
        self.setText(text)
        self.setAccessibleDescription(text)
        self.show()

    def clear_message(self) -> None:
        self.setText("")
        self.hide()
