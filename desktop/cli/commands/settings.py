"""`waymark settings`: show or change the profile's settings."""

from __future__ import annotations

import argparse

from desktop.domain.enums import ServiceKind
from desktop.services import Waymark

from ..args import COMMON, Output, choice_of, to_jsonable


def register(subparsers: argparse._SubParsersAction) -> None:
    settings = subparsers.add_parser("settings", parents=[COMMON], help="show or change the profile's settings")
    settings.set_defaults(handler=run)
    for name in ("service-name", "service-address", "service-phone", "service-email", "worker-name"):
        settings.add_argument(f"--{name}")
    settings.add_argument("--service-kind", type=choice_of(ServiceKind), help="tes, hospital or home")
    settings.add_argument("--auto-lock-minutes", type=int, help="lock the app after this many idle minutes (1 to 240)")


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
        )
        if (v := getattr(args, k, None)) is not None
    }
    settings = app.update_settings(**values) if values else app.settings()
    out.emit(settings, lambda: "\n".join(f"{k}: {v}" for k, v in to_jsonable(settings).items()))
    return 0
