"""`waymark report ...` in a subprocess, as a script would use it; and the
writing of the file (checked first, written whole or not at all)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop.cli.commands import report as report_cmd
from desktop.services.errors import ValidationError

from .conftest import PASSPHRASE, build_casefile

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    """A closed profile on disk and a runner for `python -m desktop.cli`."""
    folder = tmp_path_factory.mktemp("cli")
    case = build_casefile(folder / "profile")
    case.app.close()

    def run(*args: str, expect: int = 0) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "desktop.cli", "--data-dir", str(case.data_dir), "report", *args],
            cwd=ROOT,
            env={**os.environ, "WAYMARK_PASSPHRASE": PASSPHRASE},
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
        assert done.returncode == expect, (done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        return done

    run.case = case
    run.folder = folder
    return run


def test_visit_and_summary_reports_from_the_command_line(cli):
    out = cli.folder / "visit.pdf"
    done = cli("visit", cli.case.sibling_visit.id, "--out", str(out), "--large-print")
    assert done.stdout.strip() == f"Wrote the visit report to {out} ({out.stat().st_size // 1024 + 1} KB)."
    assert len(PdfReader(out).pages) > 6  # two pupils, three copies, the parent's in large print

    out = cli.folder / "summary.pdf"
    data = json.loads(cli("summary", "--out", str(out), "--json").stdout)
    assert data["path"] == str(out) and data["report"] == "summary"
    assert PdfReader(out).pages[0].extract_text().startswith("Caseload summary")


def test_period_reports_from_the_command_line(cli):
    start = cli.case.first_visit_day.isoformat()
    for kind, pupil in (("progress", cli.case.sean), ("hours", cli.case.kai)):
        out = cli.folder / f"{kind}.pdf"
        cli(kind, pupil.id, "--from", start, "--to", "22/11/2026", "--out", str(out))
        assert out.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("visit", "no-such-visit"), "No visit with id 'no-such-visit'."),
        (("progress", "no-such-pupil", "--from", "2026-09-01"), "No pupil with id 'no-such-pupil'."),
        (("progress", "{lukasz}", "--from", "2026-01-01", "--to", "2026-02-01"), "nothing to report"),
        (("hours", "{kai}", "--from", "2026-11-01", "--to", "2026-10-01"), "after it ends"),
    ],
)
def test_clear_messages_and_no_file_for_bad_requests(cli, args, message):
    out = cli.folder / "refused.pdf"
    args = [a.format(lukasz=cli.case.lukasz.id, kai=cli.case.kai.id) for a in args]
    done = cli(*args, "--out", str(out), expect=2)
    assert message in done.stderr and done.stderr.startswith("waymark: ")
    assert len(done.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_unwritable_output_is_refused_before_rendering(cli):
    done = cli("summary", "--out", str(cli.folder / "no-such-folder" / "x.pdf"), expect=2)
    assert "the folder" in done.stderr and "does not exist" in done.stderr
    done = cli("summary", "--out", str(cli.folder), expect=2)
    assert "is a folder" in done.stderr


def test_check_writable_refuses_a_file_as_folder(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(ValidationError, match="does not exist"):
        report_cmd.check_writable(blocker / "report.pdf")


def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"the old report")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report_cmd.os, "replace", broken_replace)
    with pytest.raises(OSError):
        report_cmd.write_atomically(target, b"%PDF-1.4 new")
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]
    assert target.read_bytes() == b"the old report"  # the old file is untouched


def test_write_replaces_the_file_whole(tmp_path):
    target = tmp_path / "report.pdf"
    report_cmd.write_atomically(target, b"%PDF-1.4 one")
    report_cmd.write_atomically(target, b"%PDF-1.4 two")
    assert target.read_bytes() == b"%PDF-1.4 two"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]
