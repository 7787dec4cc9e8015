"""A base school's laptop holds only what a school is served (no sites, stays,
contacts, appointments, actions, concerns or professional notes; no addresses
and no place of a visit). Every view and report it shows copes: no crash, and
no "None" on screen or on paper. The demo caseload is synced up by a worker,
and the school with the most pupils syncs it down. Desktop tests: SQLite only."""

from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QAbstractItemView, QLabel, QTextBrowser, QTextEdit

from desktop.services import Waymark
from desktop.services.errors import ValidationError
from tests.conftest import PASSPHRASE, TODAY
from tests.desktop.conftest import immediate_runner, make_window, ui_settings  # noqa: F401  (fixtures)
from tests.desktop.walk import settle
from tests.sync.asgi import Faulty
from tests.sync.conftest import Device, add_user, new_profile

pytestmark = pytest.mark.parametrize("server_url", ["sqlite"], indirect=True)
NONE = re.compile(r"\bNone\b(?! recorded)")  # "None recorded" is a real answer
SCREEN_NONE = re.compile(r"(?<!SEN\n)(?<!SEN: )\bNone\b(?! recorded)")  # so is "SEN: None"


@pytest.fixture
def school_profile(engine, in_process, demo_dir, profile_template, tmp_path):
    add_user(engine, "ann", "tutor")
    worker = Waymark.open_profile(demo_dir, PASSPHRASE)
    worker.today = lambda: TODAY
    try:
        _queue_everything(worker)  # the demo is loaded without an outbox: send it as if typed
        device = Device(worker, Faulty(in_process))
        device.login("ann")
        assert not device.sync().refused
        urns = Counter(worker.get_school(p.base_school_id).urn for p in worker.list_pupils() if p.base_school_id)
        urn, pupils = urns.most_common(1)[0]
        assert pupils >= 2
    finally:
        worker.close()
    add_user(engine, "school", "school", school_urn=urn)
    school = new_profile(profile_template, tmp_path / "school", "St Anne's")
    try:
        device = Device(school, Faulty(in_process))
        device.login("school")
        device.sync()
        held = {name: rows for name, rows in _counts(school).items() if rows}
        assert held["pupil"] == pupils and held["visit"] > 0
        for table in ("site", "stay", "contact", "appointment", "action", "concern"):
            assert table not in held, table
        yield school
    finally:
        school.close()


def _queue_everything(app) -> None:
    from sqlalchemy import insert, select

    from desktop.store.db import new_id
    from desktop.store.sync_port import LOCAL_ONLY

    store = app.store
    with store.transaction("test") as tx:
        first = ("school", "site", "work_pack", "pupil", "visit", "folder", "plan", "appointment")
        for name, table in sorted(
            store.tables.items(), key=lambda t: (t[0] not in first, first.index(t[0]) if t[0] in first else 0)
        ):
            if name in LOCAL_ONLY or name == "sync_conflict":
                continue
            fields = [c.name for c in table.c if c.name not in ("id", "updated_at", "visit_date")]
            rows = [
                {"id": new_id(), "entity": name, "entity_id": i, "fields": fields, "changed_at": store.clock.now()}
                for i in tx.conn.execute(select(table.c.id)).scalars()
            ]
            if rows:
                tx.conn.execute(insert(store.tables["outbox"]), rows)


def _counts(app) -> dict[str, int]:
    return {name: app.store.count(name) for name in app.store.tables if name not in ("meta", "draft")}


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def test_every_report_a_school_prints_has_no_gap(school_profile, demo_dir):
    """The reports say "None" in words where there is nothing (SEN: None); a field the school
    was not served must not add one: each report has no more than the worker's own copy."""
    app = school_profile
    app.today = lambda: TODAY
    worker = Waymark.open_profile(demo_dir, PASSPHRASE)
    worker.today = lambda: TODAY
    printed = 0
    try:
        pupils = app.list_pupils()[:4]  # enough to meet each kind of gap, quick enough for the suite
        jobs = [(kind, p.id) for p in pupils for kind in ("progress", "hours")]
        jobs += [("visit", v.id) for p in pupils for v in app.list_visits(pupil_id=p.id)[:3]]
        jobs.append(("summary", ""))
        for kind, record_id in jobs:
            try:
                school_text = _pdf_text(app.report_pdf(kind, record_id)[0])
            except ValidationError as exc:  # nothing in the period: one plain line, as for anyone
                assert not NONE.search(str(exc))
                continue
            worker_text = _pdf_text(worker.report_pdf(kind, record_id)[0])
            if kind != "summary":  # the school's summary counts its own pupils only
                assert len(NONE.findall(school_text)) <= len(NONE.findall(worker_text)), (kind, record_id)
            assert "Hidden" not in school_text
            printed += 1
    finally:
        worker.close()
    assert printed > 4


def _gap(text: str) -> str:
    """'' or the words around a "None" on screen."""
    found = SCREEN_NONE.search(text)
    return text[max(0, found.start() - 120) : found.end() + 40] if found else ""


def _screen_text(widget) -> str:
    parts = [w.text() for w in widget.findChildren(QLabel) if w.isVisible()]
    parts += [
        w.toPlainText() for w in widget.findChildren(QTextBrowser) + widget.findChildren(QTextEdit) if w.isVisible()
    ]
    for view in widget.findChildren(QAbstractItemView):
        model = view.model()
        if not view.isVisible() or model is None:
            continue
        for row in range(min(model.rowCount(), 200)):
            for column in range(model.columnCount()):
                value = model.index(row, column).data()
                if value is not None:
                    parts.append(str(value))
    return "\n".join(parts)


def _every_tab(open_window, folder, pupils: set[str] | None = None, check=None) -> dict[tuple[str, str], str]:
    """(pupil id, tab) -> the words on screen, for every pupil's every record tab; and the caseload's."""
    window = open_window(folder)
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.unlock_button.click()
    assert not window.is_locked
    workspace = window.workspace
    settle()
    seen = {("", "caseload"): _screen_text(window)}
    rows = [workspace.model.row_at(r).pupil_id for r in range(workspace.model.rowCount())]
    for pupil_id in rows if pupils is None else [p for p in rows if p in pupils]:
        workspace.open_pupil(pupil_id)
        view = workspace.pupil_view
        settle()
        if check:
            check(view)
        for index in range(view.tabs.count()):
            view.tabs.setCurrentIndex(index)
            settle()
            seen[(pupil_id, view.tabs.tabText(index))] = _screen_text(view)
        workspace.show_caseload()
        settle()
    workspace.show_appointments()
    settle()
    seen[("", "appointments")] = _screen_text(window)
    window.lock()
    return seen


SERVICE_ONLY = ("book_button", "contact_button", "move_button", "add_action_button")


def _offers_nothing_it_cannot_send(view) -> None:
    """A school's laptop is not sent appointments, contacts, stays, actions or concerns: it does not offer them."""
    for name in SERVICE_ONLY:
        button = getattr(view, name)
        assert not button.isEnabled() and "not with schools" in button.toolTip(), name
    assert not view.concerns.add_button.isEnabled()
    assert "never sends safeguarding concerns to schools" in view.concerns.warning_text.text()


def _offers_everything(view) -> None:
    assert all(getattr(view, name).isEnabled() for name in SERVICE_ONLY)
    assert view.concerns.add_button.isEnabled()


def test_every_record_tab_a_school_opens_has_no_gap(school_profile, make_window, demo_dir, tmp_path):  # noqa: F811
    """Each tab of each of the school's pupils says "None" no more often than the
    worker's own view of the same pupil (where "None" is a word: SEN None)."""
    pupils = {p.id for p in school_profile.list_pupils()}
    school_profile.close()
    school = _every_tab(make_window, tmp_path / "school", check=_offers_nothing_it_cannot_send)
    worker = _every_tab(make_window, demo_dir, pupils, check=_offers_everything)
    tabs = [key for key in school if key[0]]
    assert len(tabs) > 5 and {key[0] for key in tabs} == pupils
    for key, text in school.items():
        if key[0]:
            assert len(NONE.findall(text)) <= len(NONE.findall(worker[key])), (key, _gap(text))
        else:
            assert not _gap(text), (key, _gap(text))
        assert "Hidden" not in text
