"""The Stays tab: the sites a family has stayed at, and for how long."""

from __future__ import annotations

from ..widgets import badge, esc, fmt_date
from .data import RecordView
from .html import RULE_ROW, plural


def travel_html(view: RecordView) -> str:
    """Planned travel, with the dates the base school needs to keep the pupil on roll (code T)."""
    trips = sorted(view.record.travel, key=lambda t: t.leaves, reverse=True)
    if not trips:
        return ""
    html = "<h3>Planned travel</h3>"
    for trip in trips:
        when = f"{fmt_date(trip.leaves)} – {fmt_date(trip.returns) if trip.returns else 'return not known'}"
        agreed = (
            f"Dates agreed with the base school on {fmt_date(trip.agreed_with_school_on)}"
            if trip.agreed_with_school_on
            else badge("Dates not yet agreed with the base school", "warn")
        )
        where = f" · {esc(trip.destination)}" if trip.destination else ""
        html += f"<p><b>{when}</b>{where}<br>{agreed}</p>"
    return html


def stays_html(view: RecordView) -> str:
    stays = sorted(view.record.stays, key=lambda pair: pair[0].arrived, reverse=True)
    if not stays:
        return travel_html(view) + (
            "<p class='muted'>No stays recorded. Stays record where a family is staying and for how long.</p>"
        )
    html = travel_html(view) + ("<h3>Sites</h3>" if view.record.travel else "") + "<table width='100%' cellspacing='0'>"
    for stay, site in stays:
        end = stay.departed or view.today
        weeks = max((end - stay.arrived).days // 7, 0)
        if stay.departed:
            when = f"{fmt_date(stay.arrived)} – {fmt_date(stay.departed)}"
            state = f"Left after {plural(weeks, 'week')}"
        else:
            when = f"Since {fmt_date(stay.arrived)}"
            state = badge("Current", "family") + f" {plural(weeks, 'week')} so far"
        if stay.proposed_weeks:
            state += f" · proposed {plural(stay.proposed_weeks, 'week')}"
            if not stay.departed and weeks > stay.proposed_weeks:
                state += " " + badge("past the proposed length", "warn")
        lines = [f"<b>{esc(site.name)}</b> <span class='muted'>{esc(site.site_type.label)}</span>", state]
        address = ", ".join(x for x in (site.address, site.postcode) if x)
        if address:
            lines.append(f"<span class='muted'>{esc(address)}</span>")
        if stay.travel_pattern:
            lines.append(f"Travel pattern: {esc(stay.travel_pattern)}")
        html += f"<tr><td class='when' width='170'>{when}</td><td width='100%'>{'<br>'.join(lines)}</td></tr>{RULE_ROW}"
    return html + "</table>"
