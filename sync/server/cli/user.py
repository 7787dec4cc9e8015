"""`waymark-server user`: add, list, change and disable the LA's users."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys

from sqlalchemy import Engine

from .. import admin

ROLES = ["tutor", "tes", "school", "la-lead"]


def register(sub: argparse._SubParsersAction) -> None:
    user = sub.add_parser("user", help="users").add_subparsers(dest="action", required=True)
    add = user.add_parser("add", help="add a user (password from WAYMARK_SERVER_PASSWORD or typed twice)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--school", default="", help="the school's URN, for school users")
    add.add_argument("--team", default="", help="the worker's team: they see its caseload")
    ls = user.add_parser("list", help="list users")
    ls.add_argument("--json", action="store_true")
    chg = user.add_parser("change", help="change a user's role, school or team (what they see follows at once)")
    chg.add_argument("name")
    chg.add_argument("--role", choices=ROLES)
    chg.add_argument("--school", help="the school's URN, for school users")
    chg.add_argument("--team", help="the worker's team ('' for none)")
    dis = user.add_parser("disable", help="disable a user: their devices are refused from the next request")
    dis.add_argument("name")


def run(engine: Engine, args: argparse.Namespace) -> int:
    if args.action == "add":
        admin.add_user(engine, args.name, args.role, _password(), school_urn=args.school, team=args.team)
        print(f"Added {args.role} user {args.name}.")
    elif args.action == "list":
        users = admin.list_users(engine)
        if args.json:
            print(json.dumps([u.to_json() for u in users], indent=2))
            return 0
        for u in users:
            extra = f" school {u.school_urn}" if u.school_urn else (f" team {u.team}" if u.team else "")
            print(f"{u.name}\t{u.role}{extra}{'  (disabled)' if u.disabled else ''}")
    elif args.action == "change":
        admin.change_user(engine, args.name, role=args.role, school_urn=args.school, team=args.team)
        print(f"Changed {args.name}; their laptops follow at their next sync.")
    elif args.action == "disable":
        admin.disable_user(engine, args.name)
        print(f"Disabled {args.name}; their devices are refused from their next request.")
    return 0


def _password() -> str:
    password = os.environ.get("WAYMARK_SERVER_PASSWORD")
    if password:
        return password
    if not sys.stdin.isatty():
        raise admin.AdminError("Set WAYMARK_SERVER_PASSWORD, or run this in a terminal to type the password.")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise admin.AdminError("The two passwords differ; nothing was changed.")
    return first
