"""Making a profile and the demo: the progress moves from the first moment (the key,
each schema step, then the caseload), the window goes on answering while the store
thread works, and a cancelled demo leaves nothing half-made behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

from desktop.app import prepare_demo
from desktop.tasks import ImmediateTaskRunner, TaskRunner
from desktop.ui.progress import LongWork
from tests.conftest import PASSPHRASE


@pytest.fixture
def watched(monkeypatch) -> list[tuple[str, object]]:
    """Every label and bar value a LongWork shows, in order."""
    seen: list[tuple[str, object]] = []
    show, say = LongWork._show, LongWork._new_text

    def _show(self: LongWork, done: int, total: int) -> None:
        show(self, done, total)
        seen.append(("value", self.dialog.value()))

    def _new_text(self: LongWork, text: str) -> None:
        say(self, text)
        seen.append(("text", text))

    monkeypatch.setattr(LongWork, "_show", _show)
    monkeypatch.setattr(LongWork, "_new_text", _new_text)
    return seen


def test_the_demo_progress_moves_while_the_profile_is_made(qtbot, tmp_path, watched):
    ready: list[bool] = []
    prepare_demo(tmp_path / "demo", ImmediateTaskRunner(), ready.append)
    assert ready == [True]
    texts = [v for kind, v in watched if kind == "text"]
    assert texts == [
        "Creating the encrypted demo profile…",
        "Adding the demo caseload: 30 pupils and six months of visits…",
    ]
    stage = next(i for i, (kind, v) in enumerate(watched) if v == texts[1])
    creating = [v for kind, v in watched[:stage] if kind == "value"]
    assert len(set(creating)) >= 4 and creating[0] > 0 and creating[-1] <= 10  # the key, then schema steps
    values = [v for kind, v in watched if kind == "value"]
    assert values == sorted(values) and values[-1] >= 95  # onwards, to nearly the end


def test_making_a_profile_in_the_app_shows_its_steps(make_window, tmp_path, watched):
    window = make_window(tmp_path / "new")
    page = window.first_run
    page.worker_name.setText("Ann Tutor")
    page.passphrase.setText(PASSPHRASE)
    page.again.setText(PASSPHRASE)
    page.create_button.click()
    assert not window.is_locked
    values = [v for kind, v in watched if kind == "value"]
    assert len(values) >= 4 and values == sorted(values)


def press_cancel(work: LongWork) -> None:
    [button] = [b for b in work.dialog.findChildren(QPushButton) if b.text() == "Cancel"]
    button.click()


def test_a_cancelled_demo_leaves_only_what_was_there(qtbot, tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("the user's own file")
    original = LongWork.tick

    def cancel_midway(self: LongWork, done: int, total: int) -> None:
        if done >= 30 and not self.cancelled:
            press_cancel(self)
        original(self, done, total)

    monkeypatch.setattr(LongWork, "tick", cancel_midway)
    ready: list[bool] = []
    prepare_demo(folder, ImmediateTaskRunner(), ready.append)
    assert ready == [False]
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_the_window_answers_while_the_demo_is_built_on_the_store_thread(qtbot, tmp_path: Path):
    """The real runner: a timer on the UI thread keeps firing and sees the bar move."""
    runner = TaskRunner()
    ready: list[bool] = []
    seen: list[int] = []

    def look() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QProgressDialog) and widget.isVisible():
                seen.append(widget.value())

    timer = QTimer()
    timer.timeout.connect(look)
    timer.start(50)
    try:
        prepare_demo(tmp_path / "demo", runner, ready.append)
        qtbot.waitUntil(lambda: bool(ready), timeout=600_000)
    finally:
        timer.stop()
        runner.shutdown()
    assert ready == [True]
    assert len(set(seen)) >= 5  # the UI thread ran all along, and saw the bar at five places or more
