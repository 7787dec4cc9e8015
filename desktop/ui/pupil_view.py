"""The pupil record: everything the service holds on one child, one tab a topic.

Loaded in one background call (`Waymark.pupil_record`, plus the names of the
sites and of the brothers and sisters seen at the same visits) and redrawn when
`did_change` names one of the record's tables. Concerns are restricted: nothing
about them but the count is fetched until the user says why they need to see
them, and the service writes every read to the audit trail. `clear()` (on lock)
drops every bit of the pupil's data from the widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from PySide6.QtCharts import (
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QCursor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolTip,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enums import ETHNICITY, Outcome, ProvisionType, SenStatus, Sex, TravellerGroup, Visibility
from desktop.domain.records import Action, Concern, Plan, ProgressEntry, ProvisionEpisode, Review, Visit
from desktop.domain.rules import WeekHours, format_nc_year
from desktop.services import Changes, PupilRecord, Waymark
from desktop.tasks import TaskRunner

from .appointments import AppointmentsView, BookAppointmentDialog, fmt_length
from .common import set_tab_order
from .forms import SaveDialog
from .packs import FoldersPanel
from .places import MoveDialog
from .pupil_details import ContactDialog, EditPupilDialog
from .widgets import (
    Banner,
    HtmlPane,
    badge,
    esc,
    fmt_date,
    fmt_datetime,
    fmt_hours,
    fmt_time,
    from_qdate,
    link,
    para_text,
    to_qdate,
)

# Every table a pupil record is drawn from: a change to any of them redraws it.
RECORD_ENTITIES = frozenset(
    {
        "pupil",
        "school",
        "contact",
        "site",
        "stay",
        "provision_episode",
        "visit",
        "visit_note",
        "folder",
        "folder_item",
        "progress_entry",
        "plan",
        "review",
        "action",
        "consent",
        "absence",
        "appointment",
        "concern",
    }
)

VISITS_SHOWN = 60  # the newest visits drawn at first; "Show all" draws the rest

DELIVERED_COLOUR = QColor("#2f7d6d")
BELOW_COLOUR = QColor("#d9822b")
CURRENT_COLOUR = QColor("#9cc9be")
TARGET_COLOUR = QColor("#1d2733")
GAP_BACKGROUND = QColor("#fdf1dc")
GAP_TEXT = QColor("#8a4600")
OVERDUE_TEXT = QColor("#a4161a")


@dataclass
class RecordView:
    """What the record shows, fetched in one background call."""

    record: PupilRecord
    sites: dict[str, str]  # site id -> name
    names: dict[str, str]  # pupil id -> display name, for the others seen at the same visits
    today: date


def load_record(app: Waymark, pupil_id: str) -> RecordView:
    record = app.pupil_record(pupil_id)
    sites = {s.id: s.name for s in app.list_sites()}
    names: dict[str, str] = {pupil_id: record.pupil.display_name}
    for visit in record.visits:
        for other in visit.pupil_ids:
            if other not in names:
                names[other] = app.get_pupil(other).display_name
    return RecordView(record, sites, names, app.today())


def _age(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _rows(pairs: list[tuple[str, str]]) -> str:
    """A two-column table of facts; values are already HTML."""
    cells = "".join(f"<tr><td class='key'>{esc(k)}</td><td>{v}</td></tr>" for k, v in pairs if v)
    return f"<table cellspacing='0'>{cells}</table>"


RULE_ROW = "<tr><td colspan='2'><hr></td></tr>"


def _visit_place(visit: Visit, view: RecordView) -> tuple[str, str]:
    """The place's name and, when that is not already the kind of place, its kind."""
    name = (view.sites.get(visit.site_id) if visit.site_id else "") or visit.place_detail
    return (name, visit.place_type.label) if name else (visit.place_type.label, "")


# --- the tabs' contents, as HTML ----------------------------------------------------------


def profile_html(view: RecordView) -> str:
    r = view.record
    p = r.pupil
    names = esc(p.legal_name)
    if p.display_name != p.legal_name:
        names += f" <span class='muted'>(known as {esc(p.display_name)})</span>"
    ethnicity = ETHNICITY.get(p.ethnicity, p.ethnicity)
    language = esc(p.first_language) + (" · " + badge("EAL", "info") if p.eal else "")
    address = ""
    if p.address or p.postcode:
        address = para_text(", ".join(x for x in (p.address, p.postcode) if x))
        if p.suppress_address:
            address = f"{badge('Address suppressed: never printed on any copy', 'danger')}<br>{address}"
    elif p.suppress_address:
        address = badge("Address suppressed: never printed on any copy", "danger")
    html = "<h3>Pupil</h3>" + _rows(
        [
            ("Name", names),
            ("Date of birth", f"{fmt_date(p.dob)} (age {_age(p.dob, view.today)})"),
            ("NC year", esc(format_nc_year(r.nc_year)) + (" (set by hand)" if p.nc_year_override is not None else "")),
            ("Sex", esc(p.sex.label) if p.sex is not Sex.UNKNOWN else ""),
            ("UPN", esc(p.upn) or "<span class='muted'>none recorded</span>"),
            ("Ethnicity", esc(ethnicity)),
            ("Traveller group", esc(p.traveller_group.label) if p.traveller_group is not TravellerGroup.NONE else ""),
            ("Cohort", esc(r.cohort.label)),
            ("SEN", esc(p.sen.label) if p.sen is not SenStatus.NONE else "None"),
            ("Looked after", badge("Looked after", "info") if p.looked_after else ""),
            ("Social worker", esc(p.social_worker)),
            ("First language", language),
            ("Medical needs", para_text(p.medical_needs)),
            ("Address", address),
        ]
    )
    school = r.school
    html += "<h3>Base school</h3>"
    if school:
        contact = " · ".join(esc(x) for x in (school.contact_name, school.contact_phone, school.contact_email) if x)
        html += _rows(
            [
                ("School", f"<b>{esc(school.name)}</b>"),
                ("URN", esc(school.urn)),
                ("DfE number", esc(school.dfe_number)),
                ("Named contact", contact),
            ]
        )
    else:
        html += "<p class='muted'>No base school recorded.</p>"
    html += "<h3>Family and contacts</h3>"
    if r.contacts:
        for c in r.contacts:
            extra = f" {badge('Needs help reading: read reports aloud', 'warn')}" if c.needs_reading_help else ""
            line = f"<b>{esc(c.name)}</b> <span class='muted'>({esc(c.relationship.label)})</span>"
            if c.phone:
                line += f" · {esc(c.phone)}"
            html += f"<p>{line}{extra}</p>"
            if c.notes:
                html += f"<p class='muted'>{para_text(c.notes)}</p>"
    else:
        html += "<p class='muted'>No contacts recorded.</p>"
    if r.consents:
        html += "<h3>Consents</h3>"
        for consent in r.consents:
            state = (
                badge(f"Withdrawn {fmt_date(consent.withdrawn_on)}", "danger")
                if consent.withdrawn_on
                else badge("Given", "family")
            )
            html += f"<p>{esc(consent.purpose)}: given by {esc(consent.given_by)} on {fmt_date(consent.given_on)} {state}</p>"
    return html


def stays_html(view: RecordView) -> str:
    stays = sorted(view.record.stays, key=lambda pair: pair[0].arrived, reverse=True)
    if not stays:
        return "<p class='muted'>No stays recorded. Stays record where a family is staying and for how long.</p>"
    html = "<table width='100%' cellspacing='0'>"
    for stay, site in stays:
        end = stay.departed or view.today
        weeks = max((end - stay.arrived).days // 7, 0)
        if stay.departed:
            when = f"{fmt_date(stay.arrived)} – {fmt_date(stay.departed)}"
            state = f"Left after {_plural(weeks, 'week')}"
        else:
            when = f"Since {fmt_date(stay.arrived)}"
            state = badge("Current", "family") + f" {_plural(weeks, 'week')} so far"
        if stay.proposed_weeks:
            state += f" · proposed {_plural(stay.proposed_weeks, 'week')}"
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
    text = f"Last {_plural(len(weeks), 'week')}: {fmt_hours(delivered)} delivered."
    if any(w.target for w in weeks):
        if below:
            text += (
                f" Below target in {_plural(len(below), 'complete week')}, "
                f"most recently the week of {fmt_date(below[-1].week_start)}."
            )
        else:
            text += " On or above target in every complete week."
    else:
        text += " No hours target applies (targets apply to hospital and home tuition); the dotted line is the hours planned."
    return text


def visit_html(visit: Visit, view: RecordView) -> str:
    pupil_id = view.record.pupil.id
    held = visit.outcome is Outcome.HELD
    times = f"{fmt_time(visit.start)}–{fmt_time(visit.end)}" if visit.start and visit.end else ""
    when = f"<b>{visit.date:%a} {fmt_date(visit.date)}</b>" + (f"<br>{times}" if times else "")
    if held and visit.hours:
        when += f"<br>{fmt_length(round(visit.hours * 60))}"
    place, kind = _visit_place(visit, view)
    extra = " · ".join(x for x in (kind, visit.worker) if x)
    title = f"<b>{esc(place)}</b>" + (f" <span class='muted'>· {esc(extra)}</span>" if extra else "")
    if not held:
        title += " " + badge(visit.outcome.label, "warn")
    lines = [title]
    others = [view.names.get(p, "") for p in visit.pupil_ids if p != pupil_id]
    if others:
        lines.append(f"<span class='muted'>Seen with {esc(', '.join(others))}</span>")
    if visit.subjects:
        lines.append(f"Subjects: {esc(', '.join(visit.subjects))}")
    for label, text in (
        ("Covered", visit.work_covered),
        ("Work set", visit.work_set),
        ("Work returned", visit.work_returned),
        ("Levels and needs", visit.levels_and_needs),
    ):
        if text:
            lines.append(f"<span class='muted'>{label}:</span> {para_text(text)}")
    for note in visit.notes:
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
    held = [v for v in visits if v.outcome is Outcome.HELD]
    hours = sum(v.hours for v in held)
    html = (
        f"<p class='muted'>{_plural(len(visits), 'visit')}, {len(held)} held, {fmt_hours(hours)} in all. "
        f"{badge('Family sees this', 'family')} notes are on every copy; "
        f"{badge('Professionals only', 'professional')} notes never reach the parent's copy.</p>"
    )
    shown = visits if show_all else visits[:VISITS_SHOWN]
    html += f"<table width='100%' cellspacing='0'>{''.join(visit_html(v, view) for v in shown)}</table>"
    if len(shown) < len(visits):
        html += f"<p>{link('visits/all', f'Show all {len(visits)} visits')}</p>"
    return html


def plans_html(view: RecordView) -> str:
    plans = view.record.plans
    if not plans:
        return "<h3>Plans</h3><p class='muted'>No plans recorded.</p>"
    html = "<h3>Plans</h3>"
    latest = {}
    for held in view.record.reviews:  # newest first
        latest.setdefault(held.plan_id, held)
    for plan in sorted(plans, key=lambda p: (p.closed, p.start)):
        last = latest.get(plan.id)
        reviewed = (
            f"<br>Last reviewed {fmt_date(last.held_on)}: {esc(last.summary)}"
            + (f" <i>Outcome:</i> {esc(last.outcome)}" if last.outcome else "")
            if last
            else ""
        )
        review = ""
        if plan.next_review:
            late = not plan.closed and plan.next_review < view.today
            review = (
                badge(f"Review overdue: due {fmt_date(plan.next_review)}", "danger")
                if late
                else f"Next review {fmt_date(plan.next_review)}"
            )
        state = badge("Closed", "plain") if plan.closed else badge("Open", "info")
        html += (
            f"<p><b>{esc(plan.title)}</b> {state}<br>"
            f"<span class='muted'>Started {fmt_date(plan.start)} · reviewed every {_plural(plan.review_every_weeks, 'week')}</span>"
            f"{'<br>' + review if review else ''}{reviewed}"
            f"{'<br>Success criteria: ' + para_text(plan.success_criteria) if plan.success_criteria else ''}</p>"
        )
    return html


def attention_text(view: RecordView) -> str:
    items = view.record.attention
    if not items:
        return ""
    parts = [f"<b>{esc(a.label)}</b>: {esc(a.message)}" for a in items]
    return "Needs attention: " + " &nbsp;·&nbsp; ".join(parts)


# --- the progress grid ---------------------------------------------------------------------


class ProgressGrid(QWidget):
    """Subjects down, assessment dates across, the level in each cell; a learning
    gap tints the cell and is listed underneath in words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget()
        self.table.setAccessibleName("Progress: subjects by date")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.setCornerButtonEnabled(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setDefaultSectionSize(150)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.gaps = HtmlPane("Learning gaps")
        self.legend = QLabel()
        self.legend.setObjectName("hint")
        self.legend.setText("Tinted cells carry a learning gap; hover or select a cell for the target and evidence.")
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setAccessibleName("Selected assessment")
        self.record_button = QPushButton("&Record progress…")
        self.record_button.setAccessibleName("Record progress")
        splitter = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.record_button)
        top_layout.addLayout(bar)
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.legend)
        top_layout.addWidget(self.detail)
        splitter.addWidget(top)
        splitter.addWidget(self.gaps)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([400, 160])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(splitter)
        self.table.currentCellChanged.connect(self._show_detail)
        self._entries: dict[tuple[int, int], ProgressEntry] = {}

    def set_entries(self, entries: list[ProgressEntry]) -> None:
        self.clear()
        if not entries:
            self.gaps.set_body("<p class='muted'>No progress recorded yet.</p>")
            return
        subjects = sorted({e.subject for e in entries})
        dates = sorted({e.assessed_on for e in entries})
        self.table.setRowCount(len(subjects))
        self.table.setColumnCount(len(dates))
        self.table.setVerticalHeaderLabels(subjects)
        self.table.setHorizontalHeaderLabels([fmt_date(d) for d in dates])
        latest: dict[str, ProgressEntry] = {}
        for entry in entries:
            row, column = subjects.index(entry.subject), dates.index(entry.assessed_on)
            self._entries[(row, column)] = entry
            latest[entry.subject] = entry
            item = QTableWidgetItem(entry.level)
            tip = [f"{entry.subject}, {fmt_date(entry.assessed_on)}: {entry.level}"]
            if entry.target:
                tip.append(f"Target: {entry.target}")
            if entry.learning_gap:
                tip.append(f"Learning gap: {entry.learning_gap}")
                item.setBackground(QBrush(GAP_BACKGROUND))
                item.setForeground(QBrush(GAP_TEXT))
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
                item.setText(f"{entry.level}  ⚑")
            if entry.evidence:
                tip.append(f"Evidence: {entry.evidence}")
            if entry.assessed_by:
                tip.append(f"Assessed by {entry.assessed_by}")
            item.setToolTip("\n".join(tip))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, ". ".join(tip))
            self.table.setItem(row, column, item)
        self.table.scrollToItem(self.table.item(0, len(dates) - 1) or QTableWidgetItem())
        gaps = [e for e in latest.values() if e.learning_gap]
        earlier = {e.subject: e for e in entries if e.learning_gap and latest[e.subject] is not e}
        html = "<h3>Learning gaps now</h3>"
        if gaps:
            html += "".join(
                f"<p>{badge(e.subject, 'warn')} {para_text(e.learning_gap)} "
                f"<span class='muted'>({fmt_date(e.assessed_on)}; level {esc(e.level)}"
                f"{', target ' + esc(e.target) if e.target else ''})</span></p>"
                for e in sorted(gaps, key=lambda e: e.subject)
            )
        else:
            html += "<p class='muted'>None at the latest assessment in any subject.</p>"
        closed = [s for s in earlier if s not in {g.subject for g in gaps}]
        if closed:
            html += f"<p class='muted'>Gaps recorded earlier, not at the latest assessment: {esc(', '.join(sorted(closed)))}.</p>"
        self.gaps.set_body(html)

    def clear(self) -> None:
        self._entries = {}
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.detail.setText("")
        self.gaps.clear()

    def _show_detail(self, row: int, column: int, *_: int) -> None:
        entry = self._entries.get((row, column))
        self.detail.setText(self.table.item(row, column).toolTip().replace("\n", " · ") if entry else "")


# --- the hours chart ------------------------------------------------------------------------


def month_axis(weeks: list[WeekHours]) -> QCategoryAxis:
    """Weeks along the bottom, labelled by month (a label a week would not fit a
    narrow pane): a band per month, from the first week that starts in it."""
    axis = QCategoryAxis()
    axis.setRange(-0.5, len(weeks) - 0.5)
    axis.setStartValue(-0.5)
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionCenter)
    axis.setGridLineVisible(False)
    bands: list[tuple[str, int]] = []  # (label, index of the band's last week)
    for i, week in enumerate(weeks):
        label = f"{week.week_start:%b}" if week.week_start.month != 1 or not bands else f"{week.week_start:%b %Y}"
        if bands and bands[-1][0] == label:
            bands[-1] = (label, i)
        else:
            bands.append((label, i))
    for label, last in bands:
        axis.append(label, last + 0.5)
    return axis


class HoursChart(QChartView):
    """Hours delivered each week as bars, the target as a line; weeks below target
    are drawn in orange (and named in the summary, so colour is not the only signal)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Hours delivered each week against the target")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(240)
        # Nothing to operate: the sentence under the chart carries the same facts for the keyboard and screen reader.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.viewport().setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.weeks: list[WeekHours] = []
        self._empty_chart()

    def _empty_chart(self) -> QChart:
        chart = QChart()
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.setBackgroundRoundness(0)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        old = self.chart()
        self.setChart(chart)
        if old is not None and old is not chart:
            old.deleteLater()
        return chart

    def set_weeks(self, weeks: list[WeekHours], today: date) -> None:
        self.weeks = list(weeks)
        chart = self._empty_chart()
        if not weeks:
            chart.setTitle("No provision recorded")
            self.setAccessibleDescription("No provision recorded.")
            return
        states = [week_state(w, today) for w in weeks]
        bars = QStackedBarSeries()
        bars.setBarWidth(0.7)
        for state, name, colour in (
            ("met", "Delivered", DELIVERED_COLOUR),
            ("below", "Below target", BELOW_COLOUR),
            ("current", "This week so far", CURRENT_COLOUR),
        ):
            if state not in states and state != "met":
                continue
            bar_set = QBarSet(name)
            bar_set.setColor(colour)
            bar_set.setBorderColor(colour)
            bar_set.append([w.delivered if s == state else 0 for w, s in zip(weeks, states, strict=True)])
            bar_set.hovered.connect(self._hovered)
            bars.append(bar_set)
        chart.addSeries(bars)
        small = QFont(self.font())
        small.setPointSizeF(max(small.pointSizeF() - 1.5, 7))
        x_axis = month_axis(weeks)
        x_axis.setLabelsFont(small)
        top = max(max(w.delivered, w.target, w.planned) for w in weeks)
        y_axis = QValueAxis()
        ceiling = max(5, int(top) + 1)
        step = 1 if ceiling <= 10 else 2 if ceiling <= 20 else 5
        ceiling = -(-ceiling // step) * step
        y_axis.setRange(0, ceiling)
        y_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        y_axis.setTickAnchor(0)
        y_axis.setTickInterval(step)
        y_axis.setLabelFormat("%.0f")
        y_axis.setTitleText("Hours")
        y_axis.setLabelsFont(small)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        bars.attachAxis(x_axis)
        bars.attachAxis(y_axis)
        # The target where one applies (tuition); otherwise the hours planned, for reference.
        has_target = any(w.target for w in weeks)
        line = QLineSeries()
        line.setName("Target" if has_target else "Planned")
        pen = QPen(TARGET_COLOUR if has_target else QColor("#7a8593"))
        pen.setWidthF(2)
        pen.setStyle(Qt.PenStyle.DashLine if has_target else Qt.PenStyle.DotLine)
        line.setPen(pen)
        for i, week in enumerate(weeks):  # a step a week, across the whole bar
            value = week.target if has_target else week.planned
            line.append(i - 0.5, value)
            line.append(i + 0.5, value)
        if has_target or any(w.planned for w in weeks):
            chart.addSeries(line)
            line.attachAxis(x_axis)
            line.attachAxis(y_axis)
        self.setAccessibleDescription(hours_summary(weeks, today))

    def _hovered(self, status: bool, index: int) -> None:
        if not status or not 0 <= index < len(self.weeks):
            QToolTip.hideText()
            return
        week = self.weeks[index]
        text = f"Week of {fmt_date(week.week_start)}: {fmt_hours(week.delivered)} delivered"
        if week.target:
            text += f", target {fmt_hours(week.target)}"
        QToolTip.showText(QCursor.pos(), text, self)

    def clear(self) -> None:
        self.weeks = []
        self._empty_chart()
        self.setAccessibleDescription("")


# --- concerns (restricted) ------------------------------------------------------------------


class ConcernsPanel(QWidget):
    """Restricted: a warning and a deliberate step before anything is fetched.
    Reading is audited by the service; concerns are never printed."""

    def __init__(self, app: Waymark, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app, self.runner = app, runner
        self._pupil_id: str | None = None
        self._pupil_name = ""
        self._generation = 0
        self.setAccessibleName("Concerns (restricted)")

        self.warning = QFrame()
        self.warning.setObjectName("restrictedWarning")
        self.warning.setStyleSheet(
            "QFrame#restrictedWarning { background: #fbe4e4; border: 1px solid #e8b4b4; border-radius: 6px; }"
            "QFrame#restrictedWarning QLabel { color: #5c1114; }"
        )
        self.warning_title = QLabel("Restricted: safeguarding concerns")
        self.warning_title.setStyleSheet("font-weight: 600; font-size: 12pt;")
        self.warning_text = QLabel()
        self.warning_text.setWordWrap(True)
        self.warning_text.setAccessibleName("Restricted information warning")
        self.reason = QCheckBox("I need to see these concerns for safeguarding reasons")
        self.reason.setAccessibleName("I need to see these concerns for safeguarding reasons")
        self.show_button = QPushButton("&Show concerns")
        self.show_button.setAccessibleName("Show concerns: your access will be recorded")
        self.show_button.setEnabled(False)
        self.add_button = QPushButton("&Record a concern…")
        self.add_button.setAccessibleName("Record a concern")
        self.hide_button = QPushButton("&Hide concerns")
        self.hide_button.setAccessibleName("Hide concerns")
        self.list = HtmlPane("Concerns")
        self.banner = Banner(self)

        inner = QVBoxLayout(self.warning)
        inner.addWidget(self.warning_title)
        inner.addWidget(self.warning_text)
        row = QHBoxLayout()
        row.addWidget(self.reason)
        row.addStretch(1)
        row.addWidget(self.show_button)
        inner.addLayout(row)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.hide_button)
        bar.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.warning)
        layout.addWidget(self.banner)
        layout.addLayout(bar)
        layout.addWidget(self.list, 1)
        layout.addStretch(0)  # takes the space while the list is hidden
        self.warning.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        set_tab_order(self.reason, self.show_button, self.hide_button, self.add_button, self.list)

        self.reason.toggled.connect(self.show_button.setEnabled)
        self.show_button.clicked.connect(self.reveal)
        self.hide_button.clicked.connect(self.conceal)
        self.add_button.clicked.connect(self.record_concern)
        self.clear()

    @property
    def revealed(self) -> bool:
        return self.list.isVisibleTo(self)

    def set_pupil(self, pupil_id: str, name: str, open_count: int) -> None:
        if pupil_id != self._pupil_id:
            self.conceal()
        self._pupil_id, self._pupil_name = pupil_id, name
        self.add_button.setEnabled(True)
        counted = (
            f"{_plural(open_count, 'open concern')} recorded for {name}."
            if open_count
            else f"No open concerns are recorded for {name}."
        )
        self.warning_text.setText(
            f"{counted} Concerns are never printed on any report. Opening them is recorded in the audit "
            "trail with your name and the time; share them only as necessary."
        )

    def reveal(self) -> None:
        """Fetch and show the concerns: only after the user has said why (the service audits the read)."""
        if not self._pupil_id or not self.reason.isChecked():
            return
        self._generation += 1
        generation, pupil_id = self._generation, self._pupil_id
        self.banner.clear_message()
        self.runner.run(
            lambda: self.app.list_concerns(pupil_id),
            lambda concerns: self._show(generation, concerns),
            self.banner.show_message,
        )

    def _show(self, generation: int, concerns: list[Concern]) -> None:
        if generation != self._generation:
            return
        if not concerns:
            html = "<p class='muted'>No concerns are recorded.</p>"
        else:
            html = ""
            for c in sorted(concerns, key=lambda c: c.raised_on, reverse=True):
                state = badge("Closed", "plain") if c.closed else badge("Open", "danger")
                html += (
                    f"<p><b>{fmt_date(c.raised_on)}</b> {state} <span class='muted'>raised by {esc(c.raised_by)}"
                    f"{' · escalated to ' + esc(c.escalated_to) if c.escalated_to else ''}</span><br>"
                    f"{para_text(c.text)}</p><hr>"
                )
        self.list.set_body(html)
        self.list.show()
        self.hide_button.show()
        self.reason.hide()
        self.show_button.hide()

    def conceal(self) -> None:
        self._generation += 1
        self.list.clear()
        self.list.hide()
        self.hide_button.hide()
        self.reason.setChecked(False)
        self.reason.show()
        self.show_button.show()

    def clear(self) -> None:
        self.conceal()
        self._pupil_id, self._pupil_name = None, ""
        self.warning_text.setText("")
        self.banner.clear_message()
        self.add_button.setEnabled(False)

    def on_change(self, changes: Changes) -> None:
        """A concern added while the list is open is shown too (another audited read)."""
        if "concern" in changes.entities and self.revealed:
            self.reveal()

    def record_concern(self) -> ConcernDialog | None:
        if not self._pupil_id:
            return None
        dialog = ConcernDialog(self.app, self.runner, self._pupil_id, self._pupil_name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog


class ConcernDialog(SaveDialog):
    """Record a safeguarding concern. Writing needs no reveal; it is never printed."""

    def __init__(self, app: Waymark, runner: TaskRunner, pupil_id: str, name: str, parent: QWidget | None) -> None:
        super().__init__(app, runner, f"Record a concern: {name}", parent)
        self.pupil_id = pupil_id
        self.raised_on = self.date_edit(app.today())
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText("What was seen or said, in the child's words where possible")
        self.escalated_to = QLineEdit()
        self.escalated_to.setPlaceholderText("e.g. Designated Safeguarding Lead")
        self.add_row("Raised &on:", self.raised_on, "Raised on")
        self.add_row("&Concern:", self.text, "Concern")
        self.add_row("&Escalated to:", self.escalated_to, "Escalated to")
        note = QLabel("Concerns are restricted and never printed on any report.")
        note.setObjectName("hint")
        self.form.addRow(note)
        self.resize(520, 340)

    def task(self) -> Callable[[], Changes]:
        return partial(
            self.app.add_concern,
            Concern(
                pupil_id=self.pupil_id,
                raised_on=from_qdate(self.raised_on.date()),
                text=self.text.toPlainText(),
                escalated_to=self.escalated_to.text().strip(),
            ),
        )


class ProgressDialog(SaveDialog):
    """Record a level in a subject, with the target and any learning gap (the base school's record sheet)."""

    LEVELS = ("Working towards", "Developing", "Secure", "Greater depth")

    def __init__(
        self, app: Waymark, runner: TaskRunner, pupil_id: str, name: str, subjects: list[str], parent: QWidget | None
    ) -> None:
        super().__init__(app, runner, f"Record progress: {name}", parent)
        self.pupil_id = pupil_id
        self.subject = QComboBox()
        self.subject.setEditable(True)
        self.subject.addItems(sorted(set(subjects) | {"English", "Maths", "Science"}))
        self.level = QComboBox()
        self.level.setEditable(True)
        self.level.addItems(self.LEVELS)
        self.level.setCurrentText("")
        self.assessed_on = self.date_edit(app.today())
        self.assessed_on.setMaximumDate(to_qdate(app.today()))
        self.target = QLineEdit()
        self.gap = QLineEdit()
        self.gap.setPlaceholderText("Left empty when there is none")
        self.evidence = QLineEdit()
        self.evidence.setPlaceholderText("e.g. Work in folder and teacher assessment")
        self.add_row("&Subject:", self.subject, "Subject")
        self.add_row("&Level:", self.level, "Level or descriptor")
        self.add_row("Assessed &on:", self.assessed_on, "Assessed on")
        self.add_row("&Target:", self.target, "Target")
        self.add_row("Learning &gap:", self.gap, "Learning gap")
        self.add_row("&Evidence:", self.evidence, "Evidence")
        self.resize(480, 280)

    def task(self) -> Callable[[], Changes]:
        return partial(
            self.app.add_progress,
            ProgressEntry(
                pupil_id=self.pupil_id,
                subject=self.subject.currentText().strip(),
                level=self.level.currentText().strip(),
                assessed_on=from_qdate(self.assessed_on.date()),
                target=self.target.text().strip(),
                learning_gap=self.gap.text().strip(),
                evidence=self.evidence.text().strip(),
            ),
        )


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
        self.add_row("&Planned:", self.planned, "Planned hours a week")
        self.add_row("&Medical maximum:", self.medical_max, "Medically advised maximum hours a week")
        self.add_row("Re&view:", self.review, "Review date")
        self.add_row("", self.consent, "Parent or carer has agreed to a part-time timetable")
        self.add_row("&Reason:", self.reason, "Reason")
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.resize(500, 320)

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


class ActionDialog(SaveDialog):
    """Add an action: dated, with an owner and the next step (004:337-343)."""

    def __init__(self, app: Waymark, runner: TaskRunner, pupil_id: str, name: str, parent: QWidget | None) -> None:
        super().__init__(app, runner, f"Add an action: {name}", parent)
        self.pupil_id = pupil_id
        self.due = self.date_edit(app.today() + timedelta(days=7))
        self.owner = QLineEdit(app.actor if app.actor != "this device" else "")
        self.next_step = QLineEdit()
        self.next_step.setPlaceholderText("e.g. Send progress record to base school")
        self.add_row("&Due:", self.due, "Due")
        self.add_row("&Owner:", self.owner, "Owner")
        self.add_row("&Next step:", self.next_step, "Next step")
        self.resize(460, 200)

    def task(self) -> Callable[[], Changes]:
        return partial(
            self.app.add_action,
            Action(
                pupil_id=self.pupil_id,
                due=from_qdate(self.due.date()),
                owner=self.owner.text(),
                next_step=self.next_step.text(),
            ),
        )


class PlanDialog(SaveDialog):
    """Start a plan (a PEP, a reintegration plan…) with its success criteria and review cycle."""

    def __init__(self, app: Waymark, runner: TaskRunner, pupil_id: str, name: str, parent: QWidget | None) -> None:
        super().__init__(app, runner, f"Add a plan: {name}", parent)
        self.pupil_id = pupil_id
        self.title = QLineEdit()
        self.title.setPlaceholderText("e.g. Reintegration to St Anne's")
        self.criteria = QPlainTextEdit()
        self.criteria.setTabChangesFocus(True)
        self.criteria.setMaximumHeight(70)
        self.start = self.date_edit(app.today())
        self.every = QSpinBox()
        self.every.setRange(1, 52)
        self.every.setValue(6)
        self.every.setSuffix(" weeks")
        self.add_row("&Title:", self.title, "Plan title")
        self.add_row("&Success criteria:", self.criteria, "Success criteria")
        self.add_row("S&tarts:", self.start, "Starts on")
        self.add_row("&Review every:", self.every, "Review every")
        self.resize(480, 0)

    def task(self) -> Callable[[], Changes]:
        return partial(
            self.app.add_plan,
            Plan(
                pupil_id=self.pupil_id,
                title=self.title.text().strip(),
                success_criteria=self.criteria.toPlainText().strip(),
                start=from_qdate(self.start.date()),
                review_every_weeks=self.every.value(),
            ),
        )


class ReviewDialog(SaveDialog):
    """Record a plan's review: what it found, and whether the plan goes on or closes."""

    def __init__(self, app: Waymark, runner: TaskRunner, plans: list[Plan], name: str, parent: QWidget | None) -> None:
        super().__init__(app, runner, f"Record a review: {name}", parent)
        self.plan = QComboBox()
        for plan in plans:
            due = f" (due {fmt_date(plan.next_review)})" if plan.next_review else ""
            self.plan.addItem(plan.title + due, plan.id)
        self.held_on = self.date_edit(app.today())
        self.held_on.setMaximumDate(to_qdate(app.today()))
        self.summary = QPlainTextEdit()
        self.summary.setTabChangesFocus(True)
        self.summary.setMaximumHeight(80)
        self.summary.setPlaceholderText("What has gone well, what has not, what changes")
        self.outcome = QLineEdit()
        self.outcome.setPlaceholderText("e.g. Increase to three mornings a week")
        self.close_plan = QCheckBox("The plan has done its work: close it")
        self.add_row("&Plan:", self.plan, "Plan")
        self.add_row("&Held on:", self.held_on, "Held on")
        self.add_row("&Found:", self.summary, "What the review found")
        self.add_row("&Outcome:", self.outcome, "Outcome")
        self.add_row("", self.close_plan, "Close the plan")
        self.resize(480, 0)

    def task(self) -> Callable[[], Changes]:
        review = Review(
            plan_id=self.plan.currentData(),
            held_on=from_qdate(self.held_on.date()),
            summary=self.summary.toPlainText().strip(),
            outcome=self.outcome.text().strip(),
        )
        return partial(self.app.record_review, review, close_plan=self.close_plan.isChecked())


# --- the view ------------------------------------------------------------------------------


def with_buttons(pane: QWidget, *buttons: QPushButton) -> QWidget:
    """A pane with its buttons in a bar above it, on the right."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 4, 0, 0)
    bar = QHBoxLayout()
    bar.setContentsMargins(8, 0, 8, 0)
    bar.addStretch(1)
    for button in buttons:
        bar.addWidget(button)
    layout.addLayout(bar)
    layout.addWidget(pane, 1)
    return box


class PupilView(QWidget):
    """One pupil's record. Signals ask the host to log a visit or print a report."""

    log_visit_requested = Signal(str)  # pupil id
    print_requested = Signal(str, str)  # kind ("visit", "progress", "hours"), record id

    def __init__(self, app: Waymark, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app, self.runner = app, runner
        self.pupil_id: str | None = None
        self.view: RecordView | None = None
        self._generation = 0
        self._show_all_visits = False
        self._fresh_visit: str | None = None  # a visit just logged: show it in the timeline
        self._in_flight = self._stale = False
        self.setAccessibleName("Pupil record")
        self._build()
        runner.did_change.connect(self._on_change)
        self.clear()

    # --- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.name = QLabel()
        self.name.setObjectName("heading")
        self.name.setAccessibleName("Pupil's name")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel()
        self.facts.setObjectName("subheading")
        self.facts.setWordWrap(True)
        self.facts.setAccessibleName("Pupil summary")
        self.log_button = QPushButton("&Log a visit")
        self.log_button.setObjectName("primary")
        self.log_button.setAccessibleName("Log a visit for this pupil")
        self.log_button.setToolTip("Log a visit (Ctrl+N)")
        self.book_button = QPushButton("Boo&k…")
        self.book_button.setAccessibleName("Book an appointment for this pupil")
        self.print_button = QPushButton("&Print")
        self.print_button.setAccessibleName("Print a report")
        menu = QMenu(self.print_button)
        menu.setAccessibleName("Reports")
        self.print_progress_action = menu.addAction("Progress record…", lambda: self._print("progress"))
        self.print_hours_action = menu.addAction("Hours statement…", lambda: self._print("hours"))
        self.print_last_visit_action = menu.addAction("Latest visit report…", self._print_latest_visit)
        self.print_button.setMenu(menu)
        self.attention = QLabel()
        self.attention.setWordWrap(True)
        self.attention.setTextFormat(Qt.TextFormat.RichText)
        self.attention.setAccessibleName("Needs attention")
        self.attention.setStyleSheet(
            "QLabel { background: #fdf1dc; color: #6b3800; border: 1px solid #efd3a5; border-radius: 4px; padding: 6px 8px; }"
        )
        self.banner = Banner(self)

        header = QFrame()
        header.setObjectName("recordHeader")
        top = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self.name)
        titles.addWidget(self.facts)
        top.addLayout(titles, 1)
        for button in (self.log_button, self.book_button, self.print_button):
            top.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(4, 4, 4, 0)
        header_layout.addLayout(top)
        header_layout.addWidget(self.attention)
        header_layout.addWidget(self.banner)

        self.profile = HtmlPane("Profile")
        self.edit_button = QPushButton("&Edit details…")
        self.edit_button.setAccessibleName("Edit the pupil's details")
        self.contact_button = QPushButton("Add a parent or &carer…")
        self.contact_button.setAccessibleName("Add a parent or carer")
        profile_box = with_buttons(self.profile, self.edit_button, self.contact_button)
        self.stays = HtmlPane("Sites and stays")
        self.move_button = QPushButton("Record a &move…")
        self.move_button.setAccessibleName("Record a move to a site")
        stays_box = with_buttons(self.stays, self.move_button)
        self.hours_chart = HoursChart()
        self.hours_text = QLabel()
        self.hours_text.setWordWrap(True)
        self.hours_text.setAccessibleName("Hours summary")
        self.provision = HtmlPane("Provision episodes")
        provision = QSplitter(Qt.Orientation.Vertical)
        self.chart_box = chart_box = QWidget()
        chart_layout = QVBoxLayout(chart_box)
        chart_layout.setContentsMargins(8, 8, 8, 0)
        chart_layout.addWidget(self.hours_chart, 1)
        chart_layout.addWidget(self.hours_text)
        self.add_episode_button = QPushButton("&Add provision…")
        self.add_episode_button.setAccessibleName("Add a provision episode")
        episodes_box = with_buttons(self.provision, self.add_episode_button)
        provision.addWidget(chart_box)
        provision.addWidget(episodes_box)
        provision.setStretchFactor(0, 3)
        provision.setStretchFactor(1, 2)
        self.visits = HtmlPane("Visits, newest first")
        self.folders = FoldersPanel(self.app, self.runner)
        self.progress = ProgressGrid()
        self.plans = HtmlPane("Plans")
        self.add_plan_button = QPushButton("Add a p&lan…")
        self.add_plan_button.setAccessibleName("Add a plan")
        self.review_button = QPushButton("Record a re&view…")
        self.review_button.setAccessibleName("Record a plan's review")
        self.actions = QTreeWidget()
        self.actions.setAccessibleName("Actions")
        self.actions.setHeaderLabels(["Due", "Owner", "Next step", "Status"])
        self.actions.setRootIsDecorated(False)
        self.actions.setAlternatingRowColors(True)
        self.actions.setColumnWidth(0, 110)
        self.actions.setColumnWidth(1, 160)
        self.actions.setColumnWidth(2, 340)
        self.done_button = QPushButton("Mark &done")
        self.done_button.setAccessibleName("Mark the selected action done")
        self.add_action_button = QPushButton("&Add action…")
        self.add_action_button.setAccessibleName("Add an action")
        plans = QSplitter(Qt.Orientation.Vertical)
        actions_box = QWidget()
        actions_layout = QVBoxLayout(actions_box)
        actions_layout.setContentsMargins(8, 0, 8, 8)
        actions_bar = QHBoxLayout()
        self.actions_title = QLabel("Actions")
        self.actions_title.setObjectName("sectionTitle")
        self.actions_title.setAccessibleName("Actions")
        actions_bar.addWidget(self.actions_title, 1)
        actions_bar.addWidget(self.done_button)
        actions_bar.addWidget(self.add_action_button)
        actions_layout.addLayout(actions_bar)
        actions_layout.addWidget(self.actions, 1)
        plans.addWidget(with_buttons(self.plans, self.add_plan_button, self.review_button))
        plans.addWidget(actions_box)
        self.appointments = AppointmentsView(self.app, self.runner, compact=True)
        self.concerns = ConcernsPanel(self.app, self.runner)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Pupil record sections")
        self.tabs.setDocumentMode(True)
        self.tabs.setUsesScrollButtons(True)  # on a narrow pane; the names are short so most fit
        self.tabs.setStyleSheet("QTabBar::tab { padding: 5px 8px; }")
        tips = {
            "Stays": "Sites and stays",
            "Plans": "Plans and actions",
            # No count on the tab: a family sitting beside the worker must not read "Concerns (1)".
            "Concerns": "Safeguarding concerns: restricted, shown only after a warning",
        }
        for widget, title in (
            (profile_box, "Profile"),
            (stays_box, "Stays"),
            (provision, "Provision"),
            (self.visits, "Visits"),
            (self.folders, "Folders"),
            (self.progress, "Progress"),
            (plans, "Plans"),
            (self.appointments, "Appointments"),
            (self.concerns, "Concerns"),
        ):
            index = self.tabs.addTab(widget, title)
            self.tabs.setTabToolTip(index, tips.get(title, title))
        self.tab_index = {
            "profile": 0,
            "stays": 1,
            "provision": 2,
            "visits": 3,
            "folders": 4,
            "progress": 5,
            "plans": 6,
            "appointments": 7,
            "concerns": 8,
        }

        record = QWidget()
        record_layout = QVBoxLayout(record)
        record_layout.setContentsMargins(0, 0, 0, 0)
        record_layout.addWidget(header)
        record_layout.addWidget(self.tabs, 1)
        self.placeholder = QLabel("Select a pupil to see their record.")
        self.placeholder.setObjectName("hint")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setAccessibleName("No pupil selected")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(record)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.setMinimumWidth(560)  # the record's tabs and timelines need this much; the caseload gives way
        set_tab_order(self.log_button, self.book_button, self.print_button, self.tabs)

        self.log_button.clicked.connect(lambda: self.pupil_id and self.log_visit_requested.emit(self.pupil_id))
        self.book_button.clicked.connect(self.book)
        self.visits.link_activated.connect(self._visits_link)
        self.done_button.clicked.connect(self._complete_action)
        self.add_action_button.clicked.connect(self.add_action)
        self.progress.record_button.clicked.connect(self.record_progress)
        self.add_episode_button.clicked.connect(self.add_episode)
        self.move_button.clicked.connect(self.record_move)
        self.edit_button.clicked.connect(self.edit_details)
        self.add_plan_button.clicked.connect(self.add_plan)
        self.review_button.clicked.connect(self.record_review)
        self.contact_button.clicked.connect(self.add_contact)
        self.actions.itemSelectionChanged.connect(self._action_selection)

    # --- public ---------------------------------------------------------------------------

    def show_pupil(self, pupil_id: str) -> None:
        """Load and show a pupil's record (in the background)."""
        if pupil_id != self.pupil_id:
            self._show_all_visits = False
        self.pupil_id = pupil_id
        self._load()

    def clear(self) -> None:
        """Drop every bit of pupil data from the widgets (the app is locking)."""
        self._generation += 1
        self._in_flight = self._stale = False
        self.pupil_id, self.view = None, None
        self._show_all_visits = False
        self._fresh_visit = None
        self.name.clear()
        self.facts.clear()
        self.attention.clear()
        self.attention.hide()
        self.banner.clear_message()
        for pane in (self.profile, self.stays, self.provision, self.visits, self.plans):
            pane.clear()
        self.hours_chart.clear()
        self.hours_text.clear()
        self.folders.clear()
        self.progress.clear()
        self.actions.clear()
        self.actions_title.setText("Actions")
        self.appointments.clear()
        self.concerns.clear()
        self.tabs.setTabText(self.tab_index["visits"], "Visits")
        self.tabs.setCurrentIndex(0)
        self._action_selection()
        self.stack.setCurrentWidget(self.placeholder)

    def show_tab(self, name: str) -> None:
        self.tabs.setCurrentIndex(self.tab_index[name])

    def book(self) -> BookAppointmentDialog | None:
        if not self.pupil_id:
            return None
        dialog = BookAppointmentDialog(self.app, self.runner, self, pupil_id=self.pupil_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def add_action(self) -> ActionDialog | None:
        return self._open(ActionDialog)

    def add_episode(self) -> EpisodeDialog | None:
        return self._open(EpisodeDialog)

    def record_move(self) -> MoveDialog | None:
        return self._open(MoveDialog)

    def add_plan(self) -> PlanDialog | None:
        return self._open(PlanDialog)

    def record_review(self) -> ReviewDialog | None:
        if not self.view:
            return None
        open_plans = [p for p in self.view.record.plans if not p.closed]
        if not open_plans:
            self.banner.show_message("There is no open plan to review. Add a plan first.")
            return None
        return self._open(lambda app, runner, _pid, name, parent: ReviewDialog(app, runner, open_plans, name, parent))

    def add_contact(self) -> ContactDialog | None:
        return self._open(ContactDialog)

    def edit_details(self) -> EditPupilDialog | None:
        if not self.view:
            return None
        pupil = self.view.record.pupil
        return self._open(lambda app, runner, _pid, _name, parent: EditPupilDialog(app, runner, pupil, parent))

    def record_progress(self) -> ProgressDialog | None:
        if not self.view:
            return None
        subjects = [e.subject for e in self.view.record.progress]
        return self._open(
            lambda app, runner, pid, name, parent: ProgressDialog(app, runner, pid, name, subjects, parent)
        )

    def _open(self, make) -> QDialog | None:
        """Open one of the record's small forms for the pupil shown."""
        if not self.view:
            return None
        pupil = self.view.record.pupil
        dialog = make(self.app, self.runner, pupil.id, pupil.display_name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # --- loading ------------------------------------------------------------------------------

    def _load(self) -> None:
        self._generation += 1
        self._in_flight, self._stale = True, False
        generation, pupil_id = self._generation, self.pupil_id
        if self.view is None or self.view.record.pupil.id != pupil_id:
            self.stack.setCurrentWidget(self.placeholder)
            self.placeholder.setText("Opening the record…")
        self.runner.run(
            lambda: load_record(self.app, pupil_id),
            lambda view: self._loaded(generation, view),
            lambda message: self._failed(generation, message),
        )

    def _on_change(self, changes: Changes) -> None:
        if self.pupil_id and changes.entities & RECORD_ENTITIES:
            if "visit" in changes.entities:
                self._fresh_visit = changes.id
            if self._in_flight:
                self._stale = True  # a burst of changes (a sync, a folder of items) costs one more load, not one each
            else:
                self._load()
            self.concerns.on_change(changes)

    def _reload_if_stale(self) -> None:
        """A load has landed: load once more if the data changed while it ran."""
        self._in_flight = False
        if self._stale and self.pupil_id:
            self._load()

    def _failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        if self.view is None:
            self.placeholder.setText(f"The record could not be opened. {message}")
        else:
            self.banner.show_message(message)
        self._reload_if_stale()

    def _loaded(self, generation: int, view: RecordView) -> None:
        if generation != self._generation:
            return  # another pupil was chosen, or the app locked, while this loaded
        same_pupil = self.view is not None and self.view.record.pupil.id == view.record.pupil.id
        self.view = view
        self.banner.clear_message()
        r = view.record
        p = r.pupil
        self.name.setText(p.display_name)
        facts = [format_nc_year(r.nc_year), r.cohort.label]
        if p.traveller_group is not TravellerGroup.NONE:
            facts[-1] += f" ({p.traveller_group.label})"
        facts.append(f"born {fmt_date(p.dob)}")
        if p.upn:
            facts.append(f"UPN {p.upn}")
        facts.append(r.school.name if r.school else "no base school")
        current = [site.name for stay, site in r.stays if stay.departed is None]
        if current:
            facts.append(f"at {current[-1]}")
        if r.appointments:
            facts.append(f"next visit {fmt_datetime(r.appointments[0].starts_at)}")
        self.facts.setText(" · ".join(facts))
        attention = attention_text(view)
        self.attention.setText(attention)
        self.attention.setVisible(bool(attention))

        self._set(self.profile, profile_html(view), same_pupil)
        self._set(self.stays, stays_html(view), same_pupil)
        self.hours_chart.set_weeks(r.weeks, view.today)
        self.chart_box.setVisible(bool(r.weeks))  # no provision: the pane below says so, no empty frame
        self.hours_text.setText(hours_summary(r.weeks, view.today))
        self._set(self.provision, provision_html(view), same_pupil)
        self._set(self.visits, visits_html(view, self._show_all_visits), same_pupil)
        self.tabs.setTabText(self.tab_index["visits"], f"Visits ({len(r.visits)})")
        self.folders.set_folders(p.id, r.folders, view.today)
        self.progress.set_entries(r.progress)
        self._set(self.plans, plans_html(view), same_pupil)
        self._fill_actions(r.actions, view.today)
        self.concerns.set_pupil(p.id, p.display_name, r.concern_count)
        if not same_pupil:
            self.appointments.set_pupil(p.id)
        self.print_last_visit_action.setEnabled(bool(r.visits))
        self.stack.setCurrentIndex(1)
        if self._fresh_visit and any(v.id == self._fresh_visit for v in r.visits):
            self.show_tab("visits")  # the visit just logged, where the user expects to see it
            self.visits.verticalScrollBar().setValue(0)
        self._fresh_visit = None
        self._reload_if_stale()

    @staticmethod
    def _set(pane: HtmlPane, html: str, keep_scroll: bool) -> None:
        position = pane.verticalScrollBar().value() if keep_scroll else 0
        pane.set_body(html)
        pane.verticalScrollBar().setValue(position)

    def _fill_actions(self, actions: list[Action], today: date) -> None:
        selected = {i.data(0, Qt.ItemDataRole.UserRole) for i in self.actions.selectedItems()}
        self.actions.clear()
        open_count = sum(not a.done for a in actions)
        self.actions_title.setText(f"Actions ({open_count} open)" if actions else "Actions: none recorded")
        for action in sorted(actions, key=lambda a: (a.done, a.due)):
            late = not action.done and action.due < today
            status = "Done" if action.done else "Overdue" if late else "Open"
            item = QTreeWidgetItem([fmt_date(action.due), action.owner, action.next_step, status])
            item.setData(0, Qt.ItemDataRole.UserRole, action.id)
            item.setToolTip(2, action.next_step)
            if late:
                for column in range(4):
                    item.setForeground(column, QBrush(OVERDUE_TEXT))
            elif action.done:
                for column in range(4):
                    item.setForeground(column, QBrush(QColor("#5b6470")))
            self.actions.addTopLevelItem(item)
            item.setSelected(action.id in selected)
        self._action_selection()

    # --- commands -----------------------------------------------------------------------------

    def _print(self, kind: str) -> None:
        if self.pupil_id:
            self.print_requested.emit(kind, self.pupil_id)

    def _print_latest_visit(self) -> None:
        if self.view and self.view.record.visits:
            self.print_requested.emit("visit", self.view.record.visits[0].id)

    def _visits_link(self, path: str) -> None:
        if path.startswith("print/visit/"):
            self.print_requested.emit("visit", path.removeprefix("print/visit/"))
        elif path == "visits/all" and self.view:
            self._show_all_visits = True
            self._set(self.visits, visits_html(self.view, True), True)

    def _selected_action(self) -> str | None:
        items = self.actions.selectedItems()
        if len(items) != 1 or items[0].text(3) == "Done":
            return None
        return items[0].data(0, Qt.ItemDataRole.UserRole)

    def _action_selection(self) -> None:
        self.done_button.setEnabled(self._selected_action() is not None)
        self.add_action_button.setEnabled(self.pupil_id is not None)

    def _complete_action(self) -> None:
        action_id = self._selected_action()
        if action_id:
            self.runner.run(lambda: self.app.complete_action(action_id), None, self.banner.show_message)
