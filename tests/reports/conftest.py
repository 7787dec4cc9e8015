"""A small caseload in a real encrypted profile, made through the services,
and helpers to read the PDFs back (pypdf for text, pdftoppm for pixels)."""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop.domain.enums import ItemStatus, Outcome, PlaceType, ProvisionType, SiteType, TravellerGroup, Visibility
from desktop.domain.records import (
    Concern,
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
from desktop.services import Waymark

PASSPHRASE = "correct horse battery"
TODAY = date(2026, 11, 22)  # a Sunday
SERVICE = "Lancashire Traveller Education Service"

# Texts that must appear on some copies and never on others.
FAMILY_NOTE = "Seán read to his little sister; lovely to see."
PROFESSIONAL_NOTE = "Dad says the family may move on early; ask the school about dual registration."
CONCERN = "Bruise on the left forearm, explanation inconsistent"
OPEN_ADDRESS = "Plot 4, Walton Summit transit site"
OPEN_POSTCODE = "PR5 8AA"
HIDDEN_ADDRESS = "Flat 2, Ribbleton Refuge"
HIDDEN_POSTCODE = "PR2 6ZZ"
HIDDEN_SITE = "Layby, A59 Tarleton"
PRIVATE_SITE_NOTE = "Caitlín counted to 100 in tens."
# Máire's own entry at the last sibling visit: never on Seán's copies.
MAIRE_WORK = "Sound buttons for s, a, t, p; sorting shapes"
MAIRE_SET = "Trace the letters s, a, t and p"
MAIRE_RETURNED = "Colouring sheet of the alphabet, marked"
MAIRE_NEEDS = "Needs help holding a pencil"
MAIRE_NOTE = "Máire sang the whole alphabet song."
SEAN_PROFESSIONAL_NOTE = "Seán's inhaler was empty; mum will see the GP."
SEAN_SET = "Reading journal: two pages a day; £1 coin game"


@dataclass
class Casefile:
    app: Waymark
    data_dir: Path
    school: School
    sean: Pupil
    maire: Pupil
    caitlin: Pupil
    lukasz: Pupil
    kai: Pupil  # home tuition, with a medical maximum
    sibling_visit: Visit  # Seán and Máire together
    hidden_visit: Visit  # Caitlín, whose address is suppressed
    first_visit_day: date


def build_casefile(data_dir: Path) -> Casefile:
    app = Waymark.create_profile(data_dir, PASSPHRASE, service_name=SERVICE, worker_name="Ann Tutor", scrypt_n=2**10)
    app.today = lambda: TODAY
    app.update_settings(
        service_address="County Hall, Preston PR1 8XJ", service_phone="01772 530000", service_email="tes@example.org"
    )
    school = School(urn="119234", la_code="888", estab="2145", name="St Anne's Catholic Primary School")
    app.add_school(school)
    open_site = Site(name="Walton Summit transit site", site_type=SiteType.TRANSIT_SITE, postcode=OPEN_POSTCODE)
    hidden_site = Site(name=HIDDEN_SITE, site_type=SiteType.ROADSIDE)
    app.add_site(open_site)
    app.add_site(hidden_site)

    def pupil(forename: str, surname: str, dob: date, **extra) -> Pupil:
        p = Pupil(forename=forename, surname=surname, dob=dob, base_school_id=school.id, **extra)
        app.add_pupil(p)
        return p

    traveller = {"traveller_group": TravellerGroup.IRISH_TRAVELLER, "ethnicity": "WIRT"}
    sean = pupil(
        "Seán",
        "Ó Súilleabháin",
        date(2017, 3, 2),
        upn="R674123101121",
        address=OPEN_ADDRESS,
        postcode=OPEN_POSTCODE,
        medical_needs="Asthma",
        **traveller,
    )
    maire = pupil(
        "Máire", "Ó Súilleabháin", date(2019, 5, 9), address=OPEN_ADDRESS, postcode=OPEN_POSTCODE, **traveller
    )
    caitlin = pupil(
        "Caitlín",
        "Ní Dhomhnaill",
        date(2018, 2, 9),
        address=HIDDEN_ADDRESS,
        postcode=HIDDEN_POSTCODE,
        suppress_address=True,
        **traveller,
    )
    lukasz = pupil("Łukasz", "Kowalski", date(2015, 6, 1), ethnicity="WROM", traveller_group=TravellerGroup.GYPSY_ROMA)
    kai = pupil(
        "Kai", "Ahmed", date(2019, 2, 12), medical_needs="Epilepsy", address="12 Ribble Drive", postcode="PR1 4LT"
    )

    for p, site in ((sean, open_site), (maire, open_site), (caitlin, hidden_site), (lukasz, open_site)):
        app.record_stay(Stay(pupil_id=p.id, site_id=site.id, arrived=TODAY - timedelta(weeks=20)))
        app.add_concern(Concern(pupil_id=p.id, raised_on=TODAY - timedelta(days=3), text=CONCERN))
        app.add_episode(
            ProvisionEpisode(pupil_id=p.id, provision_type=ProvisionType.TES_VISITS, start=TODAY - timedelta(weeks=20))
        )

    # Ten weekly visits to the Ó Súilleabháin children, each with a family and a professional
    # note; the fourth did not happen.
    first = TODAY - timedelta(weeks=10) + timedelta(days=1)  # a Monday
    last_visit = None
    for week in range(10):
        day = first + timedelta(weeks=week)
        last_visit = Visit.same_for_all(
            date=day,
            start=time(10, 0),
            end=time(11, 30),
            place_type=PlaceType.SITE,
            site_id=open_site.id,
            pupil_ids=[sean.id, maire.id],
            subjects=["English", "Maths"],
            work_covered=f"Week {week + 1}: reading aloud; number bonds to 20",
            work_set="Reading journal: two pages a day; £1 coin game",
            work_returned="Spelling pack 3, marked 18/20",
            levels_and_needs="Reading more fluently; needs times tables",
            outcome=Outcome.NOT_AT_HOME if week == 3 else Outcome.HELD,
            next_appointment=datetime.combine(day + timedelta(weeks=1), time(10, 0)),
            notes=[
                VisitNote(text=FAMILY_NOTE, visibility=Visibility.FAMILY),
                VisitNote(text=PROFESSIONAL_NOTE, visibility=Visibility.PROFESSIONAL),
            ],
        )
        if week == 9:
            # The last visit: Máire did her own work, and each child has a note of their own.
            last_visit.entries[1] = VisitEntry(
                pupil_id=maire.id,
                subjects=["Phonics"],
                work_covered=MAIRE_WORK,
                work_set=MAIRE_SET,
                work_returned=MAIRE_RETURNED,
                levels_and_needs=MAIRE_NEEDS,
            )
            last_visit.notes += [
                VisitNote(text=MAIRE_NOTE, visibility=Visibility.FAMILY, pupil_id=maire.id),
                VisitNote(text=SEAN_PROFESSIONAL_NOTE, visibility=Visibility.PROFESSIONAL, pupil_id=sean.id),
            ]
        app.log_visit(last_visit)
    for subject, start_level, end_level in (
        ("Reading", "Year 2 expected", "Year 3 expected"),
        ("Maths", "Emerging", "Developing"),
    ):
        app.add_progress(
            ProgressEntry(pupil_id=sean.id, subject=subject, level=start_level, assessed_on=first - timedelta(days=30))
        )
        app.add_progress(
            ProgressEntry(
                pupil_id=sean.id,
                subject=subject,
                level=end_level,
                assessed_on=last_visit.date,
                target="Year 4 expected",
                learning_gap=f"{subject}: gap after travel",
            )
        )

    pack = WorkPack(title="Phonics phase 3", subject="English", items=["Sound mat", "Word cards"])
    app.add_pack(pack)
    app.issue_folder(sean.id, [pack.id], issued_on=first, expected_back=first + timedelta(weeks=4))
    folder = app.list_folders(sean.id)[0]
    app.set_item_status(folder.id, folder.items[0].id, ItemStatus.MARKED, "All sounds correct")
    app.return_folder(folder.id, first + timedelta(weeks=3))

    hidden_visit = Visit.same_for_all(
        date=TODAY - timedelta(days=5),
        start=time(13, 0),
        end=time(14, 0),
        place_type=PlaceType.SITE,
        site_id=hidden_site.id,
        place_detail="by the family's trailer",
        pupil_ids=[caitlin.id],
        subjects=["Maths"],
        work_covered="Counting in tens",
        notes=[VisitNote(text=PRIVATE_SITE_NOTE, visibility=Visibility.FAMILY)],
    )
    app.log_visit(hidden_visit)

    # Home tuition: 5 planned hours, medically advised maximum 4, so a target of 4 a week;
    # three hours a week, but only one in the week before last.
    app.add_episode(
        ProvisionEpisode(
            pupil_id=kai.id,
            provision_type=ProvisionType.HOME_TUITION,
            provider="Home Tuition Service",
            start=first,
            planned_hours_per_week=5,
            medical_max_hours_per_week=4,
            review_date=TODAY - timedelta(days=2),
            reason="Epilepsy",
        )
    )
    for week in range(10):
        for weekday in range(3 if week != 8 else 1):
            app.log_visit(
                Visit.same_for_all(
                    date=first + timedelta(weeks=week, days=weekday),
                    start=time(13),
                    end=time(14, 20),
                    place_type=PlaceType.HOME,
                    pupil_ids=[kai.id],
                    subjects=["Maths"],
                )
            )
    return Casefile(app, Path(data_dir), school, sean, maire, caitlin, lukasz, kai, last_visit, hidden_visit, first)


@pytest.fixture(scope="package")
def casefile(tmp_path_factory: pytest.TempPathFactory):
    case = build_casefile(tmp_path_factory.mktemp("reports") / "profile")
    yield case
    case.app.close()


# --- reading PDFs back ------------------------------------------------------------------


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text with runs of white space made one space, so text wrapped
    in a table cell still matches (and a wrapped secret is still caught)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def copy_of(page: str, service: str = SERVICE) -> str:
    """Which copy a page belongs to, from the name in its footer (drawn last)."""
    for title, copy in (
        ("Parent / carer copy", "parent"),
        (f"{service} copy", "service"),
        ("Base school copy", "school"),
    ):
        if page.rstrip().endswith(title):
            return copy
    raise AssertionError(f"No copy name on the page: {page[-200:]!r}")


def require_pdftoppm() -> str:
    tool = shutil.which("pdftoppm")
    if tool is None:
        pytest.fail(
            "pdftoppm is missing: install poppler-utils (apt-get install -y poppler-utils) to run the report tests"
        )
    return tool
