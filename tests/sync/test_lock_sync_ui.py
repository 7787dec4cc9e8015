"""The window locks while a sync runs (pytest-qt, offscreen, the real server in-process):
the user sees no error, no traceback reaches the log, and after the next unlock the
sync finishes with nothing lost. Desktop tests, so SQLite only."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtWidgets import QApplication

from desktop.services import sync_runs
from desktop.services.sync import SyncService
from desktop.tasks import ImmediateTaskRunner
from desktop.ui.sync import SyncController
from tests.conftest import PASSPHRASE
from tests.desktop.conftest import immediate_runner, make_window, ui_settings  # noqa: F401  (fixtures)
from tests.sync import helpers as h
from tests.sync.asgi import Faulty
from tests.sync.conftest import PASSWORD, SERVER, add_user, new_profile

pytestmark = pytest.mark.parametrize("server_url", ["sqlite"], indirect=True)


def _unlock(window) -> None:
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.unlock_button.click()
    assert not window.is_locked


def test_locking_the_window_mid_sync_stops_it_quietly_and_the_next_unlock_syncs(
    qtbot,
    engine,
    in_process,
    profile_template,
    tmp_path,
    make_window,  # noqa: F811  (the fixture imported above)
    make_device,
    monkeypatch,
    caplog,
):
    add_user(engine, "ann", "tutor")
    other = make_device("other", "ann")
    for n in range(5):
        h.pupil(other.app, f"Child{n}")
    other.sync()
    transport = Faulty(in_process)

    def init(self, app, transport_=None) -> None:
        from desktop.store.sync_port import StoreSyncPort

        self.app, self.store, self.port, self.transport = app, app.store, StoreSyncPort(app.store), transport
        self.client_options = {"page_size": 2}  # several pages: the lock comes between two

    monkeypatch.setattr(SyncService, "__init__", init)
    folder = tmp_path / "profile"
    new_profile(profile_template, folder, "Ann").close()
    window = make_window(folder)
    _unlock(window)
    SyncService(window.app).login(SERVER, "ann", PASSWORD)
    mine = h.pupil(window.app, "Mine")  # a change of this laptop's, unsent at the lock
    seen: list[str] = []
    locked_at = []

    def lock_while_receiving(words: str) -> None:  # Ctrl+L (or the idle lock) as the first page arrives
        seen.append(words)
        if words.startswith("Receiving records") and not window.is_locked:
            locked_at.append(len(seen))
            locked_at.append(transport.sent)
            window.lock()

    window.sync_controller.state_changed.connect(lock_while_receiving)
    with caplog.at_level(logging.WARNING):
        window.sync_now_action.trigger()
        QApplication.processEvents()
    assert window.is_locked
    # No request, no page, no words after the lock.
    assert seen[0] == "Syncing…" and locked_at == [len(seen), transport.sent]
    assert window.statusBar().currentMessage() == ""
    assert window.sync_error.isHidden()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]  # no traceback, no error logged

    _unlock(window)
    assert window.sync_error.isHidden()  # no "Sync problem" left from the stopped sync
    window.sync_now_action.trigger()
    QApplication.processEvents()
    assert window.statusBar().currentMessage() == "Synced"
    assert window.app.sync_status().unsent == 0 and window.app.sync_status().last_error is None
    other.sync()
    assert mine in {p.id for p in other.app.list_pupils()}
    assert h.dump(window.app) == h.dump(other.app)  # nothing lost either way


def test_a_sync_stopped_by_a_lock_says_so_quietly_and_does_not_retry(qtbot, engine, make_device):
    """A controller that was not itself stopped (a lock from elsewhere) hears a quiet
    'stopped: the profile was locked', counts no failure and schedules no retry."""
    add_user(engine, "ann", "tutor")
    laptop = make_device("laptop", "ann")
    h.pupil(laptop.app)
    sync = SyncController(ImmediateTaskRunner(), laptop.sync_service)
    words: list[str] = []
    sync.state_changed.connect(words.append)
    sync.start()
    sync._progress.connect(lambda stage, n: stage == "push" and laptop.app.lock("idle"))
    sync.sync_now()
    assert words[-1] == sync_runs.STOPPED_WORDS
    assert "did not finish" not in " ".join(words) and "Offline" not in " ".join(words)
    assert sync.failures == 0 and sync.next_in == -1 and not sync.running
