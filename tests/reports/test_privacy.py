"""Privacy faults found by probing (issue 10, section 1): a suppressed address
is the household's, and a report's title names nobody."""

from __future__ import annotations

import io
from datetime import date, time, timedelta

import pytest
from pypdf import PdfReader

from desktop.domain.enums import PlaceType, ProvisionType, SiteType
from desktop.domain.records import ProgressEntry, ProvisionEpisode, Pupil, Site, Stay, Visit
from desktop.services import Waymark, reporting
from tests.conftest import FAST_SCRYPT, PASSPHRASE

from .conftest import pages_text

TODAY = date(2026, 11, 22)
REFUGE = "Flat 2, Ribbleton Refuge"
REFUGE_POSTCODE = "PR2 6ZZ"
LAYBY = "Layby by the Ribbleton road"
OTHER_SITE = "Walton Summit transit site"


@pytest.fixture(scope="module")
def household(tmp_path_factory):
    """Two sisters at a refuge: 'never print this address' was ticked on the elder only.
    The younger's record has the same address written a little differently."""
    app = Waymark.create_profile(tmp_path_factory.mktemp("privacy") / "p", PASSPHRASE, scrypt_n=FAST_SCRYPT)
    app.today = lambda: TODAY
    site = Site(name=LAYBY, site_type=SiteType.ROADSIDE)
    other_site = Site(name=OTHER_SITE, site_type=SiteType.TRANSIT_SITE)
    app.add_site(site)
    app.add_site(other_site)
    elder = Pupil(forename="Róisín", surname="Ward", dob=date(2015, 4, 1), address=REFUGE, postcode=REFUGE_POSTCODE)
    elder.suppress_address = True
    younger = Pupil(forename="Niamh", surname="Ward", dob=date(2018, 6, 3), address="flat 2 ribbleton refuge")
    postcode_only = Pupil(forename="Cara", surname="Ward", dob=date(2019, 1, 1), postcode="pr26zz")
    neighbour = Pupil(forename="Ann", surname="Other", dob=date(2016, 1, 1), address="3 Mill Lane", postcode="PR1 1AA")
    for p in (elder, younger, postcode_only, neighbour):
        app.add_pupil(p)
        where = other_site if p is neighbour else site
        app.record_stay(Stay(pupil_id=p.id, site_id=where.id, arrived=TODAY - timedelta(weeks=8)))
        app.add_episode(
            ProvisionEpisode(
                pupil_id=p.id,
                provision_type=ProvisionType.TES_VISITS,
                start=TODAY - timedelta(weeks=8),
                planned_hours_per_week=2,
            )
        )
    visits = {}
    for p in (younger, postcode_only, neighbour):  # each seen alone: no suppressed pupil on the visit
        visit = Visit.same_for_all(
            date=TODAY - timedelta(days=3),
            start=time(10),
            end=time(11),
            place_type=PlaceType.SITE,
            site_id=(other_site if p is neighbour else site).id,
            pupil_ids=[p.id],
            subjects=["Maths"],
        )
        app.log_visit(visit)
        visits[p.forename] = visit.id
    app.add_progress(ProgressEntry(pupil_id=younger.id, subject="Maths", level="Emerging", assessed_on=TODAY))
    yield app, younger, postcode_only, neighbour, visits
    app.close()


def every_report(app, pupil, visit_id):
    start = TODAY - timedelta(weeks=6)
    return {
        "visit": reporting.report_pdf(app, "visit", visit_id)[0],
        "progress": reporting.report_pdf(app, "progress", pupil.id, start=start, end=TODAY)[0],
        "hours": reporting.report_pdf(app, "hours", pupil.id, start=start, end=TODAY)[0],
        "summary": reporting.report_pdf(app, "summary")[0],
    }


@pytest.mark.parametrize("who", ["Niamh", "Cara"])
def test_a_suppressed_address_is_the_households_on_every_report(household, who):
    app, younger, postcode_only, _, visits = household
    pupil = younger if who == "Niamh" else postcode_only
    for kind, pdf in every_report(app, pupil, visits[who]).items():
        text = " ".join(pages_text(pdf)).casefold()
        for secret in ("ribbleton refuge", "pr2 6zz", "pr26zz", LAYBY.casefold()):
            assert secret not in text, f"{secret!r} printed on the {kind} report for {who}"


def test_an_unrelated_family_still_has_its_address_printed(household):
    app, *_, visits = household
    text = " ".join(pages_text(reporting.report_pdf(app, "visit", visits["Ann"])[0]))
    assert "3 Mill Lane" in text and OTHER_SITE in text


def test_titles_name_the_report_and_initials_only(household):
    app, younger, _, _, visits = household
    for kind, pdf in every_report(app, younger, visits["Niamh"]).items():
        title = PdfReader(io.BytesIO(pdf)).metadata.title
        assert "Niamh" not in title and "Ward" not in title, title
        if kind != "summary":
            assert "NW" in title, title
    _, title = reporting.report_pdf(app, "visit", visits["Niamh"])
    assert title == f"Visit report NW {TODAY - timedelta(days=3)}"
