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
