"""What a quick command loads: `waymark settings` unlocks and reads through the
driver alone, so it never imports SQLAlchemy, reportlab or Qt (each would cost
more than the rest of the command; bench/cli.py measures it), and the CLI builds
only the parser of the command it runs."""

import argparse
import json
import os
import subprocess
import sys

from desktop.cli import build_parser
from desktop.cli.main import NOUNS, OTHER_COMMANDS, noun_module

PASS = "correct horse battery"

PROBE = """
import json, sys
from desktop.cli.main import main
status = main(sys.argv[1:])
loaded = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'reportlab', 'PySide6'})
print(json.dumps({'status': status, 'loaded': loaded}))
"""


def probe(tmp_path, *args):
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, "--data-dir", str(tmp_path / "p"), *args],
        env={**os.environ, "WAYMARK_PASSPHRASE": PASS},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    *printed, loaded = proc.stdout.strip().splitlines()
    return "\n".join(printed), json.loads(loaded)


def test_settings_loads_no_sqlalchemy_reportlab_or_qt(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--data-dir", str(tmp_path / "p"), "init", "--worker", "Ann Tutor"],
        env={**os.environ, "WAYMARK_PASSPHRASE": PASS},
        check=True,
        capture_output=True,
    )
    out, shown = probe(tmp_path, "settings")
    assert shown == {"status": 0, "loaded": []}
    assert "worker_name: Ann Tutor" in out
    # A change is a write with its audit row, through SQLAlchemy: it still works.
    out, changed = probe(tmp_path, "settings", "--worker-name", "Bea Tutor", "--json")
    assert changed["status"] == 0 and "reportlab" not in changed["loaded"]
    assert json.loads(out)["worker_name"] == "Bea Tutor"
    assert probe(tmp_path, "settings")[1] == {"status": 0, "loaded": []}
    # A command that reads records does load SQLAlchemy, and still works.
    out, listed = probe(tmp_path, "pupil", "list", "--json")
    assert listed["status"] == 0 and "sqlalchemy" in listed["loaded"] and json.loads(out) == []


def test_each_noun_registers_the_commands_the_lazy_parser_expects():
    """main.py builds one noun's parser when the command line names its command;
    that only works if each noun adds exactly the commands it is looked up by:
    its own name, or those OTHER_COMMANDS gives it."""
    for noun in NOUNS:
        sub = argparse.ArgumentParser().add_subparsers()
        noun_module(noun).register(sub)
        expected = {command for command, module in OTHER_COMMANDS.items() if module == noun} or {noun}
        assert set(sub.choices) == expected, noun


def test_the_parser_for_one_command_parses_as_the_full_one():
    argv = ["--data-dir", "/x", "visit", "list", "--from", "2026-11-01", "--json"]
    one, full = build_parser(argv), build_parser()
    assert list(one._subparsers._group_actions[0].choices) == ["visit"]
    assert len(full._subparsers._group_actions[0].choices) > 10
    assert vars(one.parse_args(argv)) == vars(full.parse_args(argv))
