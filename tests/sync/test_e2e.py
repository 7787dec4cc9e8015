"""The README's flow, end to end over loopback: `waymark-server serve` (uvicorn,
in its own process) with its embedded SQLite and with PostgreSQL, a user
added with the console script, two profiles logged in with the `waymark`
CLI, a visit logged on one, both synced, and the visit seen on the other.
The two command lines run in this process (their own e2e tests start them
as programs); the server runs as a program.

The test opens the listening socket itself and hands it to the server, so
connections wait in its backlog: no polling for the server to come up."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE
from tests.sync.conftest import PASSWORD, _empty

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


@contextmanager
def serving(tmp_path: Path, database: str | None = None):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    where = ["--database", database] if database else ["--data-dir", str(tmp_path / "server")]
    server = subprocess.Popen(
        [sys.executable, "-m", "sync.server.cli", *where, "serve", "--fd", str(listener.fileno())],
        pass_fds=[listener.fileno()],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    listener.close()  # the server has its own copy
    try:
        yield f"http://127.0.0.1:{port}", where
    finally:
        server.terminate()
        _out, err = server.communicate(timeout=30)
        assert "Traceback" not in err, err


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def clis(capsys, monkeypatch):
    """`server_cli(where, ...)` and `waymark(profile, ...)`, run in this process."""
    from desktop.cli.main import main as waymark_main
    from sync.server.cli import main as server_main

    monkeypatch.setenv("WAYMARK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("WAYMARK_SERVER_PASSWORD", PASSWORD)

    def run(main, argv: list[str]) -> Ran:
        code = main(argv)
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    def server_cli(where: list[str], *args: str) -> Ran:
        return run(server_main, [*where, *args])

    def waymark(profile: Path, *args: str) -> Ran:
        return run(waymark_main, ["--data-dir", str(profile), *args])

    return server_cli, waymark


def ok(result: Ran) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def profiles(tmp_path, profile_template):
    """Two empty profiles (copies of one made with a cheap scrypt, as `waymark init` would make them)."""
    from tests.sync.conftest import new_profile

    made = []
    for name in ("first", "second"):
        new_profile(profile_template, tmp_path / name, "Ann Tutor").close()
        made.append(tmp_path / name)
    return made


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_visit_logged_on_one_laptop_is_seen_on_the_other(tmp_path, backend, request, clis, profiles):
    server_cli, waymark = clis
    database = request.getfixturevalue("pg_database") if backend == "postgresql" else None
    if database:
        request.addfinalizer(lambda: _empty(database))
    with serving(tmp_path, database) as (url, where):
        ok(server_cli(where, "user", "add", "ann", "--role", "tutor"))
        first, second = profiles
        for profile in (first, second):
            ok(waymark(profile, "login", "--server", url, "--user", "ann"))
        pupil = json.loads(
            ok(
                waymark(
                    first, "pupil", "add", "--forename", "Levi", "--surname", "Lee", "--dob", "2014-06-01", "--json"
                )
            )
        )
        ok(
            waymark(
                first,
                "visit",
                "log",
                "--pupil",
                pupil["id"],
                "--start",
                "10:00",
                "--end",
                "11:30",
                "--subjects",
                "English",
                "--work",
                "Phonics phase 3",
            )
        )
        sent = json.loads(ok(waymark(first, "sync", "--json")))
        assert sent["pushed"] >= 3 and sent["unsent"] == 0
        got = json.loads(ok(waymark(second, "sync", "--json")))
        assert got["pulled"] >= 3 and got["conflicts"] == 0
        visits = json.loads(ok(waymark(second, "visit", "list", "--json")))
        assert [e["work_covered"] for v in visits for e in v["entries"]] == ["Phonics phase 3"]
        # Nothing to pull or push but the audit rows of the two commands since (each
        # command's sign-in): one request for them, one for the pull.
        idle = json.loads(ok(waymark(second, "sync", "--json")))
        assert (idle["pushed"], idle["pulled"], idle["audited"], idle["round_trips"]) == (0, 0, 2, 2)
        if backend == "postgresql":
            return

        # The same words changed on both: a conflict, resolved from the command line.
        ok(waymark(first, "pupil", "edit", pupil["id"], "--medical-needs", "Asthma"))
        ok(waymark(second, "pupil", "edit", pupil["id"], "--medical-needs", "Epilepsy"))
        ok(waymark(first, "sync"))
        assert "1 conflict to look at" in ok(waymark(second, "sync"))
        [conflict] = json.loads(ok(waymark(second, "conflicts", "list", "--json")))
        assert (conflict["mine"], conflict["theirs"]) == ("Epilepsy", "Asthma")  # same user, told apart by laptop
        assert (conflict["pupil"], conflict["about"], conflict["field"]) == ("Levi Lee", "details", "medical_needs")
        listed = ok(waymark(second, "conflicts", "list"))
        assert "Levi Lee" in listed and "medical needs" in listed
        bad = waymark(second, "conflicts", "resolve", "no-such-id", "--keep", "mine")
        assert bad.returncode == 2 and "No conflict" in bad.stderr
        ok(waymark(second, "conflicts", "resolve", conflict["id"], "--keep", "Asthma and epilepsy"))
        ok(waymark(second, "sync"))
        ok(waymark(first, "sync"))
        assert (
            json.loads(ok(waymark(first, "pupil", "show", pupil["id"], "--json")))["medical_needs"]
            == "Asthma and epilepsy"
        )
        assert json.loads(ok(waymark(first, "conflicts", "list", "--json"))) == []

        # A lost laptop is revoked: told in one line; then logging out and in again.
        devices = json.loads(ok(server_cli(where, "device", "list", "--json")))
        assert len(devices) == 2 and {d["user"] for d in devices} == {"ann"}
        ok(server_cli(where, "device", "revoke", devices[0]["id"]))
        refused = waymark(first, "sync")
        assert refused.returncode == 1
        assert "revoked" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
        assert "Logged out" in ok(waymark(first, "logout"))
        not_in = waymark(first, "sync")
        assert not_in.returncode == 2 and "Log in" in not_in.stderr
        ok(waymark(first, "login", "--server", url, "--user", "ann"))
        assert json.loads(ok(waymark(first, "sync", "--json")))["unsent"] == 0
