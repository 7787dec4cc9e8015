"""Fixtures for the desktop shell: an offscreen main window over a real encrypted
profile, a deterministic task runner, and a copy of the demo profile."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from desktop.tasks import ImmediateTaskRunner
from desktop.ui.main_window import MainWindow
from tests.conftest import FAST_SCRYPT, PASSPHRASE, TODAY


@pytest.fixture
def ui_settings(tmp_path: Path) -> QSettings:
    """Window geometry and splitter state go to a scratch file, not the user's settings."""
    return QSettings(str(tmp_path / "waymark-ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def immediate_runner(qtbot) -> ImmediateTaskRunner:
    return ImmediateTaskRunner()


@pytest.fixture
def make_window(qtbot, immediate_runner, ui_settings) -> Callable[..., MainWindow]:
    made: list[MainWindow] = []

    def make(data_dir: Path, hint: str = "", *, size: tuple[int, int] | None = (1366, 768)) -> MainWindow:
        window = MainWindow(
            immediate_runner,
            data_dir,
            ui_settings,
            passphrase_hint=hint,
            scrypt_n=FAST_SCRYPT,
            today=lambda: TODAY,
        )
        qtbot.addWidget(window)
        if size:
            window.resize(*size)
        window.start()
        window.show()
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # keyboard tests need focus
        made.append(window)
        return window

    yield make
    for window in made:
        window.lock()
        window.idle.stop()


@pytest.fixture
def demo_window(make_window, demo_dir) -> MainWindow:
    """The main window, unlocked on the demo profile."""
    window = make_window(demo_dir)
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.unlock_button.click()
    assert not window.is_locked
    return window
