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
            "--pupil",
            pupil["id"],
            "--pupil",
            sibling["id"],
            "--json",
        )
    )
    assert visit["pupil_ids"] == [pupil["id"], sibling["id"]]
    assert [e["work_covered"] for e in visit["entries"]] == ["Phonics", "Phonics"]  # before any --pupil: everyone's
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


def test_each_child_has_their_own_entry_by_position(waymark):
    """Options after a --pupil belong to that child; before the first, to every child."""
    waymark("init", "--worker", "Ann Tutor")
    ids = [
        as_json(waymark("pupil", "add", "--forename", name, "--surname", "Boswell", "--dob", dob, "--json"))["id"]
        for name, dob in (("Lily", "2014-01-20"), ("Noah", "2019-03-01"), ("Rosie", "2022-06-01"))
    ]
    lily, noah, rosie = ids
    logged = as_json(
        waymark(
            *("visit", "log", "--date", "2026-11-20", "--start", "10:00", "--end", "11:30"),
            *("--subjects", "Maths", "--work-set", "Times tables sheet", "--family-note", "Good session"),
            *("--pupil", lily, "--work", "Ratio", "--levels", "Secure with ratio"),
            *("--pupil", noah, "--subjects", "Phonics", "--work", "Sounds s, a, t", "--work-set", "Sound mat"),
            *("--family-note", "Noah read his first word"),
            *("--pupil", rosie, "--not-seen", "at_nursery"),
            "--json",
        )
    )
    shown = as_json(waymark("visit", "show", logged["id"], "--json"))
    by_child = {e["pupil_id"]: e for e in shown["entries"]}
    assert [e["pupil_id"] for e in shown["entries"]] == ids
    assert (by_child[lily]["subjects"], by_child[lily]["work_covered"]) == (["Maths"], "Ratio")
    assert (by_child[lily]["work_set"], by_child[lily]["levels_and_needs"]) == (
        "Times tables sheet",
        "Secure with ratio",
    )
    assert (by_child[noah]["subjects"], by_child[noah]["work_covered"]) == (["Phonics"], "Sounds s, a, t")
    assert by_child[noah]["work_set"] == "Sound mat" and by_child[noah]["levels_and_needs"] == ""
    assert (by_child[rosie]["seen"], by_child[rosie]["not_seen_reason"], by_child[rosie]["hours"]) == (
        False,
        "at_nursery",
        0,
    )
    assert by_child[rosie]["subjects"] == [] and by_child[rosie]["status"] == "Not seen: at nursery"
    assert [(n["text"], n["pupil_id"]) for n in shown["notes"]] == [
        ("Good session", None),
        ("Noah read his first word", noah),
    ]
    text = waymark("visit", "show", logged["id"]).stdout
    assert "Rosie Boswell: Not seen: at nursery" in text and "Covered:  Sounds s, a, t" in text
    assert "at nursery" in waymark("visit", "list", "--pupil", rosie).stdout.lower()

    # Bad combinations are refused with one line, and nothing is saved.
    clash = waymark("visit", "log", "--start", "9:00", "--end", "9:30", "--pupil", rosie, "--not-seen", "asleep",
                    "--work", "Colouring", expect=2)  # fmt: skip
    assert "--not-seen and --work are both given" in clash.stderr and clash.stderr.count("\n") == 1
    untimed = waymark("visit", "log", "--pupil", lily, expect=2)
    assert "held needs its start and end times" in untimed.stderr
    twice = waymark("visit", "log", "--date", "2026-11-20", "--start", "10:00", "--end", "11:00", "--pupil", noah,
                    expect=2)  # fmt: skip
    assert "Noah Boswell already has a visit on 20 Nov 2026 at 10:00" in twice.stderr
    assert len(as_json(waymark("visit", "list", "--json"))) == 1
    helped = waymark("visit", "log", "--help").stdout
    assert "Options after a --pupil ID belong to" in helped and "--pupil PADRAIG --not-seen asleep" in helped


def test_an_untimed_visit_beside_a_timed_one_lists_and_reports(waymark, tmp_path):
    """Defect: visit list and every report crashed with TypeError on such a day."""
    waymark("init", "--worker", "Ann Tutor")
    kid = as_json(waymark("pupil", "add", "--forename", "Kai", "--surname", "Ahmed", "--dob", "2019-02-12", "--json"))
    waymark("visit", "log", "--date", "2026-11-20", "--pupil", kid["id"], "--outcome", "not_at_home")
    waymark("visit", "log", "--date", "2026-11-20", "--start", "14:00", "--end", "15:00", "--pupil", kid["id"])
    listed = waymark("visit", "list", "--pupil", kid["id"]).stdout
    assert "Not at home" in listed and "Visit held" in listed
    out = tmp_path / "hours.pdf"
    waymark("report", "progress", kid["id"], "--from", "2026-11-01", "--to", "2026-11-22", "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF")
