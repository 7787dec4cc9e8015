"""The desktop app's composition root.

    main(data_dir: Path | None = None, demo: bool = False, with_server: bool = True) -> int

`waymark` with no command, and `waymark app [--demo]`, call `main`.

- `data_dir` is the profile folder; by default `WAYMARK_DATA_DIR` (the profile
  folder itself) or the platform's data folder + `/profile`, the same rule as
  the CLI (desktop/paths.py).
- `demo=True` opens a demo profile: made and filled on first use (with a
  progress dialog that can be cancelled) in `data_dir` if given, else in
  `demo_data_dir()`. Its passphrase, `DEMO_PASSPHRASE`, is shown on the unlock
  screen. The demo also starts its own LA server on loopback (desktop/demo_server.py)
  and logs the demo profile in to it, unless `with_server=False`.

Here the pieces are built and wired: the QApplication, the QSettings that
remember window geometry (organisation "Waymark"), the task runner that owns
all store work, and the main window. Nothing below this file knows how it was
started.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from platformdirs import user_data_dir
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from desktop.paths import profile_dir
from desktop.tasks import TaskRunner, user_message
from desktop.ui.common import report_error
from desktop.ui.main_window import APPLICATION, ORGANISATION, MainWindow

DEMO_PASSPHRASE = "waymark demo"

log = logging.getLogger("waymark")


def default_data_dir() -> Path:
    """The same rule as the CLI's: WAYMARK_DATA_DIR names the profile folder (desktop/paths.py)."""
    return profile_dir()


def demo_data_dir() -> Path:
    return Path(user_data_dir("waymark", appauthor=False)) / "demo"


def make_qapplication(argv: list[str] | None = None) -> QApplication:
    qapp = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    qapp.setOrganizationName(ORGANISATION)
    qapp.setApplicationName(APPLICATION)
    qapp.setApplicationDisplayName(APPLICATION)
    qapp.setStyle("Fusion")  # the same look on every platform, and in the screenshots
    return qapp


def prepare_demo(data_dir: Path, runner: TaskRunner, on_ready: Callable[[bool], None]) -> None:
    """Make and fill the demo profile on the store thread, with a cancellable progress dialog
    that moves from the first moment (the key, each schema step, then the caseload) and
    counts the seconds. `on_ready(True)` when it is there, `on_ready(False)` when cancelled
    or failed. The services load on the store thread too, so the dialog shows at once."""
    from desktop.ui.progress import LongWork

    work = LongWork("Preparing the demo caseload…", delay_ms=0, show_elapsed=True)
    work.dialog.show()

    def build() -> bool:
        from desktop.services import Waymark
        from desktop.services.demo import fill_demo

        app = None
        try:
            work.say("Creating the encrypted demo profile…")
            app = Waymark.create_profile(
                data_dir, DEMO_PASSPHRASE, worker_name="Demo Teacher", progress=work.part(0, 10)
            )
            work.say("Adding the demo caseload: 30 pupils and six months of visits…")
            fill_demo(app, progress=work.part(10, 100))
        except BaseException:
            # A half-made demo is worse than none: it would open next time as if complete.
            if app is not None:
                app.close()
            remove_profile_files(data_dir)
            if work.cancelled:
                return False
            raise
        app.close()
        return True

    def finished(ok: bool) -> None:
        work.close()
        on_ready(ok)

    def failed(message: str) -> None:
        work.close()
        report_error(None, f"The demo profile could not be made. {message}")
        on_ready(False)

    runner.run(build, finished, failed)


def remove_profile_files(data_dir: Path) -> None:
    """Remove a half-made profile's own files, and its folder if that leaves it empty;
    never anything else (the folder may be one the user named, holding other things)."""
    for name in ("waymark.db", "waymark.db-wal", "waymark.db-shm", "waymark.key"):
        (data_dir / name).unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # not empty, or not there: leave it
        data_dir.rmdir()


def _profile_exists(data_dir: Path) -> bool:
    """Without loading the services: the progress dialog must not wait for them."""
    return any((data_dir / name).exists() for name in ("waymark.db", "waymark.key"))


def _setup_logging() -> None:
    """Errors go to a private log that holds no personal data (desktop/logs.py)."""
    from desktop import logs

    logs.setup()


def _install_excepthook(window: MainWindow) -> None:
    """An unexpected error in a slot goes to the log; the user sees one sentence."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        report_error(window, user_message(error.with_traceback(tb)))  # user_message logs the traceback

    sys.excepthook = hook


def open_window(
    data_dir: Path | None = None, demo: bool = False, settings: QSettings | None = None
) -> tuple[QApplication, TaskRunner, MainWindow]:
    """Build the app up to the main window (not yet shown)."""
    qapp = make_qapplication()
    runner = TaskRunner()
    if demo:
        data_dir = Path(data_dir) if data_dir else demo_data_dir()
        hint = f"This is the demo profile. Its passphrase is: {DEMO_PASSPHRASE}"
    else:
        data_dir = profile_dir(data_dir)
        hint = ""
    window = MainWindow(runner, data_dir, settings or QSettings(ORGANISATION, APPLICATION), passphrase_hint=hint)
    return qapp, runner, window


def main(data_dir: Path | None = None, demo: bool = False, with_server: bool = True) -> int:
    """Open the desktop app; returns the exit status. The demo also runs its own LA
    server on loopback unless `with_server` is False."""
    _setup_logging()
    qapp, runner, window = open_window(data_dir, demo)
    _install_excepthook(window)

    def show_window(ok: bool = True) -> None:
        if not ok:
            qapp.quit()
            return
        window.start()
        window.show()

    servers: list = []  # the demo's LA server, once it runs

    def ready(ok: bool = True) -> None:
        if ok and demo and with_server:
            start_demo_server(window.data_dir, runner, servers, show_window)
        else:
            show_window(ok)

    if demo and not _profile_exists(window.data_dir):
        prepare_demo(window.data_dir, runner, ready)
    else:
        ready()
    try:
        status = qapp.exec()
    finally:
        window.lock()  # closes the profile on the store thread, if it is open
        runner.shutdown()
        for server in servers:
            server.stop()
    return status


def start_demo_server(data_dir: Path, runner: TaskRunner, servers: list, on_ready: Callable[[], None]) -> None:
    """Start the demo's LA server on loopback and log the demo profile in to it
    (desktop/demo_server.py), then `on_ready()`. If it cannot start, the demo runs
    without it: the status bar says it is not connected."""
    from desktop import demo_server
    from desktop.ui.progress import LongWork

    # Shown at once: between the demo's own progress dialog and the main window no window
    # may be left open for a moment, or Qt quits the app as its last window closes.
    work = LongWork("Starting the demo's LA server on this computer…", delay_ms=0, show_elapsed=True, cancellable=False)
    work.dialog.show()

    def start() -> None:
        server = demo_server.start(demo_server.server_folder(data_dir))
        servers.append(server)
        demo_server.connect_profile(data_dir, DEMO_PASSPHRASE, server.url, fresh=server.fresh)

    def done(_none: object) -> None:
        work.close()
        on_ready()

    def failed(message: str) -> None:
        work.close()
        log.warning("demo LA server not started: %s", message)
        on_ready()

    runner.run(start, done, failed)


if __name__ == "__main__":
    sys.exit(main())
