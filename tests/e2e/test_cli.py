"""The CLI end to end, in a subprocess, as a script would use it."""

import json
import os
import subprocess
import sys

import pytest

PASS = "correct horse battery"


@pytest.fixture
def waymark(tmp_path):
    env = {**os.environ, "WAYMARK_PASSPHRASE": PASS, "WAYMARK_DATA_DIR": str(tmp_path / "data")}

    def run(*args, passphrase=PASS, expect=0, extra_env=None):
        proc = subprocess.run(
            [sys.executable, "-m", "desktop.cli", "--data-dir", str(tmp_path / "p"), *args],
            env={**env, "WAYMARK_PASSPHRASE": passphrase, **(extra_env or {})},
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
        assert proc.returncode == expect, (proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
        return proc

    run.path = tmp_path / "p"
    return run


def as_json(proc):
    return json.loads(proc.stdout)


def test_a_working_day_from_the_command_line(waymark):
    waymark("init", "--worker", "Ann Tutor", "--service-name", "Lancashire TES")
    school = as_json(
        waymark("school", "add", "--urn", "119234", "--la", "888", "--estab", "2145", "--name", "St Anne's", "--json")
    )
    assert school["id"] and school["urn"] == "119234"
    pupil = as_json(
        waymark(
            "pupil",
            "add",
            "--forename",
            "Seán",
            "--surname",
            "Ó Súilleabháin",
            "--dob",
            "2016-03-02",
            "--upn",
            "R674123101121",
            "--base-school",
            "119234",
            "--suppress-address",
            "--json",
        )
    )
    sibling = as_json(
        waymark("pupil", "add", "--forename", "Máire", "--surname", "Ó Súilleabháin", "--dob", "22/05/2018", "--json")
    )
    visit = as_json(
        waymark(
            "visit",
            "log",
            "--pupil",
            pupil["id"],
            "--pupil",
            sibling["id"],
            "--date",
            "2026-11-20",
            "--start",
            "10:00",
            "--end",
            "11:30",
            "--place-type",
            "site",
            "--subjects",
            "English,Maths",
            "--work",
            "Phonics",
            "--work-set",
            "Reading journal",
            "--family-note",
            "Lovely work",
            "--professional-note",
            "Dad unwell",
            "--json",
        )
    )
    assert visit["pupil_ids"] == [pupil["id"], sibling["id"]]
    listed = as_json(waymark("visit", "list", "--pupil", sibling["id"], "--json"))
    assert [v["id"] for v in listed] == [visit["id"]]
    shown = as_json(waymark("pupil", "show", pupil["id"], "--json"))
    assert shown["base_school"]["name"] == "St Anne's" and shown["suppress_address"] is True
    edited = as_json(waymark("pupil", "edit", pupil["id"], "--preferred-forename", "Shaun", "--json"))
    assert edited["changed"] == ["preferred_forename"]
    text = waymark("pupil", "list").stdout
    assert "Shaun Ó Súilleabháin" in text and "Máire Ó Súilleabháin" in text
    assert {row["id"] for row in as_json(waymark("pupil", "list", "--json"))} == {pupil["id"], sibling["id"]}

    sites = [
        as_json(waymark("site", "add", "--name", name, "--type", kind, "--json"))["id"]
        for name, kind in (("Walton Summit", "transit_site"), ("Layby on the A59", "roadside"))
    ]
    for site, day in zip(sites, ("2026-10-01", "2026-11-18"), strict=True):
        moved = as_json(
            waymark(
                "site",
                "stay",
                "--pupil",
                pupil["id"],
                "--pupil",
                sibling["id"],
                "--site",
                site,
                "--arrived",
                day,
                "--json",
            )
        )
        assert len(moved["ids"]) == 2 and moved["site_id"] == site
    assert {row["site"] for row in as_json(waymark("pupil", "list", "--json"))} == {"Layby on the A59"}
    again = waymark("site", "stay", "--pupil", pupil["id"], "--site", sites[1], expect=2)
    assert "already staying at Layby on the A59" in again.stderr

    waymark("concern", "add", "--pupil", pupil["id"], "--text", "Bruise on arm")
    pack = as_json(
        waymark("pack", "add", "--title", "Fractions", "--subject", "Maths", "--items", "Halves,Quarters", "--json")
    )
    folder = as_json(
        waymark(
            "folder",
            "issue",
            "--pupil",
            pupil["id"],
            "--pack",
            pack["id"],
            "--issued",
            "2026-10-01",
            "--expected-back",
            "2026-11-01",
            "--json",
        )
    )
    assert [i["title"] for i in folder["items"]] == ["Halves", "Quarters"]
    overdue = as_json(waymark("folder", "list", "--overdue", "--json"))
    assert [f["id"] for f in overdue] == [folder["id"]]
    attention = as_json(waymark("attention", "--json"))
    assert {"pupil_id": pupil["id"], "kind": "folder_overdue"}.items() <= attention[0].items()
    waymark("folder", "return", folder["id"], "--date", "2026-11-10")
    assert as_json(waymark("folder", "list", "--overdue", "--json")) == []
    entry = as_json(
        waymark(
            "progress",
            "add",
            "--pupil",
            pupil["id"],
            "--subject",
            "Maths",
            "--level",
            "Developing",
            "--gap",
            "Times tables",
            "--json",
        )
    )
    assert entry["id"]
    assert as_json(waymark("progress", "list", "--pupil", pupil["id"], "--json"))[0]["learning_gap"] == "Times tables"


def test_bad_input_gets_one_clear_line_and_exit_2(waymark):
    waymark("init")
    wrong = waymark("pupil", "list", passphrase="not it", expect=2)
    assert wrong.stderr.strip() == "waymark: Wrong passphrase: the profile was not unlocked."
    bad_upn = waymark(
        "pupil", "add", "--forename", "A", "--surname", "B", "--dob", "2016-01-01", "--upn", "A674123101121", expect=2
    )
    assert "check letter is wrong: expected R, got A" in bad_upn.stderr
    short = waymark(
        "pupil", "add", "--forename", "A", "--surname", "B", "--dob", "2016-01-01", "--upn", "R6741", expect=2
    )
    assert "13 characters" in short.stderr
    unknown = waymark("visit", "show", "no-such-id", expect=2)
    assert "No visit with id 'no-such-id'" in unknown.stderr
    assert as_json(waymark("pupil", "list", "--json")) == []  # nothing was written


def test_a_damaged_store_is_reported_and_never_overwritten(waymark):
    waymark("init")
    db = waymark.path / "waymark.db"
    db.write_bytes(db.read_bytes()[:100])
    before = db.read_bytes()
    result = waymark("pupil", "list", expect=2)
    assert "left untouched" in result.stderr
    again = waymark("init", expect=2)
    assert "already exists" in again.stderr
    assert db.read_bytes() == before


def test_passwd_rewraps_the_key(waymark):
    waymark("init")
    waymark("passwd", extra_env={"WAYMARK_NEW_PASSPHRASE": "a different passphrase"})
    waymark("pupil", "list", expect=2)
    waymark("pupil", "list", passphrase="a different passphrase")


def test_demo_fills_a_profile_with_a_caseload(waymark):
    counts = as_json(waymark("demo", "--json"))
    assert counts["pupils"] >= 25 and counts["visits"] > 300
    caseload = as_json(waymark("pupil", "list", "--json"))
    assert len(caseload) == counts["pupils"]
    kinds = {a["kind"] for a in as_json(waymark("attention", "--json"))}
    assert {"folder_overdue", "health_trigger", "hours_below_target", "part_time"} <= kinds
