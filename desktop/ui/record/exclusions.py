"""The exclusions on the Provision tab, and the form that records one.

Full-time provision is due from the sixth school day of an exclusion, and
fixed periods are limited to 45 school days an academic year: the record shows
both, counted on the school calendar (the dates come with the record)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtWidgets import QComboBox, QLineEdit, QSpinBox, QWidget

from desktop.domain.enums import ExclusionKind
from desktop.domain.records import Exclusion
from desktop.services import Changes, Waymark
from desktop.tasks import TaskRunner

from ..forms import SaveDialog
from ..widgets import badge, esc, fmt_date, from_qdate
from .data import RecordView
from .html import plural


def exclusions_html(view: RecordView) -> str:
    exclusions = sorted(view.record.exclusions, key=lambda e: e.start, reverse=True)
    if not exclusions:
        return ""
    html = "<h3>Exclusions</h3>"
    for e in exclusions:
        days, due = view.exclusion_days.get(e.id), view.provision_due.get(e.id)
        if e.kind is ExclusionKind.PERMANENT:
            when = f"From {fmt_date(e.start)}" + (f" to {fmt_date(e.end)} (on roll elsewhere)" if e.end else "")
        else:
            when = f"{fmt_date(e.start)} – {fmt_date(e.end)}" + (f", {plural(days, 'school day')}" if days else "")
        lines = [f"<b>{esc(e.kind.label)}</b> · {when}"]
        running = e.end is None or e.end >= view.today
        if due and running and (e.kind is ExclusionKind.PERMANENT or (days or 0) > 5):
            lines.append(f"Full-time provision due from {fmt_date(due)} (the sixth school day)")
        if e.reason:
            lines.append(f"<span class='muted'>{esc(e.reason)}</span>")
        html += f"<p>{'<br>'.join(lines)}</p>"
    if view.fixed_period_days:
        text = f"Fixed-period exclusions this academic year: {plural(view.fixed_period_days, 'school day')} of 45"
        html += f"<p>{badge(text, 'danger') if view.fixed_period_days >= 45 else esc(text)}</p>"
    return html


class ExclusionDialog(SaveDialog):
    """Record an exclusion: permanent, or a fixed period given by its length in school days."""

    def __init__(self, app: Waymark, runner: TaskRunner, pupil_id: str, name: str, parent: QWidget | None) -> None:
        super().__init__(app, runner, f"Record an exclusion: {name}", parent)
        self.pupil_id = pupil_id
        self.kind = QComboBox()
        for kind in (ExclusionKind.FIXED_PERIOD, ExclusionKind.PERMANENT):
            self.kind.addItem(kind.label, kind)
        self.start = self.date_edit(app.today())
        self.days = QSpinBox()
        self.days.setRange(1, 45)
        self.days.setSuffix(" school days")
        self.reason = QLineEdit()
        self.add_row("&Kind:", self.kind, "Kind of exclusion")
        self.add_row("&First day:", self.start, "First day excluded")
        self.add_row("&Length:", self.days, "Length in school days")
        self.add_row("&Reason:", self.reason, "Reason")
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.resize(460, 0)
        self.keep_drafts(
            "exclusion", pupil_id, title=f"exclusion for {name}", context={"pupil_id": pupil_id, "name": name}
        )

    def exclusion_kind(self) -> ExclusionKind:
        return ExclusionKind(self.kind.currentData())  # Qt hands a StrEnum back as its str

    def _kind_changed(self) -> None:
        # A permanent exclusion has no length: it runs until the pupil is on roll elsewhere.
        self.days.setEnabled(self.exclusion_kind() is ExclusionKind.FIXED_PERIOD)

    def task(self) -> Callable[[], Changes]:
        kind = self.exclusion_kind()
        exclusion = Exclusion(
            pupil_id=self.pupil_id, kind=kind, start=from_qdate(self.start.date()), reason=self.reason.text().strip()
        )
        days = self.days.value() if kind is ExclusionKind.FIXED_PERIOD else None
        return partial(self.app.add_exclusion, exclusion, school_days=days)
