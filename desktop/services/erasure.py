"""Erasure (UK GDPR article 17) and the retention schedule that leads to it.

Erasing a pupil blanks and tombstones every record that is theirs alone
(store/erasure.py), blanks what earlier audit rows said about them, and writes
one audit row saying what was erased (counts and ids, never content), when and
by whom. All in one transaction: either the pupil is gone or nothing changed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from desktop.domain.records import Absence, Folder, Plan, ProgressEntry, ProvisionEpisode, Pupil, Stay, Visit
from desktop.store import queries
from desktop.store.audit import redact
from desktop.store.erasure import erase_pupil as blank_pupil

from .errors import ValidationError
from .results import Changes
from .source import RecordSource

# Plain words for the erasure row: "2 contacts, 14 visits".
NOUNS = {
    "pupil": ("pupil record", "pupil records"),
    "visit_entry": ("entry on a visit", "entries on visits"),
    "appointment_pupil": ("link to an appointment", "links to appointments"),
    "provision_episode": ("provision episode", "provision episodes"),
    "progress_entry": ("progress entry", "progress entries"),
    "folder_item": ("folder item", "folder items"),
    "visit_note": ("visit note", "visit notes"),
    "stay": ("stay", "stays"),
    "absence": ("absence", "absences"),
}


def _counted(table: str, n: int) -> str:
    one, many = NOUNS.get(table, (table.replace("_", " "), table.replace("_", " ") + "s"))
    return f"{n} {one if n == 1 else many}"


def erase(app: RecordSource, pupil_id: str, reason: str, *, action_note: str = "") -> Changes:
    """Erase a pupil and what is theirs alone. `reason` is required (the request or
    the retention rule); it is kept, the erased content is not."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the record is erased (for example: 'erasure request of 3 Dec 2026').")
    app.get_pupil(pupil_id)
    with app.store.transaction(app.actor) as tx:
        erased = blank_pupil(tx, pupil_id)
        # Forms left unsaved about the pupil go too (a half-typed concern most of all): a
        # draft names them by its key, its context, or a child ticked on a visit.
        tx.conn.exec_driver_sql(
            "DELETE FROM draft WHERE key = ? OR instr(context, ?) > 0 OR instr(fields, ?) > 0",
            (pupil_id, pupil_id, pupil_id),
        )
        blanked = redact(tx.conn, app.store.tables["audit_event"], [pupil_id], erased.all_ids)
        counts = {t: len(ids) for t, ids in sorted(erased.ids.items())}
        words = ", ".join(_counted(t, n) for t, n in counts.items())
        kept = ", ".join(f"{n} shared {t}{'s' if n != 1 else ''}" for t, n in erased.shared_kept.items())
        summary = f"Erased {words}" + (f"; kept {kept} for the other pupils seen" if kept else "")
        summary += f"; {blanked} earlier audit rows blanked. Reason: {reason}"
        if action_note:
            summary += f" ({action_note})"
        tx.audit(
            "erase",
            "pupil",
            pupil_id,
            summary,
            pupil_ids=[pupil_id],
            changes={
                "counts": counts,
                "shared_kept": erased.shared_kept,
                "audit_rows_blanked": blanked,
                "erased_ids": erased.all_ids,
                "reason": reason,
            },
        )
    return Changes(frozenset(erased.ids) | {"audit_event"}, (pupil_id, *erased.all_ids))


# --- retention -------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionItem:
    """A pupil whose record is due to be archived or destroyed under the schedule."""

    pupil_id: str
    name: str
    dob: date
    step: str  # "archive" or "destroy"
    due: date
    why: str

    def to_json(self) -> dict:
        return {
            "pupil_id": self.pupil_id,
            "name": self.name,
            "dob": self.dob.isoformat(),
            "step": self.step,
            "due": self.due.isoformat(),
            "why": self.why,
        }


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def last_active(app: RecordSource, pupil: Pupil) -> tuple[date | None, bool]:
    """The last day the pupil was on the caseload, and whether they still are
    (an open provision episode or an open stay keeps them on it)."""
    today = app.today()
    episodes = app.store.find(ProvisionEpisode, pupil_id=pupil.id)
    stays = app.store.find(Stay, pupil_id=pupil.id)
    if any(e.end is None or e.end >= today for e in episodes) or any(s.departed is None for s in stays):
        return None, True
    days: list[date] = [e.end or e.start for e in episodes]
    days += [s.departed or s.arrived for s in stays]
    visits = queries.visit_ids_for_pupil(app.store, pupil.id)
    if visits:
        days.append(app.store.get(Visit, visits[0]).date)
    days += [e.assessed_on for e in app.store.find(ProgressEntry, pupil_id=pupil.id)]
    days += [f.returned_on or f.issued_on for f in app.store.find(Folder, pupil_id=pupil.id)]
    days += [p.start for p in app.store.find(Plan, pupil_id=pupil.id)]
    days += [a.end or a.start for a in app.store.find(Absence, pupil_id=pupil.id)]
    return (max(days) if days else None), False


def review(app: RecordSource) -> list[RetentionItem]:
    """What the schedule says is due today: archive (the record leaves the working
    caseload) and destroy (erasure, only after a confirmation)."""
    settings = app.settings()
    today = app.today()
    due: list[RetentionItem] = []
    for pupil in app.list_pupils(include_archived=True):
        destroy_on = _years_after(pupil.dob, settings.retention_destroy_years)
        if destroy_on <= today:
            due.append(
                RetentionItem(
                    pupil.id,
                    pupil.legal_name,
                    pupil.dob,
                    "destroy",
                    destroy_on,
                    f"born {pupil.dob:%d/%m/%Y}: kept {settings.retention_destroy_years} years from the date of birth",
                )
            )
            continue
        if pupil.archived:
            continue
        left, active = last_active(app, pupil)
        if active or left is None:
            continue
        archive_on = _years_after(left, settings.retention_archive_years)
        if archive_on <= today:
            due.append(
                RetentionItem(
                    pupil.id,
                    pupil.legal_name,
                    pupil.dob,
                    "archive",
                    archive_on,
                    f"last on the caseload {left:%d/%m/%Y}: archived {settings.retention_archive_years} "
                    f"year{'s' if settings.retention_archive_years != 1 else ''} after",
                )
            )
    return sorted(due, key=lambda i: (i.step != "destroy", i.due, i.name.casefold()))


def apply(app: RecordSource, *, confirmed: bool) -> dict[str, list[str]]:
    """Archive and destroy what the review lists. Nothing happens without
    `confirmed`; the confirmation is written to the trail before anything is destroyed."""
    items = review(app)
    if not items:
        return {"archived": [], "destroyed": []}
    if not confirmed:
        raise ValidationError(
            f"{len(items)} record(s) are due; nothing was changed. Confirm to archive and destroy them."
        )
    destroy = [i for i in items if i.step == "destroy"]
    archive = [i for i in items if i.step == "archive"]
    settings = app.settings()
    if destroy:
        with app.store.transaction(app.actor) as tx:
            tx.audit(
                "retention-confirmed",
                "retention",
                "",
                f"Destruction of {len(destroy)} pupil record(s) confirmed: date of birth + "
                f"{settings.retention_destroy_years} years",
                pupil_ids=[i.pupil_id for i in destroy],
                changes={"destroy": [i.pupil_id for i in destroy], "rule_years": settings.retention_destroy_years},
            )
    done: dict[str, list[str]] = defaultdict(list)
    for item in archive:
        pupil = app.get_pupil(item.pupil_id)
        pupil.archived = True
        with app.store.transaction(app.actor) as tx:
            tx.update(pupil, summary=f"archived by the retention schedule: {item.why}")
        done["archived"].append(item.pupil_id)
    for item in destroy:
        erase(app, item.pupil_id, f"retention schedule: {item.why}", action_note="confirmed retention destruction")
        done["destroyed"].append(item.pupil_id)
    return {"archived": done["archived"], "destroyed": done["destroyed"]}


__all__ = ["RetentionItem", "apply", "erase", "last_active", "review"]
