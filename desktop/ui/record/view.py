"""The pupil record: everything the service holds on one child, one tab a topic.

Loaded in one background call (`Waymark.pupil_record`, plus the names of the
sites and of the brothers and sisters seen at the same visits) and redrawn when
`did_change` names one of the record's tables. Concerns are restricted: nothing
about them but the count is fetched until the user says why they need to see
them, and the service writes every read to the audit trail. `clear()` (on lock)
drops every bit of the pupil's data from the widgets.

Its widgets are built in layout.py and what it opens is in commands.py (mixins).
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QTreeWidgetItem,
    QWidget,
)

from desktop.domain import rules
from desktop.domain.enums import TravellerGroup
from desktop.domain.records import Action
from desktop.services import Changes, Waymark
from desktop.services.role_limits import limits_for
from desktop.tasks import TaskRunner

from ..widgets import HtmlPane, esc, fmt_date, fmt_datetime, set_available
from .colours import OVERDUE_TEXT
from .commands import RecordCommands
from .data import RECORD_ENTITIES, RecordView, load_record
from .layout import RecordLayout
from .plans import plans_html
from .profile import nc_year_text, profile_html
from .provision import hours_summary, provision_html
from .stays import stays_html
from .visits import visits_html


def attention_text(view: RecordView) -> str:
    items = view.record.attention
    if not items:
        return ""
    parts = [f"<b>{esc(a.label)}</b>: {esc(a.message)}" for a in items]
    return "Needs attention: " + " &nbsp;·&nbsp; ".join(parts)


class PupilView(RecordLayout, RecordCommands, QWidget):
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
        "book_button": ("Book an appointment", "appointment"),
        "contact_button": ("Add a parent or carer", "contact"),
        "move_button": ("Record a move to a site", "stay"),
        "add_action_button": ("Add an action", "action"),
    }

    def _school_limits(self, view: RecordView) -> None:
        limits = limits_for(view.role)
        for name, (what, entity) in self.SERVICE_ONLY.items():
            set_available(getattr(self, name), limits.may_write(entity), what, limits.why_not(entity))
        self.concerns.set_school(not limits.may_write("concern"))
        self.appointments.set_limits("" if limits.may_write("appointment") else limits.why_not("appointment"))
        self._action_selection()

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
