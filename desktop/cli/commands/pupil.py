"""`waymark pupil`: add, edit, list and show pupils."""

from __future__ import annotations

import argparse

from desktop.domain import rules
from desktop.domain.enums import SenStatus, Sex, TravellerGroup
from desktop.domain.records import Pupil
from desktop.services import ValidationError, Waymark

from ..args import COMMON, Output, choice_of, created, fmt_date, parse_date, to_jsonable


def register(subparsers: argparse._SubParsersAction) -> None:
    noun = subparsers.add_parser("pupil", help="pupils")
    noun.set_defaults(handler=run)
    pupil = noun.add_subparsers(dest="action", required=True)
    for action in ("add", "edit"):
        p = pupil.add_parser(action, parents=[COMMON], help=f"{action} a pupil")
        if action == "edit":
            p.add_argument("id")
        required = action == "add"
        p.add_argument("--forename", required=required)
        p.add_argument("--surname", required=required)
        p.add_argument("--dob", type=parse_date, required=required, help="date of birth")
        p.add_argument("--preferred-forename")
        p.add_argument("--preferred-surname")
        p.add_argument("--upn", help="Unique Pupil Number (13 characters)")
        p.add_argument("--base-school", metavar="URN", help="the base school's URN ('' to clear)")
        p.add_argument("--sex", type=choice_of(Sex))
        p.add_argument("--ethnicity", help="DfE code, e.g. WROM, WIRT")
        p.add_argument("--traveller-group", type=choice_of(TravellerGroup))
        p.add_argument(
            "--nc-year",
            type=parse_nc_year,
            metavar="N|age",
            help="the NC year the pupil is taught in now, when not their year by age (kept as years "
            "ahead or behind, so they move up each September); 'age' goes back to the year by age",
        )
        p.add_argument("--sen", type=choice_of(SenStatus))
        p.add_argument("--first-language")
        p.add_argument("--social-worker")
        p.add_argument("--medical-needs")
        p.add_argument("--address")
        p.add_argument("--postcode")
        for flag, help_text in (
            ("suppress-address", "never print this pupil's address"),
            ("looked-after", "looked-after child"),
            ("eal", "English as an additional language"),
        ):
            p.add_argument(f"--{flag}", action=argparse.BooleanOptionalAction, default=None, help=help_text)
        if action == "edit":
            p.add_argument("--archived", action=argparse.BooleanOptionalAction, default=None)
    pupil.add_parser("list", parents=[COMMON], help="the caseload")
    p = pupil.add_parser("show", parents=[COMMON], help="show one pupil's record")
    p.add_argument("id")


BY_AGE = "age"


def parse_nc_year(text: str) -> int | str:
    if text.strip().lower() == BY_AGE:
        return BY_AGE
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not an NC year; write a number (0 is Reception) or 'age'"
        ) from None


def _pupil_fields(args: argparse.Namespace, app: Waymark) -> dict:
    values = {}
    for name in (
        "forename",
        "surname",
        "preferred_forename",
        "preferred_surname",
        "dob",
        "upn",
        "ethnicity",
        "social_worker",
        "first_language",
        "medical_needs",
        "address",
        "postcode",
        "sex",
        "sen",
        "traveller_group",
    ):
        value = getattr(args, name, None)
        if value is not None:
            values[name] = value
    if args.base_school is not None:
        values["base_school_id"] = app.school_by_urn(args.base_school).id if args.base_school else None
    if args.nc_year == BY_AGE:
        values["nc_year_offset"] = None
    elif args.nc_year is not None:
        if args.action == "add":
            values["nc_year_offset"] = app.nc_year_offset(args.dob, args.nc_year)
        else:
            values["nc_year"] = args.nc_year  # the service keeps it as an offset from the year by age
    for flag in ("suppress_address", "looked_after", "eal", "archived"):
        value = getattr(args, flag, None)
        if value is not None:
            values[flag] = value
    return values


def describe_pupil(app: Waymark, pupil: Pupil) -> dict:
    school = app.get_school(pupil.base_school_id) if pupil.base_school_id else None
    return to_jsonable(pupil) | {
        "nc_year": app.nc_year(pupil),
        "nc_year_by_age": rules.nc_year(pupil.dob, app.today()),
        "base_school": to_jsonable(school) if school else None,
        "attention": [{"kind": a.kind, "message": a.message} for a in app.attention(pupil.id).get(pupil.id, [])],
    }


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    if args.action == "add":
        pupil = Pupil(**_pupil_fields(args, app))
        return created(out, "pupil", app.add_pupil(pupil), pupil)
    if args.action == "edit":
        values = _pupil_fields(args, app)
        if not values:
            raise ValidationError("Nothing to change: give at least one option, e.g. --upn.")
        changes = app.edit_pupil(args.id, **values)
        pupil = app.get_pupil(args.id)
        out.emit(
            describe_pupil(app, pupil) | {"changed": list(changes.fields)},
            f"Updated {pupil.legal_name}: {', '.join(changes.fields) or 'no change'}",
        )
        return 0
    if args.action == "show":
        pupil = app.get_pupil(args.id)
        data = describe_pupil(app, pupil)

        def text() -> str:
            lines = [
                f"{pupil.legal_name}"
                + (f" (known as {pupil.display_name})" if pupil.display_name != pupil.legal_name else ""),
                f"  Id:           {pupil.id}",
                f"  Born:         {fmt_date(pupil.dob)} ({rules.describe_nc_year(pupil, app.today())})",
                f"  UPN:          {pupil.upn or '—'}",
                f"  Base school:  {data['base_school']['name'] if data['base_school'] else '—'}",
                f"  Traveller:    {pupil.traveller_group.label}",
                f"  Address:      {pupil.address or '—'}" + ("  [never printed]" if pupil.suppress_address else ""),
                f"  Medical:      {pupil.medical_needs or '—'}",
            ]
            for item in data["attention"]:
                lines.append(f"  ! {item['message']}")
            return "\n".join(lines)

        out.emit(data, text)
        return 0
    rows = app.caseload()
    out.table(
        rows,
        [
            ("Name", lambda r: r.name),
            ("Born", lambda r: fmt_date(r.dob)),
            ("Year", lambda r: rules.format_nc_year(r.nc_year)),
            ("Cohort", lambda r: r.cohort.label),
            ("Base school", lambda r: r.base_school),
            ("Attention", lambda r: len(r.attention) or ""),
            ("Id", lambda r: r.pupil_id),
        ],
        # Every listed record carries `id`, as `pupil show` and `pupil add` do.
        data=[{"id": r.pupil_id} | to_jsonable(r) for r in rows],
    )
    return 0
