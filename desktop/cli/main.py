"""`waymark`: the scriptable command line over the same services as the app.

Every command that creates or shows records takes --json. The passphrase
comes from WAYMARK_PASSPHRASE or a prompt. Errors a user can act on print one
line and exit 2; nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable
from datetime import date, datetime, time
from enum import Enum
from pathlib import Path

from platformdirs import user_data_dir, user_log_dir

from desktop import __version__
from desktop.domain import rules
from desktop.domain.enums import (
    ContactRelationship,
    ItemStatus,
    Outcome,
    PlaceType,
    ProvisionType,
    SenStatus,
    Sex,
    SiteType,
    TravellerGroup,
    Visibility,
)
from desktop.domain.records import (
    Absence,
    Concern,
    Contact,
    ProgressEntry,
    ProvisionEpisode,
    Pupil,
    School,
    Site,
    Visit,
    VisitNote,
    WorkPack,
)
from desktop.services import USER_ERRORS, Changes, ValidationError, Waymark

log = logging.getLogger("waymark")

EXIT_USER_ERROR = 2


def default_data_dir() -> Path:
    return Path(os.environ.get("WAYMARK_DATA_DIR") or user_data_dir("waymark", appauthor=False)) / "profile"


# --- parsing values ------------------------------------------------------------


def parse_date(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d %b %Y", "%d %B %Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    if text.strip().lower() == "today":
        return date.today()
    raise argparse.ArgumentTypeError(f"'{text}' is not a date; write 2026-11-22 or 22/11/2026")


def parse_time(text: str) -> time:
    for fmt in ("%H:%M", "%H.%M", "%H%M"):
        try:
            return datetime.strptime(text.strip(), fmt).time()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"'{text}' is not a time; write 14:30")


def parse_datetime(text: str) -> datetime:
    try:
        day, clock = text.strip().rsplit(" ", 1)
        return datetime.combine(parse_date(day), parse_time(clock))
    except (ValueError, argparse.ArgumentTypeError):
        raise argparse.ArgumentTypeError(f"'{text}' is not a date and time; write '2026-11-29 10:00'") from None


def choice_of(enum: type[Enum]) -> Callable[[str], Enum]:
    def parse(text: str) -> Enum:
        try:
            return enum.parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = enum.__name__
    return parse


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


# --- output ----------------------------------------------------------------------


def to_jsonable(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


def fmt_date(day: date | None) -> str:
    return day.strftime("%-d %b %Y") if day else "—"


class Output:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def emit(self, data: object, text: str | Callable[[], str]) -> None:
        if self.as_json:
            print(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2))
        else:
            print(text() if callable(text) else text)

    def table(self, records: list, columns: list[tuple[str, Callable[[object], object]]], data: object = None) -> None:
        if self.as_json:
            print(json.dumps(to_jsonable(records if data is None else data), ensure_ascii=False, indent=2))
            return
        if not records:
            print("(none)")
            return
        rows = [[str(get(r)) for _, get in columns] for r in records]
        widths = [max(len(h), *(len(row[i]) for row in rows)) for i, (h, _) in enumerate(columns)]
        print("  ".join(h.ljust(w) for (h, _), w in zip(columns, widths)).rstrip())
        for row in rows:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


# --- commands ------------------------------------------------------------------


def created(out: Output, what: str, changes: Changes, record: object) -> int:
    data = to_jsonable(record) | {"id": changes.id}
    out.emit(data, f"Added {what} {changes.id}")
    return 0


def cmd_school(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    if args.action == "add":
        school = School(
            urn=args.urn,
            la_code=args.la,
            estab=args.estab,
            name=args.name,
            contact_name=args.contact or "",
            contact_phone=args.phone or "",
        )
        return created(out, "school", app.add_school(school), school)
    schools = app.list_schools()
    out.table(
        schools,
        [("URN", lambda s: s.urn), ("DfE", lambda s: s.dfe_number), ("Name", lambda s: s.name), ("Id", lambda s: s.id)],
    )
    return 0


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
    if args.nc_year is not None:
        values["nc_year_override"] = args.nc_year
    for flag in ("suppress_address", "looked_after", "eal", "archived"):
        value = getattr(args, flag, None)
        if value is not None:
            values[flag] = value
    return values


def describe_pupil(app: Waymark, pupil: Pupil) -> dict:
    school = app.get_school(pupil.base_school_id) if pupil.base_school_id else None
    return to_jsonable(pupil) | {
        "nc_year": app.nc_year(pupil),
        "base_school": to_jsonable(school) if school else None,
        "attention": [{"kind": a.kind, "message": a.message} for a in app.attention(pupil.id).get(pupil.id, [])],
    }


def cmd_pupil(args: argparse.Namespace, app: Waymark, out: Output) -> int:
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
                f"  Born:         {fmt_date(pupil.dob)} ({rules.format_nc_year(data['nc_year'])})",
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


def cmd_visit(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    if args.action == "log":
        notes = [VisitNote(text=t, visibility=Visibility.FAMILY) for t in args.family_note or []]
        notes += [VisitNote(text=t, visibility=Visibility.PROFESSIONAL) for t in args.professional_note or []]
        visit = Visit(
            date=args.date or app.today(),
            start=args.start,
            end=args.end,
            place_type=args.place_type,
            site_id=args.site,
            place_detail=args.place or "",
            pupil_ids=args.pupil,
            subjects=args.subjects or [],
            work_covered=args.work or "",
            work_set=args.work_set or "",
            work_returned=args.work_returned or "",
            levels_and_needs=args.levels or "",
            outcome=args.outcome,
            next_appointment=args.next,
            notes=notes,
        )
        return created(out, f"visit ({visit.hours:g} h)", app.log_visit(visit), visit)
    if args.action == "show":
        visit = app.get_visit(args.id)

        def text() -> str:
            names = ", ".join(app.get_pupil(p).display_name for p in visit.pupil_ids)
            when = (
                f"{fmt_date(visit.date)} {visit.start:%H:%M}-{visit.end:%H:%M}"
                if visit.start and visit.end
                else fmt_date(visit.date)
            )
            lines = [
                f"Visit {visit.id}",
                f"  When:     {when} ({visit.hours:g} h)",
                f"  Pupils:   {names}",
                f"  Place:    {visit.place_type.label} {visit.place_detail}".rstrip(),
                f"  Outcome:  {visit.outcome.label}",
                f"  Subjects: {', '.join(visit.subjects) or '—'}",
                f"  Covered:  {visit.work_covered or '—'}",
                f"  Set:      {visit.work_set or '—'}",
            ]
            lines += [f"  Note ({n.visibility.label}): {n.text}" for n in visit.notes]
            return "\n".join(lines)

        out.emit(visit, text)
        return 0
    visits = app.list_visits(args.pupil, args.from_date, args.to_date)
    out.table(
        visits,
        [
            ("Date", lambda v: fmt_date(v.date)),
            ("Hours", lambda v: f"{v.hours:g}"),
            ("Outcome", lambda v: v.outcome.label),
            ("Subjects", lambda v: ", ".join(v.subjects)),
            ("Pupils", lambda v: len(v.pupil_ids)),
            ("Id", lambda v: v.id),
        ],
    )
    return 0


def cmd_concern(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    if args.action == "add":
        concern = Concern(
            pupil_id=args.pupil,
            text=args.text,
            raised_on=args.date or app.today(),
            escalated_to=args.escalated_to or "",
        )
        changes = app.add_concern(concern)
        out.emit({"id": changes.id, "pupil_id": concern.pupil_id}, f"Recorded restricted concern {changes.id}")
        return 0
    concerns = app.list_concerns(args.pupil)
    out.table(
        concerns,
        [
            ("Raised", lambda c: fmt_date(c.raised_on)),
            ("By", lambda c: c.raised_by),
            ("Concern", lambda c: c.text),
            ("Id", lambda c: c.id),
        ],
    )
    return 0


def cmd_pack(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    if args.action == "add":
        pack = WorkPack(
            title=args.title,
            subject=args.subject,
            key_stage=args.key_stage or "",
            nc_years=args.nc_years or "",
            topic=args.topic or "",
            items=args.items or [],
        )
        return created(out, "work pack", app.add_pack(pack), pack)
    packs = app.list_packs()
    out.table(
        packs,
        [
            ("Subject", lambda p: p.subject),
            ("Title", lambda p: p.title),
            ("KS", lambda p: p.key_stage),
            ("Years", lambda p: p.nc_years),
            ("Items", lambda p: len(p.items)),
            ("Id", lambda p: p.id),
        ],
    )
    return 0


def cmd_folder(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    if args.action == "issue":
        changes = app.issue_folder(args.pupil, args.pack, issued_on=args.issued, expected_back=args.expected_back)
        folder = app.get_folder(changes.id)
        return created(out, f"folder with {len(folder.items)} item(s)", changes, folder)
    if args.action == "return":
        app.return_folder(args.id, args.date)
        folder = app.get_folder(args.id)
        out.emit(folder, f"Folder {folder.id} returned {fmt_date(folder.returned_on)}")
        return 0
    if args.action == "item":
        app.set_item_status(args.folder, args.item, args.status, args.comment)
        folder = app.get_folder(args.folder)
        out.emit(folder, f"Item marked {args.status.label}")
        return 0
    folders = app.list_folders(args.pupil, overdue_only=args.overdue)
    out.table(
        folders,
        [
            ("Issued", lambda f: fmt_date(f.issued_on)),
            ("Expected", lambda f: fmt_date(f.expected_back)),
            ("Returned", lambda f: fmt_date(f.returned_on)),
            ("Items", lambda f: len(f.items)),
            ("Pupil", lambda f: f.pupil_id),
            ("Id", lambda f: f.id),
        ],
    )
    return 0


def cmd_progress(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    if args.action == "add":
        entry = ProgressEntry(
            pupil_id=args.pupil,
            subject=args.subject,
            level=args.level,
            assessed_on=args.date or app.today(),
            evidence=args.evidence or "",
            target=args.target or "",
            learning_gap=args.gap or "",
        )
        return created(out, "progress entry", app.add_progress(entry), entry)
    entries = app.list_progress(args.pupil)
    out.table(
        entries,
        [
            ("Date", lambda e: fmt_date(e.assessed_on)),
            ("Subject", lambda e: e.subject),
            ("Level", lambda e: e.level),
            ("Target", lambda e: e.target),
            ("Learning gap", lambda e: e.learning_gap),
        ],
    )
    return 0


def cmd_attention(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    found = app.attention(args.pupil)
    flat = [(pid, item) for pid, items in found.items() for item in items]
    names = {pid: app.get_pupil(pid).legal_name for pid in found}
    data = [
        {"pupil_id": pid, "pupil": names[pid], "kind": a.kind, "label": a.label, "message": a.message, "since": a.since}
        for pid, a in flat
    ]
    out.table(
        flat,
        [("Pupil", lambda r: names[r[0]]), ("Needs", lambda r: r[1].label), ("Detail", lambda r: r[1].message)],
        data=data,
    )
    return 0


def cmd_site(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    if args.action == "add":
        site = Site(name=args.name, site_type=args.type, address=args.address or "", postcode=args.postcode or "")
        return created(out, "site", app.add_site(site), site)
    if args.action == "stay":
        site = app.get_site(args.site)
        changes = app.move_to_site(args.pupil, args.arrived or app.today(), site_id=site.id, proposed_weeks=args.weeks)
        moved = len(changes.ids)
        out.emit(
            {"id": changes.id, "ids": list(changes.ids), "site_id": site.id},
            f"Recorded {moved} {'pupil' if moved == 1 else 'pupils'} arriving at {site.name} (their last stay ends "
            f"that day): {', '.join(changes.ids)}",
        )
        return 0
    sites = app.list_sites()
    out.table(sites, [("Name", lambda s: s.name), ("Type", lambda s: s.site_type.label), ("Id", lambda s: s.id)])
    return 0


def cmd_provision(args: argparse.Namespace, app: Waymark, out: Output) -> int:
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


def cmd_absence(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    absence = Absence(
        pupil_id=args.pupil, start=args.start, end=args.end, expected_end=args.expected_end, reason=args.reason or ""
    )
    return created(out, "absence", app.add_absence(absence), absence)


def cmd_contact(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    contact = Contact(
        pupil_id=args.pupil,
        name=args.name,
        relationship=args.relationship,
        phone=args.phone or "",
        needs_reading_help=args.reading_help,
    )
    return created(out, "contact", app.add_contact(contact), contact)


def cmd_settings(args: argparse.Namespace, app: Waymark, out: Output) -> int:
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


def cmd_demo(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    from desktop.services.demo import fill_demo

    if app.list_pupils():
        raise ValidationError("This profile already has pupils; the demo fills an empty profile only.")
    counts = fill_demo(app, progress=None if out.as_json else _progress_printer())
    out.emit(counts, f"\nDemo caseload added: {counts['pupils']} pupils, {counts['visits']} visits.")
    return 0


def _progress_printer() -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        print(f"\rFilling the demo profile… {min(100, done * 100 // total)}%", end="", file=sys.stderr, flush=True)

    return show


# --- the parser -----------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="waymark",
        description="Waymark: records of visits, sessions, folders and progress for children out of school. "
        "With no command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"waymark {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="profile directory (default: WAYMARK_DATA_DIR or the platform's data directory)",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    init = sub.add_parser("init", parents=[common], help="create an encrypted profile")
    init.add_argument("--service-name", default="Traveller Education Service")
    init.add_argument("--service-kind", choices=["tes", "hospital", "home"], default="tes")
    init.add_argument("--worker", default="", help="your name, as it appears on reports")
    init.add_argument("--demo", action="store_true", help="fill the new profile with the demo caseload")
    sub.add_parser("passwd", help="change the passphrase (WAYMARK_NEW_PASSPHRASE or a prompt)")
    sub.add_parser("demo", parents=[common], help="fill an empty profile (made if missing) with a demo caseload")
    app_cmd = sub.add_parser("app", help="open the desktop app")
    app_cmd.add_argument("--demo", action="store_true", help="open a demo profile (made on first use)")
    # Also accepted after `app`, so `packaging/dev.sh run --data-dir DIR` works.
    app_cmd.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS, help="profile directory")

    settings = sub.add_parser("settings", parents=[common], help="show or change the profile's settings")
    for name in ("service-name", "service-kind", "service-address", "service-phone", "service-email", "worker-name"):
        settings.add_argument(f"--{name}")
    settings.add_argument("--auto-lock-minutes", type=int)

    school = sub.add_parser("school", help="base schools").add_subparsers(dest="action", required=True)
    p = school.add_parser("add", parents=[common], help="add a school")
    p.add_argument("--urn", required=True)
    p.add_argument("--la", required=True, help="3-digit LA code")
    p.add_argument("--estab", required=True, help="4-digit establishment number")
    p.add_argument("--name", required=True)
    p.add_argument("--contact", help="named contact")
    p.add_argument("--phone")
    school.add_parser("list", parents=[common])

    pupil = sub.add_parser("pupil", help="pupils").add_subparsers(dest="action", required=True)
    for action in ("add", "edit"):
        p = pupil.add_parser(action, parents=[common], help=f"{action} a pupil")
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
        p.add_argument("--nc-year", type=int, help="override the NC year derived from the date of birth")
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
    pupil.add_parser("list", parents=[common], help="the caseload")
    p = pupil.add_parser("show", parents=[common])
    p.add_argument("id")

    visit = sub.add_parser("visit", help="visits and sessions").add_subparsers(dest="action", required=True)
    p = visit.add_parser("log", parents=[common], help="log a visit or session")
    p.add_argument("--pupil", action="append", required=True, help="a pupil seen (repeat for siblings)")
    p.add_argument("--date", type=parse_date, help="default today")
    p.add_argument("--start", type=parse_time)
    p.add_argument("--end", type=parse_time)
    p.add_argument("--place-type", type=choice_of(PlaceType), default=PlaceType.SITE)
    p.add_argument("--site", help="site id")
    p.add_argument("--place", help="place detail, e.g. the ward or library")
    p.add_argument("--subjects", type=split_list, help='e.g. "English,Maths"')
    p.add_argument("--work", help="work covered")
    p.add_argument("--work-set", help="work set for the next stop")
    p.add_argument("--work-returned", help="work returned and marked")
    p.add_argument("--levels", help="levels reached and needs identified")
    p.add_argument("--family-note", action="append", help="a note the family will see (on every copy)")
    p.add_argument("--professional-note", action="append", help="a note for professionals only")
    p.add_argument("--outcome", type=choice_of(Outcome), default=Outcome.HELD)
    p.add_argument("--next", type=parse_datetime, help="next appointment, e.g. '2026-11-29 10:00'")
    p = visit.add_parser("list", parents=[common])
    p.add_argument("--pupil")
    p.add_argument("--from", dest="from_date", type=parse_date)
    p.add_argument("--to", dest="to_date", type=parse_date)
    p = visit.add_parser("show", parents=[common])
    p.add_argument("id")

    concern = sub.add_parser("concern", help="safeguarding concerns (restricted)").add_subparsers(
        dest="action", required=True
    )
    p = concern.add_parser("add", parents=[common])
    p.add_argument("--pupil", required=True)
    p.add_argument("--text", required=True)
    p.add_argument("--date", type=parse_date)
    p.add_argument("--escalated-to")
    p = concern.add_parser("list", parents=[common], help="show a pupil's concerns (the read is audited)")
    p.add_argument("--pupil", required=True)

    pack = sub.add_parser("pack", help="the work pack catalogue").add_subparsers(dest="action", required=True)
    p = pack.add_parser("add", parents=[common])
    p.add_argument("--title", required=True)
    p.add_argument("--subject", required=True)
    p.add_argument("--key-stage")
    p.add_argument("--nc-years")
    p.add_argument("--topic")
    p.add_argument("--items", type=split_list, help='comma-separated items, e.g. "Sheet 1,Sheet 2"')
    pack.add_parser("list", parents=[common])

    folder = sub.add_parser("folder", help="distance-learning folders").add_subparsers(dest="action", required=True)
    p = folder.add_parser("issue", parents=[common])
    p.add_argument("--pupil", required=True)
    p.add_argument("--pack", action="append", required=True, help="a work pack id (repeatable)")
    p.add_argument("--issued", type=parse_date)
    p.add_argument("--expected-back", type=parse_date)
    p = folder.add_parser("return", parents=[common])
    p.add_argument("id")
    p.add_argument("--date", type=parse_date)
    p = folder.add_parser("item", parents=[common], help="set an item's status")
    p.add_argument("folder")
    p.add_argument("item")
    p.add_argument("--status", type=choice_of(ItemStatus), required=True)
    p.add_argument("--comment")
    p = folder.add_parser("list", parents=[common])
    p.add_argument("--pupil")
    p.add_argument("--overdue", action="store_true")

    progress = sub.add_parser("progress", help="levels, targets and learning gaps").add_subparsers(
        dest="action", required=True
    )
    p = progress.add_parser("add", parents=[common])
    p.add_argument("--pupil", required=True)
    p.add_argument("--subject", required=True)
    p.add_argument("--level", required=True)
    p.add_argument("--date", type=parse_date)
    p.add_argument("--evidence")
    p.add_argument("--target")
    p.add_argument("--gap", help="learning gap")
    p = progress.add_parser("list", parents=[common])
    p.add_argument("--pupil", required=True)

    p = sub.add_parser("attention", parents=[common], help="the needs-attention list")
    p.add_argument("--pupil")

    site = sub.add_parser("site", help="sites and stays").add_subparsers(dest="action", required=True)
    p = site.add_parser("add", parents=[common])
    p.add_argument("--name", required=True)
    p.add_argument("--type", type=choice_of(SiteType), required=True)
    p.add_argument("--address")
    p.add_argument("--postcode")
    site.add_parser("list", parents=[common])
    p = site.add_parser("stay", parents=[common], help="record a family's arrival at a site (ends their last stay)")
    p.add_argument("--pupil", action="append", required=True, help="repeat for each child in the family")
    p.add_argument("--site", required=True)
    p.add_argument("--arrived", type=parse_date)
    p.add_argument("--weeks", type=int, help="proposed length of stay")

    p = sub.add_parser("provision", parents=[common], help="add a provision episode")
    p.add_argument("--pupil", required=True)
    p.add_argument("--type", type=choice_of(ProvisionType), required=True)
    p.add_argument("--provider")
    p.add_argument("--start", type=parse_date)
    p.add_argument("--end", type=parse_date)
    p.add_argument("--hours", type=float, default=0.0, help="planned hours a week")
    p.add_argument("--medical-max", type=float, help="medically advised maximum hours a week")
    p.add_argument("--review", type=parse_date, help="review date")
    p.add_argument("--consent", action="store_true", help="parental consent recorded (part-time timetable)")

    p = sub.add_parser("absence", parents=[common], help="record time off school for health")
    p.add_argument("--pupil", required=True)
    p.add_argument("--start", type=parse_date, required=True)
    p.add_argument("--end", type=parse_date)
    p.add_argument("--expected-end", type=parse_date)
    p.add_argument("--reason")

    p = sub.add_parser("contact", parents=[common], help="add a parent or carer")
    p.add_argument("--pupil", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--relationship", type=choice_of(ContactRelationship), default=ContactRelationship.CARER)
    p.add_argument("--phone")
    p.add_argument("--reading-help", action="store_true", help="needs help reading")

    from . import report_cmd  # here, not at the top: it imports this module

    report_cmd.register(sub)
    return parser


COMMANDS: dict[str, Callable[[argparse.Namespace, Waymark, Output], int]] = {
    "school": cmd_school,
    "pupil": cmd_pupil,
    "visit": cmd_visit,
    "concern": cmd_concern,
    "pack": cmd_pack,
    "folder": cmd_folder,
    "progress": cmd_progress,
    "attention": cmd_attention,
    "site": cmd_site,
    "provision": cmd_provision,
    "absence": cmd_absence,
    "contact": cmd_contact,
    "settings": cmd_settings,
    "demo": cmd_demo,
}


def read_passphrase(variable: str, prompt: str, *, confirm: bool = False) -> str:
    value = os.environ.get(variable)
    if value:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise ValidationError(f"No passphrase: set {variable} or run in a terminal to be asked.")
    value = getpass.getpass(prompt)
    if confirm and getpass.getpass("Again, to confirm: ") != value:
        raise ValidationError("The two passphrases differ; nothing was changed.")
    return value


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    data_dir = args.data_dir or default_data_dir()
    out = Output(getattr(args, "json", False))
    if args.command in (None, "app"):
        from desktop.app import main as app_main

        return app_main(data_dir=args.data_dir, demo=getattr(args, "demo", False))
    if args.command == "init":
        passphrase = read_passphrase("WAYMARK_PASSPHRASE", "New passphrase: ", confirm=True)
        app = Waymark.create_profile(
            data_dir,
            passphrase,
            service_name=args.service_name,
            worker_name=args.worker,
            service_kind=args.service_kind,
        )
        try:
            out.emit({"data_dir": str(data_dir)}, f"Created an encrypted Waymark profile in {data_dir}")
            return cmd_demo(args, app, out) if args.demo else 0
        finally:
            app.close()
    if args.command == "passwd":
        old = read_passphrase("WAYMARK_PASSPHRASE", "Current passphrase: ")
        new = read_passphrase("WAYMARK_NEW_PASSPHRASE", "New passphrase: ", confirm=True)
        app = Waymark.open_profile(data_dir, old)
        try:
            app.change_passphrase(old, new)
        finally:
            app.close()
        print("Passphrase changed. The database key was re-wrapped; the data was not re-encrypted.")
        return 0
    passphrase = read_passphrase("WAYMARK_PASSPHRASE", "Passphrase: ")
    if args.command == "demo" and not Waymark.profile_exists(data_dir):
        app = Waymark.create_profile(data_dir, passphrase, worker_name="Demo Teacher")
    else:
        app = Waymark.open_profile(data_dir, passphrase)
    try:
        if args.command == "report":
            from . import report_cmd

            return report_cmd.run(args, app)
        return COMMANDS[args.command](args, app, out)
    finally:
        app.close()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return run(args, parser)
    except USER_ERRORS as exc:
        print(f"waymark: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("\nwaymark: stopped; nothing half-written was kept.", file=sys.stderr)
        return 130
    except Exception as exc:
        log_path = _log_unexpected(exc)
        print(f"waymark: unexpected error ({exc.__class__.__name__}); details written to {log_path}", file=sys.stderr)
        return 1


def _log_unexpected(exc: Exception) -> Path:
    import traceback

    log_dir = Path(user_log_dir("waymark", appauthor=False))
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "waymark.log"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"--- {datetime.now().isoformat()}\n")
        fh.write("".join(traceback.format_exception(exc)))
    return path
