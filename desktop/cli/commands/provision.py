"""`waymark provision`: add a provision episode."""

from __future__ import annotations

import argparse

from desktop.domain.enums import ProvisionType
from desktop.domain.records import ProvisionEpisode
from desktop.services import Waymark

from ..args import COMMON, Output, choice_of, created, parse_date


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("provision", parents=[COMMON], help="add a provision episode")
    p.set_defaults(handler=run)
    p.add_argument("--pupil", required=True)
    p.add_argument("--type", type=choice_of(ProvisionType), required=True)
    p.add_argument("--provider")
    p.add_argument("--start", type=parse_date)
    p.add_argument("--end", type=parse_date)
    p.add_argument("--hours", type=float, default=0.0, help="planned hours a week")
    p.add_argument(
        "--medical-max",
        type=float,
        help="medically advised maximum hours a week (without one, tuition below full time is flagged)",
    )
    p.add_argument(
        "--review", type=parse_date, help="review date (a part-time timetable needs one, at most half a term ahead)"
    )
    p.add_argument("--consent", action="store_true", help="parental consent recorded (part-time timetable)")


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    episode = ProvisionEpisode(
        pupil_id=args.pupil,
        provision_type=args.type,
        provider=args.provider or "",
        start=args.start or app.today(),
        end=args.end,
        planned_hours_per_week=args.hours,
        medical_max_hours_per_week=args.medical_max,
        review_date=args.review,
        part_time_consent=args.consent,
    )
    return created(out, "provision episode", app.add_episode(episode), episode)
