"""Choosing the period of a progress record or an hours statement printed from the record.

The choices come from the pupil's own record (this stay, the provision's start)
and from the calendar (the last four weeks, about a term, this school year);
any other dates can be typed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtWidgets import QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QVBoxLayout, QWidget

from ..widgets import DATE_FORMAT, Banner, fmt_date, from_qdate, to_qdate
from .data import RecordView

REPORT_NAMES = {"progress": "progress record", "hours": "hours statement"}
OTHER = "other"


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date


def school_year_start(today: date) -> date:
    year = today.year if today.month >= 9 else today.year - 1
    return date(year, 9, 1)


def period_choices(kind: str, view: RecordView) -> list[Period]:
    """The periods worth offering for this pupil, the likeliest first."""
    today, r = view.today, view.record
    periods: list[Period] = []
    if kind == "hours":
        for episode in sorted(r.episodes, key=lambda e: e.start, reverse=True)[:2]:
            end = min(episode.end or today, today)
            if episode.start <= end:
                periods.append(
                    Period(f"{episode.provision_type.label} since {fmt_date(episode.start)}", episode.start, end)
                )
    for stay, site in sorted(r.stays, key=lambda s: s[0].arrived, reverse=True)[:3]:
        end = min(stay.departed or today, today)
        if stay.arrived <= end:
            what = "this stay" if stay.departed is None else "the stay"
            periods.append(
                Period(f"{what} at {site.name} ({fmt_date(stay.arrived)} to {fmt_date(end)})", stay.arrived, end)
            )
    periods += [
        Period("the last 4 weeks", today - timedelta(weeks=4), today),
        Period("the last 13 weeks (about a term)", today - timedelta(weeks=13), today),
        Period(f"this school year (since {fmt_date(school_year_start(today))})", school_year_start(today), today),
    ]
    return periods


class ReportPeriodDialog(QDialog):
    """Which weeks the report covers; Preview opens it in the print preview."""

    def __init__(self, kind: str, view: RecordView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        what = REPORT_NAMES[kind]
        name = view.record.pupil.display_name
        self.setWindowTitle(f"Print a {what}: {name}")
        self.setAccessibleName(f"Print a {what}")
        self.today = view.today
        self.choices = period_choices(kind, view)
        self.banner = Banner(self)
        self.period = QComboBox()
        self.period.setAccessibleName("Period")
        for choice in self.choices:
            self.period.addItem(choice.label[0].upper() + choice.label[1:], choice)
        self.period.addItem("Other dates", OTHER)
        self.start = QDateEdit()
        self.end = QDateEdit()
        for edit, name_ in ((self.start, "From"), (self.end, "To")):
            edit.setDisplayFormat(DATE_FORMAT)
            edit.setCalendarPopup(True)
            edit.setMaximumDate(to_qdate(view.today))
            edit.setAccessibleName(name_)
        form = QFormLayout()
        form.addRow("&Period:", self.period)
        form.addRow("&From:", self.start)
        form.addRow("&To:", self.end)
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            if label is not None:
                label.widget().setBuddy(form.itemAt(row, QFormLayout.ItemRole.FieldRole).widget())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.preview_button = buttons.addButton("Pre&view", QDialogButtonBox.ButtonRole.AcceptRole)
        self.preview_button.setObjectName("primary")
        self.preview_button.setDefault(True)
        self.preview_button.setAccessibleName("Preview")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._following = False
        self.period.currentIndexChanged.connect(self._chosen)
        self.start.dateChanged.connect(self._typed)
        self.end.dateChanged.connect(self._typed)
        self._chosen()
        self.resize(520, 0)

    def _chosen(self) -> None:
        choice = self.period.currentData()
        if isinstance(choice, Period):
            self._following = True
            self.start.setDate(to_qdate(choice.start))
            self.end.setDate(to_qdate(choice.end))
            self._following = False

    def _typed(self) -> None:
        if not self._following:
            self.period.blockSignals(True)
            self.period.setCurrentIndex(self.period.count() - 1)  # "Other dates"
            self.period.blockSignals(False)

    def chosen_period(self) -> tuple[date, date]:
        return from_qdate(self.start.date()), from_qdate(self.end.date())

    def _accept(self) -> None:
        start, end = self.chosen_period()
        if start > end:
            self.banner.show_message("The period ends before it starts; check the dates.")
            return
        self.accept()
