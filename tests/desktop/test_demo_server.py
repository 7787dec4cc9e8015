"""The demo's own LA server (desktop/demo_server.py): a real `waymark-server`
process on loopback, real encrypted profiles logging in and syncing through it."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QProgressDialog

from desktop import demo_server
from desktop.app import start_demo_server
from desktop.domain.records import Pupil, Visit, VisitEntry
from desktop.services import Waymark
from desktop.services.sync import ACCOUNT, PULLED_FROM, SyncService
from tests.conftest import FAST_SCRYPT, PASSPHRASE


def _profile(folder: Path, worker: str = "Demo Teacher") -> Path:
    Waymark.create_profile(folder, PASSPHRASE, worker_name=worker, scrypt_n=FAST_SCRYPT).close()
    return folder


@pytest.fixture
def servers():
    running: list[demo_server.DemoServer] = []
    yield running
    for server in running:
        server.stop()


def test_the_demo_server_carries_a_change_to_another_profile_and_keeps_its_port(tmp_path, servers):
    demo = _profile(tmp_path / "demo")
    folder = demo_server.server_folder(demo)
    assert folder.parent == demo.parent and folder != demo  # beside the profile, never inside it
    app = Waymark.open_profile(demo, PASSPHRASE)
    try:  # made before the server, as the demo's caseload is: not queued to send
        pupil = app.add_pupil(Pupil(forename="Levi", surname="Lee", dob=date(2014, 6, 1)))
        app.store.forget_outbox()
    finally:
        app.close()
    server = demo_server.start(folder)
    servers.append(server)
    assert server.fresh
    assert demo_server.connect_profile(demo, PASSPHRASE, server.url, fresh=server.fresh)
    assert not demo_server.connect_profile(demo, PASSPHRASE, server.url)  # once is enough

    app = Waymark.open_profile(demo, PASSPHRASE)
    try:  # the first sync sends the caseload; a visit then lands on a pupil the server knows
        assert SyncService(app).sync().pushed >= 1
        app.log_visit(
            Visit(
                date=date(2026, 11, 30),
                start=time(10),
                end=time(11),
                entries=[VisitEntry(pupil_id=pupil.id, work_covered="Phonics")],
            )
        )
        result = SyncService(app).sync()
        assert result.pushed >= 2 and app.sync_status().unsent == 0
        assert SyncService(app).port.rejected() == []
    finally:
        app.close()

    # Next time the app starts, the server comes back on the same port and the profile
    # needs no new login; a second laptop logging in as the demo worker gets the pupil.
    server.stop()
    assert server.process.returncode is not None
    again = demo_server.start(folder)
    servers.append(again)
    assert again.url == server.url and not again.fresh
    assert not demo_server.connect_profile(demo, PASSPHRASE, again.url)
    other = Waymark.open_profile(_profile(tmp_path / "other", "Second laptop"), PASSPHRASE)
    try:
        SyncService(other).login(again.url, demo_server.USER, demo_server.PASSWORD)
        SyncService(other).sync()
        assert [p.id for p in other.list_pupils()] == [pupil.id]
        assert [e.work_covered for v in other.list_visits(pupil.id) for e in v.entries] == ["Phonics"]
    finally:
        other.close()


def test_a_demo_profile_connected_to_a_real_server_is_left_alone(tmp_path, servers):
    demo = _profile(tmp_path / "demo")
    app = Waymark.open_profile(demo, PASSPHRASE)
    real = {"server": "https://waymark.la.example.gov.uk", "user": "ann", "role": "tes", "device_id": "d", "token": "t"}
    app.store.set_setting(ACCOUNT, real)
    app.close()
    server = demo_server.start(demo_server.server_folder(demo))
    servers.append(server)
    assert not demo_server.connect_profile(demo, PASSPHRASE, server.url)
    app = Waymark.open_profile(demo, PASSPHRASE)
    try:
        assert SyncService(app).account().server == real["server"]
    finally:
        app.close()


def test_a_demo_profile_that_synced_as_someone_else_is_left_alone(tmp_path):
    """Logged out of a server where it was ann's: the demo does not try to make it its own
    (SyncService.login would refuse: it holds ann's records)."""
    demo = _profile(tmp_path / "demo")
    app = Waymark.open_profile(demo, PASSPHRASE)
    try:
        app.add_pupil(Pupil(forename="Levi", surname="Lee", dob=date(2014, 6, 1)))
        app.store.set_setting(PULLED_FROM, "http://127.0.0.1:9|ann")
    finally:
        app.close()
    assert not demo_server.connect_profile(demo, PASSPHRASE, "http://127.0.0.1:9", fresh=True)


def test_the_app_starts_the_demo_server_then_opens_and_stops_it(tmp_path, qtbot, immediate_runner, monkeypatch):
    monkeypatch.setattr("desktop.app.DEMO_PASSPHRASE", PASSPHRASE)
    demo = _profile(tmp_path / "demo")
    running: list[demo_server.DemoServer] = []
    opened: list[bool] = []
    real_start = demo_server.start
    shown_while_starting: list[bool] = []

    def start(folder):  # a window must be showing all the while, or Qt quits as the last one closes
        shown_while_starting.append(
            any(isinstance(w, QProgressDialog) and w.isVisible() for w in QApplication.topLevelWidgets())
        )
        return real_start(folder)

    monkeypatch.setattr(demo_server, "start", start)
    try:
        start_demo_server(demo, immediate_runner, running, lambda: opened.append(True))
        assert opened == [True] and len(running) == 1
        assert shown_while_starting == [True]
        app = Waymark.open_profile(demo, PASSPHRASE)
        try:
            assert SyncService(app).account().server == running[0].url
            assert SyncService(app).sync().pushed == 0  # the demo's set-up is not a change to send
        finally:
            app.close()
    finally:
        for server in running:
            server.stop()
    assert all(server.process.poll() is not None for server in running)


def test_a_server_that_cannot_start_leaves_the_demo_running_without_it(tmp_path, qtbot, immediate_runner):
    demo = _profile(tmp_path / "demo")
    blocked = demo_server.server_folder(demo)
    blocked.write_text("not a folder")  # the server's folder cannot be made
    running: list[demo_server.DemoServer] = []
    opened: list[bool] = []
    start_demo_server(demo, immediate_runner, running, lambda: opened.append(True))
    assert opened == [True] and running == []
    app = Waymark.open_profile(demo, PASSPHRASE)
    try:
        assert SyncService(app).account() is None
    finally:
        app.close()


def test_the_demo_server_stops_when_the_app_that_started_it_is_killed(tmp_path):
    """A stand-in app (a real Python process) starts the server and is killed with SIGKILL:
    no `finally` runs in it, and still the server goes."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    script = (
        "import json, sys, time\n"
        "from pathlib import Path\n"
        "from desktop import demo_server\n"
        "server = demo_server.start(Path(sys.argv[1]))\n"
        "print(json.dumps([server.url, server.process.pid]), flush=True)\n"
        "time.sleep(600)\n"
    )
    app = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "la")], stdout=subprocess.PIPE, text=True)
    try:
        _url, server_pid = json.loads(app.stdout.readline())
        os.kill(app.pid, signal.SIGKILL)
        app.wait(timeout=30)
        for _ in range(300):  # its watch looks once a second; a busy machine is slower
            try:
                os.kill(server_pid, 0)
            except ProcessLookupError:
                break
            if _reaped(server_pid):
                break
            time.sleep(0.1)
        else:
            os.kill(server_pid, signal.SIGKILL)
            raise AssertionError("the demo server outlived the app")
    finally:
        app.kill()


def _reaped(pid: int) -> bool:
    """An orphan passes to init, which reaps it; a zombie still answers kill(pid, 0)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] == "Z"
    except FileNotFoundError:
        return True
