"""Hostile and damaged input at the command line (issue 10, sections 1 and 4):
each gives one line, exit status 2, and changes nothing."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli.main import main
from tests.full_disk import fill_disk

from .digest import profile_digest

PASS = "correct horse battery"
DB = "waymark.db"


def unprivileged() -> list[str]:
    """Root ignores file permissions; run the CLI without that power, so a read-only file is one."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--inh-caps=-all"]


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """`waymark ...` in this process (quick), or in a subprocess when `prefix` is given
    (to run it without root's power over permissions)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    root = logging.getLogger()
    handlers = list(root.handlers)

    def run(*args, expect=0, passphrase=PASS, prefix=()):
        argv = ["--data-dir", str(tmp_path / "p"), *args]
        if prefix:
            proc = subprocess.run(
                [*prefix, sys.executable, "-m", "desktop.cli", *argv],
                env={**os.environ, "WAYMARK_PASSPHRASE": passphrase},
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
                timeout=120,
            )
            status, out, err = proc.returncode, proc.stdout, proc.stderr
        else:
            monkeypatch.setenv("WAYMARK_PASSPHRASE", passphrase)
            try:
                status = main(argv)
            except SystemExit as exit_:  # argparse's own exit
                status = exit_.code
            out, err = capsys.readouterr()
        assert status == expect, (out, err)
        assert "Traceback" not in err
        if expect == 2:
            assert len(err.strip().splitlines()) == 1, err  # one line
        return subprocess.CompletedProcess(argv, status, out, err)

    run.path = tmp_path / "p"
    yield run
    for handler in root.handlers[:]:
        if handler not in handlers:
            handler.close()
            root.removeHandler(handler)


def digest(folder: Path) -> str:
    return profile_digest(folder, PASS)


@pytest.fixture
def profile(cli):
    cli("init", "--worker", "Ann Tutor")
    pupil = json.loads(
        cli("pupil", "add", "--forename", "Seán", "--surname", "Ó Súilleabháin", "--dob", "2016-03-02", "--json").stdout
    )
    cli.pupil = pupil["id"]
    return cli


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["settings", "--auto-lock-minutes", "0"], "between 1 and 240"),
        (["settings", "--auto-lock-minutes", "-5"], "between 1 and 240"),
        (["settings", "--auto-lock-minutes", "36000"], "between 1 and 240"),
        (["settings", "--service-kind", "evil"], "not a known ServiceKind"),
        (["settings", "--service-name", ""], "service's name is required"),
        (["settings", "--service-name", "x" * 5000], "too long"),
    ],
)
def test_settings_out_of_bounds_are_refused(profile, args, says):
    before = digest(profile.path)
    done = profile(*args, expect=2)
    assert says in done.stderr
    assert digest(profile.path) == before
    assert json.loads(profile("settings", "--json").stdout)["auto_lock_minutes"] == 10


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e308", "-1"])
def test_a_medical_maximum_must_be_a_number_of_hours(profile, value):
    done = profile("provision", "--pupil", profile.pupil, "--type", "home_tuition", f"--medical-max={value}", expect=2)
    assert "medically advised maximum" in done.stderr


@pytest.mark.parametrize(
    ("start", "end"), [("0001-01-01", "2026-11-22"), ("2026-01-01", "9999-12-31"), ("2020-01-01", "2026-11-22")]
)
def test_report_periods_are_bounded(profile, start, end, tmp_path):
    done = profile(
        "report", "hours", profile.pupil, "--from", start, "--to", end, "--out", str(tmp_path / "h.pdf"), expect=2
    )
    assert "check the year" in done.stderr or "at most two years" in done.stderr
    assert not (tmp_path / "h.pdf").exists()


def test_init_refuses_a_weak_passphrase_as_the_app_does(cli):
    done = cli("init", passphrase="abcdefgh", expect=2)
    assert "too weak" in done.stderr
    assert not cli.path.exists() or not any(cli.path.iterdir())
    cli("init", passphrase="four unrelated words here")


def test_init_finishes_a_profile_an_earlier_init_left_half_made(cli):
    cli.path.mkdir()
    (cli.path / "waymark.init").write_text("waymark init in progress\n")
    (cli.path / "waymark.key").write_text("{")
    (cli.path / DB).write_bytes(b"")
    assert "never finished" in cli("pupil", "list", expect=2).stderr
    cli("init")
    assert cli("pupil", "list").stdout.strip() == "(none)"
    assert sorted(p.name for p in cli.path.iterdir() if not p.name.startswith(DB + "-")) == [DB, "waymark.key"]


def test_an_empty_store_is_reported_and_never_rewritten(profile):
    (profile.path / DB).write_bytes(b"")
    for _ in range(2):
        done = profile("pupil", "list", expect=2)
        assert "empty" in done.stderr and "waymark restore" in done.stderr
        assert (profile.path / DB).stat().st_size == 0


def test_read_only_files_say_the_change_was_not_saved(profile):
    profile("pupil", "list")  # leaves the journal folded in
    for path in profile.path.iterdir():
        path.chmod(0o400)
    before = digest(profile.path)
    try:
        done = profile(
            "pupil", "add", "--forename", "A", "--surname", "B", "--dob", "2016-01-01", expect=2, prefix=unprivileged()
        )
    finally:
        for path in profile.path.iterdir():
            path.chmod(0o600)
    assert "not saved" in done.stderr or "read-only" in done.stderr
    assert "unexpected" not in done.stderr
    assert digest(profile.path) == before


def test_a_read_only_profile_folder_is_called_that_not_damaged(profile):
    profile.path.chmod(0o500)
    try:
        done = profile("pupil", "list", expect=2, prefix=unprivileged())
    finally:
        profile.path.chmod(0o700)
    assert "read-only" in done.stderr and "damaged" not in done.stderr


@pytest.mark.parametrize("name", ["bad\x00name.pdf", "x" * 300 + ".pdf", "\ud800.pdf"])
def test_an_impossible_report_file_name_is_refused_before_anything_is_audited(profile, tmp_path, name):
    """Found by the fuzz campaign: the report was rendered and its export audited, then the write failed."""
    visit = json.loads(
        profile(
            "visit",
            "log",
            "--pupil",
            profile.pupil,
            "--date",
            "2026-11-20",
            "--start",
            "10:00",
            "--end",
            "11:00",
            "--json",
        ).stdout
    )
    before = digest(profile.path)
    done = profile("report", "visit", visit["id"], "--out", str(tmp_path / name), expect=2)
    assert "file name" in done.stderr
    assert digest(profile.path) == before


def test_a_profile_and_its_exports_are_private(profile, tmp_path):
    assert stat.S_IMODE(profile.path.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in profile.path.iterdir()} == {0o600}
    profile("report", "summary", "--out", str(tmp_path / "summary.pdf"))
    assert stat.S_IMODE((tmp_path / "summary.pdf").stat().st_mode) == 0o600


def test_backup_and_restore_after_damage(profile, tmp_path):
    done = json.loads(profile("backup", "--out", str(tmp_path / "monday.zip"), "--json").stdout)
    assert done["path"] == str(tmp_path / "monday.zip")
    assert stat.S_IMODE((tmp_path / "monday.zip").stat().st_mode) == 0o600
    db = profile.path / DB
    raw = bytearray(db.read_bytes())
    for page in range(1, len(raw) // 4096):
        raw[page * 4096 + 10] ^= 0xFF
    db.write_bytes(bytes(raw))
    assert "damaged" in profile("pupil", "list", expect=2).stderr
    refused = profile("restore", str(tmp_path / "monday.zip"), expect=2)
    assert "--replace" in refused.stderr and db.read_bytes() == bytes(raw)
    assert "not a Waymark backup" in profile("restore", str(db), "--replace", expect=2).stderr
    restored = json.loads(profile("restore", str(tmp_path / "monday.zip"), "--replace", "--json").stdout)
    assert Path(restored["kept"]).is_dir()
    assert "Seán" in profile("pupil", "list").stdout


def test_bad_arguments_give_one_line(profile):
    done = profile("visit", "log", "--pupil", profile.pupil, "--date", "not a date", expect=2)
    assert "not a date" in done.stderr and "usage" not in done.stderr
    done = profile("pupil", "add", "--forename=A", "--surname=B", "--dob=--", expect=2)  # found by fuzzing
    assert "'--' is not a value" in done.stderr
    for odd in ("\x1e", "a\nb", "\u2028", "\x85"):  # found by the fuzz campaign: an echoed id split the line
        assert "No pupil with id" in profile("pupil", "show", odd, expect=2).stderr
        profile("visit", "log", "--pupil", profile.pupil, "--date", odd, expect=2)


def test_an_unexpected_error_is_logged_without_personal_data(profile, monkeypatch, tmp_path):
    from desktop.services import Waymark
    from tests.unit.test_log import NAME, UPN, database_error

    def broken(self, include_archived=False):
        raise database_error()

    monkeypatch.setattr(Waymark, "list_pupils", broken)
    done = profile("pupil", "list", expect=1)
    assert "unexpected error (IntegrityError)" in done.stderr and len(done.stderr.splitlines()) == 1
    for handler in logging.getLogger().handlers:
        handler.flush()
    log = tmp_path / "state" / "waymark" / "log" / "waymark.log"
    written = log.read_text(encoding="utf-8")
    assert "IntegrityError" in written and UPN not in written and NAME not in written
    assert stat.S_IMODE(log.stat().st_mode) == 0o600 and stat.S_IMODE(log.parent.stat().st_mode) == 0o700


def test_a_report_to_a_full_disk_is_one_line_and_leaves_no_part_file(profile, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    disk = fill_disk(monkeypatch, out, room=2048)  # the PDF is larger: the write runs out part-way
    done = profile("report", "summary", "--out", str(out / "summary.pdf"), expect=2)
    assert done.stderr.strip() == f"waymark: Cannot write {out / 'summary.pdf'}: the disk is full; nothing was written."
    assert disk.full and disk.full[0].name.startswith(".summary.pdf.")  # the fault really hit the write
    assert list(out.iterdir()) == []


def test_a_subject_access_copy_to_a_full_disk_leaves_neither_file(profile, tmp_path, monkeypatch):
    """The JSON fits and the PDF does not: neither is left, so no half a copy is handed over."""
    out = tmp_path / "sar"
    out.mkdir()
    disk = fill_disk(monkeypatch, out, room=8 * 1024)
    done = profile("export", "subject-access", profile.pupil, "--out", str(out), expect=2)
    assert done.stderr.strip() == f"waymark: Cannot write to {out}: the disk is full; neither file was written."
    json_part, pdf_part = disk.opened  # the JSON was written in full, then the PDF ran out
    assert json_part.name.startswith(".subject-access.json.") and disk.full == [pdf_part]
    assert list(out.iterdir()) == []
    fill_disk(monkeypatch, out, room=10**9)  # room again: both are written
    profile("export", "subject-access", profile.pupil, "--out", str(out))
    assert sorted(p.name for p in out.iterdir()) == ["subject-access.json", "subject-access.pdf"]
