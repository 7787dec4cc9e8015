"""The demo's work and follow-up: folders issued before travel (one family's overdue),
progress with learning gaps, plans, actions, a concern and the next appointments."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from desktop.domain import rules
from desktop.domain.enums import ItemStatus
from desktop.domain.records import Action, Appointment, Concern, Plan, ProgressEntry

from .curriculum import GAPS, SUBJECT_LEVELS, packs_for
from .state import Demo


def add_folders(d: Demo) -> None:
    app, rng, today, start, packs, families, tick = d.app, d.rng, d.today, d.start, d.packs, d.families, d.tick
    # Folders issued before travel; one family's is overdue.
    traveller_kids = [k for kids, _ in families for k in kids]
    for i, pupil in enumerate(traveller_kids):
        fitting = packs_for(packs, rules.pupil_nc_year(pupil, today))
        chosen = rng.sample(fitting, k=min(2, len(fitting)))
        issued = start + timedelta(days=rng.randint(0, 20))
        expected = today - timedelta(weeks=2) if i in (0, 1, 2) else today + timedelta(weeks=rng.randint(2, 10))
        changes = app.issue_folder(
            pupil.id, [p.id for p in chosen], issued_on=issued, expected_back=expected, issued_by="Base school"
        )
        folder = app.get_folder(changes.id)
        for item in folder.items[: rng.randint(0, len(folder.items))]:
            app.set_item_status(
                folder.id, item.id, rng.choice([ItemStatus.IN_PROGRESS, ItemStatus.RETURNED, ItemStatus.MARKED])
            )
        if i % 5 == 4:
            app.return_folder(folder.id, returned_on=today - timedelta(days=rng.randint(1, 20)))
    tick()


def add_progress(d: Demo) -> None:
    """Progress at the start of the period and twice since."""
    app, rng, today, worker, home_pupils = d.app, d.rng, d.today, d.worker, d.home_pupils
    traveller_kids, tick = d.traveller_kids, d.tick
    for pupil in traveller_kids + home_pupils:
        for subject, levels in SUBJECT_LEVELS.items():
            level = rng.randint(0, len(levels) - 2)
            for weeks_ago in (25, 12, 2):
                level = min(level + rng.choice([0, 0, 1]), len(levels) - 1)
                app.add_progress(
                    ProgressEntry(
                        pupil_id=pupil.id,
                        subject=subject,
                        level=levels[level],
                        assessed_on=today - timedelta(weeks=weeks_ago),
                        assessed_by=worker,
                        evidence="Work in folder and teacher assessment",
                        target=levels[min(level + 1, len(levels) - 1)],
                        learning_gap=GAPS[subject] if level == 0 or rng.random() < 0.2 else "",
                    )
                )
    tick()


def add_plans(d: Demo) -> None:
    """Plans, actions, a concern and the next appointments."""
    app, rng, today, worker, home_pupils = d.app, d.rng, d.today, d.worker, d.home_pupils
    traveller_kids, ill, families, tick = d.traveller_kids, d.ill, d.families, d.tick
    for pupil in home_pupils[:3]:
        app.add_plan(
            Plan(
                pupil_id=pupil.id,
                title="Reintegration plan",
                start=today - timedelta(weeks=10),
                success_criteria="Attending school two mornings a week by the next review",
                review_every_weeks=4,
                next_review=today - timedelta(days=5) if pupil is home_pupils[0] else today + timedelta(weeks=2),
            )
        )
    app.add_action(
        Action(
            pupil_id=ill.id,
            due=today - timedelta(days=2),
            owner="Inclusion officer",
            next_step="Arrange home tuition; request GP evidence",
        )
    )
    app.add_action(
        Action(
            pupil_id=traveller_kids[0].id,
            due=today + timedelta(days=10),
            owner=worker,
            next_step="Send progress record to base school",
        )
    )
    app.add_concern(
        Concern(
            pupil_id=traveller_kids[3].id,
            raised_on=today - timedelta(days=12),
            raised_by=worker,
            text="Bruising seen on forearm; child said he fell off the wagon steps. Referred to DSL.",
            escalated_to="Designated Safeguarding Lead",
        )
    )
    for kids, site in families[:5]:
        app.book_appointment(
            Appointment(
                pupil_ids=[k.id for k in kids],
                site_id=site.id,
                starts_at=datetime.combine(
                    today + timedelta(days=rng.randint(1, 6)), time(rng.choice([9, 10, 13, 14]), 0)
                ),
                minutes=90,
                notes="Weekly teaching visit",
            )
        )
    tick()
