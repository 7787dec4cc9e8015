"""Log a visit kept as a draft: the form's own shape (its children, each one's work)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDate, QDateTime, Qt, QTime

from desktop.domain.enums import NotSeenReason

from ..drafts import Fields
from .entry import Work
from .layout import VisitForm as VisitDialog  # the dialog's form (importing dialog.py here would be a circle)


def _work_dict(work: Work) -> dict:
    return {
        "subjects": list(work.subjects),
        "work_covered": work.work_covered,
        "work_set": work.work_set,
        "work_returned": work.work_returned,
        "levels_and_needs": work.levels_and_needs,
    }


def _work(values: dict) -> Work:
    return Work(
        subjects=tuple(values.get("subjects", ())),
        work_covered=values.get("work_covered", ""),
        work_set=values.get("work_set", ""),
        work_returned=values.get("work_returned", ""),
        levels_and_needs=values.get("levels_and_needs", ""),
    )


def visit_draft(dialog: VisitDialog) -> Fields:
    """Everything the visit form holds, the children's own work and reasons included."""
    return {
        "date": dialog.date.date().toPython().isoformat(),
        "start": dialog.start.time().toString("HH:mm"),
        "end": dialog.end.time().toString("HH:mm"),
        "place": dialog.place.currentData(),
        "site": dialog.site.currentData(),
        "outcome": dialog.outcome.currentData(),
        "next": dialog.next_visit.dateTime().toString("yyyy-MM-dd HH:mm") if dialog.has_next.isChecked() else None,
        "pupils": [
            [
                dialog.pupils.item(i).data(Qt.ItemDataRole.UserRole),
                dialog.pupils.item(i).checkState() == Qt.CheckState.Checked,
            ]
            for i in range(dialog.pupils.count())
        ],
        "not_seen": {pupil_id: reason.value for pupil_id, reason in dialog.work.not_seen.items()},
        "same_for_all": dialog.work.same_for_all.isChecked(),
        "shared": _work_dict(dialog.work.shared.work()),
        "children": {pupil_id: _work_dict(form.work()) for pupil_id, form in dialog.work.forms.items()},
        "child_notes": {pupil_id: list(form.notes()) for pupil_id, form in dialog.work.forms.items()},
        "family_note": dialog.family_note.toPlainText(),
        "professional_note": dialog.professional_note.toPlainText(),
    }


def restore_visit_draft(dialog: VisitDialog, values: Fields) -> None:
    """Put a kept visit back: its pupils ticked as they were, each child's own work."""
    try:
        day = datetime.strptime(values["date"], "%Y-%m-%d").date()
        dialog.date.setDate(QDate(day.year, day.month, day.day))
        for edit, key in ((dialog.start, "start"), (dialog.end, "end")):
            moment = datetime.strptime(values[key], "%H:%M").time()
            edit.setTime(QTime(moment.hour, moment.minute))
    except (KeyError, ValueError):
        pass  # an old or damaged draft keeps today's date and the usual times
    for combo, key in ((dialog.place, "place"), (dialog.site, "site"), (dialog.outcome, "outcome")):
        index = combo.findData(values.get(key))
        if index >= 0:
            combo.setCurrentIndex(index)
    if values.get("next"):
        moment = datetime.strptime(values["next"], "%Y-%m-%d %H:%M")
        dialog.has_next.setChecked(True)
        dialog.next_visit.setDateTime(
            QDateTime(QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute))
        )
    dialog._quiet = True
    dialog.pupils.clear()
    for pupil_id, checked in values.get("pupils", []):
        if pupil_id in dialog._caseload:
            dialog._add_pupil_item(pupil_id, checked=checked)
    dialog._quiet = False
    work = dialog.work
    work.not_seen = {
        pupil_id: NotSeenReason(reason)
        for pupil_id, reason in values.get("not_seen", {}).items()
        if pupil_id in dialog._caseload
    }
    children = dialog.pupil_ids()
    work.names.update({pupil_id: dialog._name(pupil_id) for pupil_id in children})
    work._quiet = True
    work.same_for_all.setChecked(bool(values.get("same_for_all", True)))
    work.shared.set_work(_work(values.get("shared", {})))
    work._quiet = False
    own = {pupil_id: _work(w) for pupil_id, w in values.get("children", {}).items() if pupil_id in children}
    work.set_children(children, start_from=own)
    for pupil_id, kept in own.items():
        work.forms[pupil_id].set_work(kept)
    for pupil_id, (family, professional) in values.get("child_notes", {}).items():
        if pupil_id in work.forms:
            work.forms[pupil_id].set_notes(family, professional)
    work.set_children(children)
    for i in range(dialog.pupils.count()):
        item = dialog.pupils.item(i)
        item.setText(dialog._pupil_text(item.data(Qt.ItemDataRole.UserRole)))
    dialog.family_note.setPlainText(values.get("family_note", ""))
    dialog.professional_note.setPlainText(values.get("professional_note", ""))
    missing = [p for p in children if p not in work.last]
    if missing:  # "Same as last time" needs each child's own last visit
        dialog.runner.run(lambda: dialog.app.last_entries(missing), work.add_last)
    dialog._set_tab_order()
    dialog._update_hours()
    first = dialog._caseload.get(children[0]) if children else None
    dialog.heading.setText(f"Log a visit — {first.name}" if first else "Log a visit")
