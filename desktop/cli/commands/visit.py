"""`waymark visit`: log, list and show visits and sessions."""

from __future__ import annotations

import argparse

from desktop.domain.enums import Outcome, PlaceType, Visibility
from desktop.domain.records import Visit, VisitNote
from desktop.services import Waymark

from ..args import COMMON, Output, choice_of, created, fmt_date, parse_date, parse_datetime, parse_time, split_list


def register(subparsers: argparse._SubParsersAction) -> None:
    noun = subparsers.add_parser("visit", help="visits and sessions")
    noun.set_defaults(handler=run)
    visit = noun.add_subparsers(dest="action", required=True)
    p = visit.add_parser("log", parents=[COMMON], help="log a visit or session")
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
    p = visit.add_parser("list", parents=[COMMON])
    p.add_argument("--pupil")
    p.add_argument("--from", dest="from_date", type=parse_date)
    p.add_argument("--to", dest="to_date", type=parse_date)
    p = visit.add_parser("show", parents=[COMMON])
    p.add_argument("id")


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
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
