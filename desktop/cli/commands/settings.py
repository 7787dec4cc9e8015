"""`waymark settings`: show or change the profile's settings."""

from __future__ import annotations

import argparse

from desktop.services import Waymark

from ..args import COMMON, Output, to_jsonable


def register(subparsers: argparse._SubParsersAction) -> None:
    settings = subparsers.add_parser("settings", parents=[COMMON], help="show or change the profile's settings")
    settings.set_defaults(handler=run)
    for name in ("service-name", "service-kind", "service-address", "service-phone", "service-email", "worker-name"):
        settings.add_argument(f"--{name}")
    settings.add_argument("--auto-lock-minutes", type=int)


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
