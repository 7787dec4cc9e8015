"""Values as the reports print them: escaped text, British dates, times, hours."""

from __future__ import annotations

from datetime import date, datetime, time
from xml.sax.saxutils import escape


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
