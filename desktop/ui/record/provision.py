"""The Provision tab's text: episodes, absences for health, the hours summary; and the forms that add an
episode and an absence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import partial

from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLabel, QLineEdit, QWidget

from desktop.domain.dates import DateTypoError
from desktop.domain.enums import ProvisionType
from desktop.domain.records import Absence, ProvisionEpisode
from desktop.domain.rules import WeekHours
from desktop.services import Changes, Waymark
from desktop.tasks import TaskRunner

from ..forms import SaveDialog
from ..widgets import DateField, badge, esc, fmt_date, fmt_hours, from_qdate, para_text, to_qdate
from .data import RecordView
from .exclusions import exclusions_html
from .html import plural


def provision_html(view: RecordView) -> str:
    r = view.record
    html = "<h3>Provision</h3>"
    if not r.episodes:
        html += "<p class='muted'>No provision recorded.</p>"
    rows = ""
    for e in sorted(r.episodes, key=lambda e: e.start, reverse=True):
        is_open = e.is_open_on(view.today)
        when = f"{fmt_date(e.start)} – {fmt_date(e.end) if e.end else 'open'}"
        hours = f"{e.planned_hours_per_week:g} h a week planned"
        if e.medical_max_hours_per_week is not None:
            hours += f" · medical maximum {e.medical_max_hours_per_week:g} h"
        notes = []
        if e.review_date:
            due = f"Review {fmt_date(e.review_date)}"
            notes.append(badge(f"{due}: overdue", "danger") if is_open and e.review_date < view.today else due)
        if e.provision_type is ProvisionType.PART_TIME_TIMETABLE:
            notes.append(
                badge("Parental consent recorded", "family")
                if e.part_time_consent
                else badge("No parental consent recorded", "danger")
            )
        title = f"<b>{esc(e.provision_type.label)}</b>" + (f" · {esc(e.provider)}" if e.provider else "")
        if is_open:
            title += " " + badge("Open", "info")
        lines = [title, hours, " · ".join(notes)]
        if e.reason:
            lines.append(f"<span class='muted'>{para_text(e.reason)}</span>")
        rows += f"<tr><td class='when' width='170'>{when}</td><td width='100%'>{'<br>'.join(x for x in lines if x)}</td></tr>"
    if rows:
        html += f"<table width='100%' cellspacing='0'>{rows}</table>"
    html += exclusions_html(view)
    if r.absences:
        html += "<h3>Absence for health</h3>"
        for a in sorted(r.absences, key=lambda a: a.start, reverse=True):
            end = fmt_date(a.end) if a.end else f"expected {fmt_date(a.expected_end)}" if a.expected_end else "ongoing"
            html += f"<p>{fmt_date(a.start)} – {end}" + (f": {esc(a.reason)}" if a.reason else "") + "</p>"
    return html


def week_state(week: WeekHours, today: date) -> str:
    """ "current" (this week, still going), "below" (a complete week under target) or "met"."""
    if week.week_start + timedelta(days=7) > today:
        return "current"
    return "below" if week.below_target else "met"


def hours_summary(weeks: list[WeekHours], today: date) -> str:
    if not weeks:
        return "No provision recorded, so there are no hours to show."
    delivered = sum(w.delivered for w in weeks)
    below = [w for w in weeks if week_state(w, today) == "below"]
    text = f"Last {plural(len(weeks), 'week')}: {fmt_hours(delivered)} delivered."
    if any(w.target for w in weeks):
        if below:
            text += (
                f" Below target in {plural(len(below), 'complete week')}, "
                f"most recently the week of {fmt_date(below[-1].week_start)}."
            )
        else:
            text += " On or above target in every complete week."
    else:
        text += " No hours target applies (targets apply to hospital and home tuition); the dotted line is the hours planned."
    return text


class EpisodeDialog(SaveDialog):
    """Start a provision episode: the type, who provides it, the hours planned and
    the medically advised maximum, the review date, and consent for a part-time timetable."""

    def __init__(self, app: Waymark, runner: TaskRunner, pupil_id: str, name: str, parent: QWidget | None) -> None:
        super().__init__(app, runner, f"Add provision: {name}", parent)
        self.pupil_id = pupil_id
        today = app.today()
        self.kind = QComboBox()
        for kind in ProvisionType:
            self.kind.addItem(kind.label, kind)
        self.provider = QLineEdit()
        self.start = self.date_edit(today)
        self.planned = QDoubleSpinBox()
        self.planned.setRange(0, 40)
        self.planned.setSingleStep(0.5)
        self.planned.setSuffix(" h a week")
        self.medical_max = QDoubleSpinBox()
        self.medical_max.setRange(-0.5, 40)
        self.medical_max.setSingleStep(0.5)
        self.medical_max.setSpecialValueText("None advised")
        self.medical_max.setValue(-0.5)
        self.medical_max.setSuffix(" h a week")
        self.review = self.date_edit(today + timedelta(weeks=6))
        self.consent = QCheckBox("Parent or carer has agreed to a part-time timetable")
        self.reason = QLineEdit()
        self.add_row("&Type:", self.kind, "Type of provision")
        self.add_row("&Provider:", self.provider, "Provider")
        self.add_row("&Starts:", self.start, "Starts on")
        self.add_row("P&lanned:", self.planned, "Planned hours a week")
        self.add_row("&Medical maximum:", self.medical_max, "Medically advised maximum hours a week")
        self.add_row("Re&view:", self.review, "Review date")
        self.add_row("", self.consent, "Parent or carer has agreed to a part-time timetable")
        self.add_row("&Reason:", self.reason, "Reason")
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.resize(500, 320)
        self.keep_drafts(
            "provision", pupil_id, title=f"provision for {name}", context={"pupil_id": pupil_id, "name": name}
        )

    def _kind_changed(self) -> None:
        self.consent.setEnabled(self.provision_type() is ProvisionType.PART_TIME_TIMETABLE)

    def provision_type(self) -> ProvisionType:
        return ProvisionType(self.kind.currentData())  # Qt hands a StrEnum back as its str

    def task(self) -> Callable[[], Changes]:
        kind = self.provision_type()
        medical = self.medical_max.value()
        return partial(
            self.app.add_episode,
            ProvisionEpisode(
                pupil_id=self.pupil_id,
                provision_type=kind,
                provider=self.provider.text().strip(),
                start=from_qdate(self.start.date()),
                planned_hours_per_week=self.planned.value(),
                medical_max_hours_per_week=None if medical < 0 else medical,
                review_date=from_qdate(self.review.date()),
                part_time_consent=kind is ProvisionType.PART_TIME_TIMETABLE and self.consent.isChecked(),
                reason=self.reason.text().strip(),
            ),
        )


class AbsenceDialog(SaveDialog):
    """Record time off school for health: it counts towards the 15-school-day trigger
    (the LA must arrange education once a child will miss 15 days)."""

    def __init__(self, app: Waymark, runner: TaskRunner, pupil_id: str, name: str, parent: QWidget | None) -> None:
        super().__init__(app, runner, f"Record an absence for health: {name}", parent)
        self.pupil_id = pupil_id
        self.start = self.date_edit(app.today())
        self.start.setMaximumDate(to_qdate(app.today()))
        self.end = DateField()
        self.end.setPlaceholderText("Leave empty while still off school")
        self.expected_end = DateField()
        self.expected_end.setPlaceholderText("If known, e.g. 8/1/2027")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("e.g. Surgery and recovery")
        self.add_row("&From:", self.start, "Off school from")
        self.add_row("Back &on:", self.end, "Back at school on")
        self.add_row("E&xpected back:", self.expected_end, "Expected back on")
        self.add_row("&Reason:", self.reason, "Reason")
        hint = QLabel("Counts towards the 15-school-day trigger for arranging education.")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.form.addRow(hint)
        self.resize(480, 0)
        self.keep_drafts("absence", pupil_id, title=f"absence for {name}", context={"pupil_id": pupil_id, "name": name})

    def task(self) -> Callable[[], Changes]:
        # A date that cannot be read raises DateTypoError (a ValueError); the form shows it.
        try:
            end = self.end.value()
        except DateTypoError as exc:
            raise DateTypoError(f"Back on: {exc}") from None
        try:
            expected_end = self.expected_end.value()
        except DateTypoError as exc:
            raise DateTypoError(f"Expected back: {exc}") from None
        return partial(
            self.app.add_absence,
            Absence(
                pupil_id=self.pupil_id,
                start=from_qdate(self.start.date()),
                end=end,
                expected_end=expected_end,
                reason=self.reason.text().strip(),
            ),
        )
