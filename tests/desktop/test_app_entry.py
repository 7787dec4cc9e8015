"""How the app starts: `waymark` opens it, the demo profile is made on first use
(and can be cancelled), and no traceback ever reaches the user."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QWidget,
)

import desktop.app
from desktop.cli import main as cli_main
from desktop.services import Waymark
from desktop.tasks import ImmediateTaskRunner


@pytest.fixture
def fake_app_main(monkeypatch):
    calls = []
    monkeypatch.setattr(desktop.app, "main", lambda **kw: calls.append(kw) or 0)
    return calls


def test_waymark_with_no_command_opens_the_app(fake_app_main):
    assert cli_main([]) == 0
    assert fake_app_main == [{"data_dir": None, "demo": False, "with_server": True}]


def test_waymark_app_demo_opens_the_demo(fake_app_main, tmp_path):
    assert cli_main(["--data-dir", str(tmp_path), "app", "--demo"]) == 0
    assert fake_app_main == [{"data_dir": tmp_path, "demo": True, "with_server": True}]
    assert cli_main(["--data-dir", str(tmp_path), "app", "--demo", "--no-server"]) == 0
    assert fake_app_main[-1] == {"data_dir": tmp_path, "demo": True, "with_server": False}


def test_the_demo_profile_is_made_on_first_use(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr("desktop.services.demo.fill_demo", lambda app, progress=None: progress(40, 40))
    ready = []
    data_dir = tmp_path / "demo"
    desktop.app.prepare_demo(data_dir, ImmediateTaskRunner(), ready.append)
    assert ready == [True]
    Waymark.open_profile(data_dir, desktop.app.DEMO_PASSPHRASE).close()


def test_cancelling_the_demo_leaves_nothing_behind(qtbot, tmp_path, monkeypatch):
    def fill(app, progress=None):
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible())
        dialog.findChild(QPushButton).click()  # the user presses Cancel while it works
        progress(1, 40)

    monkeypatch.setattr("desktop.services.demo.fill_demo", fill)
    ready = []
    data_dir = tmp_path / "demo"
    desktop.app.prepare_demo(data_dir, ImmediateTaskRunner(), ready.append)
    assert ready == [False]
    assert not data_dir.exists()


def test_the_demo_unlock_screen_shows_its_passphrase(qtbot, tmp_path, ui_settings):
    _qapp, runner, window = desktop.app.open_window(tmp_path / "demo", demo=True, settings=ui_settings)
    qtbot.addWidget(window)
    assert window.data_dir == tmp_path / "demo"
    Waymark.create_profile(window.data_dir, desktop.app.DEMO_PASSPHRASE, scrypt_n=2**10).close()
    window.start()
    assert desktop.app.DEMO_PASSPHRASE in " ".join(
        label.text()
        for label in window.unlock_page.findChildren(QWidget)
        if hasattr(label, "text") and isinstance(label.text(), str)
    )
    runner.shutdown()


def test_an_unexpected_error_is_one_sentence_not_a_traceback(qtbot, tmp_path, ui_settings, monkeypatch):
    _qapp, runner, window = desktop.app.open_window(tmp_path, settings=ui_settings)
    qtbot.addWidget(window)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    desktop.app._install_excepthook(window)
    try:
        raise KeyError("internal detail")
    except KeyError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    boxes = [w for w in window.findChildren(QMessageBox) if w.isVisible()]
    assert boxes
    text = boxes[-1].text()
    assert "Something went wrong (KeyError)" in text and "Traceback" not in text and "internal detail" not in text
    runner.shutdown()


def unnamed_controls(root: QWidget) -> list[str]:
    """Controls a screen reader would announce with no name."""
    missing = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible() or not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        if isinstance(widget.parentWidget(), (QAbstractSpinBox, QComboBox)):
            continue  # the editor inside a spin box, date edit or combo speaks for its parent
        interface = QAccessible.queryAccessibleInterface(widget)
        if interface is None or not interface.text(QAccessible.Text.Name).strip():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


def test_every_control_has_an_accessible_name(demo_window, make_window, tmp_path):
    window = demo_window
    assert unnamed_controls(window) == []
    dialog = window.log_visit()
    assert unnamed_controls(dialog) == []
    dialog.reject()
    add = window.add_pupil()
    assert unnamed_controls(add) == []
    add.reject()
    window.lock()
    assert unnamed_controls(window) == []
    first = make_window(tmp_path / "new")
    assert unnamed_controls(first) == []


def test_usable_at_1366_by_768(demo_window):
    """Everything fits a common laptop screen: nothing needs more room than it has."""
    window = demo_window
    view = window.workspace.pupil_view
    for tab in range(view.tabs.count() if hasattr(view, "tabs") else 1):
        if hasattr(view, "tabs"):
            view.tabs.setCurrentIndex(tab)
        QApplication.processEvents()
        hint = window.minimumSizeHint()
        assert hint.width() <= 1366 and hint.height() <= 768, (tab, hint)
    dialog = window.log_visit()
    assert dialog.sizeHint().height() <= 700 and dialog.sizeHint().width() <= 1300
    dialog.reject()


def test_the_busy_indicator_waits_before_showing(demo_window, qtbot):
    window = demo_window
    window.runner.busy_changed.emit(True)
    assert window.busy.isHidden()  # quick work never flashes it
    qtbot.waitUntil(window.busy.isVisible, timeout=2000)
    window.runner.busy_changed.emit(False)
    assert window.busy.isHidden()


def test_app_module_documents_main():
    assert (
        "main(data_dir: Path | None = None, demo: bool = False, with_server: bool = True) -> int" in desktop.app.__doc__
    )
    assert Path(desktop.app.__file__).name == "app.py"


def test_the_unlock_window_does_not_wait_for_the_services(tmp_path):
    """SQLAlchemy and SQLCipher are most of the start-up cost: they load in the
    background while the passphrase is typed (bench/desktop.py times the start)."""
    code = (
        "import sys; from pathlib import Path; from PySide6.QtCore import QSettings\n"
        "from desktop.app import open_window\n"
        f"qapp, runner, window = open_window(Path({str(tmp_path)!r}), settings=QSettings({str(tmp_path / 'ui.ini')!r}, "
        "QSettings.Format.IniFormat))\n"
        "print(sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'sqlcipher3', 'desktop.services'))))\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_folder_that_is_not_a_profile_says_so(make_window, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "shopping.txt").write_text("milk")
    window = make_window(folder)
    assert window.pages.currentWidget() is window.unlock_page
    window.unlock_page.passphrase.setText("anything at all")
    window.unlock_page.unlock_button.click()
    assert window.is_locked
    assert window.unlock_page.error.isVisible() and window.unlock_page.error.text()
