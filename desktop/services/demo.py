"""A realistic demo caseload: families on sites, children in hospital and at
home, six months of visits, folders and progress, and a few things that need
attention. Everything goes through the services, so the demo obeys the same
rules as real use. Deterministic: the same profile every time."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from desktop.domain import rules
from desktop.domain.enums import (
    ContactRelationship,
    ExclusionKind,
    ItemStatus,
    NotSeenReason,
    Outcome,
    PlaceType,
    ProvisionType,
    SenStatus,
    Sex,
    SiteType,
    TravellerGroup,
    Visibility,
)
from desktop.domain.records import (
    Absence,
    Action,
    Appointment,
    Concern,
    Contact,
    Exclusion,
    Plan,
    PlannedTravel,
    ProgressEntry,
    ProvisionEpisode,
    Pupil,
    School,
    Site,
    Stay,
    Visit,
    VisitEntry,
    VisitNote,
    WorkPack,
)
from desktop.domain.upn import check_letter

from .api import Waymark

SCHOOLS = [
    ("119234", "888", "2145", "St Anne's Catholic Primary School", "Mrs J. Whittaker"),
    ("119876", "888", "2290", "Brookfield Community Primary School", "Mr P. Hughes"),
    ("134501", "888", "4012", "Ribbleton High School", "Ms R. Dhillon"),
    ("119552", "888", "2301", "Moss Side County Primary School", "Mrs A. Kowalczyk"),
    ("140077", "888", "4107", "Fulwood Academy", "Mr D. Armitage"),
    ("119001", "888", "2050", "Hesketh Lane Primary School", "Miss L. Ní Bhriain"),
]
SECONDARY = {"134501", "140077"}  # the rest are primary schools: Reception to Year 6

SERVICE_CONTACT = {
    "service_address": "County Hall, Fishergate, Preston PR1 8XJ",
    "service_phone": "01772 530000",
    "service_email": "tes@lancashire.example.org",
}

SITES = [
    ("Walton Summit transit site", SiteType.TRANSIT_SITE, "Walton Summit Road, Bamber Bridge", "PR5 8AA"),
    ("Ashton Park fairground", SiteType.FAIRGROUND, "Ashton Park, Blackpool Road", "PR2 1HX"),
    ("Sinclair's Circus winter quarters", SiteType.CIRCUS_QUARTERS, "Moor Lane Farm, Longton", "PR4 5JA"),
    ("Layby, A59 Tarleton", SiteType.ROADSIDE, "A59 northbound layby", "PR4 6HP"),
    ("Leyland Road permanent site", SiteType.PERMANENT_SITE, "Leyland Road", "PR1 9QE"),
    ("Children's Ward 4, Royal Preston Hospital", SiteType.HOSPITAL_WARD, "Sharoe Green Lane", "PR2 9HT"),
]

# (family surname, site index, traveller group, ethnicity, children (forename, sex, age), parent, needs reading help)
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

PACKS = [
    ("Number bonds to 20", "Maths", "KS1", "1-2", "Number", ["Adding to 10", "Adding to 20", "Missing numbers"]),
    (
        "Times tables 2, 5 and 10",
        "Maths",
        "KS1",
        "2-3",
        "Multiplication",
        ["Counting in 2s", "Counting in 5s", "Tables test"],
    ),
    ("Fractions of shapes", "Maths", "KS2", "3-4", "Fractions", ["Halves and quarters", "Thirds", "Fraction wall"]),
    ("Long multiplication", "Maths", "KS2", "5-6", "Calculation", ["Grid method", "Column method", "Word problems"]),
    ("Phonics phase 3", "English", "KS1", "1", "Phonics", ["Digraphs ch, sh, th", "Trigraphs", "Tricky words"]),
    ("Writing a recount", "English", "KS2", "3-4", "Writing", ["My journey", "Paragraphs", "Checking my work"]),
    (
        "Reading journal: the fairground",
        "English",
        "KS2",
        "4-6",
        "Reading",
        ["Chapter questions", "New words", "Book review"],
    ),
    ("Persuasive writing", "English", "KS3", "7-8", "Writing", ["Features", "Plan", "Final piece"]),
    ("Plants and growing", "Science", "KS1", "2", "Biology", ["Parts of a plant", "Growing beans diary"]),
    ("Forces and magnets", "Science", "KS2", "3", "Physics", ["Push and pull", "Magnet test", "Results table"]),
    ("Algebra basics", "Maths", "KS3", "7-8", "Algebra", ["Expressions", "Simplifying", "Equations"]),
]

SUBJECT_LEVELS = {
    "English": ["Working towards", "Developing", "Secure", "Greater depth"],
    "Maths": ["Working towards", "Developing", "Secure", "Greater depth"],
    "Science": ["Working towards", "Developing", "Secure"],
}

# What a session covers, by subject and key stage: a Year 2 child and a Year 7
# sibling on the same visit do their own work.
TOPICS = {
    ("English", "KS1"): ["phonics phase 3: ai, ee, igh", "reading aloud from a picture book", "letter formation"],
    ("English", "KS2"): [
        "writing a recount of the journey",
        "spelling patterns: -tion, -sion",
        "reading comprehension",
    ],
    ("English", "KS3"): ["persuasive writing: planning", "poetry: similes and metaphors", "essay paragraphs (PEE)"],
    ("Maths", "KS1"): ["number bonds to 20", "counting in 2s, 5s and 10s", "o'clock and half past"],
    ("Maths", "KS2"): ["column addition to 1,000", "fractions of amounts", "times tables: 3, 4 and 8"],
    ("Maths", "KS3"): ["simplifying expressions", "ratio and proportion", "negative numbers"],
    ("Science", "KS1"): ["parts of a plant", "materials: waterproof or not", "our five senses"],
    ("Science", "KS2"): ["forces and magnets", "the water cycle", "circuits and switches"],
    ("Science", "KS3"): ["cells and microscopes", "acids and alkalis", "energy transfers"],
    ("Reading", "KS1"): ["reading book: sounding out", "sharing a story"],
    ("Reading", "KS2"): ["reading journal: chapter questions", "new words from the book"],
    ("Reading", "KS3"): ["class novel: character study", "reading for information"],
}

NEEDS = {
    "KS1": ["Reading more fluently.", "Needs practice blending sounds.", "Counting on confidently.", ""],
    "KS2": ["Needs practice with times tables.", "Writing in paragraphs now.", "Reading with expression.", ""],
    "KS3": ["Needs help structuring longer answers.", "Confident with algebra.", "Spelling still holds her back.", ""],
}

GAPS = {
    "English": "Letter formation; reading stamina",
    "Maths": "Place value beyond 100; times tables",
    "Science": "Recording results in a table",
}


def key_stage(nc_year: int) -> str:
    return "KS1" if nc_year <= 2 else "KS2" if nc_year <= 6 else "KS3"


def packs_for(packs: list[WorkPack], nc_year: int) -> list[WorkPack]:
    """Packs written for the child's year, or else the two nearest to it."""

    def years(pack: WorkPack) -> tuple[int, int]:
        low, _, high = pack.nc_years.partition("-")
        return int(low), int(high or low)

    fitting = [p for p in packs if years(p)[0] <= nc_year <= years(p)[1]]
    return fitting or sorted(packs, key=lambda p: abs(years(p)[0] - nc_year))[:2]


def _upn(rng: random.Random, la: str = "888") -> str:
    body = la + "".join(str(rng.randint(0, 9)) for _ in range(9))
    return check_letter(body) + body


def _dob(rng: random.Random, age: int, today: date) -> date:
    return today - timedelta(days=age * 365 + rng.randint(30, 330))


def fill_demo(app: Waymark, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Fill an empty profile with the demo caseload; return counts of what was made.
    One transaction for all of it: a commit per record (a disk flush each) took
    most of the time, and a demo half made is no use."""
    with app.store.batch():
        return _fill(app, progress)


def _fill(app: Waymark, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    rng = random.Random(2026)
    today = app.today()
    start = today - timedelta(weeks=26)
    worker = app.settings().worker_name or "Demo Teacher"
    steps = [0]

    def tick() -> None:
        steps[0] += 1
        if progress:
            progress(steps[0], 40)

    current = app.settings()
    app.update_settings(**{k: v for k, v in SERVICE_CONTACT.items() if not getattr(current, k)})

    schools = []
    for urn, la, estab, name, contact in SCHOOLS:
        school = School(
            urn=urn,
            la_code=la,
            estab=estab,
            name=name,
            contact_name=contact,
            contact_phone=f"01772 {rng.randint(100000, 999999)}",
        )
        app.add_school(school)
        schools.append(school)
    sites = []
    for name, kind, address, postcode in SITES:
        site = Site(name=name, site_type=kind, address=address, postcode=postcode)
        app.add_site(site)
        sites.append(site)
    packs = []
    for title, subject, ks, years, topic, items in PACKS:
        pack = WorkPack(title=title, subject=subject, key_stage=ks, nc_years=years, topic=topic, items=items)
        app.add_pack(pack)
        packs.append(pack)
    tick()

    primaries = [s for s in schools if s.urn not in SECONDARY]
    secondaries = [s for s in schools if s.urn in SECONDARY]

    def school_for(dob: date, primary: School, secondary: School) -> School:
        return primary if rules.nc_year(dob, today) <= 6 else secondary

    counts = {"pupils": 0, "visits": 0}
    families: list[tuple[list[Pupil], Site]] = []
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

    # Weekly site visits to each family, siblings together, each child at their own stage.
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

    def tutee(
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
                provider="Hospital Education Service"
                if kind is ProvisionType.HOSPITAL_TUITION
                else "Home Tuition Service",
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

    ward = sites[5]
    for forename, surname, sex, age, needs, planned, medical_max in HOSPITAL:
        tutee(
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
    home_pupils = [
        tutee(
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
    # A part-time timetable running past half a term, without recorded consent.
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

    # Progress at the start of the period and twice since, with learning gaps.
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

    # Plans, actions, concerns, appointments.
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
    _statutory_examples(app, today, schools, families, counts)
    # The demo is an example to look at, not changes to send to an LA server.
    app.store.forget_outbox()
    if progress:
        progress(steps[0], steps[0])  # done: the bar reaches its end whatever the count of steps
    return counts


def _statutory_examples(
    app: Waymark, today: date, schools: list[School], families: list[tuple[list[Pupil], Site]], counts: dict
) -> None:
    """The clocks that need a record of their own: a recent permanent exclusion with
    alternative provision not yet full time, and a showman family's winter travel whose
    dates the base school has not yet agreed. No random draws, so the rest of the
    demo stays as it was."""
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


def rules_week(day: date) -> date:
    return day - timedelta(days=day.weekday())
