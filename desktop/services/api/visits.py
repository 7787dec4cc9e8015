"""Visits (one session, one or more pupils) and the restricted concerns raised on them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, time, timedelta

from desktop.domain.enums import (
    NotSeenReason,
    Outcome,
    PlaceType,
    SiteType,
)
from desktop.domain.records import (
    Concern,
    Contact,
    ProgressEntry,
    Pupil,
    Site,
    Visit,
    VisitEntry,
    WorkPack,
)
from desktop.store import queries

from ..edits import rebase
from ..errors import NotFound, ValidationError
from ..results import Changes
from .core import Core, _require


class VisitServices(Core):
    """Mixed into `Waymark` (api/facade.py); uses the store, clock and write helpers of `Core`."""

    def _validate_visit(self, visit: Visit) -> None:
        if not visit.entries:
            raise ValidationError("A visit needs at least one pupil.")
        found = {p.id: p for p in self.store.find(Pupil, id=visit.pupil_ids)}
        missing = [p for p in visit.pupil_ids if p not in found]
        if missing:
            raise NotFound(f"No pupil with id '{missing[0]}'.")
        twice = [pid for pid, n in Counter(visit.pupil_ids).items() if n > 1]
        if twice:
            raise ValidationError(f"{found[twice[0]].display_name} is on this visit twice; give each child one entry.")
        if visit.site_id:
            self.get_site(visit.site_id)
        if visit.date > self.today() + timedelta(days=1):
            raise ValidationError("A visit cannot be logged for a future date; book an appointment instead.")
        if visit.start and visit.end and visit.end <= visit.start:
            raise ValidationError("A visit must end after it starts.")
        if visit.outcome is Outcome.HELD and (visit.start is None or visit.end is None):
            raise ValidationError(
                "A visit that was held needs its start and end times (its hours count towards each child's target)."
            )
        for entry in visit.entries:
            entry.subjects = [s.strip() for s in entry.subjects if s.strip()]
            if visit.outcome is not Outcome.HELD:
                # Nobody is taught at a visit that did not happen.
                entry.seen = False
                entry.not_seen_reason = entry.not_seen_reason or NotSeenReason.for_outcome(visit.outcome)
            elif entry.seen:
                entry.not_seen_reason = None
            elif entry.not_seen_reason is None:
                name = found[entry.pupil_id].display_name
                raise ValidationError(f"Say why {name} was not seen (asleep, unwell, at nursery, …).")
        visit.notes = [n for n in visit.notes if n.text.strip()]
        for note in visit.notes:
            if note.pupil_id is not None and note.pupil_id not in found:
                raise ValidationError("A note about a child must be about a child on this visit.")
        self._refuse_a_second_copy(visit, found)

    def _refuse_a_second_copy(self, visit: Visit, pupils: dict[str, Pupil]) -> None:
        """Two visits to the same child at the same time are one visit typed twice."""
        for visit_id, pupil_id, start, end in queries.times_on(self.store, visit.pupil_ids, visit.date):
            if visit_id != visit.id and _same_time(visit.start, visit.end, start, end):
                when = f"{visit.date.day} {visit.date:%b %Y}" + (f" at {start:%H:%M}" if start else "")
                raise ValidationError(
                    f"{pupils[pupil_id].display_name} already has a visit on {when}; "
                    "this one would repeat it. Change the time, or open that visit instead."
                )

    def log_visit(self, visit: Visit) -> Changes:
        """Log a visit or session; siblings seen together share one visit, each
        with their own entry."""
        if not visit.worker:
            visit.worker = self.actor
        self._validate_visit(visit)
        changes = self._insert(visit, f"{visit.date:%d/%m/%Y}, {len(visit.entries)} pupil(s)")
        return changes

    def edit_visit(self, visit: Visit, *, opened: Visit | None = None) -> Changes:
        """Write an edited visit. `opened`: the visit as the form (or caller) read it, before
        any change; then only what was changed from it is written (each child's entry and
        note too), so what was pulled meanwhile (another worker's note) is not undone."""
        current = self._get(Visit, visit.id, "visit")
        if opened is not None:
            if opened.id != visit.id:
                raise ValidationError("The visit opened is not the visit being saved.")
            visit = rebase(visit, opened, current)
        self._validate_visit(visit)
        return self._update(visit, opened=opened)

    def get_visit(self, visit_id: str) -> Visit:
        return self._get(Visit, visit_id, "visit")

    def needs_reading_help(self, visit_id: str) -> list[str]:
        """The parents and carers of the pupils on a visit who need help reading, by
        name: the print preview offers them the large-print parent / carer copy."""
        visit = self.get_visit(visit_id)
        contacts = self.store.find(Contact, pupil_id=list(visit.pupil_ids)) if visit.pupil_ids else []
        return list(dict.fromkeys(c.name for c in contacts if c.needs_reading_help))

    def list_visits(
        self, pupil_id: str | None = None, start: date | None = None, end: date | None = None
    ) -> list[Visit]:
        """Newest first."""
        if pupil_id:
            self.get_pupil(pupil_id)
            return queries.visits_for_pupil(self.store, pupil_id, start, end)
        visits = queries.visits_between(self.store, start or date.min, end or date.max)
        return sorted(visits, key=lambda v: v.order, reverse=True)

    def visit_defaults(self, pupil_id: str | None = None) -> Visit:
        """A new visit pre-filled as a worker would fill it: today, where the pupil is
        staying, the pupils seen there last time, the usual times, and each child's
        subjects from their own last visit."""
        visit = Visit(date=self.today(), worker=self.actor)
        if not pupil_id:
            return visit
        pupil_ids = [pupil_id]
        stay = self.current_stays().get(pupil_id)
        previous = queries.visits_for_pupil(self.store, pupil_id)
        last = previous[0] if previous else None
        if stay:
            visit.site_id = stay.site_id
            site = self.store.get(Site, stay.site_id)
            visit.place_type = _place_for_site(site)
            at_site = queries.latest_visit_at_site(self.store, stay.site_id)
            if at_site and pupil_id in at_site.pupil_ids:
                last = at_site
        if last:
            pupil_ids = list(dict.fromkeys([pupil_id, *last.pupil_ids]))
            visit.place_type = last.place_type if not stay else visit.place_type
            if last.start and last.end:
                visit.start, visit.end = last.start, last.end
        lasts = self.last_entries(pupil_ids)
        visit.entries = [
            VisitEntry(pupil_id=pid, subjects=list(lasts[pid].subjects) if pid in lasts else []) for pid in pupil_ids
        ]
        return visit

    def last_entries(self, pupil_ids: Iterable[str]) -> dict[str, VisitEntry]:
        """Each child's own entry at the last visit they were seen: what 'Same as
        last time' and the usual subjects come from. Children never seen are left out."""
        found = {}
        for pupil_id in pupil_ids:
            for visit in queries.visits_for_pupil(self.store, pupil_id):
                entry = visit.entry_for(pupil_id)
                if visit.outcome is Outcome.HELD and entry is not None and entry.seen:
                    found[pupil_id] = entry
                    break
        return found

    def last_work_set(self, pupil_id: str) -> str:
        """'Same as last time' for one child's work set: the last set for them."""
        for visit in queries.visits_for_pupil(self.store, pupil_id):
            entry = visit.entry_for(pupil_id)
            if entry is not None and entry.work_set:
                return entry.work_set
        return ""

    def known_subjects(self) -> list[str]:
        subjects = {
            "English",
            "Maths",
            "Science",
            "Reading",
            "Writing",
            "Phonics",
            "History",
            "Geography",
            "Art",
            "PSHE",
        }
        for pack in self.store.find(WorkPack):
            subjects.add(pack.subject)
        for entry in self.store.find(ProgressEntry):
            subjects.add(entry.subject)
        return sorted(subjects)

    # --- concerns (restricted) -------------------------------------------------

    def add_concern(self, concern: Concern) -> Changes:
        self.get_pupil(concern.pupil_id)
        concern.text = _require(concern.text, "The concern's text")
        concern.raised_by = concern.raised_by or self.actor
        return self._insert(concern, "safeguarding concern recorded")

    def list_concerns(self, pupil_id: str) -> list[Concern]:
        """Restricted: every read is written to the audit trail."""
        self.get_pupil(pupil_id)
        with self.store.transaction(self.actor) as tx:
            tx.audit("view-restricted", "concern", pupil_id, "concerns viewed", pupil_ids=[pupil_id])
        return self.store.find(Concern, pupil_id=pupil_id, order_by=["raised_on"])

    def concern_count(self, pupil_id: str) -> int:
        return len(self.store.find(Concern, pupil_id=pupil_id, closed=False))


def _same_time(start: time | None, end: time | None, other_start: time | None, other_end: time | None) -> bool:
    """On the same day, the same time: both untimed, the same start, or overlapping times."""
    if start is None or other_start is None:
        return start is None and other_start is None
    if start == other_start:
        return True
    return end is not None and other_end is not None and start < other_end and other_start < end


def _place_for_site(site: Site | None) -> PlaceType:
    if site is None:
        return PlaceType.SITE
    return {
        SiteType.HOSPITAL_WARD: PlaceType.WARD,
        SiteType.HOME: PlaceType.HOME,
        SiteType.HOUSING: PlaceType.HOME,
    }.get(site.site_type, PlaceType.SITE)
