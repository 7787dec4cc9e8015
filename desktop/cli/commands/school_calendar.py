"""`waymark calendar`: the school calendar every rule counting school days reads.

The England default ships with Waymark; an LA's own term dates (CSV or
iCalendar, as LAs publish them) replace it for each academic year they cover.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.domain.calendar import academic_year_label, parse_academic_year
from desktop.services import Waymark

from ..args import COMMON, Output, fmt_date, to_jsonable

EPILOG = """\
CSV files need a header row naming start, end, kind and name; kind is term, holiday
(or half term), inset, bank holiday or closure; dates as 2026-09-01 or 01/09/2026.
iCalendar files (.ics) are read from their event titles ("Autumn term", "October
half term", "INSET day", "Spring term starts" ...); events that are none of these
are listed, never guessed.

  waymark calendar import lancashire-term-dates-2026-27.ics
  waymark calendar list
  waymark calendar list --year 2026/27
  waymark calendar reset 2026/27
"""


def parse_year(text: str) -> int:
    try:
        return parse_academic_year(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(subparsers: argparse._SubParsersAction) -> None:
    noun = subparsers.add_parser(
        "calendar",
        help="school term dates: list them, import an LA's (CSV or iCalendar)",
        description="The school calendar: term dates, holidays, INSET days and bank holidays, by academic year.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    noun.set_defaults(handler=run)
    action = noun.add_subparsers(dest="action", required=True)
    p = action.add_parser("import", parents=[COMMON], help="import an LA's term dates (CSV or .ics)")
    p.add_argument("file", type=Path)
    p = action.add_parser("list", parents=[COMMON], help="the academic years known, or one year's dates")
    p.add_argument("--year", type=parse_year, help="show one academic year's dates, e.g. 2026/27")
    p = action.add_parser("reset", parents=[COMMON], help="go back to the England default for a year")
    p.add_argument("year", type=parse_year)


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    if args.action == "import":
        done = app.import_calendar_file(args.file)
        lines = [
            f"Imported {y.label} from {y.source}: {y.school_days} school days, {len(y.terms)} terms" for y in done.years
        ]
        out.emit(
            {"years": to_jsonable(list(done.years)), "notes": list(done.notes), "ids": list(done.changes.ids)},
            "\n".join(lines + [f"  Note: {n}" for n in done.notes]),
        )
        return 0
    if args.action == "reset":
        app.reset_calendar_year(args.year)
        out.emit({"year": args.year}, f"{academic_year_label(args.year)} uses the England default again")
        return 0
    if args.year is not None:
        entries = app.calendar_entries(args.year)
        out.table(
            entries,
            [
                ("From", lambda e: fmt_date(e.start)),
                ("To", lambda e: fmt_date(e.end)),
                ("Kind", lambda e: e.kind.label),
                ("Name", lambda e: e.name),
            ],
        )
        return 0
    years = app.calendar_years()
    out.table(
        years,
        [
            ("Year", lambda y: y.label),
            ("School days", lambda y: y.school_days),
            ("Terms", lambda y: len(y.terms)),
            ("Source", lambda y: y.source),
        ],
    )
    if not out.as_json:
        print("Other years count every weekday as a school day: import the LA's dates for them.")
    return 0
