"""Fills a profile with the demo, one step at a time (each step's file says what it adds)."""

from __future__ import annotations

from collections.abc import Callable

from desktop.domain.records import School, Site, WorkPack

from ..api import Waymark
from .curriculum import PACKS
from .people import add_families, add_others, add_statutory_examples
from .places import SCHOOLS, SERVICE_CONTACT, SITES
from .state import Demo
from .visits import add_site_visits, add_tuition
from .work import add_folders, add_plans, add_progress


def fill_demo(app: Waymark, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Fill an empty profile with the demo caseload; return counts of what was made.
    One transaction for all of it: a commit per record (a disk flush each) took
    most of the time, and a demo half made is no use."""
    with app.store.batch():
        return _fill(app, progress)


def _fill(app: Waymark, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    d = Demo(app, progress)  # the steps draw from one generator, in this order
    _add_places(d)
    add_families(d)
    add_site_visits(d)
    add_tuition(d)
    add_others(d)
    add_folders(d)
    add_progress(d)
    add_plans(d)
    add_statutory_examples(d)
    # The demo is an example to look at, not changes to send to an LA server.
    app.store.forget_outbox()
    if progress:
        progress(d.steps, d.steps)  # done: the bar reaches its end whatever the count of steps
    return d.counts


def _add_places(d: Demo) -> None:
    """The service's contact details (where not set), the schools, the sites and the work packs."""
    app, rng, schools, sites, packs, tick = d.app, d.rng, d.schools, d.sites, d.packs, d.tick
    current = app.settings()
    app.update_settings(**{k: v for k, v in SERVICE_CONTACT.items() if not getattr(current, k)})

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
    for name, kind, address, postcode in SITES:
        site = Site(name=name, site_type=kind, address=address, postcode=postcode)
        app.add_site(site)
        sites.append(site)
    for title, subject, ks, years, topic, items in PACKS:
        pack = WorkPack(title=title, subject=subject, key_stage=ks, nc_years=years, topic=topic, items=items)
        app.add_pack(pack)
        packs.append(pack)
    tick()
