"""The demo's own LA server, so sync can be tried with no LA.

`waymark app --demo` (the README's run command) starts `waymark-server` on a
loopback port, with its embedded SQLite database in a folder beside the demo
profile, and logs the demo profile in to it as the demo TES worker. The status
bar then shows real sync; F9 syncs; a second profile can log in as the same
worker and receive what the demo sends. The server stops when the app closes.
Nothing here runs for a real profile.

When the demo first logs in, its whole caseload is queued to be sent (the demo's
set-up is otherwise not a change to send), so the first sync fills the server and
what is changed afterwards lands on pupils the server knows.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

USER = "demo"
PASSWORD = "waymark demo server"  # loopback only; the README prints it
ROLE = "tes"
PORT_FILE = "port"

log = logging.getLogger("waymark")


class DemoServerError(Exception):
    """The demo server could not start; the app runs without it."""


@dataclass
class DemoServer:
    url: str
    process: subprocess.Popen
    fresh: bool = False  # made this time: it holds nothing yet

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def server_folder(profile_folder: Path) -> Path:
    """Beside the demo profile, never inside it (a profile folder holds only the profile)."""
    return profile_folder.with_name(profile_folder.name + "-la-server")


def start(folder: Path) -> DemoServer:
    """Start the server on the port it had last time if that is free, else on a new one."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    first_time = not any(folder.glob("*.db"))
    if first_time:
        _server_command(folder, ["user", "add", USER, "--role", ROLE], env={"WAYMARK_SERVER_PASSWORD": PASSWORD})
    listener = _listen(folder)
    port = listener.getsockname()[1]
    (folder / PORT_FILE).write_text(str(port))
    try:
        process = subprocess.Popen(
            [*_server(folder), "serve", "--fd", str(listener.fileno()), "--exit-with-parent"],
            pass_fds=[listener.fileno()],
            env=_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # the server keeps no log of ours to show; it dies with the app
        )
    except OSError as exc:
        raise DemoServerError(f"The demo LA server could not start ({exc.strerror}).") from None
    finally:
        listener.close()  # the server holds its own copy; connections queue until it accepts
    server = DemoServer(f"http://127.0.0.1:{port}", process, fresh=first_time)
    _wait_until_answering(server)
    return server


def _wait_until_answering(server: DemoServer, seconds: float = 60) -> None:
    """Connections queue on the socket until the server has loaded; a busy laptop may
    take a while, so wait for a first answer (any HTTP status) before logging in."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise DemoServerError("The demo LA server stopped as it started.")
        try:
            urllib.request.urlopen(server.url + "/v1/me", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # 401 or 426: it is answering
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise DemoServerError("The demo LA server did not answer in time.")


def connect_profile(profile_folder: Path, passphrase: str, url: str, *, fresh: bool = False) -> bool:
    """Log the demo profile in to the demo server, unless it is already, or is logged in
    to another server on purpose. `fresh`: the server was made this time, so any token
    the profile holds is not its own. True when it logged in now."""
    from desktop.services import Waymark
    from desktop.services.sync import SyncService

    app = Waymark.open_profile(profile_folder, passphrase, via="demo set-up")
    try:
        service = SyncService(app)
        account = service.account()
        if account is not None and not _loopback(account.server):
            return False  # logged in to a real server on purpose
        if account is not None and account.server == url and not fresh:
            return False
        if service.synced_as() not in (None, USER):
            return False  # the profile synced as someone else on purpose: it is theirs now
        service.login(url, USER, PASSWORD, device_name="Demo laptop")
        if account is None or fresh:  # the caseload goes to an empty server, so its visits land on pupils it knows
            service.share_everything()
        return True
    finally:
        app.close()


def _loopback(url: str) -> bool:
    return url.startswith(("http://127.0.0.1:", "http://localhost:"))


def _listen(folder: Path) -> socket.socket:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # last run's port may sit in TIME_WAIT
    last = folder / PORT_FILE
    port = int(last.read_text()) if last.exists() and last.read_text().strip().isdigit() else 0
    try:
        listener.bind(("127.0.0.1", port))
    except OSError:  # taken since last time: any free port (the profile logs in again)
        listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    return listener


def _server(folder: Path) -> list[str]:
    return [sys.executable, "-m", "sync.server", "--data-dir", str(folder)]


def _env(**extra: str) -> dict[str, str]:
    """The demo server's own folder, whatever the shell names for a real one."""
    env = {k: v for k, v in os.environ.items() if k not in ("WAYMARK_SERVER_DATABASE", "WAYMARK_SERVER_DATA_DIR")}
    return env | extra


def _server_command(folder: Path, args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(
        [*_server(folder), *args],
        env=_env(**env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no reason given"])[-1]
        with contextlib.suppress(OSError):  # a half-made server folder would skip the user next time
            for made in folder.glob("*.db*"):
                made.unlink()
        raise DemoServerError(f"The demo LA server could not be set up: {last}")
