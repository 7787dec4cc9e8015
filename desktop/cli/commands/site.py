"""`waymark site`: sites, and families' stays at them."""

from __future__ import annotations

import argparse

from desktop.domain.enums import SiteType
from desktop.domain.records import Site
from desktop.services import Waymark

from ..args import COMMON, Output, choice_of, created, parse_date


def register(subparsers: argparse._SubParsersAction) -> None:
    noun = subparsers.add_parser("site", help="sites and stays")
    noun.set_defaults(handler=run)
    site = noun.add_subparsers(dest="action", required=True)
    p = site.add_parser("add", parents=[COMMON], help="add a site")
    p.add_argument("--name", required=True)
    p.add_argument("--type", type=choice_of(SiteType), required=True)
    p.add_argument("--address")
    p.add_argument("--postcode")
    site.add_parser("list", parents=[COMMON], help="list the sites")
    p = site.add_parser("stay", parents=[COMMON], help="record a family's arrival at a site (ends their last stay)")
    p.add_argument("--pupil", action="append", required=True, help="repeat for each child in the family")
    p.add_argument("--site", required=True)
    p.add_argument("--arrived", type=parse_date)
    p.add_argument("--weeks", type=int, help="proposed length of stay")


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    if args.action == "add":
        site = Site(name=args.name, site_type=args.type, address=args.address or "", postcode=args.postcode or "")
        return created(out, "site", app.add_site(site), site)
    if args.action == "stay":
        site = app.get_site(args.site)
        changes = app.move_to_site(args.pupil, args.arrived or app.today(), site_id=site.id, proposed_weeks=args.weeks)
        moved = len(changes.ids)
        out.emit(
            {"id": changes.id, "ids": list(changes.ids), "site_id": site.id},
            f"Recorded {moved} {'pupil' if moved == 1 else 'pupils'} arriving at {site.name} (their last stay ends "
            f"that day): {', '.join(changes.ids)}",
        )
        return 0
    sites = app.list_sites()
    out.table(sites, [("Name", lambda s: s.name), ("Type", lambda s: s.site_type.label), ("Id", lambda s: s.id)])
    return 0
