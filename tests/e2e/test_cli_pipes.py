"""Output piped into a reader that stops early (`waymark pupil list | head -1`)."""

import os
import subprocess
import sys

from .test_cli import PASS, waymark  # noqa: F401  (the fixture)


def run_into_closed_pipe(data_dir, *args) -> subprocess.CompletedProcess:
    """Run with stdout a pipe whose reader has already gone: every write meets EPIPE,
    as when `head` has read its lines and exited (made so, not raced)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", "desktop.cli", "--data-dir", str(data_dir), *args],
            env={**os.environ, "WAYMARK_PASSPHRASE": PASS},
            stdout=write_end,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)


def test_a_reader_that_stops_early_ends_the_command_quietly(waymark):  # noqa: F811
    waymark("init", "--worker", "Ann Tutor")
    waymark("pupil", "add", "--forename", "Kai", "--surname", "Lee", "--dob", "2016-03-02")
    for args in (["pupil", "list"], ["pupil", "list", "--json"], ["attention"]):
        proc = run_into_closed_pipe(waymark.path, *args)
        assert proc.stderr == "", (args, proc.stderr)  # no "unexpected error (BrokenPipeError)", no warning at exit
        assert proc.returncode == 141, args  # as a shell reports a Unix tool ended by SIGPIPE
    for args in (["--help"], ["visit", "log", "--help"]):
        proc = run_into_closed_pipe(waymark.path, *args)
        assert (proc.returncode, proc.stderr) == (0, ""), args  # argparse itself lets help go quietly
    # A reader that reads everything still gets everything, with success.
    assert "Kai" in waymark("pupil", "list").stdout
