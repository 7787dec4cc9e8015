"""The server's words on the terminal (desktop/cli/commands/sync.py): a server or a proxy
may answer with line breaks and a terminal's escape sequences (clear the screen, print a false
message in red). Whatever `waymark sync` prints of theirs comes as one printable line; the
--json output keeps them escaped as JSON does. Desktop-side tests, so SQLite only."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import sys
import unicodedata

import httpx
import pytest

from desktop.cli.main import main
from tests.conftest import PASSPHRASE
from tests.sync import helpers as h
from tests.sync.conftest import add_user
from tests.sync.rewrite import Rewriting

pytestmark = pytest.mark.parametrize("server_url", ["sqlite"], indirect=True)

HOSTILE = (
    "Forbidden\n\x1b[2J\x1b[31mAll your records were deleted from this laptop.\x1b[0m\r\n"
    "\x9b1mCall\x1b]0;a title\x07 0800 000000 \u202eevil\u202c\tnow"
)


def printable(text: str) -> bool:
    """No escape character, no control character but the line's end, no bidirectional override."""
    return not any(unicodedata.category(c) in ("Cc", "Cf") for c in text.rstrip("\n"))


@pytest.fixture
def laptop(engine, make_device, tmp_path, monkeypatch):
    add_user(engine, "ann", "tutor")
    device = make_device("laptop", "ann")
    h.pupil(device.app, "Levi")
    device.app.close()
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("WAYMARK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    handlers = list(logging.getLogger().handlers)
    yield device
    for handler in logging.getLogger().handlers[:]:
        if handler not in handlers:
            handler.close()
            logging.getLogger().removeHandler(handler)


def waymark(monkeypatch, folder, transport: httpx.BaseTransport, *args: str) -> tuple[int, str, str]:
    import desktop.cli.commands.sync as command
    from desktop.services.sync import SyncService

    class Through(SyncService):
        def __init__(self, app, transport_=None) -> None:
            super().__init__(app, transport=transport)

    monkeypatch.setattr(command, "SyncService", Through)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--data-dir", str(folder), *args])
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("status", [401, 403, 426, 500])
def test_a_failed_syncs_words_from_the_server_are_one_printable_line(laptop, tmp_path, monkeypatch, status):
    hostile = httpx.MockTransport(lambda request: httpx.Response(status, json={"detail": HOSTILE}))
    code, out, err = waymark(monkeypatch, tmp_path / "laptop", hostile, "sync")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and printable(err), repr(err)
    assert err.startswith("waymark: ") and "All your records were deleted from this laptop." in err  # its words

    code, out, err = waymark(monkeypatch, tmp_path / "laptop", hostile, "sync", "--json")
    assert (code, err) == (1, "")
    assert printable(out.replace("\n", " ")), repr(out)  # JSON escapes them itself
    assert json.loads(out)["unsent"] >= 1 and "All your records were deleted" in json.loads(out)["error"]


def test_refusals_after_a_sync_are_one_printable_line_and_so_is_the_not_sent_list(laptop, tmp_path, monkeypatch):
    def refuse_all(doc: dict, _request) -> dict:
        for result in doc["results"]:
            result.update(status="refused", reason=HOSTILE)
        return doc

    refusing = Rewriting(laptop.net, "/v1/push", refuse_all)
    code, out, err = waymark(monkeypatch, tmp_path / "laptop", refusing, "sync")
    assert (code, err) == (0, "")
    assert out.count("\n") == 1 and printable(out), repr(out)
    assert "The server refused" in out and "Call 0800 000000" in out

    code, out, err = waymark(monkeypatch, tmp_path / "laptop", laptop.net, "sync", "--not-sent")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 3 and all(printable(line) for line in lines), repr(out)  # a heading, two changes

    code, out, err = waymark(monkeypatch, tmp_path / "laptop", laptop.net, "sync", "--not-sent", "--json")
    assert printable(out.replace("\n", " ")), repr(out)
    assert {row["reason"] for row in json.loads(out)} == {HOSTILE}  # the words as they came, escaped by JSON


def test_a_refused_logins_words_from_the_server_are_one_printable_line(laptop, tmp_path, monkeypatch):
    hostile = httpx.MockTransport(lambda request: httpx.Response(401, json={"detail": HOSTILE}))
    monkeypatch.setenv("WAYMARK_SERVER_PASSWORD", "a long test password")
    args = ("login", "--server", "https://waymark.example.gov.uk", "--user", "ann")
    code, out, err = waymark(monkeypatch, tmp_path / "laptop", hostile, *args)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and printable(err), repr(err)
    assert "[2J" not in err and "\\n" not in err  # the sequences gone, not shown escaped
    # An 8-bit sequence's introducer goes alone: what followed it is plain text, and kept.
    assert "Forbidden All your records were deleted from this laptop. 1mCall 0800 000000" in err


@pytest.mark.parametrize("detail", ["", "   ", "\x1b[2J\x1b[0m"])
def test_a_refusal_with_no_words_a_user_can_read_still_says_something(laptop, tmp_path, monkeypatch, detail):
    hostile = httpx.MockTransport(lambda request: httpx.Response(401, json={"detail": detail}))
    code, out, err = waymark(monkeypatch, tmp_path / "laptop", hostile, "sync")
    assert (code, out) == (1, "") and err.count("\n") == 1
    assert len(err.removeprefix("waymark:").strip()) > 10, repr(err)  # before: "waymark: " and nothing
