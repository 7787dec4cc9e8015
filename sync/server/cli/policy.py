"""`waymark-server policy`: the LA-wide settings a worker cannot override, sent to every
device on its next sync."""

from __future__ import annotations

import argparse
import json

from sqlalchemy import Engine

from .. import policy


def register(sub: argparse._SubParsersAction) -> None:
    pol = sub.add_parser("policy", help="LA-wide settings a worker cannot override").add_subparsers(
        dest="action", required=True
    )
    pset = pol.add_parser(
        "set",
        help="set one or more: " + ", ".join(policy.KEYS),
        description="Sent to every device on its next sync. "
        + "; ".join(f"{k}: {what}" for k, (what, _allowed) in policy.KEYS.items()),
    )
    pset.add_argument("assignments", nargs="+", metavar="KEY=VALUE")
    punset = pol.add_parser("unset", help="remove settings from the policy (workers choose again)")
    punset.add_argument("keys", nargs="+", metavar="KEY")
    pshow = pol.add_parser("show", help="the policy sent to devices")
    pshow.add_argument("--json", action="store_true")


def run(engine: Engine, args: argparse.Namespace) -> int:
    if args.action == "set":
        policy.set_policy(engine, policy.parse_assignments(args.assignments))
        print("Policy set; each device takes it on its next sync.")
    elif args.action == "unset":
        policy.unset(engine, args.keys)
        print("Removed from the policy; each device takes it on its next sync.")
    elif args.action == "show":
        current = policy.show(engine)
        if args.json:
            print(json.dumps(current, indent=2))
            return 0
        if not current:
            print("No LA policy is set: workers choose these settings themselves.")
        for key, value in current.items():
            print(f"{key} = {value}\t({policy.KEYS[key][0] if key in policy.KEYS else 'unknown'})")
    return 0
