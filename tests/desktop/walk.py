"""Every window and dialog of the app, one at a time, as a user could reach them: for
tests that check something of each (the keyboard map, text that does not fit)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import shiboken6
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

import desktop.ui
from desktop.domain.records import Plan, PlannedTravel
from desktop.domain.rules import is_traveller
from desktop.ui.main_window import MainWindow
from desktop.ui.print_preview import PrintPreviewDialog
from tests.conftest import TODAY


def visible_dialogs(root: QWidget) -> list[QDialog]:
    return [d for d in root.findChildren(QDialog) if shiboken6.isValid(d) and d.isVisible()]


def dialog_classes() -> set[type]:
    """Every dialog class of the app (not the bases forms are made from)."""
    from desktop.ui.drafts import DraftedDialog
    from desktop.ui.forms import SaveDialog

    for module in pkgutil.walk_packages(desktop.ui.__path__, "desktop.ui."):
        importlib.import_module(module.name)

    def below(cls: type):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    return {c for c in below(QDialog) if c.__module__.startswith("desktop.ui.")} - {DraftedDialog, SaveDialog}


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def keep_refused(window: MainWindow, pupil_id: str) -> None:
    """One change the LA's server refused, kept aside as a sync keeps it (a school's address)."""
    from sqlalchemy import insert

    store = window.app.store
    with store._begin_write() as conn:
        conn.execute(
            insert(store.tables["sync_rejected"]),
            [
                {
                    "op_id": "walk-refused",
                    "entity": "pupil",
                    "entity_id": pupil_id,
                    "fields": {"address": "12 Mill Lane, Leeds", "postcode": "LS1 4AB"},
                    "changed_at": "2026-11-30T10:00:00",
                    "reason": "Schools are not sent where a family lives, stays or was seen, so cannot change it "
                    "(address, postcode).",
                    "at": "2026-11-30T10:01:00+00:00",
                }
            ],
        )


def every_window(
    window: MainWindow, make_window: Callable[..., MainWindow], tmp_path: Path
) -> Iterator[tuple[str, QWidget]]:
    """Yield (where, widget) with the widget on screen; it is closed when the caller moves on.
    `window` is unlocked on the demo profile."""
    workspace = window.workspace
    pupil_id = workspace.model.row_at(0).pupil_id
    plan = Plan(
        pupil_id=pupil_id,
        title="Reintegration to St Anne's",
        start=TODAY,
        success_criteria="Three mornings a week in class",
    )
    window.runner.run(lambda: window.app.add_plan(plan))  # an open plan: Record a review has a form
    workspace.open_pupil(pupil_id)
    view = workspace.pupil_view
    settle()
    for index in range(view.tabs.count()):
        view.tabs.setCurrentIndex(index)
        settle()
        yield f"caseload, record tab {view.tabs.tabText(index)}", window
    workspace.show_appointments()
    settle()
    yield "appointments", window
    workspace.show_caseload()

    forms: dict[str, Callable[[], QWidget | None]] = {
        "Log a visit": window.log_visit,
        "Add a pupil": window.add_pupil,
        "Add a school": window.add_school,
        "Work packs": workspace.open_packs,
        "Audit trail": window.open_audit_trail,
        "Add an action": view.add_action,
        "Add provision": view.add_episode,
        "Record a move": view.record_move,
        "Add a plan": view.add_plan,
        "Record a review": view.record_review,
        "Add a parent or carer": view.add_contact,
        "Edit details": view.edit_details,
        "Record progress": view.record_progress,
        "Record a consent": view.add_consent,
        "Record an absence": view.add_absence,
        "Record an exclusion": view.record_exclusion,
        "School term dates": window.open_calendar,
        "Book": view.book,
        "Subject access": view.subject_access,
        "Progress record period": lambda: view.choose_period("progress"),
        "Hours statement period": lambda: view.choose_period("hours"),
        "Record a concern": view.concerns.record_concern,
        "Issue a folder": view.issue_folder,
        "Record planned travel": view.record_travel,
        "Connect to the LA server": window.open_connect,
        "Sync conflicts": window.open_conflicts,
    }
    for name, open_form in forms.items():
        dialog = open_form()
        assert dialog is not None, name
        settle()
        yield name, dialog
        dialog.close()
    # A Traveller family's travel the school has not agreed yet: the Agree travel form.
    traveller = next(r.pupil_id for r in workspace.model.rows() if is_traveller(window.app.get_pupil(r.pupil_id)))
    travel = PlannedTravel(pupil_id=traveller, leaves=TODAY + timedelta(days=10), destination="Appleby Fair")
    window.runner.run(lambda: window.app.add_travel(travel))
    workspace.open_pupil(traveller)
    settle()
    agree = view.agree_travel()
    assert agree is not None, "Agree travel"
    settle()
    yield "Agree travel", agree
    agree.close()
    workspace.open_pupil(pupil_id)
    settle()

    library = workspace.open_packs()
    adding = library.add_pack()
    settle()
    yield "Add a work pack", adding
    adding.close()
    library.close()

    keep_refused(window, pupil_id)  # Changes not sent, with one change in it
    dialog = window.open_not_sent()
    settle()
    yield "Changes not sent", dialog
    dialog.close()

    window._open_settings()
    [settings] = visible_dialogs(workspace)
    settle()
    yield "Settings", settings
    settings.close()

    # A visit whose family has someone who needs help reading: the preview's fullest toolbar.
    visit_id = next(
        v.id
        for row in workspace.model.rows()
        for v in window.app.list_visits(row.pupil_id)[:1]
        if window.app.needs_reading_help(v.id)
    )
    workspace.print_report("visit", visit_id)
    [preview] = [d for d in visible_dialogs(window) if isinstance(d, PrintPreviewDialog)]
    settle()
    yield "Print preview", preview
    preview.close()

    school = window.add_school()
    school.name.setText("Ysgol Pen y Bryn")
    school.reject()  # asks before discarding what was typed
    box = school.discard_question
    assert isinstance(box, QMessageBox)
    settle()
    yield "Discard question", box
    box.reject()
    school.drafts.discard()
    school.close()

    window.lock()
    settle()
    yield "unlock page", window
    first = make_window(tmp_path / "new")
    settle()
    yield "first run", first
