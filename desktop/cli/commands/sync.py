"""`waymark login`, `logout` and `sync`: this laptop and the LA's server.

The device's token is kept in the encrypted profile. `sync` pushes what is
unsent and pulls what is new; when it cannot finish it says why in one line,
exits 1, and keeps every unsent change.
"""

from __future__ import annotations

import argparse
import json
import sys

from desktop.services import ValidationError, Waymark
from desktop.services.sync import SyncService
from sync.client import SyncError

from ..args import COMMON, Output, read_passphrase, server_words

EXIT_SYNC_FAILED = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "login",
        parents=[COMMON],
        help="register this laptop with your LA's server (password from WAYMARK_SERVER_PASSWORD or a prompt)",
    )
    p.add_argument("--server", required=True, help="the server's address, https://…")
    p.add_argument("--user", required=True, help="your user name on the server")
    p.add_argument("--device-name", default="", help="how this laptop is listed (default: its host name)")
    p.add_argument("--insecure", action="store_true", help="allow plain http:// to another machine (trusted networks)")
    p.set_defaults(handler=login)
    p = subparsers.add_parser("logout", help="forget this laptop's token (records and unsent changes stay)")
    p.set_defaults(handler=logout)
    p = subparsers.add_parser("sync", parents=[COMMON], help="send unsent changes and receive new ones")
    p.add_argument(
        "--not-sent", action="store_true", help="list the changes the server refused or could not take, and why"
    )
    p.set_defaults(handler=sync)


def login(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    password = read_passphrase("WAYMARK_SERVER_PASSWORD", f"Password for {args.user}: ")
    try:
        account = SyncService(app).login(
            args.server, args.user, password, device_name=args.device_name, insecure=args.insecure
        )
    except ValidationError as exc:  # a refusal may be the server's words (a 401's detail): one plain line
        raise ValidationError(server_words(exc)) from None
    said = f"{server_words(account.user)} ({server_words(account.role)})"  # the server's answer
    out.emit(account.to_json(), f"Logged in to {account.server} as {said}.")
    return 0


def logout(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    SyncService(app).logout()
    print("Logged out. This laptop's records and unsent changes are still here.")
    return 0


def sync(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    service = SyncService(app)
    if args.not_sent:
        rows = service.not_sent()
        out.table(
            rows,
            [
                ("When", lambda r: r["at"]),
                ("Record", lambda r: r["about"]),
                ("Change", lambda r: r["change"]),
                ("Why", lambda r: server_words(r["reason"])),
            ],
        )
        return 0
    try:
        result = service.sync()
    except SyncError as exc:
        if out.as_json:
            print(json.dumps({"error": str(exc), "unsent": service.port.unsent()}, indent=2))
        else:
            print(f"waymark: {server_words(exc)}", file=sys.stderr)  # the server's words, as one plain line
        return EXIT_SYNC_FAILED
    data = result.to_json() | {"unsent": service.port.unsent()}
    out.emit(data, lambda: describe(result))
    return 0


def describe(result) -> str:
    def n(count: int, what: str) -> str:
        return f"{count:,} {what}{'' if count == 1 else 's'}"

    words = f"Sent {n(result.pushed, 'change')}, received {n(result.pulled, 'record')}."
    if result.snapshot:
        words += " (A fresh copy was fetched from the server; nothing unsent was lost.)"
    if result.conflicts:
        words += f" {n(result.conflicts, 'conflict')} to look at: waymark conflicts list."
    if result.refused:
        reasons = "; ".join(sorted({server_words(reason) for reason in result.refused.values()}))
        words += f" The server refused {n(len(result.refused), 'change')}: {reasons}"
    if result.left:
        words += f" {n(result.left, 'pupil')} no longer yours on the server: their records left this laptop."
    if result.narrowed:
        words += " Your role on the server changed: records it does not hold left this laptop."
    if result.refused or result.left or result.narrowed:
        words += " Changes that could not be sent are kept: waymark sync --not-sent."
    if result.backfilled:
        words += f" Fetched {n(result.backfilled, 'record')} this version of Waymark can now keep."
    if result.audit_error:
        words += f" The audit trail could not be sent ({server_words(result.audit_error)}); it is kept and sent later."
    return words
