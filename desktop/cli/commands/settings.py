"""`waymark settings`: show or change the profile's settings."""

from __future__ import annotations

import argparse

from desktop.domain.enums import ServiceKind
from desktop.services import ValidationError, Waymark

from ..args import COMMON, Output, choice_of, read_passphrase, to_jsonable


def register(subparsers: argparse._SubParsersAction) -> None:
    settings = subparsers.add_parser("settings", parents=[COMMON], help="show or change the profile's settings")
    settings.set_defaults(handler=run)
    for name in ("service-name", "service-address", "service-phone", "service-email", "worker-name"):
        settings.add_argument(f"--{name}")
    settings.add_argument("--service-kind", type=choice_of(ServiceKind), help="the kind of service")
    settings.add_argument("--auto-lock-minutes", type=int, metavar="N", help="lock after N idle minutes (1 to 240)")
    settings.add_argument(
        "--threshold",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change a rule's threshold, e.g. home_tuition_minimum_hours=10 (docs/rules.md lists them)",
    )
    settings.add_argument("--retention-archive-years", type=int, help="archive a pupil this long after leaving")
    settings.add_argument(
        "--retention-destroy-years", type=int, help="destroy a record this long after the date of birth (default 25)"
    )
    settings.add_argument(
        "--keyring-unlock",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="keep the unlocked key in the OS keyring so the app can open without the passphrase "
        "(off by default; not where the LA's policy forbids it)",
    )


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    values = {
        k: v
        for k in (
            "service_name",
            "service_kind",
            "service_address",
            "service_phone",
            "service_email",
            "worker_name",
            "auto_lock_minutes",
            "retention_archive_years",
            "retention_destroy_years",
        )
        if (v := getattr(args, k, None)) is not None
    }
    thresholds = {}
    for pair in args.threshold:
        name, sep, value = pair.partition("=")
        if not sep:
            raise ValidationError(f"'{pair}' is not NAME=VALUE, e.g. home_tuition_minimum_hours=10.")
        thresholds[name.strip()] = value.strip()
    # Everything is checked before anything is written: a refusal leaves every setting as it was.
    asked = values | ({"keyring_unlock": args.keyring_unlock} if args.keyring_unlock is not None else {})
    app.check_settings(**asked)
    if thresholds:
        app.update_thresholds(**thresholds)
    if args.keyring_unlock is True:
        app.enable_keyring_unlock(read_passphrase("WAYMARK_PASSPHRASE", "Passphrase, to confirm: "))
    elif args.keyring_unlock is False:
        app.disable_keyring_unlock()
    settings = app.update_settings(**values) if values else app.settings()
    policy = app.la_policy()
    decided = f"\nSet by your local authority: {', '.join(f'{k}={v}' for k, v in policy.items())}" if policy else ""
    out.emit(settings, lambda: "\n".join(f"{k}: {v}" for k, v in to_jsonable(settings).items()) + decided)
    return 0
