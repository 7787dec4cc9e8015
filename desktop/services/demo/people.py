"""The demo's people: Traveller families on sites (a refuge's address withheld), children
taught in hospital and at home, and the few records each clock the rules watch needs."""

from __future__ import annotations

import random
from datetime import date, timedelta

from desktop.domain.enums import ContactRelationship, ExclusionKind, ProvisionType, SenStatus, Sex, TravellerGroup
from desktop.domain.records import Absence, Action, Contact, Exclusion, PlannedTravel, ProvisionEpisode, Pupil, Stay
from desktop.domain.upn import check_letter

from .state import Demo

FAMILIES = [
    (
        "Ó Súilleabháin",
        0,
        TravellerGroup.IRISH_TRAVELLER,
        "WIRT",
        [("Seán", Sex.MALE, 9), ("Máire", Sex.FEMALE, 7), ("Pádraig", Sex.MALE, 5)],
        "Bridget Ó Súilleabháin",
        True,
    ),
    (
        "Lee",
        0,
        TravellerGroup.GYPSY_ROMA,
        "WROM",
        [("Levi", Sex.MALE, 12), ("Esme", Sex.FEMALE, 10)],
        "Shanti Lee",
        True,
    ),
    (
        "Kowalski",
        4,
        TravellerGroup.GYPSY_ROMA,
        "WROM",
        [("Łukasz", Sex.MALE, 11), ("Zofia", Sex.FEMALE, 8)],
        "Agnieszka Kowalska",
        False,
    ),
    (
        "Wilson",
        1,
        TravellerGroup.SHOWMAN,
        "WBRI",
        [("Tyler", Sex.MALE, 13), ("Chelsea", Sex.FEMALE, 9)],
        "Dawn Wilson",
        False,
    ),
    (
        "Sinclair",
        2,
        TravellerGroup.CIRCUS,
        "WOTH",
        [("Anya", Sex.FEMALE, 10), ("Mikhail", Sex.MALE, 6)],
        "Elena Sinclair",
        False,
    ),
    (
        "Ní Dhomhnaill",
        3,
        TravellerGroup.IRISH_TRAVELLER,
        "WIRT",
        [("Caitlín", Sex.FEMALE, 8), ("Ciarán", Sex.MALE, 14)],
        "Nora Ní Dhomhnaill",
        True,
    ),
    ("Price", 4, TravellerGroup.NEW_TRAVELLER, "WBRI", [("River", Sex.FEMALE, 7)], "Sky Price", False),
    (
        "Boswell",
        0,
        TravellerGroup.GYPSY_ROMA,
        "WROM",
        [("Noah", Sex.MALE, 6), ("Lily", Sex.FEMALE, 11)],
        "Mary Boswell",
        True,
    ),
]

# (forename, surname, sex, age, needs, planned hours a week, medically advised maximum).
# Tuition is planned as near full time as the medical advice allows; Oliver and Ruby
# have no medical maximum recorded, so their hours below full time are flagged.
HOSPITAL = [
    ("Amira", "Hussain", Sex.FEMALE, 10, "Leukaemia; chemotherapy cycles", 6.0, 6.0),
    ("Jack", "Thompson", Sex.MALE, 14, "Fractured femur, traction", 15.0, 15.0),
    ("Grace", "O'Neill", Sex.FEMALE, 8, "Cystic fibrosis, IV antibiotics", 5.0, 5.0),
    ("Oliver", "Patel", Sex.MALE, 12, "Post-operative recovery", 10.0, None),
    ("Sophie", "Clarke", Sex.FEMALE, 15, "Eating disorder, day programme", 8.0, 8.0),
]

HOME = [
    ("Ethan", "Walsh", Sex.MALE, 13, "Chronic fatigue syndrome", 5.0, 5.0),
    ("Maisie", "Roberts", Sex.FEMALE, 11, "Anxiety; school refusal, CAMHS", 10.0, 10.0),
    ("Harvey", "Nowak", Sex.MALE, 9, "Recovering from surgery", 5.0, 5.0),
    ("Ruby", "Fletcher", Sex.FEMALE, 15, "Pregnancy", 10.0, None),
    ("Kai", "Ahmed", Sex.MALE, 7, "Epilepsy, awaiting medication review", 3.0, 3.0),
]


def _upn(rng: random.Random, la: str = "888") -> str:
    body = la + "".join(str(rng.randint(0, 9)) for _ in range(9))
    return check_letter(body) + body


def _dob(rng: random.Random, age: int, today: date) -> date:
    return today - timedelta(days=age * 365 + rng.randint(30, 330))


def add_families(d: Demo) -> None:
    """Each family on its site: the children, a parent to contact, the stay and the visits' provision."""
    app, rng, today, start, sites, counts = d.app, d.rng, d.today, d.start, d.sites, d.counts
    families, primaries, secondaries, school_for = d.families, d.primaries, d.secondaries, d.school_for
    tick = d.tick
    for surname, site_index, group, ethnicity, children, parent, reading_help in FAMILIES:
        # Siblings of primary age share a school; an older one goes to a high school.
        primary, secondary = rng.choice(primaries), rng.choice(secondaries)
        kids = []
        for forename, sex, age in children:
            dob = _dob(rng, age, today)
            school = school_for(dob, primary, secondary)
            pupil = Pupil(
                forename=forename,
                surname=surname,
                dob=dob,
                sex=sex,
                upn=_upn(rng),
                ethnicity=ethnicity,
                traveller_group=group,
                base_school_id=school.id,
                address=f"Trailer {rng.randint(1, 20)}, {sites[site_index].name}",
                postcode=sites[site_index].postcode,
                eal=surname == "Kowalski",
                first_language="Polish" if surname == "Kowalski" else "English",
            )
            app.add_pupil(pupil)
            app.add_contact(
                Contact(
                    pupil_id=pupil.id,
                    name=parent,
                    relationship=ContactRelationship.MOTHER,
                    phone=f"07{rng.randint(100000000, 999999999)}",
                    needs_reading_help=reading_help,
                )
            )
            app.record_stay(
                Stay(
                    pupil_id=pupil.id,
                    site_id=sites[site_index].id,
                    arrived=today - timedelta(weeks=rng.randint(3, 20)),
                    proposed_weeks=rng.choice([4, 8, 26]),
                    travel_pattern="Travels April to October with the fair" if group is TravellerGroup.SHOWMAN else "",
                )
            )
            app.add_episode(
                ProvisionEpisode(
                    pupil_id=pupil.id,
                    provision_type=ProvisionType.TES_VISITS,
                    provider="Traveller Education Service",
                    start=start,
                    planned_hours_per_week=2,
                    review_date=today + timedelta(weeks=4),
                )
            )
            kids.append(pupil)
            counts["pupils"] += 1
        families.append((kids, sites[site_index]))
        tick()

    # The Ní Dhomhnaill family's address must never be printed (a refuge).
    for pupil in families[5][0]:
        app.edit_pupil(pupil.id, suppress_address=True)


def add_others(d: Demo) -> None:
    """A pupil off sick with no tuition yet, and a part-time timetable past half a term."""
    app, rng, today, schools, counts, tick = d.app, d.rng, d.today, d.schools, d.counts, d.tick
    # A pupil off sick for weeks with no tuition yet arranged: the 15-day trigger.
    ill = Pupil(
        forename="Freya",
        surname="Marsden",
        sex=Sex.FEMALE,
        dob=_dob(rng, 10, today),
        upn=_upn(rng),
        ethnicity="WBRI",
        medical_needs="Glandular fever",
        base_school_id=schools[1].id,
        address="7 Cromwell Road, Preston",
        postcode="PR1 6TH",
    )
    app.add_pupil(ill)
    app.add_absence(
        Absence(
            pupil_id=ill.id,
            start=today - timedelta(weeks=3),
            expected_end=today + timedelta(weeks=2),
            reason="Glandular fever; GP letter received",
        )
    )
    # A part-time timetable, agreed with the parent, running past half a term.
    ptt = Pupil(
        forename="Mason",
        surname="Hargreaves",
        sex=Sex.MALE,
        dob=_dob(rng, 12, today),
        upn=_upn(rng),
        ethnicity="WBRI",
        base_school_id=schools[2].id,
        sen=SenStatus.EHCP,
        address="22 Deepdale Street, Preston",
        postcode="PR1 5AS",
    )
    app.add_pupil(ptt)
    app.add_episode(
        ProvisionEpisode(
            pupil_id=ptt.id,
            provision_type=ProvisionType.PART_TIME_TIMETABLE,
            provider="Ribbleton High School",
            start=today - timedelta(weeks=9),
            planned_hours_per_week=12.5,
            review_date=today - timedelta(weeks=3),
            part_time_consent=True,
            reason="Reintegration after permanent exclusion from previous school",
        )
    )
    app.add_exclusion(
        Exclusion(
            pupil_id=ptt.id,
            kind=ExclusionKind.PERMANENT,
            start=today - timedelta(weeks=14),
            end=today - timedelta(weeks=9),  # on roll at Ribbleton High from then
            school_id=schools[4].id,
            reason="Persistent disruption",
        )
    )
    counts["pupils"] += 2
    tick()
    d.ill = ill


def add_statutory_examples(d: Demo) -> None:
    """The clocks that need a record of their own: a recent permanent exclusion with
    alternative provision not yet full time, and a showman family's winter travel whose
    dates the base school has not yet agreed. No random draws, so the rest of the
    demo stays as it was."""
    app, today, schools, families, counts = d.app, d.today, d.schools, d.families, d.counts
    excluded = Pupil(
        forename="Jayden",
        surname="Birch",
        sex=Sex.MALE,
        dob=today - timedelta(days=14 * 365 + 120),
        upn=_upn(random.Random(14)),
        ethnicity="WBRI",
        base_school_id=schools[4].id,
        address="3 Fishergate Hill, Preston",
        postcode="PR1 8JD",
    )
    app.add_pupil(excluded)
    app.add_exclusion(
        Exclusion(
            pupil_id=excluded.id,
            kind=ExclusionKind.PERMANENT,
            start=today - timedelta(weeks=3),
            school_id=schools[4].id,
            reason="Serious breach of the behaviour policy",
        )
    )
    app.add_episode(
        ProvisionEpisode(
            pupil_id=excluded.id,
            provision_type=ProvisionType.ALTERNATIVE_PROVISION,
            provider="Preston Pupil Referral Unit",
            start=today - timedelta(weeks=1),
            planned_hours_per_week=15,
            review_date=today + timedelta(weeks=2),
            reason="Permanent exclusion",
        )
    )
    app.add_action(
        Action(
            pupil_id=excluded.id,
            due=today + timedelta(days=5),
            owner="Inclusion officer",
            next_step="Agree a full-time timetable with the PRU",
        )
    )
    counts["pupils"] += 1
    showmen = next(kids for kids, _ in families if kids[0].traveller_group is TravellerGroup.SHOWMAN)
    for child in showmen:
        app.add_travel(
            PlannedTravel(
                pupil_id=child.id,
                leaves=today + timedelta(days=12),
                returns=today + timedelta(weeks=10),
                destination="Winter fairs in the North East",
            )
        )
