"""`waymark-server device`: list the laptops signed in, and revoke one (a lost laptop)."""

from __future__ import annotations

import argparse
import json

from sqlalchemy import Engine

from .. import admin


def register(sub: argparse._SubParsersAction) -> None:
    device = sub.add_parser("device", help="devices").add_subparsers(dest="action", required=True)
    dls = device.add_parser("list", help="list devices: id, user, name, last seen")
    dls.add_argument("--json", action="store_true")
    rev = device.add_parser("revoke", help="revoke a device (a lost laptop)")
    rev.add_argument("id")


def run(engine: Engine, args: argparse.Namespace) -> int:
    if args.action == "list":
        devices = admin.list_devices(engine)
        if args.json:
            print(json.dumps(devices, indent=2))
            return 0
        for d in devices:
            state = "revoked" if d["revoked"] else f"last seen {d['last_seen'] or 'never'}"
            print(f"{d['id']}\t{d['user']}\t{d['name']}\t{state}")
    elif args.action == "revoke":
        admin.revoke_device(engine, args.id)
        print(f"Revoked device {args.id}.")
    return 0
