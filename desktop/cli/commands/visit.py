"""`waymark visit`: log, list and show visits and sessions.

A visit to several children gives each child their own entry. On the command
line the entries are given by position: what follows a `--pupil ID` belongs to
that child, until the next `--pupil`; what comes before the first `--pupil` is
shared, or applies to every child.
"""

from __future__ import annotations

import argparse

from desktop.domain.enums import NotSeenReason, Outcome, PlaceType, Visibility
from desktop.domain.records import Visit, VisitEntry, VisitNote
from desktop.services import ValidationError, Waymark

from ..args import (
    COMMON,
    Output,
    choice_of,
    fmt_date,
    parse_date,
    parse_datetime,
    parse_time,
    split_list,
    to_jsonable,
)

EPILOG = """\
Each child on a visit has their own entry. Options after a --pupil ID belong to
that child, up to the next --pupil: --subjects, --work, --work-returned,
--levels, --work-set, --not-seen, and --family-note / --professional-note (a
note about that child only). The same options before the first --pupil apply
to every child (a child's own option replaces the shared one); the date,
times, place, outcome and next appointment are always shared.

A child who was there but not taught is --not-seen REASON (at_nursery, unwell,
asleep, refused, not_at_home, at_school, other): they count no hours, and the
shared subjects, work covered, work returned and levels are not given to them
(the shared work set is: work left for them).

Example: three siblings, the same subjects, each their own work; the youngest asleep.

  waymark visit log --start 10:00 --end 11:30 --subjects "English,Maths" \\
      --family-note "Lovely session" \\
      --pupil SEAN --work "Column addition to 1,000" --work-set "Addition sheet" \\
      --pupil MAIRE --work "Number bonds to 20" --levels "Counts on from 10" \\
      --pupil PADRAIG --not-seen asleep
"""

# Options that belong to one child when given after a --pupil (dest -> flag).
PER_CHILD = {
    "subjects": "--subjects",
    "work": "--work",
    "work_returned": "--work-returned",
    "levels": "--levels",
    "work_set": "--work-set",
    "not_seen": "--not-seen",
    "family_note": "--family-note",
    "professional_note": "--professional-note",
}
NOTES = ("family_note", "professional_note")
TAUGHT_ONLY = ("subjects", "work", "work_returned", "levels")  # nothing to say of a child not taught


class _Pupil(argparse.Action):
    """--pupil ID starts a child's entry; the options after it fill it."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        namespace.children = [*(namespace.children or []), {"pupil_id": values}]


class _PerChild(argparse.Action):
    """An option for the child named last, or for every child before any is named."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        if namespace.children:
            target = namespace.children[-1]
        else:
            namespace.shared = namespace.shared or {}
            target = namespace.shared
        if self.dest in NOTES:
            target[self.dest] = [*target.get(self.dest, []), values]
        else:
            target[self.dest] = values


def register(subparsers: argparse._SubParsersAction) -> None:
    noun = subparsers.add_parser("visit", help="visits and sessions", description="Log, list and show visits.")
    noun.set_defaults(handler=run)
    visit = noun.add_subparsers(dest="action", required=True)
    p = visit.add_parser(
        "log",
        parents=[COMMON],
        help="log a visit or session, with each child's own entry",
        description="Log a visit or session. Siblings seen together share one visit; each has their own entry.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(children=None, shared=None)
    shared = p.add_argument_group("shared by every child")
    shared.add_argument("--date", type=parse_date, help="default today")
    shared.add_argument("--start", type=parse_time, help="needed when the visit was held, e.g. 10:00")
    shared.add_argument("--end", type=parse_time, help="needed when the visit was held, e.g. 11:30")
    shared.add_argument(
        "--place-type", type=choice_of(PlaceType), default=PlaceType.SITE, help=f"{_choices(PlaceType)} (default site)"
    )
    shared.add_argument("--site", help="site id")
    shared.add_argument("--place", help="place detail, e.g. the ward or library")
    shared.add_argument(
        "--outcome",
        type=choice_of(Outcome),
        default=Outcome.HELD,
        help=f"whether the visit happened at all: {_choices(Outcome)} (default held)",
    )
    shared.add_argument("--next", type=parse_datetime, help="next appointment, e.g. '2026-11-29 10:00'")
    child = p.add_argument_group("each child (after their --pupil), or every child (before the first --pupil)")
    child.add_argument("--pupil", action=_Pupil, required=True, dest="pupil", help="a child on the visit (repeat)")
    child.add_argument("--subjects", action=_PerChild, type=split_list, help='e.g. "English,Maths"')
    child.add_argument("--work", action=_PerChild, help="work covered")
    child.add_argument("--work-returned", action=_PerChild, help="work returned and marked")
    child.add_argument("--levels", action=_PerChild, help="levels reached and needs identified")
    child.add_argument("--work-set", action=_PerChild, help="work set for the next stop or session")
    child.add_argument(
        "--not-seen",
        action=_PerChild,
        type=choice_of(NotSeenReason),
        metavar="REASON",
        help=f"the child was not taught: {_choices(NotSeenReason)}",
    )
    child.add_argument("--family-note", action=_PerChild, help="a note the family will see (on every copy)")
    child.add_argument("--professional-note", action=_PerChild, help="a note for professionals only")

    p = visit.add_parser("list", parents=[COMMON], help="visits, newest first", description="Visits, newest first.")
    p.add_argument("--pupil", help="only this child's visits, with their own hours and whether they were seen")
    p.add_argument("--from", dest="from_date", type=parse_date)
    p.add_argument("--to", dest="to_date", type=parse_date)
    p = visit.add_parser(
        "show", parents=[COMMON], help="one visit with each child's entry", description="One visit, child by child."
    )
    p.add_argument("id")


def _choices(enum) -> str:
    return ", ".join(member.value for member in enum)


def build_visit(args: argparse.Namespace, today) -> Visit:
    """The visit the options describe: shared values, then each child's entry."""
    shared = args.shared or {}
    notes = _notes(shared, None)
    entries = []
    for child in args.children:
        pupil_id = child["pupil_id"]
        given = {**{k: v for k, v in shared.items() if k not in NOTES}, **child}
        reason = given.get("not_seen")
        if reason is not None:
            clash = next((k for k in TAUGHT_ONLY if k in child), None)
            if clash:
                raise ValidationError(
                    f"--not-seen and {PER_CHILD[clash]} are both given for pupil {pupil_id}: "
                    "a child not seen has no subjects, work covered, work returned or levels."
                )
        taught = reason is None
        entries.append(
            VisitEntry(
                pupil_id=pupil_id,
                seen=taught,
                not_seen_reason=reason,
                subjects=(given.get("subjects") or []) if taught else [],
                work_covered=(given.get("work") or "") if taught else "",
                work_returned=(given.get("work_returned") or "") if taught else "",
                levels_and_needs=(given.get("levels") or "") if taught else "",
                work_set=given.get("work_set") or "",
            )
        )
        notes += _notes(child, pupil_id)
    return Visit(
        date=args.date or today,
        start=args.start,
        end=args.end,
        place_type=args.place_type,
        site_id=args.site,
        place_detail=args.place or "",
        outcome=args.outcome,
        next_appointment=args.next,
        entries=entries,
        notes=notes,
    )


def _notes(options: dict, pupil_id: str | None) -> list[VisitNote]:
    return [
        VisitNote(text=text, visibility=visibility, pupil_id=pupil_id)
        for key, visibility in (("family_note", Visibility.FAMILY), ("professional_note", Visibility.PROFESSIONAL))
        for text in options.get(key, [])
    ]


def visit_json(visit: Visit) -> dict:
    """The visit with each child's entry, their hours and why they were not seen."""
    data = to_jsonable(visit) | {"pupil_ids": visit.pupil_ids, "hours": visit.hours}
    for entry in data["entries"]:
        entry["hours"] = visit.hours_for(entry["pupil_id"])
        entry["status"] = visit.status_for(entry["pupil_id"]) or "seen"
    return data


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    if args.action == "log":
        visit = build_visit(args, app.today())
        changes = app.log_visit(visit)
        names = {pid: app.get_pupil(pid).display_name for pid in visit.pupil_ids}
        missed = [f"{names[e.pupil_id]} {e.not_seen_text.lower()}" for e in visit.entries if not e.seen]
        summary = f"{visit.hours:g} h" + (f"; {', '.join(missed)}" if missed and visit.outcome is Outcome.HELD else "")
        out.emit(visit_json(visit) | {"id": changes.id}, f"Added visit ({summary}) {changes.id}")
        return 0
    if args.action == "show":
        visit = app.get_visit(args.id)
        out.emit(visit_json(visit), lambda: show_text(app, visit))
        return 0
    visits = app.list_visits(args.pupil, args.from_date, args.to_date)
    if args.pupil:  # this child's own hours, whether they were seen and their subjects
        columns = [
            ("Date", lambda v: fmt_date(v.date)),
            ("Hours", lambda v: f"{v.hours_for(args.pupil):g}"),
            ("Outcome", lambda v: v.status_for(args.pupil) or v.outcome.label),
            ("Subjects", lambda v: ", ".join(v.entry_for(args.pupil).subjects)),
            ("Pupils", lambda v: len(v.pupil_ids)),
            ("Id", lambda v: v.id),
        ]
    else:
        columns = [
            ("Date", lambda v: fmt_date(v.date)),
            ("Hours", lambda v: f"{v.hours:g}"),
            ("Outcome", lambda v: v.outcome.label),
            ("Subjects", lambda v: ", ".join(dict.fromkeys(s for e in v.entries for s in e.subjects))),
            ("Pupils", lambda v: len(v.pupil_ids)),
            ("Id", lambda v: v.id),
        ]
    out.table(visits, columns, data=[visit_json(v) for v in visits])
    return 0


def show_text(app: Waymark, visit: Visit) -> str:
    when = fmt_date(visit.date)
    if visit.start and visit.end:
        when += f" {visit.start:%H:%M}-{visit.end:%H:%M} ({visit.hours:g} h)"
    lines = [
        f"Visit {visit.id}",
        f"  When:     {when}",
        f"  Place:    {visit.place_type.label} {visit.place_detail}".rstrip(),
        f"  Outcome:  {visit.outcome.label}",
    ]
    if visit.next_appointment:
        lines.append(f"  Next:     {fmt_date(visit.next_appointment.date())} {visit.next_appointment:%H:%M}")
    lines += [f"  Note ({n.visibility.label}): {n.text}" for n in visit.notes if n.pupil_id is None]
    for entry in visit.entries:
        name = app.get_pupil(entry.pupil_id).display_name
        status = visit.status_for(entry.pupil_id)
        lines.append(f"  {name}: {status}" if status else f"  {name} ({visit.hours_for(entry.pupil_id):g} h)")
        for label, value in (
            ("Subjects", ", ".join(entry.subjects)),
            ("Covered", entry.work_covered if not status else ""),
            ("Returned", entry.work_returned if not status else ""),
            ("Levels", entry.levels_and_needs if not status else ""),
            ("Set", entry.work_set),
        ):
            if value:
                lines.append(f"    {label + ':':<9} {value}")
        lines += [f"    Note ({n.visibility.label}): {n.text}" for n in visit.notes if n.pupil_id == entry.pupil_id]
    return "\n".join(lines)
