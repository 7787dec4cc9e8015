"""A control character in a record (another laptop's words, or UTF-8 once read as Latin-1, which
leaves C1 controls in real names: "ş" becomes "Å" and U+009F) is dropped from what the CLI
prints, alone: the text after it is printed whole."""

from __future__ import annotations

import contextlib
import io
import sys
from datetime import date, time

from desktop.cli.args import no_escapes
from desktop.cli.main import main
from desktop.domain.enums import Visibility
from desktop.domain.records import Visit, VisitNote
from tests.conftest import PASSPHRASE
from tests.sync import helpers as h


def test_a_lone_c1_control_is_dropped_alone():
    text = "Note: Strau\u00c3\x9f family\nOutcome: Seen\n  Seán Ó Súilleabháin (1.5 h) \u00c3\x9bnd"
    assert no_escapes(text) == "Note: Strau\u00c3 family\nOutcome: Seen\n  Seán Ó Súilleabháin (1.5 h) \u00c3nd"


def test_a_terminals_sequences_are_removed_whole():
    text = "\x1b[2J\x1b[31mRed\x1b[0m \x1b]0;a title\x07Title \x1b]8;;https://x.example\x1b\\link"
    assert no_escapes(text) == "Red Title link"


def test_visit_show_prints_everything_after_a_note_holding_a_c1_control(app, profile_dir, monkeypatch):
    peter = h.pupil(app, "Seán")
    visit_id = app.log_visit(
        Visit.same_for_all(
            date=date(2026, 11, 20),
            start=time(10),
            end=time(11, 30),
            pupil_ids=[peter],
            work_covered="Phonics phase 3",
            notes=[VisitNote(text="Met Ay\u00c5\x9fe's mum at the library", visibility=Visibility.FAMILY)],
        )
    ).id
    app.close()
    monkeypatch.setenv("WAYMARK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--data-dir", str(profile_dir), "visit", "show", visit_id])
    assert code == 0, err.getvalue()
    printed = out.getvalue()
    assert "Met Ay\u00c5e's mum at the library" in printed
    assert "Phonics phase 3" in printed and "Seán" in printed, printed
