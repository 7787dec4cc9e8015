"""Six months of the demo's sessions: weekly visits to each family on its site, siblings
together, and tuition in hospital and at home with its hours (two pupils fall short)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from desktop.domain import rules
from desktop.domain.enums import (
    ContactRelationship,
    NotSeenReason,
    Outcome,
    PlaceType,
    ProvisionType,
    SenStatus,
    Sex,
    Visibility,
)
from desktop.domain.records import Contact, ProvisionEpisode, Pupil, Site, Stay, Visit, VisitEntry, VisitNote

from .curriculum import NEEDS, TOPICS, key_stage, packs_for
from .people import HOME, HOSPITAL, _dob, _upn
from .state import Demo


def add_site_visits(d: Demo) -> None:
    """A visit a week to each family on its site, each child at their own stage."""
    app, rng, today, start, worker, packs = d.app, d.rng, d.today, d.start, d.worker, d.packs
    counts, families, tick = d.counts, d.families, d.tick
    for kids, site in families:
        day = start + timedelta(days=rng.randint(0, 4))
        last_set: dict[str, str] = {}
        stages = {k.id: key_stage(rules.pupil_nc_year(k, today)) for k in kids}
        while day < today:
            outcome = rng.choices([Outcome.HELD, Outcome.NOT_AT_HOME, Outcome.CANCELLED], weights=[88, 8, 4])[0]
            held = outcome is Outcome.HELD
            subjects = rng.sample(["English", "Maths", "Science", "Reading"], k=2)
            entries, notes = [], []
            for kid in kids:
                stage = stages[kid.id]
                seen = not held or rng.random() > 0.08
                if not held:
                    entries.append(VisitEntry(pupil_id=kid.id))  # the service records why from the outcome
                    continue
                if not seen:
                    reason = rng.choice([NotSeenReason.ASLEEP, NotSeenReason.UNWELL, NotSeenReason.AT_SCHOOL])
                    entries.append(VisitEntry(pupil_id=kid.id, seen=False, not_seen_reason=reason))
                    continue
                kid_subjects = subjects if stage != "KS3" else rng.sample(["English", "Maths", "Science"], k=2)
                fitting = [
                    p.title for p in packs_for(packs, rules.pupil_nc_year(kid, today)) if p.subject in kid_subjects
                ]
                topic = rng.choice(TOPICS[(kid_subjects[0], stage)])
                set_now = rng.choice(fitting) if fitting else f"Practise at home: {topic}"
                entries.append(
                    VisitEntry(
                        pupil_id=kid.id,
                        subjects=list(kid_subjects),
                        work_covered="; ".join(f"{s}: {rng.choice(TOPICS[(s, stage)])}" for s in kid_subjects),
                        work_set=set_now,
                        work_returned=f"{last_set[kid.id]}: marked" if kid.id in last_set else "",
                        levels_and_needs=rng.choice(NEEDS[stage]),
                    )
                )
                last_set[kid.id] = set_now
                if rng.random() < 0.15:
                    notes.append(
                        VisitNote(
                            text=f"{kid.forename} showed me the work in the folder; well done.",
                            visibility=Visibility.FAMILY,
                            pupil_id=kid.id,
                        )
                    )
            if held and not any(e.seen for e in entries):
                notes.append(
                    VisitNote(
                        text="Called as planned; none of the children could work today.",
                        visibility=Visibility.PROFESSIONAL,
                    )
                )
            elif held:
                notes.insert(
                    0,
                    VisitNote(
                        text=rng.choice(
                            [
                                "A good session: everyone seen worked hard.",
                                "Mum asked for more reading books; I will bring some next week.",
                                "Good focus today despite the rain on the trailer roof.",
                            ]
                        ),
                        visibility=Visibility.FAMILY,
                    ),
                )
                if rng.random() < 0.3:
                    notes.append(
                        VisitNote(
                            text="Dad mentioned the family may move on within the month; "
                            "check with the base schools about dual registration.",
                            visibility=Visibility.PROFESSIONAL,
                        )
                    )
            else:
                notes.append(
                    VisitNote(
                        text="Called at the usual time; nobody was there."
                        if outcome is Outcome.NOT_AT_HOME
                        else "Visit cancelled: the family rang to say they were at a hospital appointment.",
                        visibility=Visibility.PROFESSIONAL,
                    )
                )
            visit = Visit(
                date=day,
                start=time(10, 0) if held else None,
                end=time(11, 30) if held else None,
                place_type=PlaceType.SITE,
                site_id=site.id,
                worker=worker,
                outcome=outcome,
                entries=entries,
                notes=notes,
                next_appointment=datetime.combine(day + timedelta(days=7), time(10, 0)),
            )
            app.log_visit(visit)
            counts["visits"] += 1
            day += timedelta(days=7 + rng.choice([-1, 0, 0, 1]))
        tick()


def _tutee(
    d: Demo,
    forename: str,
    surname: str,
    sex: Sex,
    age: int,
    needs: str,
    kind: ProvisionType,
    site: Site | None,
    planned: float,
    medical_max: float | None,
    place: PlaceType,
    weeks: int,
) -> Pupil:
    app, rng, today, worker, counts, primaries = d.app, d.rng, d.today, d.worker, d.counts, d.primaries
    secondaries, school_for, tick = d.secondaries, d.school_for, d.tick
    dob = _dob(rng, age, today)
    pupil = Pupil(
        forename=forename,
        surname=surname,
        sex=sex,
        dob=dob,
        upn=_upn(rng),
        ethnicity=rng.choice(["WBRI", "AIND", "APKN", "WIRI", "MWBC"]),
        medical_needs=needs,
        base_school_id=school_for(dob, rng.choice(primaries), rng.choice(secondaries)).id,
        address=f"{rng.randint(2, 90)} Ribble Drive, Preston",
        postcode="PR1 4LT",
        sen=rng.choice([SenStatus.NONE, SenStatus.NONE, SenStatus.SEN_SUPPORT]),
    )
    app.add_pupil(pupil)
    begin = today - timedelta(weeks=weeks)
    app.add_episode(
        ProvisionEpisode(
            pupil_id=pupil.id,
            provision_type=kind,
            start=begin,
            planned_hours_per_week=planned,
            medical_max_hours_per_week=medical_max,
            provider="Hospital Education Service" if kind is ProvisionType.HOSPITAL_TUITION else "Home Tuition Service",
            review_date=today + timedelta(weeks=rng.randint(1, 5))
            if surname != "Roberts"
            else today - timedelta(days=4),
            reason=needs,
        )
    )
    if site:
        app.record_stay(Stay(pupil_id=pupil.id, site_id=site.id, arrived=begin))
    app.add_contact(
        Contact(
            pupil_id=pupil.id,
            name=f"{rng.choice(['Karen', 'Priya', 'Siobhan', 'Mark'])} {surname}",
            relationship=rng.choice([ContactRelationship.MOTHER, ContactRelationship.FATHER]),
            phone=f"07{rng.randint(100000000, 999999999)}",
        )
    )
    counts["pupils"] += 1
    target = min(planned, medical_max) if medical_max else planned
    per_week = min(5, -(-int(target) // 2))  # sessions of up to two hours
    minutes = int(target * 60 / per_week)
    day = begin
    while day < today:
        if day.weekday() < per_week:  # Monday onwards, never a weekend
            # Two pupils missed sessions last week, so their hours fell short.
            shortfall = surname in ("Walsh", "Hussain") and day >= rules_week(today) - timedelta(days=7)
            length = minutes // 2 if shortfall else minutes
            subject = rng.choice(["English", "Maths", "Science"])
            stage = key_stage(rules.pupil_nc_year(pupil, today))
            unwell = shortfall and day.weekday() == 1  # the tutor came; the child was too unwell to work
            entry = (
                VisitEntry(pupil_id=pupil.id, seen=False, not_seen_reason=NotSeenReason.UNWELL)
                if unwell
                else VisitEntry(
                    pupil_id=pupil.id,
                    subjects=[subject],
                    work_covered=f"{subject}: {rng.choice(TOPICS[(subject, stage)])}",
                    work_set=rng.choice(["Practice questions on today's topic", "Reading chapter 3", "Spellings"]),
                )
            )
            app.log_visit(
                Visit(
                    date=day,
                    start=time(13, 0),
                    end=(datetime.combine(day, time(13, 0)) + timedelta(minutes=length)).time(),
                    place_type=place,
                    site_id=site.id if site else None,
                    worker=worker,
                    entries=[entry],
                    notes=[
                        VisitNote(
                            text="Too unwell for a lesson today; we will catch up next session."
                            if unwell
                            else "Tired but keen to keep up with the class.",
                            visibility=Visibility.FAMILY,
                        ),
                        VisitNote(
                            text=f"Nurse reports {needs.split(';')[0].lower()} stable.",
                            visibility=Visibility.PROFESSIONAL,
                        ),
                    ],
                )
            )
            counts["visits"] += 1
        day += timedelta(days=1)
    tick()
    return pupil


def add_tuition(d: Demo) -> None:
    """Children taught on the hospital ward, then at home (the home tutees kept on `d`)."""
    rng, sites = d.rng, d.sites
    ward = sites[5]
    for forename, surname, sex, age, needs, planned, medical_max in HOSPITAL:
        _tutee(
            d,
            forename,
            surname,
            sex,
            age,
            needs,
            ProvisionType.HOSPITAL_TUITION,
            ward,
            planned,
            medical_max,
            PlaceType.WARD,
            rng.randint(3, 10),
        )
    d.home_pupils = [
        _tutee(
            d,
            forename,
            surname,
            sex,
            age,
            needs,
            ProvisionType.HOME_TUITION,
            None,
            planned,
            medical_max,
            PlaceType.HOME,
            rng.randint(6, 20),
        )
        for forename, surname, sex, age, needs, planned, medical_max in HOME
    ]


def rules_week(day: date) -> date:
    return day - timedelta(days=day.weekday())
