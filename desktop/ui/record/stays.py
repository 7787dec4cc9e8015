"""The Stays tab: the sites a family has stayed at, and for how long; a Traveller
family's planned travel, with the forms that record it and mark its dates agreed
with the base school (so the pupil stays on roll, code T)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QWidget

from desktop.domain.records import PlannedTravel
from desktop.services import Changes, Waymark
from desktop.services.role_limits import RoleLimits
from desktop.tasks import TaskRunner

from ..forms import SaveDialog
from ..widgets import badge, esc, fmt_date, from_qdate, to_qdate
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


def trip_text(trip: PlannedTravel) -> str:
    """12 Apr 2027 – 30 Sep 2027 · Fairs in the North East"""
    when = f"{fmt_date(trip.leaves)} – {fmt_date(trip.returns) if trip.returns else 'return not known'}"
    return when + (f" · {trip.destination}" if trip.destination else "")


class TravelDialog(SaveDialog):
    """Record a Traveller family's planned travel: when they leave, when they expect
    to be back, where or the pattern, and whether the base school has agreed the dates."""

    def __init__(
        self,
        app: Waymark,
        runner: TaskRunner,
        pupil_id: str,
        name: str,
        parent: QWidget | None,
        *,
        limits: RoleLimits | None = None,
    ) -> None:
        super().__init__(app, runner, f"Record planned travel: {name}", parent)
        self.pupil_id = pupil_id
        # A school's laptop records the dates only (code T): where the family goes is not sent to schools.
        self.with_place = limits is None or limits.may_fill("planned_travel", "destination")
        today = app.today()
        self.leaves = self.date_edit(today)
        self.has_return = QCheckBox("&Back by:")
        self.returns = self.date_edit(today)
        self.returns.setEnabled(False)
        self.destination = QLineEdit()
        self.destination.setPlaceholderText("A place, or the pattern: northern fairs")
        self.agreed = QCheckBox("&Agreed with the base school on:")
        self.agreed_on = self.date_edit(today)
        self.agreed_on.setMaximumDate(to_qdate(today))  # agreed already, never ahead
        self.agreed_on.setEnabled(False)
        self.notes = QLineEdit()
        self.add_row("&Leaves:", self.leaves, "Leaves on")
        self.has_return.setAccessibleName("Return date known")
        self.returns.setAccessibleName("Expected back by")
        self.form.addRow(self.has_return, self.returns)
        self.add_row("&Where:", self.destination, "Where, or the travel pattern")
        self.agreed.setAccessibleName("Dates agreed with the base school")
        self.agreed_on.setAccessibleName("Day the base school agreed the dates")
        self.form.addRow(self.agreed, self.agreed_on)
        self.hint = QLabel("Once it has agreed the dates, the school keeps the pupil on roll (code T).")
        self.hint.setObjectName("hint")
        self.form.addRow(self.hint)
        self.add_row("&Notes:", self.notes, "Notes")
        self.no_place = QLabel(
            "Dates only: the LA's server does not send schools where a family travels or notes about it, "
            "so it would not take them from here."
        )
        self.no_place.setObjectName("hint")
        self.no_place.setWordWrap(True)
        self.no_place.setAccessibleName("Why there is no place or note")
        self.form.addRow(self.no_place)
        for widget in (self.destination, self.notes):
            self.form.setRowVisible(widget, self.with_place)
        self.form.setRowVisible(self.no_place, not self.with_place)
        self.has_return.toggled.connect(self.returns.setEnabled)
        self.agreed.toggled.connect(self.agreed_on.setEnabled)
        self.leaves.dateChanged.connect(self._leaves_changed)
        self.resize(540, 0)
        self.keep_drafts(
            "travel", pupil_id, title=f"planned travel for {name}", context={"pupil_id": pupil_id, "name": name}
        )

    def _leaves_changed(self) -> None:
        if self.returns.date() < self.leaves.date():
            self.returns.setDate(self.leaves.date())

    def travel(self) -> PlannedTravel:
        return PlannedTravel(
            pupil_id=self.pupil_id,
            leaves=from_qdate(self.leaves.date()),
            returns=from_qdate(self.returns.date()) if self.has_return.isChecked() else None,
            destination=self.destination.text().strip() if self.with_place else "",
            agreed_with_school_on=from_qdate(self.agreed_on.date()) if self.agreed.isChecked() else None,
            notes=self.notes.text().strip() if self.with_place else "",
        )

    def task(self) -> Callable[[], Changes]:
        return partial(self.app.add_travel, self.travel())


class AgreeTravelDialog(SaveDialog):
    """Mark planned travel's dates agreed with the base school, on the day they agreed."""

    def __init__(
        self, app: Waymark, runner: TaskRunner, trips: list[PlannedTravel], name: str, parent: QWidget | None
    ) -> None:
        super().__init__(app, runner, f"Dates agreed with the base school: {name}", parent)
        self.trip = QComboBox()
        for trip in trips:
            self.trip.addItem(trip_text(trip), trip.id)
        today = app.today()
        self.agreed_on = self.date_edit(today)
        self.agreed_on.setMaximumDate(to_qdate(today))
        self.add_row("&Travel:", self.trip, "Planned travel")
        self.add_row("&Agreed on:", self.agreed_on, "Day the base school agreed the dates")
        self.resize(480, 0)
        pupil_id = trips[0].pupil_id if trips else ""
        self.keep_drafts(
            "travel-agreed",
            pupil_id,
            title=f"agreement of {name}'s travel dates",
            context={"pupil_id": pupil_id, "name": name},
        )

    def task(self) -> Callable[[], Changes]:
        return partial(self.app.agree_travel, self.trip.currentData(), from_qdate(self.agreed_on.date()))
