"""The audit trail and the UK GDPR commands end to end, in a subprocess."""

import json
import stat

from sqlalchemy import update

from desktop.store import Store
from tests.e2e import test_cli
from tests.e2e.test_cli import PASS, as_json

waymark = test_cli.waymark  # the same fixture: a profile folder and the CLI in a subprocess


def add_pupil(waymark, *extra):
    return as_json(
        waymark(
            "pupil",
            "add",
            "--forename",
            "Levi",
            "--surname",
            "Lee",
            "--dob",
            "2015-06-01",
            "--upn",
            "R674123101121",
            "--medical-needs",
            "Asthma",
            *extra,
            "--json",
        )
    )["id"]


def test_audit_list_and_a_broken_chain_found_by_verify(waymark):
    waymark("init", "--worker", "Ann Tutor")
    pupil_id = add_pupil(waymark)
    waymark("pupil", "edit", pupil_id, "--medical-needs", "Asthma, inhaler")
    rows = as_json(waymark("audit", "list", "--pupil", pupil_id, "--json"))
    assert [(r["action"], r["changes"]) for r in rows] == [
        ("update", {"medical_needs": ["Asthma", "Asthma, inhaler"]}),
        ("create", {}),
    ]
    everything = as_json(waymark("audit", "list", "--json"))
    assert {"sign-in", "settings", "create", "update"} <= {r["action"] for r in everything}
    assert "The audit trail is intact" in waymark("audit", "verify").stdout

    store = Store.open(waymark.path, PASS)  # someone with the key edits a row directly
    table = store.tables["audit_event"]
    seq = rows[0]["seq"]
    with store.engine.begin() as conn:
        conn.execute(update(table).where(table.c.seq == seq).values(actor="Somebody Else"))
    store.close()
    broken = waymark("audit", "verify", expect=3)
    assert f"row {seq} (" in broken.stdout and "its contents were changed after it was written" in broken.stdout
    report = as_json(waymark("audit", "verify", "--json", expect=3))
    assert report["intact"] is False and [b["seq"] for b in report["breaks"]] == [seq]

    bad = waymark("audit", "list", "--from", "2030-01-01", "--to", "2020-01-01", expect=2)
    assert bad.stderr.strip() == "waymark: The period starts after it ends."
    waymark("audit", "list", "--pupil", "no-such-pupil", expect=2)


def test_subject_access_then_erasure(waymark, tmp_path):
    waymark("init", "--worker", "Ann Tutor")
    pupil_id = add_pupil(waymark)
    waymark("concern", "add", "--pupil", pupil_id, "--text", "A worry written down")
    out = tmp_path / "sar"
    waymark("export", "subject-access", pupil_id, "--out", str(out))
    held = json.loads((out / "subject-access.json").read_text())
    assert held["pupil"]["upn"] == "R674123101121" and "concerns" not in held and held["concerns_withheld"] == 1
    for name in ("subject-access.json", "subject-access.pdf"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    waymark("export", "subject-access", pupil_id, "--out", str(out), "--include-restricted")
    held = json.loads((out / "subject-access.json").read_text())
    assert [c["text"] for c in held["concerns"]] == ["A worry written down"]
    waymark("export", "subject-access", pupil_id, "--out", str(out / "subject-access.json"), expect=2)

    refused = waymark("erase", pupil_id, "--reason", "erasure request", expect=2)
    assert "needs --confirm" in refused.stderr
    waymark("pupil", "show", pupil_id)  # still there
    waymark("erase", pupil_id, "--reason", "erasure request of 20 Nov 2026", "--confirm")
    waymark("pupil", "show", pupil_id, expect=2)
    rows = as_json(waymark("audit", "list", "--pupil", pupil_id, "--json"))
    assert rows[0]["action"] == "erase" and "Reason: erasure request of 20 Nov 2026" in rows[0]["summary"]
    assert all(r["redacted"] for r in rows[1:])
    assert "R674123101121" not in json.dumps(rows)
    assert "intact" in waymark("audit", "verify").stdout


def test_retention_review_and_a_confirmed_apply(waymark):
    waymark("init", "--worker", "Ann Tutor")
    pupil_id = add_pupil(waymark)
    assert as_json(waymark("retention", "review", "--json")) == []
    waymark("settings", "--retention-destroy-years", "11")
    waymark("settings", "--retention-destroy-years", "0", expect=2)
    (due,) = as_json(waymark("retention", "review", "--json"))
    assert (due["pupil_id"], due["step"]) == (pupil_id, "destroy")
    waymark("retention", "apply", expect=2)
    waymark("pupil", "show", pupil_id)
    done = as_json(waymark("retention", "apply", "--confirm", "--json"))
    assert done == {"archived": [], "destroyed": [pupil_id]}
    actions = [r["action"] for r in as_json(waymark("audit", "list", "--json"))]
    assert actions.index("erase") < actions.index("retention-confirmed")  # newest first: confirmed, then erased
