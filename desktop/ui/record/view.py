"""The pupil record: everything the service holds on one child, one tab a topic.

Loaded in one background call (`Waymark.pupil_record`, plus the names of the
sites and of the brothers and sisters seen at the same visits) and redrawn when
`did_change` names one of the record's tables. Concerns are restricted: nothing
about them but the count is fetched until the user says why they need to see
them, and the service writes every read to the audit trail. `clear()` (on lock)
drops every bit of the pupil's data from the widgets.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import rules
from desktop.domain.enums import TravellerGroup
from desktop.domain.records import Action, PlannedTravel
from desktop.services import Changes, Waymark
from desktop.tasks import TaskRunner

from ..appointments import AppointmentsView, BookAppointmentDialog
from ..common import set_tab_order
from ..packs import FoldersPanel
from ..places import MoveDialog
from ..pupil_details import ContactDialog, EditPupilDialog
from ..subject_access import SubjectAccessDialog
from ..widgets import Banner, HtmlPane, esc, fmt_date, fmt_datetime, set_available, size_columns
from .charts import HoursChart
from .colours import OVERDUE_TEXT
from .concerns import ConcernsPanel
from .data import RECORD_ENTITIES, RecordView, load_record
from .exclusions import ExclusionDialog
from .plans import ActionDialog, PlanDialog, ReviewDialog, plans_html
from .profile import ConsentDialog, nc_year_text, profile_html
from .progress import ProgressDialog, ProgressGrid
from .provision import AbsenceDialog, EpisodeDialog, hours_summary, provision_html
from .reports import ReportPeriodDialog
from .stays import AgreeTravelDialog, TravelDialog, stays_html
from .visits import visits_html


def attention_text(view: RecordView) -> str:
    items = view.record.attention
    if not items:
        return ""
    parts = [f"<b>{esc(a.label)}</b>: {esc(a.message)}" for a in items]
    return "Needs attention: " + " &nbsp;·&nbsp; ".join(parts)


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
    print_period_requested = Signal(str, str, object, object)  # kind ("progress", "hours"), pupil id, start, end

    # The record's forms by the kind of draft they keep (see ui/drafts/), for reopening a draft.
    FORMS: ClassVar[dict[str, str]] = {
        "move": "record_move",
        "contact": "add_contact",
        "pupil-details": "edit_details",
        "consent": "add_consent",
        "plan": "add_plan",
        "review": "record_review",
        "action": "add_action",
        "provision": "add_episode",
        "absence": "add_absence",
        "progress": "record_progress",
        "travel": "record_travel",
        "travel-agreed": "agree_travel",
        "exclusion": "record_exclusion",
        "subject-access": "subject_access",
        "concern": "record_concern",
        "folder": "issue_folder",
        "appointment": "book",
    }

    def __init__(self, app: Waymark, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app, self.runner = app, runner
        self.pupil_id: str | None = None
        self.view: RecordView | None = None
        self._generation = 0
        self._show_all_visits = False
        self._fresh_visit: str | None = None  # a visit just logged: show it in the timeline
        self._in_flight = self._stale = False
        self._pending_form: tuple[str, str] | None = None  # a form to open once this pupil's record is shown
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
        self.print_button = QPushButton("Prin&t")
        self.print_button.setAccessibleName("Print a report")
        menu = QMenu(self.print_button)
        menu.setAccessibleName("Reports")
        menu.setToolTipsVisible(True)  # a report that cannot be made says why
        self.print_progress_action = menu.addAction("Progress record…", lambda: self._print("progress"))
        self.print_hours_action = menu.addAction("Hours statement…", lambda: self._print("hours"))
        self.print_last_visit_action = menu.addAction("Latest visit report…", self._print_latest_visit)
        menu.addSeparator()
        self.subject_access_action = menu.addAction("Subject access copy…", self.subject_access)
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
        self.contact_button = QPushButton("Add a parent &or carer…")
        self.contact_button.setAccessibleName("Add a parent or carer")
        self.consent_button = QPushButton("Record a co&nsent…")
        self.consent_button.setAccessibleName("Record a consent")
        profile_box = with_buttons(self.profile, self.edit_button, self.contact_button, self.consent_button)
        self.stays = HtmlPane("Sites and stays")
        self.move_button = QPushButton("Record a &move…")
        self.move_button.setAccessibleName("Record a move to a site")
        self.travel_button = QPushButton("Record planned t&ravel…")
        self.travel_button.setAccessibleName("Record planned travel")
        self.agree_button = QPushButton("Dates a&greed…")
        self.agree_button.setAccessibleName("Mark planned travel agreed with the base school")
        stays_box = with_buttons(self.stays, self.travel_button, self.agree_button, self.move_button)
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
        self.add_episode_button = QPushButton("Add provis&ion…")
        self.add_episode_button.setAccessibleName("Add a provision episode")
        self.absence_button = QPushButton("Rec&ord an absence…")
        self.absence_button.setAccessibleName("Record an absence for health")
        self.exclusion_button = QPushButton("Record an e&xclusion…")
        self.exclusion_button.setAccessibleName("Record an exclusion")
        episodes_box = with_buttons(self.provision, self.add_episode_button, self.absence_button, self.exclusion_button)
        provision.addWidget(chart_box)
        provision.addWidget(episodes_box)
        provision.setStretchFactor(0, 3)
        provision.setStretchFactor(1, 2)
        self.visits = HtmlPane("Visits, newest first")
        self.folders = FoldersPanel(self.app, self.runner)
        self.progress = ProgressGrid()
        self.plans = HtmlPane("Plans")
        self.add_plan_button = QPushButton("Add a pla&n…")
        self.add_plan_button.setAccessibleName("Add a plan")
        self.review_button = QPushButton("Record a revie&w…")
        self.review_button.setAccessibleName("Record a plan's review")
        self.actions = QTreeWidget()
        self.actions.setAccessibleName("Actions")
        self.actions.setHeaderLabels(["Due", "Owner", "Next step", "Status"])
        self.actions.setRootIsDecorated(False)
        self.actions.setAlternatingRowColors(True)
        # Due, owner and status at their size; the next step takes what is left (the record
        # pane is narrow on a 1366x768 laptop, and Status must not fall off the edge).
        size_columns(self.actions, (110, 150, 0, 80), stretch=2)
        self.done_button = QPushButton("Mark &done")
        self.done_button.setAccessibleName("Mark the selected action done")
        self.add_action_button = QPushButton("Add act&ion…")
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
        self.exclusion_button.clicked.connect(self.record_exclusion)
        self.move_button.clicked.connect(self.record_move)
        self.travel_button.clicked.connect(self.record_travel)
        self.agree_button.clicked.connect(self.agree_travel)
        self.edit_button.clicked.connect(self.edit_details)
        self.add_plan_button.clicked.connect(self.add_plan)
        self.review_button.clicked.connect(self.record_review)
        self.contact_button.clicked.connect(self.add_contact)
        self.consent_button.clicked.connect(self.add_consent)
        self.absence_button.clicked.connect(self.add_absence)
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
        self._pending_form = None
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

    def record_concern(self) -> QDialog | None:
        return self.concerns.record_concern() if self.view else None

    def issue_folder(self) -> QDialog | None:
        return self.folders.issue() if self.view else None

    def add_episode(self) -> EpisodeDialog | None:
        return self._open(EpisodeDialog)

    def record_exclusion(self) -> ExclusionDialog | None:
        return self._open(ExclusionDialog)

    def record_move(self) -> MoveDialog | None:
        return self._open(MoveDialog)

    def record_travel(self) -> TravelDialog | None:
        return self._open(TravelDialog)

    def agree_travel(self) -> AgreeTravelDialog | None:
        trips = self._unagreed_travel()
        if not trips:
            return None
        return self._open(lambda app, runner, _pid, name, parent: AgreeTravelDialog(app, runner, trips, name, parent))

    def _unagreed_travel(self) -> list[PlannedTravel]:
        travel = self.view.record.travel if self.view else []
        return sorted((t for t in travel if t.agreed_with_school_on is None), key=lambda t: t.leaves)

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

    def add_consent(self) -> ConsentDialog | None:
        if not self.view:
            return None
        carers = [c.name for c in self.view.record.contacts]
        return self._open(lambda app, runner, pid, name, parent: ConsentDialog(app, runner, pid, name, carers, parent))

    def add_absence(self) -> AbsenceDialog | None:
        return self._open(AbsenceDialog)

    def open_form(self, kind: str, pupil_id: str) -> QDialog | None:
        """Open one of the record's forms for a pupil, now if their record is shown, else
        as soon as it is (a draft being reopened after unlocking)."""
        if kind not in self.FORMS:
            return None
        if self.view is not None and self.view.record.pupil.id == pupil_id:
            self._pending_form = None
            return getattr(self, self.FORMS[kind])()
        self._pending_form = (kind, pupil_id)
        return None

    def choose_period(self, kind: str) -> ReportPeriodDialog | None:
        """Print a progress record or an hours statement: first choose the weeks it covers."""
        if not self.view:
            return None
        view = self.view
        dialog = ReportPeriodDialog(kind, view, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def chosen() -> None:
            start, end = dialog.chosen_period()
            self.print_period_requested.emit(kind, view.record.pupil.id, start, end)

        dialog.accepted.connect(chosen)
        dialog.open()
        return dialog

    def edit_details(self) -> EditPupilDialog | None:
        if not self.view:
            return None
        pupil = self.view.record.pupil
        return self._open(lambda app, runner, _pid, _name, parent: EditPupilDialog(app, runner, pupil, parent))

    def subject_access(self) -> SubjectAccessDialog | None:
        """Everything held about the pupil, as JSON and PDF (UK GDPR article 15)."""
        dialog = self._open(SubjectAccessDialog)
        if dialog is not None:
            dialog.saved.connect(
                lambda _pid: self.banner.show_message(
                    f"Saved the subject access copy ({', '.join(p.name for p in dialog.written)}) "
                    f"in {dialog.written[0].parent}."
                )
            )
        return dialog

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
        facts = [nc_year_text(r.nc_year, r.nc_year_by_age), r.cohort.label]
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
        # Each fact holds together when the line wraps: never "UPN" at a line's end and its number on the next.
        self.facts.setText(" · ".join(fact.replace(" ", "\u00a0") for fact in facts))
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
        self._fill_availability(view)
        self.stack.setCurrentIndex(1)
        if self._fresh_visit and any(v.id == self._fresh_visit for v in r.visits):
            self.show_tab("visits")  # the visit just logged, where the user expects to see it
            self.visits.verticalScrollBar().setValue(0)
        self._fresh_visit = None
        pending, self._pending_form = self._pending_form, None
        if pending and pending[1] == p.id:
            getattr(self, self.FORMS[pending[0]])()
        elif pending:
            self._pending_form = pending  # another pupil's record landed first
        self._reload_if_stale()

    def _fill_availability(self, view: RecordView) -> None:
        """What cannot be done for this pupil is disabled, and says why."""
        r = view.record
        has_open_plan = any(not p.closed for p in r.plans)
        set_available(
            self.review_button,
            has_open_plan,
            "Record a review of an open plan",
            "There is no open plan to review: add a plan first.",
        )
        set_available(
            self.print_last_visit_action,
            bool(r.visits),
            "The report of the latest visit, in its three copies",
            "No visits are recorded yet, so there is no visit report to print.",
        )
        # Planned travel is a Traveller family's.
        set_available(
            self.travel_button,
            rules.is_traveller(r.pupil),
            "The dates the base school needs to keep the pupil on roll while the family travels",
            f"{r.pupil.display_name} is not recorded as from a Traveller family (Edit details… sets it).",
        )
        set_available(
            self.agree_button,
            bool(self._unagreed_travel()),
            "Mark planned travel's dates agreed with the base school",
            "No planned travel is waiting for the base school to agree its dates.",
        )
        self._school_limits(view)

    # What the LA's server keeps with the service and never sends a base school
    # (sync/protocol/serving.py): a school laptop does not offer to record them.
    SERVICE_ONLY: ClassVar[dict[str, tuple[str, str]]] = {
        "book_button": ("Book an appointment", "appointments"),
        "contact_button": ("Add a parent or carer", "family contacts"),
        "move_button": ("Record a move to a site", "where a family stays"),
        "add_action_button": ("Add an action", "actions"),
    }

    def _school_limits(self, view: RecordView) -> None:
        school = view.role == "school"
        for name, (what, kept) in self.SERVICE_ONLY.items():
            set_available(
                getattr(self, name),
                not school,
                what,
                f"Your LA's server keeps {kept} with the service, not with schools, so it would not be sent.",
            )
        self.concerns.set_school(school)

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
            self.choose_period(kind)

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
        set_available(
            self.done_button,
            self._selected_action() is not None,
            "Mark the selected action done",
            "Select an open action in the list to mark it done.",
        )
        self.add_action_button.setEnabled(
            self.pupil_id is not None and not (self.view is not None and self.view.role == "school")
        )

    def _complete_action(self) -> None:
        action_id = self._selected_action()
        if action_id:
            self.runner.run(lambda: self.app.complete_action(action_id), None, self.banner.show_message)
