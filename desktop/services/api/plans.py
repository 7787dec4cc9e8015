"""Progress, plans and their reviews, actions, consents and appointments."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta

from desktop.domain.records import (
    Action,
    Appointment,
    Consent,
    Plan,
    ProgressEntry,
    Review,
)
from desktop.store import queries

from ..errors import ValidationError
from ..results import Changes
from .core import Core, _require


class PlanServices(Core):
    """Mixed into `Waymark` (api/facade.py); uses the store, clock and write helpers of `Core`."""

    def add_progress(self, entry: ProgressEntry) -> Changes:
        self.get_pupil(entry.pupil_id)
        entry.subject = _require(entry.subject, "The subject")
        entry.level = _require(entry.level, "The level or descriptor")
        if entry.assessed_on > self.today():
            raise ValidationError("An assessment cannot be dated in the future.")
        entry.assessed_by = entry.assessed_by or self.actor
        return self._insert(entry, f"{entry.subject}: {entry.level}")

    def list_progress(self, pupil_id: str) -> list[ProgressEntry]:
        self.get_pupil(pupil_id)
        return self.store.find(ProgressEntry, pupil_id=pupil_id, order_by=["assessed_on", "subject"])

    def add_plan(self, plan: Plan) -> Changes:
        self.get_pupil(plan.pupil_id)
        plan.title = _require(plan.title, "The plan's title")
        # Success criteria are set at the start, so a review has something to measure (000:5358-5378).
        plan.success_criteria = (plan.success_criteria or "").strip()
        if not plan.success_criteria:
            raise ValidationError("A plan needs its success criteria: what will show, at review, that it has worked.")
        plan.next_review = plan.next_review or plan.start + timedelta(weeks=plan.review_every_weeks)
        return self._insert(plan, plan.title)

    def record_review(self, review: Review, *, close_plan: bool = False) -> Changes:
        """A plan reviewed: the next review falls due a cycle later, or the plan closes."""
        plan = self._get(Plan, review.plan_id, "plan")
        opened = copy.deepcopy(plan)
        if plan.closed:
            raise ValidationError(f"The plan '{plan.title}' is closed.")
        if review.held_on > self.today():
            raise ValidationError("A review cannot be recorded before it is held.")
        if review.held_on < plan.start:
            raise ValidationError(f"The plan started on {plan.start:%d %b %Y}; a review cannot come before it.")
        review.summary = _require(review.summary, "What the review found")
        with self.store.transaction(self.actor) as tx:
            tx.insert(review, summary=plan.title)
            if close_plan:
                plan.closed, plan.next_review = True, None
            else:
                plan.next_review = review.held_on + timedelta(weeks=plan.review_every_weeks)
            tx.update(plan, opened=opened)
        return Changes(frozenset({"review", "plan"}), (review.id, plan.id))

    def add_action(self, action: Action) -> Changes:
        self.get_pupil(action.pupil_id)
        action.owner = _require(action.owner, "The action's owner")
        action.next_step = _require(action.next_step, "The next step")
        return self._insert(action, action.next_step)

    def complete_action(self, action_id: str) -> Changes:
        action = self._get(Action, action_id, "action")
        opened = copy.deepcopy(action)
        action.done = True
        return self._update(action, opened=opened)

    def add_consent(self, consent: Consent) -> Changes:
        self.get_pupil(consent.pupil_id)
        consent.purpose = _require(consent.purpose, "The consent's purpose")
        consent.given_by = _require(consent.given_by, "Who gave consent")
        return self._insert(consent, consent.purpose)

    # --- appointments ------------------------------------------------------------

    def book_appointment(self, appointment: Appointment) -> Changes:
        if not appointment.pupil_ids and not appointment.site_id:
            raise ValidationError("An appointment needs a pupil or a site.")
        for pupil_id in appointment.pupil_ids:
            self.get_pupil(pupil_id)
        if appointment.site_id:
            self.get_site(appointment.site_id)
        if not 5 <= appointment.minutes <= 480:
            raise ValidationError("An appointment lasts between 5 minutes and 8 hours.")
        appointment.worker = appointment.worker or self.actor
        return self._insert(appointment, f"{appointment.starts_at:%d/%m/%Y %H:%M}")

    def cancel_appointment(self, appointment_id: str) -> Changes:
        appointment = self._get(Appointment, appointment_id, "appointment")
        opened = copy.deepcopy(appointment)
        appointment.cancelled = True
        return self._update(appointment, opened=opened)

    def list_appointments(
        self,
        start: date | None = None,
        end: date | None = None,
        *,
        site_id: str | None = None,
        pupil_id: str | None = None,
    ) -> list[Appointment]:
        start_at = datetime.combine(start or self.today(), datetime.min.time())
        end_at = datetime.combine(end or (start or self.today()) + timedelta(days=28), datetime.max.time())
        if pupil_id:  # the pupil's own, through the link's pupil index, not every pupil's
            found = self.store.find(
                Appointment, id=queries.appointment_ids_for_pupil(self.store, pupil_id), cancelled=False
            )
            found = sorted((a for a in found if start_at <= a.starts_at <= end_at), key=lambda a: a.starts_at)
        else:
            found = self.store.find(
                Appointment,
                cancelled=False,
                order_by=["starts_at"],
                where=lambda t: (t.c.starts_at >= start_at) & (t.c.starts_at <= end_at),
            )
        if site_id:
            found = [a for a in found if a.site_id == site_id]
        if pupil_id:
            found = [a for a in found if pupil_id in a.pupil_ids]
        return found
