"""The statutory commands end to end: the school calendar, exclusions, planned
travel, the NC year by hand, and the one-line refusals."""

from datetime import date, timedelta
from pathlib import Path

from .test_cli import as_json, waymark  # noqa: F401  (the fixture)

FIXTURES = Path(__file__).parents[1] / "fixtures"


def pupil(waymark, *extra):  # noqa: F811
    return as_json(
        waymark("pupil", "add", "--forename", "Levi", "--surname", "Lee", "--dob", "2014-06-01", *extra, "--json")
    )


def one_line(proc) -> str:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("waymark: "), proc.stderr
    return lines[0]


def test_the_school_calendar_from_the_command_line(waymark):  # noqa: F811
    waymark("init", "--worker", "Ann Tutor")
    listed = as_json(waymark("calendar", "list", "--json"))
    assert [(y["label"], y["school_days"], y["source"]) for y in listed] == [
        (label, 190, "England default") for label in ("2024/25", "2025/26", "2026/27", "2027/28")
    ]
    done = waymark("calendar", "import", str(FIXTURES / "la-term-dates-2026-27.ics"))
    assert "Imported 2026/27 from la-term-dates-2026-27.ics: 192 school days, 3 terms" in done.stdout
    assert "Note: Skipped 'Council budget consultation closes'" in done.stdout
    text = waymark("calendar", "list").stdout
    assert "2026/27  192" in text and "la-term-dates-2026-27.ics" in text
    entries = waymark("calendar", "list", "--year", "2026/27").stdout
    [half_term] = [line for line in entries.splitlines() if "Autumn half term" in line]
    assert half_term.split()[:7] == ["2", "Nov", "2026", "6", "Nov", "2026", "Holiday"]

    # A file that would give wrong school days changes nothing.
    bad = FIXTURES.parent / "fixtures" / "la-term-dates-2026-27.csv"
    broken = waymark.path.parent / "holidays-only.csv"
    broken.write_text("start,end,kind\n2027-10-25,2027-10-29,holiday\n")
    refused = waymark("calendar", "import", str(broken), expect=2)
    assert "no term dates for 2027/28" in one_line(refused)
    assert "2027/28  190" in waymark("calendar", "list").stdout
    missing = waymark("calendar", "import", str(waymark.path.parent / "nope.ics"), expect=2)
    assert "Cannot read" in one_line(missing)
    assert bad.exists()

    waymark("calendar", "reset", "2026/27")
    assert "2026/27  190" in waymark("calendar", "list").stdout
    assert "already uses the default" in one_line(waymark("calendar", "reset", "2026/27", expect=2))


def test_exclusions_travel_and_the_attention_list(waymark):  # noqa: F811
    waymark("init", "--worker", "Ann Tutor")
    today = date.today()
    excluded = pupil(waymark)
    waymark(
        "exclusion",
        "add",
        "--pupil",
        excluded["id"],
        "--kind",
        "permanent",
        "--start",
        (today - timedelta(days=21)).isoformat(),
    )
    attention = as_json(waymark("attention", "--pupil", excluded["id"], "--json"))
    assert [a["kind"] for a in attention] == ["exclusion"]
    assert "full-time provision" in attention[0]["message"] and "none is in place" in attention[0]["message"]

    fixed = as_json(
        waymark(
            "exclusion",
            "add",
            "--pupil",
            excluded["id"],
            "--kind",
            "fixed-period",
            "--start",
            "2026-10-22",
            "--days",
            "3",
            "--json",
        )
    )
    assert fixed["end"] == "2026-11-02"  # Thu 22, Fri 23, the half term, then Mon 2 Nov: the third school day
    listed = waymark("exclusion", "list", "--pupil", excluded["id"]).stdout
    [line] = [line for line in listed.splitlines() if line.startswith("Levi Lee  Fixed")]
    assert "22 Oct 2026  2 Nov 2026  3" in line
    refused = waymark(
        "exclusion", "add", "--pupil", excluded["id"], "--kind", "fixed_period", "--start", "2026-11-02", expect=2
    )
    assert "needs its last day or its length" in one_line(refused)

    traveller = pupil(waymark, "--traveller-group", "showman")
    kinds = [a["kind"] for a in as_json(waymark("attention", "--pupil", traveller["id"], "--json"))]
    assert kinds == ["no_base_school"]
    trip = as_json(
        waymark(
            "travel",
            "add",
            "--pupil",
            traveller["id"],
            "--leaves",
            (today + timedelta(days=7)).isoformat(),
            "--returns",
            (today + timedelta(days=60)).isoformat(),
            "--destination",
            "Winter fairs",
            "--json",
        )
    )
    kinds = [a["kind"] for a in as_json(waymark("attention", "--pupil", traveller["id"], "--json"))]
    assert kinds == ["no_base_school", "travel"]
    waymark("travel", "agree", trip["id"])
    assert "Winter fairs" in waymark("travel", "list", "--pupil", traveller["id"]).stdout
    kinds = [a["kind"] for a in as_json(waymark("attention", "--pupil", traveller["id"], "--json"))]
    assert kinds == ["no_base_school"]
    settled = pupil(waymark)
    refused = waymark("travel", "add", "--pupil", settled["id"], "--leaves", today.isoformat(), expect=2)
    assert "not recorded as from a Traveller family" in one_line(refused)


def test_the_nc_year_by_hand_moves_up_with_the_pupil(waymark):  # noqa: F811
    waymark("init")
    by_age = as_json(
        waymark("pupil", "add", "--forename", "Noah", "--surname", "Price", "--dob", "2017-10-01", "--json")
    )
    shown = as_json(waymark("pupil", "show", by_age["id"], "--json"))
    year = shown["nc_year_by_age"]
    waymark("pupil", "edit", by_age["id"], "--nc-year", str(year - 1))
    shown = as_json(waymark("pupil", "show", by_age["id"], "--json"))
    assert (shown["nc_year_offset"], shown["nc_year"], shown["nc_year_by_age"]) == (-1, year - 1, year)
    assert f"(Year {year - 1} (Year {year} by age))" in waymark("pupil", "show", by_age["id"]).stdout
    waymark("pupil", "edit", by_age["id"], "--nc-year", "age")
    assert as_json(waymark("pupil", "show", by_age["id"], "--json"))["nc_year_offset"] is None
    refused = waymark("pupil", "edit", by_age["id"], "--nc-year", "Y3", expect=2)
    assert "is not an NC year" in refused.stderr


def test_thresholds_are_changed_from_the_command_line(waymark):  # noqa: F811
    waymark("init")
    shown = as_json(waymark("settings", "--threshold", "home_tuition_minimum_hours=10", "--json"))
    assert shown["thresholds"]["home_tuition_minimum_hours"] == 10.0
    assert "no threshold 'nope'" in one_line(waymark("settings", "--threshold", "nope=1", expect=2))
    assert "is not NAME=VALUE" in one_line(waymark("settings", "--threshold", "nope", expect=2))


def test_a_upn_with_other_digits_and_a_part_time_timetable_without_review_are_refused(waymark):  # noqa: F811
    waymark("init")
    refused = waymark(
        "pupil", "add", "--forename", "A", "--surname", "B", "--dob", "2015-01-01", "--upn", "R67412310112²", expect=2
    )
    assert "only the letters A-Z and the digits 0-9" in one_line(refused)
    child = pupil(waymark)
    refused = waymark("provision", "--pupil", child["id"], "--type", "part_time_timetable", "--hours", "12", expect=2)
    assert "needs a review date" in one_line(refused)
    far = (date.today() + timedelta(weeks=20)).isoformat()
    refused = waymark(
        "provision", "--pupil", child["id"], "--type", "part_time_timetable", "--hours", "12", "--review", far, expect=2
    )
    assert "at most half a term" in one_line(refused)
