"""Record a move offers every child of the family at the site, not only those
seen at the last visit (defect 12)."""

from datetime import date, time

from desktop.domain.enums import ContactRelationship, PlaceType, SiteType
from desktop.domain.records import Contact, Pupil, Site, Stay, Visit


def _site(app, name):
    site = Site(name=name, site_type=SiteType.TRANSIT_SITE)
    app.add_site(site)
    return site


def _pupil(app, forename, surname, site, mother=""):
    pupil = Pupil(forename=forename, surname=surname, dob=date(2016, 3, 1))
    app.add_pupil(pupil)
    app.record_stay(Stay(pupil_id=pupil.id, site_id=site.id, arrived=date(2026, 10, 1)))
    if mother:
        app.add_contact(Contact(pupil_id=pupil.id, name=mother, relationship=ContactRelationship.MOTHER))
    return pupil


def _seen(app, site, day, *kids):
    app.log_visit(
        Visit.same_for_all(
            date=day,
            start=time(10),
            end=time(11),
            place_type=PlaceType.SITE,
            site_id=site.id,
            pupil_ids=[k.id for k in kids],
            subjects=["English"],
        )
    )


def test_every_child_of_the_family_at_the_site_is_offered(app):
    walton, gisburn = _site(app, "Walton Summit"), _site(app, "Gisburn layby")
    levi = _pupil(app, "Levi", "Lee", walton, mother="Shanti Lee")
    esme = _pupil(app, "Esme", "Lee", walton, mother="Shanti Lee")
    kai = _pupil(app, "Kai", "Lee", walton)  # same surname, same site, never seen with Levi at the last visit
    _pupil(app, "Ruby", "Smith", walton, mother="Shanti Lee")  # a stepsister: the same mother
    _pupil(app, "Tom", "Price", walton)  # another family on the same site
    _pupil(app, "Ada", "Lee", gisburn)  # a Lee elsewhere is another family
    _seen(app, walton, date(2026, 11, 2), levi, kai)
    _seen(app, walton, date(2026, 11, 20), levi, esme)  # the last visit saw only Esme with Levi

    assert [p.forename for p in app.family_at_site(levi.id)] == ["Esme", "Kai", "Ruby"]


def test_with_no_stay_the_family_is_who_shares_a_carer_or_a_visit(app):
    walton = _site(app, "Walton Summit")
    levi = Pupil(forename="Levi", surname="Lee", dob=date(2016, 3, 1))
    app.add_pupil(levi)
    app.add_contact(
        Contact(pupil_id=levi.id, name="Shanti Lee", relationship=ContactRelationship.MOTHER, phone="07700 900123")
    )
    esme = _pupil(app, "Esme", "Lee", walton)
    app.add_contact(
        Contact(pupil_id=esme.id, name="S. Lee", relationship=ContactRelationship.MOTHER, phone="07700 900123")
    )
    _pupil(app, "Kai", "Lee", walton)  # a surname alone says nothing without a shared site
    assert [p.forename for p in app.family_at_site(levi.id)] == ["Esme"]
