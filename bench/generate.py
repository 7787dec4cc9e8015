"""Generate a large caseload for benchmarks: N pupils and M visits spread over
a chosen span of history, loaded in bulk (no outbox: this is not local work)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, time, timedelta

from desktop.domain.enums import Outcome, PlaceType, ProvisionType, SiteType, TravellerGroup, Visibility
from desktop.domain.records import ProvisionEpisode, Pupil, School, Site, Stay, Visit, VisitNote
from desktop.domain.upn import check_letter
from desktop.store import Store

FORENAMES = [
    "Seán",
    "Máire",
    "Levi",
    "Esme",
    "Łukasz",
    "Zofia",
    "Tyler",
    "Chelsea",
    "Anya",
    "Caitlín",
    "Noah",
    "Lily",
    "Amira",
    "Jack",
    "Grace",
    "Oliver",
    "Sophie",
    "Ethan",
    "Maisie",
    "Harvey",
    "Ruby",
    "Kai",
]
SURNAMES = [
    "Ó Súilleabháin",
    "Lee",
    "Kowalski",
    "Wilson",
    "Sinclair",
    "Ní Dhomhnaill",
    "Price",
    "Boswell",
    "Hussain",
    "Thompson",
    "O'Neill",
    "Patel",
    "Clarke",
    "Walsh",
    "Roberts",
    "Nowak",
    "Fletcher",
    "Ahmed",
    "Smith",
]
SUBJECTS = ["English", "Maths", "Science", "Reading", "Writing", "Phonics"]


def caseload(
    pupils: int, visits: int, *, years: float = 0.5, today: date | None = None, seed: int = 7
) -> Iterator[object]:
    """Records for a caseload, parents first. Visits cover `years` back from today."""
    rng = random.Random(seed)
    today = today or date.today()
    schools = [
        School(urn=f"{100000 + i}", la_code="888", estab=f"{2000 + i}", name=f"School {i}")
        for i in range(max(1, pupils // 40))
    ]
    sites = [Site(name=f"Site {i}", site_type=rng.choice(list(SiteType))) for i in range(max(1, pupils // 25))]
    yield from schools
    yield from sites
    people = []
    for i in range(pupils):
        body = "888" + f"{i:08d}" + str(rng.randint(0, 9))
        pupil = Pupil(
            forename=rng.choice(FORENAMES),
            surname=rng.choice(SURNAMES),
            dob=today - timedelta(days=rng.randint(5 * 365, 16 * 365)),
            upn=check_letter(body) + body,
            base_school_id=rng.choice(schools).id or None,
            traveller_group=rng.choice([TravellerGroup.NONE, TravellerGroup.GYPSY_ROMA, TravellerGroup.SHOWMAN]),
        )
        people.append(pupil)
    # Ids are assigned on insert; give them now so children can point at them.
    from desktop.store import new_id

    for record in (*schools, *sites, *people):
        record.id = record.id or new_id()
    for pupil in people:
        pupil.base_school_id = rng.choice(schools).id
    yield from people
    span = int(years * 365)
    for pupil in people:
        site = rng.choice(sites)
        yield Stay(pupil_id=pupil.id, site_id=site.id, arrived=today - timedelta(days=rng.randint(0, span)))
        kind = rng.choice([ProvisionType.TES_VISITS, ProvisionType.HOME_TUITION, ProvisionType.HOSPITAL_TUITION])
        yield ProvisionEpisode(
            pupil_id=pupil.id,
            provision_type=kind,
            start=today - timedelta(days=span),
            planned_hours_per_week=rng.choice([2, 5, 10]),
        )
    for _ in range(visits):
        pupil = rng.choice(people)
        day = today - timedelta(days=rng.randint(0, span))
        start = rng.choice([9, 10, 13, 14])
        yield Visit.same_for_all(
            date=day,
            start=time(start),
            end=time(start + 1, 30),
            place_type=PlaceType.SITE,
            pupil_ids=[pupil.id],
            subjects=rng.sample(SUBJECTS, 2),
            work_covered="Reading and number work",
            work_set="Reading journal",
            outcome=Outcome.HELD,
            notes=[VisitNote(text="Worked well today.", visibility=Visibility.FAMILY)],
        )


def generate(
    store: Store, pupils: int = 5000, visits: int = 250_000, *, years: float = 0.5, today: date | None = None
) -> int:
    return store.bulk_load(caseload(pupils, visits, years=years, today=today))
