"""The Plans tab: plans and their reviews, and the forms for plans, reviews and actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit, QSpinBox, QWidget

from desktop.domain.records import Action, Plan, Review
from desktop.services import Changes, Waymark
from desktop.tasks import TaskRunner

from ..forms import SaveDialog
from ..widgets import badge, esc, fmt_date, from_qdate, para_text, to_qdate
from .data import RecordView
from .html import plural


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
            f"<span class='muted'>Started {fmt_date(plan.start)} · reviewed every {plural(plan.review_every_weeks, 'week')}</span>"
            f"{'<br>' + review if review else ''}{reviewed}"
            f"{'<br>Success criteria: ' + para_text(plan.success_criteria) if plan.success_criteria else ''}</p>"
        )
    return html


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
        self.keep_drafts("action", pupil_id, title=f"action for {name}", context={"pupil_id": pupil_id, "name": name})

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
        self.add_row("St&arts:", self.start, "Starts on")
        self.add_row("&Review every:", self.every, "Review every")
        self.resize(480, 0)
        self.keep_drafts("plan", pupil_id, title=f"plan for {name}", context={"pupil_id": pupil_id, "name": name})

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
        pupil_id = plans[0].pupil_id if plans else ""
        self.keep_drafts("review", pupil_id, title=f"review for {name}", context={"pupil_id": pupil_id, "name": name})

    def task(self) -> Callable[[], Changes]:
        review = Review(
            plan_id=self.plan.currentData(),
            held_on=from_qdate(self.held_on.date()),
            summary=self.summary.toPlainText().strip(),
            outcome=self.outcome.text().strip(),
        )
        return partial(self.app.record_review, review, close_plan=self.close_plan.isChecked())
