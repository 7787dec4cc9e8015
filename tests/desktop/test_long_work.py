"""Long work shows a cancellable progress dialog; cancelling a report leaves no
preview, no error and a word in the status bar."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox, QPushButton

from desktop.tasks import Cancelled
from desktop.ui.progress import LongWork


def press_cancel(work: LongWork) -> None:
    button = work.dialog.findChild(QPushButton)
    assert button.text() == "Cancel"
    button.click()


def test_ticks_move_the_bar_and_cancel_stops_the_work(qtbot):
    work = LongWork("Preparing the report…", delay_ms=0)
    work.tick(3, 10)
    assert work.dialog.value() == 30
    press_cancel(work)
    assert work.cancelled and not work.dialog.isVisible()
    with pytest.raises(Cancelled):
        work.tick(4, 10)


def test_cancelling_the_summary_shows_nothing_and_says_so(demo_window, monkeypatch):
    workspace = demo_window.workspace
    messages: list[str] = []
    workspace.status_message.connect(messages.append)
    ticks: list[int] = []
    original = LongWork.tick

    def press_cancel_on_the_third_pupil(self: LongWork, done: int, total: int) -> None:
        ticks.append(done)
        if done == 2:
            press_cancel(self)
        original(self, done, total)

    monkeypatch.setattr(LongWork, "tick", press_cancel_on_the_third_pupil)
    demo_window.summary_action.trigger()
    assert ticks == [0, 1, 2]  # the work stopped at the tick after Cancel
    assert not [d for d in workspace.findChildren(QDialog) if type(d).__name__ == "PrintPreviewDialog"]
    assert not [b for b in workspace.findChildren(QMessageBox) if b.isVisible()]
    assert "Report cancelled." in messages


def test_rejecting_the_dialog_stops_the_work_but_finishing_is_not_a_cancel(qtbot):
    """The window rejects every dialog as it locks: a report still running must stop,
    or the lock would wait behind it on the store thread."""
    stopped: list[bool] = []
    work = LongWork("Preparing the report…", delay_ms=0)
    work.stopped.connect(lambda: stopped.append(True))
    work.dialog.reject()
    assert work.cancelled and stopped == [True]
    with pytest.raises(Cancelled):
        work.tick(1, 10)

    finished = LongWork("Preparing the report…", delay_ms=0)
    finished.stopped.connect(lambda: stopped.append(False))
    finished.tick(10, 10)
    finished.close()  # QProgressDialog emits canceled as it closes; that is not the user cancelling
    assert not finished.cancelled and stopped == [True]


def test_a_report_running_when_the_app_locks_is_stopped(demo_window, monkeypatch):
    ticks: list[int] = []
    original = LongWork.tick

    def lock_on_the_second_pupil(self: LongWork, done: int, total: int) -> None:
        ticks.append(done)
        if done == 1:
            demo_window.lock()
        original(self, done, total)

    monkeypatch.setattr(LongWork, "tick", lock_on_the_second_pupil)
    demo_window.summary_action.trigger()
    assert ticks == [0, 1] and demo_window.is_locked
