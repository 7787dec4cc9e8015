"""The command line's mistakes, found by trying it as a new user would: one clear
line for every error, the same profile folder whichever way it is named, and
settings and report paths checked before anything is written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PASS = "correct horse battery"
ROOT = Path(__file__).resolve().parents[2]


def waymark(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k != "WAYMARK_DATA_DIR"}
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli", *args],
        env={**base, "PYTHONPATH": str(ROOT), "WAYMARK_PASSPHRASE": PASS, **(env or {})},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def profile(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "profile"
    made = waymark("--data-dir", str(folder), "init", "--worker", "Ann Tutor")
    assert made.returncode == 0, made.stderr
    return folder


def one_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_the_environment_and_the_option_name_the_same_folder(profile):
    by_option = waymark("--data-dir", str(profile), "pupil", "list")
    by_variable = waymark("pupil", "list", env={"WAYMARK_DATA_DIR": str(profile)})
    assert by_option.returncode == by_variable.returncode == 0, (by_option.stderr, by_variable.stderr)
    assert by_option.stdout == by_variable.stdout == "(none)\n"
    help_text = waymark("--help").stdout
    assert "WAYMARK_DATA_DIR" in help_text and "names the same folder" in " ".join(help_text.split())


def test_a_profile_made_under_the_old_meaning_is_still_found(tmp_path):
    old = tmp_path / "data"
    made = waymark("--data-dir", str(old / "profile"), "init")
    assert made.returncode == 0, made.stderr
    found = waymark("pupil", "list", env={"WAYMARK_DATA_DIR": str(old)})
    assert found.returncode == 0 and found.stdout == "(none)\n", found.stderr


def test_a_data_folder_that_is_a_file_is_named_as_the_problem(tmp_path):
    afile = tmp_path / "notes.txt"
    afile.write_text("not a folder")
    for args in (("init",), ("pupil", "list")):
        line = one_line(waymark("--data-dir", str(afile), *args))
        assert line == f"waymark: {afile} is a file, not a folder; choose a folder for the profile (--data-dir)."
    line = one_line(waymark("--data-dir", str(afile / "profile"), "init"))
    assert "is a file, not a folder" in line
    assert afile.read_text() == "not a folder"


def test_a_usage_mistake_is_one_line_that_points_at_the_help(profile):
    line = one_line(waymark("--data-dir", str(profile), "visit", "log", "--outcome", "nope"))
    assert line.startswith("waymark visit log: argument --outcome: 'nope' is not a known Outcome")
    assert line.endswith("(see 'waymark visit log --help')")
    assert one_line(waymark("pupil", "frobnicate")).endswith("(see 'waymark pupil --help')")


def test_a_damaged_database_is_one_clear_line(profile, tmp_path):
    import shutil

    damaged = tmp_path / "damaged"
    shutil.copytree(profile, damaged)
    with open(damaged / "waymark.db", "r+b") as fh:
        fh.seek(5000)
        fh.write(b"x" * 3000)  # pages after the first: the header still decrypts
    before = (damaged / "waymark.db").read_bytes()
    line = one_line(waymark("--data-dir", str(damaged), "pupil", "list"))
    assert (
        line == f"waymark: {damaged / 'waymark.db'} cannot be read: it is damaged, or it is not this profile's "
        "Waymark store. It has been left untouched. Restore the profile from a backup with "
        "'waymark restore BACKUP_FILE'."
    )
    assert (damaged / "waymark.db").read_bytes() == before


def test_settings_that_cannot_work_are_refused(profile):
    line = one_line(waymark("--data-dir", str(profile), "settings", "--auto-lock-minutes", "-5"))
    assert line == "waymark: The idle lock is between 1 and 240 minutes; -5 is not."
    shown = waymark("--data-dir", str(profile), "settings")
    assert "auto_lock_minutes: 10" in shown.stdout
    assert one_line(waymark("--data-dir", str(profile), "settings", "--service-name", " ")).endswith(
        "it heads every report."
    )


@pytest.fixture(scope="module")
def with_a_pupil(profile) -> Path:
    added = waymark(
        "--data-dir", str(profile), "pupil", "add", "--forename", "Levi", "--surname", "Lee", "--dob", "2016-03-01"
    )
    assert added.returncode == 0, added.stderr
    return profile


def test_report_paths_are_checked_before_anything_is_written(with_a_pupil, tmp_path):
    def report(out: str) -> subprocess.CompletedProcess:
        return waymark("--data-dir", str(with_a_pupil), "report", "summary", "--out", out, cwd=tmp_path)

    assert one_line(report("summary.txt")) == (
        "waymark: The report is a PDF: give --out a name ending .pdf (not summary.txt)."
    )
    assert not (tmp_path / "summary.txt").exists()
    assert one_line(report("/dev/full")).startswith("waymark: The report is a PDF")
    os.mkfifo(tmp_path / "pipe.pdf")  # like /dev/full: not a file, so never replaced or written
    assert "it is not an ordinary file" in one_line(report(str(tmp_path / "pipe.pdf")))
    assert one_line(report("/proc/x.pdf")) == (
        "waymark: Cannot write /proc/x.pdf: the folder /proc does not take new files (No such file or directory)."
    )
    written = report("summary.pdf")
    assert written.returncode == 0, written.stderr
    assert (tmp_path / "summary.pdf").read_bytes().startswith(b"%PDF")


def test_help_lists_the_choices_and_describes_every_command():
    visit_help = " ".join(waymark("visit", "log", "--help").stdout.split())
    assert "held, not_at_home, pupil_unwell, cancelled, family_moved_on" in visit_help
    assert "site, home, ward, library, school, other" in visit_help
    assert visit_help.count("not_at_home, pupil_unwell") == 1  # listed once, not again by finish_help
    assert "--status STATUS one of: not_started, in_progress" in " ".join(
        waymark("folder", "item", "--help").stdout.split()
    )
    assert "--type TYPE one of: tes_visits, hospital_tuition" in " ".join(waymark("provision", "--help").stdout.split())
    assert "one of:" in " ".join(waymark("site", "add", "--help").stdout.split())
    passwd = " ".join(waymark("passwd", "--help").stdout.split())
    assert "WAYMARK_NEW_PASSPHRASE" in passwd and "WAYMARK_PASSPHRASE" in passwd
    import argparse

    sys.path.insert(0, str(ROOT))
    from desktop.cli.main import build_parser

    def undescribed(parser: argparse.ArgumentParser, name: str) -> list[str]:
        found = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub_name, sub in action.choices.items():
                    if not sub.description:
                        found.append(f"{name} {sub_name}")
                    found += undescribed(sub, f"{name} {sub_name}")
        return found

    assert undescribed(build_parser(), "waymark") == []
