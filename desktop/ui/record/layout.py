"""The pupil record's widgets: header, attention line, banner and a tab a topic,
each tab's pane with its buttons above it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from ..appointments import AppointmentsView
from ..common import set_tab_order
from ..packs import FoldersPanel
from ..widgets import Banner, HtmlPane, size_columns
from .charts import HoursChart
from .concerns import ConcernsPanel
from .progress import ProgressGrid


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


class RecordLayout:
    """Mixed into `PupilView`: builds its widgets."""

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
