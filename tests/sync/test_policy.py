"""The LA's policy: set on the server, sent with each sync, applied and
audited on the laptop, and not overridable there. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from desktop.services import ValidationError
from sync.server import cli
from tests.conftest import PASSPHRASE
from tests.sync.conftest import add_user


def server(server_url: str, capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["--database", server_url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_policy_set_on_the_server_reaches_the_laptop_and_wins(server_url, engine, make_device, capsys):
    add_user(engine, "ann", "tutor")
    ann = make_device("ann", "ann")
    ann.app.update_settings(retention_destroy_years=30, auto_lock_minutes=60)
    ann.sync()
    assert ann.app.la_policy() == {}  # none set: nothing changes

    code, out, _ = server(
        server_url,
        capsys,
        "policy",
        "set",
        "retention_destroy_years=25",
        "auto_lock_max_minutes=15",
        "keyring_unlock=forbidden",
    )
    assert code == 0 and "next sync" in out
    code, out, _ = server(server_url, capsys, "policy", "show", "--json")
    assert json.loads(out) == {
        "auto_lock_max_minutes": 15,
        "keyring_unlock": "forbidden",
        "retention_destroy_years": 25,
    }

    ann.sync()
    settings = ann.app.settings()
    assert (settings.retention_destroy_years, settings.auto_lock_minutes) == (25, 15)
    assert ann.app.keyring_allowed() is False
    with pytest.raises(ValidationError, match="policy sets 'destroy after the date of birth' to 25"):
        ann.app.update_settings(retention_destroy_years=40)
    with pytest.raises(ValidationError, match="at most 15 idle minutes"):
        ann.app.update_settings(auto_lock_minutes=30)
    ann.app.update_settings(auto_lock_minutes=5, retention_destroy_years=25)  # within the policy: fine
    [row] = [e for e in ann.app.audit_trail() if e.summary.startswith("LA policy")]
    assert {(c.field, c.old, c.new) for c in row.changes} == {
        ("auto_lock_max_minutes", None, 15),
        ("keyring_unlock", None, "forbidden"),
        ("retention_destroy_years", None, 25),
    }
    # The command line says the same, in one line, and changes nothing.
    env = {**os.environ, "WAYMARK_PASSPHRASE": PASSPHRASE}
    folder = str(ann.app.store.path.parent)
    refused = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--data-dir", folder, "settings", "--retention-destroy-years", "40"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and "local authority's policy" in refused.stderr
    # With a change the policy allows in the same command: refused before anything is written.
    both = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--data-dir", folder, "settings",
         "--threshold", "home_tuition_minimum_hours=9", "--retention-destroy-years", "40"],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert both.returncode == 2 and "local authority's policy" in both.stderr
    stored = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--data-dir", folder, "settings", "--json"],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert json.loads(stored.stdout)["thresholds"]["home_tuition_minimum_hours"] != 9  # not kept either
    shown = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--data-dir", folder, "settings"], env=env, capture_output=True, text=True
    )
    assert "Set by your local authority: " in shown.stdout and "retention_destroy_years=25" in shown.stdout
    ann.sync()  # the same policy again: nothing new written or audited
    assert len([e for e in ann.app.audit_trail() if e.summary.startswith("LA policy")]) == 1
    code, out, _ = server(server_url, capsys, "audit", "list", "--user", "ann")
    assert "LA policy" in out  # the policy's arrival travelled to the LA's copy of the trail

    # Taken off the policy: the worker's own choice shows again.
    assert server(server_url, capsys, "policy", "unset", "retention_destroy_years")[0] == 0
    ann.sync()
    assert ann.app.la_policy() == {"auto_lock_max_minutes": 15, "keyring_unlock": "forbidden"}
    assert ann.app.settings().retention_destroy_years == 30


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["policy", "set", "retention_destroy_years=0"], "from 1 to 100"),
        (["policy", "set", "keyring_unlock=maybe"], "one of: allowed, forbidden"),
        (["policy", "set", "colour=blue"], "'colour' is not a policy"),
        (["policy", "set", "retention_destroy_years"], "is not KEY=VALUE"),
        (["policy", "unset", "colour"], "'colour' is not a policy"),
        (["audit", "list", "--limit", "0"], "--limit must be"),
    ],
)
def test_bad_policy_input_is_one_line_and_changes_nothing(server_url, capsys, args, message):
    code, _out, err = server(server_url, capsys, *args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert json.loads(server(server_url, capsys, "policy", "show", "--json")[1]) == {}
