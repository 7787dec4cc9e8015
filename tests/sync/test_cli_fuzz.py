"""Fuzzing `waymark login`, `logout`, `sync` and `conflicts` (a sibling of
tests/e2e/test_fuzz.py, which fuzzes the other commands the same way).

A real server runs as a program over loopback (tests/sync/test_e2e.py's
`serving`); four real profiles stand in the states a laptop can be in: logged in
with conflicts waiting, never logged in, logged in on a device since revoked, and
logged in to a server that has gone. Each example runs one command with bad or
random arguments on one of them, then puts the profile's files back, so every
example starts from the same state.

The property, whatever arrives: no traceback; the exit status is 0, 2 (a user's
mistake, README "The command line"), or for `sync` 1 (it could not finish:
offline, revoked; desktop/cli/commands/sync.py); a failure says so in one line
(`sync --json` in a JSON object with its "error"); and a failed command leaves
the profile as it was: `sync` that could not finish writes only its error for
the status bar (meta "last_sync_error"), nothing else, the outbox included.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import shutil
import socket
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.cli.main import main
from sync.server.cli import main as server_main
from tests.conftest import PASSPHRASE
from tests.e2e.digest import profile_digest
from tests.e2e.test_fuzz import ODD_TEXT, fuzz
from tests.sync.conftest import PASSWORD, new_profile
from tests.sync.test_e2e import serving

EXIT_SYNC_FAILED = 1  # desktop/cli/commands/sync.py: sync could not finish; every unsent change kept
PROFILES = ("mine", "fresh", "revoked", "gone")


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then let go)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class World:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.saved: dict[str, Path] = {}
        self.conflicts: list[str] = []
        self.url = self.where = None

    def folder(self, name: str) -> Path:
        return self.root / name

    def cli(self, name: str, *args: str, password: str | None = PASSWORD) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.ExitStack() as stack:
            stack.enter_context(contextlib.redirect_stdout(out))
            stack.enter_context(contextlib.redirect_stderr(err))
            patch = stack.enter_context(pytest.MonkeyPatch.context())
            patch.setattr(sys, "stdin", io.StringIO())  # never a terminal: no prompt can wait
            if password is None:
                patch.delenv("WAYMARK_SERVER_PASSWORD", raising=False)
            else:
                patch.setenv("WAYMARK_SERVER_PASSWORD", password)
            try:
                status = main(["--data-dir", str(self.folder(name)), *args])
            except SystemExit as exit_:
                status = exit_.code if isinstance(exit_.code, int) else 2
        return status, out.getvalue(), err.getvalue()

    def ok(self, name: str, *args: str) -> str:
        status, out, err = self.cli(name, *args)
        assert status == 0, (args, err)
        return out

    def keep(self) -> None:
        for name in PROFILES:
            self.saved[name] = self.root / "saved" / name
            shutil.copytree(self.folder(name), self.saved[name])

    def put_back(self, name: str) -> None:
        shutil.rmtree(self.folder(name))
        shutil.copytree(self.saved[name], self.folder(name))


@pytest.fixture(scope="module")
def world(tmp_path_factory, profile_template):
    root = tmp_path_factory.mktemp("cli-fuzz")
    handlers = list(logging.getLogger().handlers)
    made = World(root)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("XDG_STATE_HOME", str(root / "state"))
        env.setenv("WAYMARK_PASSPHRASE", PASSPHRASE)
        env.setenv("WAYMARK_SERVER_PASSWORD", PASSWORD)  # for `user add`; each command sets its own
        for name in (*PROFILES, "theirs"):
            new_profile(profile_template, root / name, "Ann Tutor").close()
        # A server that is gone by the time the fuzzing starts: "gone" logged in to it.
        with serving(root / "old-server") as (url, where):
            assert server_main([*where, "user", "add", "ann", "--role", "tutor"]) == 0
            made.ok("gone", "login", "--server", url, "--user", "ann")
        with serving(root / "server") as (url, where):
            made.url, made.where = url, where
            assert server_main([*where, "user", "add", "ann", "--role", "tutor"]) == 0
            assert server_main([*where, "user", "add", "bea", "--role", "tutor"]) == 0  # takes the wrong passwords
            for name in ("mine", "theirs", "revoked"):
                made.ok(name, "login", "--server", url, "--user", "ann", "--device-name", name)
            # Two children whose medical needs were changed on both laptops: two conflicts on "mine".
            pupils = [
                json.loads(
                    made.ok(
                        "theirs", "pupil", "add", "--forename", f, "--surname", "Lee", "--dob", "2015-01-02", "--json"
                    )
                )["id"]
                for f in ("Levi", "Rosa")
            ]
            made.ok("theirs", "sync")
            made.ok("mine", "sync")
            for name, words in (("theirs", "Asthma"), ("mine", "Epilepsy")):
                for pupil in pupils:
                    made.ok(name, "pupil", "edit", pupil, "--medical-needs", words)
            made.ok("theirs", "sync")
            made.ok("mine", "sync")
            made.conflicts = [c["id"] for c in json.loads(made.ok("mine", "conflicts", "list", "--json"))]
            assert len(made.conflicts) == 2
            made.ok("mine", "pupil", "edit", pupils[0], "--upn", "")  # an unsent change in the outbox
            devices = json.loads(_server_out([*where, "device", "list", "--json"]))
            [revoked] = [d["id"] for d in devices if d["name"] == "revoked"]
            assert server_main([*where, "device", "revoke", revoked]) == 0
            made.keep()
            yield made
    for handler in logging.getLogger().handlers[:]:
        if handler not in handlers:
            handler.close()
            logging.getLogger().removeHandler(handler)


def _server_out(argv: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert server_main(argv) == 0
    return out.getvalue()


def digest(world: World, name: str, *, but_sync_error: bool = False) -> str:
    """The profile's rows (tests/e2e/digest.py); `but_sync_error`: all but the status bar's last sync error."""
    ignore = ("last_sync_error",) if but_sync_error else ()
    return profile_digest(world.folder(name), PASSPHRASE, ignore_settings=ignore)


# --- what to run -------------------------------------------------------------------------

PASSWORDS = st.one_of(
    st.none(),  # no WAYMARK_SERVER_PASSWORD: no terminal to ask in either
    st.just(PASSWORD),
    st.sampled_from(["", " ", "wrong", "a long test password ", "A LONG TEST PASSWORD", "x" * 5000, "😀"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40),
)


@st.composite
def server_url(draw, world: World) -> str:
    host_port = world.url.removeprefix("http://")
    return draw(
        st.one_of(
            st.sampled_from(
                [
                    world.url,
                    world.url + "/",
                    f"https://{host_port}",  # TLS to a plain-HTTP server
                    f"http://127.0.0.1:{_closed_port()}",  # nothing listening
                    f"http://localhost:{_closed_port()}",
                    f"ftp://{host_port}",
                    "http://waymark.example.gov.uk",  # not loopback, not encrypted, no --insecure
                    "http://192.0.2.10:8000",
                    "file:///etc/passwd",
                    "127.0.0.1:8765",
                    "http://",
                    "https://",
                    "http://[::1",
                    "http://[",
                    "http://127.0.0.1:99999",
                    "http://127.0.0.1:-1",
                    "http://127.0.0.1:port",
                    "http://user:pass@127.0.0.1:1/",
                    "",
                    " ",
                    "--insecure",
                ]
            ),
            ODD_TEXT,
        )
    )


@st.composite
def command(draw, world: World) -> tuple[str, list[str], str | None]:
    name = draw(st.sampled_from(PROFILES))
    kind = draw(st.sampled_from(["login", "logout", "sync", "list", "resolve"]))
    json_flag = draw(st.sampled_from([[], ["--json"]]))
    if kind == "login":
        # A good login with none, one or all of its parts spoilt (so some succeed and each
        # refusal has one cause). Wrong passwords go to "bea": "ann" is never locked out.
        spoil = draw(st.sampled_from(["none", "url", "user", "password", "device", "all"]))
        url = draw(server_url(world)) if spoil in ("url", "all") else world.url
        user = "ann"
        if spoil in ("user", "all"):
            user = draw(st.one_of(st.sampled_from(["nobody", "", " ", "bea "]), ODD_TEXT))
            user = "nobody" if user.strip().lower() == "ann" else user
        password = PASSWORD
        if spoil in ("password", "all"):
            password = draw(PASSWORDS)
            user = "bea" if spoil == "password" else user
        # --insecure only with loopback addresses: the test must never reach out to another machine.
        insecure = draw(st.booleans()) and url.startswith(("http://127.", "http://localhost", "https://127."))
        args = ["login", f"--server={url}", f"--user={user}"]
        if spoil in ("device", "all") or draw(st.booleans()):
            args.append(f"--device-name={draw(ODD_TEXT)}")
        return name, [*args, *(["--insecure"] if insecure else []), *json_flag], password
    if kind == "logout":
        # Not on "mine": logging out revokes its device on the server, which putting the
        # profile's files back cannot undo, and every later example on it would start revoked.
        name = draw(st.sampled_from([p for p in PROFILES if p != "mine"]))
        return name, ["logout", *draw(st.lists(ODD_TEXT, max_size=1))], PASSWORD
    if kind == "sync":
        extra = draw(st.sampled_from([[], ["--not-sent"], ["--all"], ["--now"]]))
        return name, ["sync", *extra, *json_flag], PASSWORD
    if kind == "list":
        extra = draw(st.sampled_from([[], ["--all"], ["--mine"], ["resolved"]]))
        return name, ["conflicts", "list", *extra, *json_flag], PASSWORD
    keep = draw(
        st.one_of(
            st.sampled_from(["mine", "theirs", "MINE", " Theirs ", "", " ", "\n", "both", "--", "-"]),
            ODD_TEXT,
        )
    )
    if draw(st.booleans()):  # a real conflict where it is, so only --keep can be wrong
        args = ["conflicts", "resolve", draw(st.sampled_from(world.conflicts)), f"--keep={keep}"]
        return "mine", [*args, *json_flag], PASSWORD
    conflict = draw(st.one_of(st.sampled_from(world.conflicts), ODD_TEXT))
    args = ["conflicts", "resolve", conflict, *([f"--keep={keep}"] if draw(st.booleans()) else [])]
    return name, [*args, *json_flag], PASSWORD


def check(world: World, name: str, args: list[str], password: str | None) -> int:
    before = digest(world, name)
    before_but_error = digest(world, name, but_sync_error=True)
    status, out, err = world.cli(name, *args, password=password)
    try:
        assert "Traceback" not in err and "Traceback" not in out, (name, args, err)
        allowed = (0, 2, EXIT_SYNC_FAILED) if args[0] == "sync" else (0, 2)
        assert status in allowed, (name, args, status, err)
        if status == 0:
            return status
        if status == EXIT_SYNC_FAILED:
            assert "unexpected error" not in err, (name, args, err)  # main()'s own 1: a bug
            if "--json" in args:
                answer = json.loads(out)
                assert answer["error"] and "\n" not in answer["error"] and err == "", (name, args, out, err)
            else:
                assert len(err.strip().splitlines()) == 1 and err.startswith("waymark"), (name, args, err)
            assert digest(world, name, but_sync_error=True) == before_but_error, (name, args)
        else:
            assert len(err.strip().splitlines()) == 1 and err.startswith("waymark"), (name, args, err)
            assert digest(world, name) == before, (name, args)
        return status
    finally:
        world.put_back(name)


def test_login_sync_and_conflicts_with_any_arguments(world):
    seen: set[tuple[str, str, int]] = set()

    @fuzz(40)
    @given(data=st.data())
    def run(data):
        name, args, password = data.draw(command(world))
        seen.add((name, args[0] if args[0] != "conflicts" else args[1], check(world, name, args, password)))

    run()
    # The states the profiles stand for were met, and refused as documented.
    outcomes = {(name, what, status) for name, what, status in seen}
    assert ("revoked", "sync", EXIT_SYNC_FAILED) in outcomes or ("gone", "sync", EXIT_SYNC_FAILED) in outcomes, outcomes
    for what in ("login", "resolve"):
        assert {status for _n, did, status in outcomes if did == what} == {0, 2}, outcomes
    # And after all of it the logged-in profile still syncs with the server.
    world.put_back("mine")
    synced = json.loads(world.ok("mine", "sync", "--json"))  # exit 0: the server took this laptop's token
    assert synced["round_trips"] >= 1 and synced["audited"] >= 1 and synced["unsent"] == 0, synced


@pytest.mark.parametrize(
    ("name", "args", "status", "words"),
    [
        ("gone", ["sync"], EXIT_SYNC_FAILED, "reach"),
        ("revoked", ["sync"], EXIT_SYNC_FAILED, "revoked"),
        ("fresh", ["sync"], 2, "Log in"),
        ("fresh", ["logout"], 2, "not logged in"),
        ("mine", ["conflicts", "resolve", "no-such-id", "--keep=mine"], 2, "No conflict"),
        ("mine", ["login", "--server=ftp://127.0.0.1:1", "--user=ann"], 2, "not a server address"),
        ("mine", ["login", "--server=http://waymark.example.gov.uk", "--user=ann"], 2, "not encrypted"),
        # httpx cannot read these (its InvalidURL was an "unexpected error", exit 1)
        ("mine", ["login", "--server=http://127.0.0.1:port", "--user=ann"], 2, "port number"),
        ("fresh", ["login", "--server=https://waymark.example.gov.uk:44З", "--user=ann"], 2, "port number"),
        # a name and password in the address: httpx's Basic auth would replace the device's token
        ("fresh", ["login", "--server=http://ann:secret@127.0.0.1:1", "--user=ann"], 2, "user name or password"),
    ],
)
def test_each_refusal_is_one_line_and_changes_nothing(world, name, args, status, words):
    """The fuzzing's states, each met on purpose (whatever examples the fuzzing draws)."""
    before = digest(world, name, but_sync_error=True)
    got, _out, err = world.cli(name, *args)
    try:
        assert (got, len(err.strip().splitlines())) == (status, 1), err
        assert words in err and "Traceback" not in err and "secret" not in err
        assert digest(world, name, but_sync_error=True) == before
    finally:
        world.put_back(name)


SECRET = "MySecretPassphraseStart-" + "x" * 990 + "-AndItsEnd1234567890abcd"


@pytest.mark.parametrize(
    ("extra", "password", "words"),
    [
        (["--user", "a" * 101], PASSWORD, "The user name is too long: at most 100 characters."),
        (["--user", "ann", "--device-name", "d" * 201], PASSWORD, "This laptop's name is too long"),
        (["--user", "ann"], SECRET, "The password is too long: at most 1,000 characters."),
    ],
    ids=["user", "device", "password"],
)
def test_a_value_too_long_to_log_in_is_one_line_that_never_shows_the_password(world, extra, password, words):
    """Refused on the laptop before anything is sent, in words: not pydantic's report, which
    quotes the value (for a password, its first and last 24 characters)."""
    before = digest(world, "fresh")
    devices = _server_out([*world.where, "device", "list", "--json"])
    status, out, err = world.cli("fresh", "login", "--server", world.url, *extra, password=password)
    try:
        assert (status, out, err.count("\n")) == (2, "", 1), err
        assert err.startswith(f"waymark: {words}")
        assert "Start-" not in err and "AndItsEnd" not in err and "validation error" not in err
        assert digest(world, "fresh") == before
        assert _server_out([*world.where, "device", "list", "--json"]) == devices
    finally:
        world.put_back("fresh")


def test_logging_in_as_another_user_is_refused_in_one_line(world):
    """ "mine" holds ann's records and an unsent change: bea (a real user, her own password)
    is refused before the server is asked, so no device of hers is registered."""
    before = digest(world, "mine")
    devices = _server_out([*world.where, "device", "list", "--json"])
    status, out, err = world.cli("mine", "login", "--server", world.url, "--user", "bea")
    try:
        assert (status, out, err.count("\n")) == (2, "", 1), err
        assert err.startswith("waymark: This profile holds ann's records, so it cannot log in as another user.")
        assert "Traceback" not in err
        assert digest(world, "mine") == before
        assert _server_out([*world.where, "device", "list", "--json"]) == devices
    finally:
        world.put_back("mine")


def test_a_bad_keep_leaves_the_conflict_and_the_outbox_as_they_were(world):
    conflict = world.conflicts[0]
    for keep in ("", " ", "\n\t"):
        before = digest(world, "mine")
        status, _out, err = world.cli("mine", "conflicts", "resolve", conflict, f"--keep={keep}")
        assert status == 2 and "Say which to keep" in err
        assert digest(world, "mine") == before
    listed = json.loads(world.ok("mine", "conflicts", "list", "--json"))
    assert {c["id"] for c in listed} == set(world.conflicts)
