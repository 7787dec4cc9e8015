"""The Visits tab: the timeline of visits, newest first."""

from __future__ import annotations

from desktop.domain.enums import Visibility
from desktop.domain.records import Visit

from ..appointments import fmt_length
from ..widgets import badge, esc, fmt_date, fmt_datetime, fmt_hours, fmt_time, link, para_text
from .data import RecordView
from .html import RULE_ROW, plural

VISITS_SHOWN = 60  # the newest visits drawn at first; "Show all" draws the rest


def visit_place(visit: Visit, view: RecordView) -> tuple[str, str]:
    """The place's name and, when that is not already the kind of place, its kind."""
    name = (view.sites.get(visit.site_id) if visit.site_id else "") or visit.place_detail
    return (name, visit.place_type.label) if name else (visit.place_type.label, "")


def visit_html(visit: Visit, view: RecordView) -> str:
    """One visit as this child's record shows it: their own entry and the notes
    about the whole visit or about them; a sibling's work is on the sibling's record."""
    pupil_id = view.record.pupil.id
    entry = visit.entry_for(pupil_id)
    held = visit.held_for(pupil_id)
    hours = visit.hours_for(pupil_id)
    times = f"{fmt_time(visit.start)}–{fmt_time(visit.end)}" if visit.start and visit.end else ""
    when = f"<b>{visit.date:%a} {fmt_date(visit.date)}</b>" + (f"<br>{times}" if times else "")
    if held and hours:
        when += f"<br>{fmt_length(round(hours * 60))}"
    place, kind = visit_place(visit, view)
    extra = " · ".join(x for x in (kind, visit.worker) if x)
    title = f"<b>{esc(place)}</b>" + (f" <span class='muted'>· {esc(extra)}</span>" if extra else "")
    if not held:
        title += " " + badge(visit.status_for(pupil_id) or visit.outcome.label, "warn")
    lines = [title]
    others = [view.names.get(p, "") for p in visit.pupil_ids if p != pupil_id]
    if others:
        lines.append(f"<span class='muted'>Visit shared with {esc(', '.join(others))}</span>")
    if entry is not None and held:
        if entry.subjects:
            lines.append(f"Subjects: {esc(', '.join(entry.subjects))}")
        rows = (
            ("Covered", entry.work_covered),
            ("Work set", entry.work_set),
            ("Work returned", entry.work_returned),
            ("Levels and needs", entry.levels_and_needs),
        )
    else:  # not taught: only any work left for them
        rows = (("Work set", entry.work_set if entry else ""),)
    for label, text in rows:
        if text:
            lines.append(f"<span class='muted'>{label}:</span> {para_text(text)}")
    for note in visit.notes_about(pupil_id):
        if note.visibility is Visibility.FAMILY:
            tag = badge("Family sees this", "family")
        else:
            tag = badge("Professionals only: not on the parent's copy", "professional")
        lines.append(f"{tag}<br>{para_text(note.text)}")
    if visit.next_appointment:
        lines.append(f"<span class='muted'>Next visit:</span> {fmt_datetime(visit.next_appointment)}")
    lines.append(link(f"print/visit/{visit.id}", "Print visit report…"))
    return f"<tr><td class='when' width='120'>{when}</td><td width='100%'>{'<br>'.join(lines)}</td></tr>{RULE_ROW}"


def visits_html(view: RecordView, show_all: bool) -> str:
    visits = view.record.visits
    if not visits:
        return "<p class='muted'>No visits logged yet. Log one with Log a visit (Ctrl+N).</p>"
    pupil_id = view.record.pupil.id
    seen = sum(v.held_for(pupil_id) for v in visits)
    hours = sum(v.hours_for(pupil_id) for v in visits)
    html = (
        f"<p class='muted'>{plural(len(visits), 'visit')}, seen at {seen}, {fmt_hours(hours)} in all. "
        f"{badge('Family sees this', 'family')} notes are on every copy; "
        f"{badge('Professionals only', 'professional')} notes never reach the parent's copy.</p>"
    )
    shown = visits if show_all else visits[:VISITS_SHOWN]
    html += f"<table width='100%' cellspacing='0'>{''.join(visit_html(v, view) for v in shown)}</table>"
    if len(shown) < len(visits):
        html += f"<p>{link('visits/all', f'Show all {len(visits)} visits')}</p>"
    return html
