"""`waymark contact`: parents and carers."""

from __future__ import annotations

import argparse

from desktop.domain.enums import ContactRelationship
from desktop.domain.records import Contact
from desktop.services import Waymark

from ..args import COMMON, Output, choice_of, created


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("contact", parents=[COMMON], help="add a parent or carer")
    p.set_defaults(handler=run)
    p.add_argument("--pupil", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--relationship", type=choice_of(ContactRelationship), default=ContactRelationship.CARER)
    p.add_argument("--phone")
    p.add_argument("--reading-help", action="store_true", help="needs help reading")


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    contact = Contact(
        pupil_id=args.pupil,
        name=args.name,
        relationship=args.relationship,
        phone=args.phone or "",
        needs_reading_help=args.reading_help,
    )
    return created(out, "contact", app.add_contact(contact), contact)
