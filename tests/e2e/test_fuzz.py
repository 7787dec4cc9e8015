"""Fuzzing the command line's argument values, the key file and the store's
header (issue 10: 4.7). Whatever arrives: no traceback, and either the command
does what it says (exit 0) or it refuses in one line with exit status 2 and
the profile's files are exactly as they were.

The suite runs a few dozen examples of each (quick, and derandomised so a
failure is repeatable); `WAYMARK_FUZZ_EXAMPLES=2000` runs a larger campaign by hand.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.cli.main import main
from tests.conftest import PASSPHRASE

from .digest import profile_digest

CAMPAIGN = os.environ.get("WAYMARK_FUZZ_EXAMPLES")  # a larger run by hand; the suite stays near 15 s


def fuzz(examples: int) -> settings:
    count = int(CAMPAIGN) if CAMPAIGN else examples
    return settings(
        max_examples=count,
        deadline=None,
        derandomize=not CAMPAIGN,  # the suite's run is repeatable; a campaign explores
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )


class Profile:
    """One real profile for every example: a school, a pupil, a site, a visit, a pack."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "p"
        self.spare = root / "spare"  # where --out and restore's FILE may point: never outside root
        self.spare.mkdir()
        os.environ["XDG_STATE_HOME"] = str(root / "state")
        os.environ["WAYMARK_PASSPHRASE"] = PASSPHRASE
        self.cli("init", "--worker", "Ann Tutor")
        self.cli("school", "add", "--urn", "119234", "--la", "888", "--estab", "2145", "--name", "St Anne's")
        self.pupil = self.json(
            "pupil",
            "add",
            "--forename",
            "Seán",
            "--surname",
            "Ó Súilleabháin",
            "--dob",
            "2016-03-02",
            "--base-school",
            "119234",
        )["id"]
        self.site = self.json("site", "add", "--name", "Walton Summit", "--type", "transit_site")["id"]
        self.visit = self.json(
            "visit", "log", "--pupil", self.pupil, "--date", "2026-11-20", "--start", "10:00", "--end", "11:00"
        )["id"]
        self.pack = self.json("pack", "add", "--title", "Phonics", "--subject", "English")["id"]
        self.cli("backup", "--out", str(self.spare / "good.zip"))
        (self.spare / "junk.zip").write_bytes(os.urandom(3000))
        good = (self.spare / "good.zip").read_bytes()
        (self.spare / "cut.zip").write_bytes(good[: len(good) // 2])

    def cli(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(["--data-dir", str(self.data), *args])
            except SystemExit as exit_:
                status = exit_.code if isinstance(exit_.code, int) else 2
        return status, out.getvalue(), err.getvalue()

    def json(self, *args: str) -> dict:
        status, out, err = self.cli(*args, "--json")
        assert status == 0, err
        return json.loads(out)

    def digest(self) -> str:
        return profile_digest(self.data, PASSPHRASE)


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    saved = {k: os.environ.get(k) for k in ("XDG_STATE_HOME", "WAYMARK_PASSPHRASE", "WAYMARK_NEW_PASSPHRASE")}
    handlers = list(logging.getLogger().handlers)
    yield Profile(tmp_path_factory.mktemp("fuzz"))
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    for handler in logging.getLogger().handlers[:]:
        if handler not in handlers:
            handler.close()
            logging.getLogger().removeHandler(handler)


def check(profile: Profile, args: list[str]) -> int:
    before = profile.digest()
    status, _, err = profile.cli(*args)
    assert "Traceback" not in err, (args, err)
    assert status in (0, 2), (args, status, err)  # 1 would be an unexpected error
    if status == 2:
        assert len(err.strip().splitlines()) == 1, (args, err)
        assert profile.digest() == before, args
    return status


# --- argument values ---------------------------------------------------------------------

ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "-",
            "--",
            "nan",
            "inf",
            "-inf",
            "1e308",
            "-1",
            "0",
            "99999999999999999999",
            "\x00",
            "0001-01-01",
            "9999-12-31",
            "29/02/2023",
            "31/04/2026",
            "2026-11-22",
            "today",
            "24:00",
            "23:59",
            "x" * 5000,
            "😀",
            "Robert'); DROP TABLE pupil;--",
            "../../etc/passwd",
            "%s%n",
            "{}",
            "[]",
        ]
    ),
)
NUMBER = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    ODD_TEXT,
)


def spare_path(profile: Profile, name: str) -> str:
    """An output path that stays inside the test's folder, however odd its name."""
    safe = "".join(c for c in name if c not in "/\\")[:200] or "x"
    return str(profile.spare / safe)


@st.composite
def command(draw, profile: Profile) -> list[str]:
    v, n = draw(ODD_TEXT), draw(NUMBER)
    ids = st.sampled_from([profile.pupil, profile.visit, profile.site, profile.pack, draw(ODD_TEXT)])
    kind = draw(st.sampled_from(range(16)))
    opt = lambda name, value: [f"--{name}={value}"]  # noqa: E731 (= form: a value may start with '-')
    if kind == 0:
        return [
            "settings",
            *opt(
                draw(
                    st.sampled_from(
                        ["auto-lock-minutes", "service-kind", "service-name", "worker-name", "service-email"]
                    )
                ),
                n if draw(st.booleans()) else v,
            ),
        ]
    if kind == 1:
        field = draw(
            st.sampled_from(
                [
                    "dob",
                    "upn",
                    "nc-year",
                    "ethnicity",
                    "sex",
                    "traveller-group",
                    "sen",
                    "base-school",
                    "address",
                    "medical-needs",
                ]
            )
        )
        return [
            "pupil",
            "add",
            "--forename=A",
            "--surname=B",
            "--dob=2016-01-01",
            *opt(field, v if field != "nc-year" else n),
        ]
    if kind == 2:
        return [
            "pupil",
            "edit",
            draw(ids),
            *opt(draw(st.sampled_from(["dob", "upn", "forename", "postcode", "nc-year"])), v),
        ]
    if kind == 3:
        field = draw(
            st.sampled_from(
                ["date", "start", "end", "place-type", "subjects", "outcome", "next", "site", "family-note"]
            )
        )
        return ["visit", "log", f"--pupil={draw(ids)}", *opt(field, v)]
    if kind == 4:
        field = draw(st.sampled_from(["hours", "medical-max", "start", "end", "review", "type"]))
        return [
            "provision",
            f"--pupil={profile.pupil}",
            "--type=home_tuition",
            *opt(field, n if field in ("hours", "medical-max") else v),
        ]
    if kind == 5:
        which = draw(st.sampled_from(["hours", "progress"]))
        return [
            "report",
            which,
            draw(ids),
            f"--from={v}",
            f"--to={draw(ODD_TEXT)}",
            f"--out={spare_path(profile, 'r.pdf')}",
        ]
    if kind == 6:
        return ["report", "visit", draw(ids), f"--out={spare_path(profile, v)}"]
    if kind == 7:
        return [
            "site",
            "stay",
            f"--pupil={draw(ids)}",
            f"--site={draw(ids)}",
            *opt(draw(st.sampled_from(["arrived", "weeks"])), n),
        ]
    if kind == 8:
        return ["absence", f"--pupil={draw(ids)}", f"--start={v}", f"--end={draw(ODD_TEXT)}"]
    if kind == 9:
        return ["folder", "issue", f"--pupil={draw(ids)}", f"--pack={draw(ids)}", f"--expected-back={v}"]
    if kind == 10:
        return [
            draw(st.sampled_from(["pupil", "visit", "concern", "progress", "folder"])),
            draw(st.sampled_from(["show", "list"])),
            draw(ids),
        ]
    if kind == 11:
        return [
            "restore",
            str(profile.spare / draw(st.sampled_from(["junk.zip", "cut.zip", "missing.zip", "."]))),
            *draw(st.sampled_from([[], ["--replace"]])),
        ]
    if kind == 12:
        return [
            "backup",
            f"--out={draw(st.sampled_from([str(profile.spare), str(profile.spare / 'no' / 'b.zip'), str(profile.data / 'b.zip')]))}",
        ]
    if kind == 13:
        return ["contact", f"--pupil={draw(ids)}", f"--name={v}", f"--relationship={draw(ODD_TEXT)}"]
    if kind == 14:
        return [
            "progress",
            "add",
            f"--pupil={draw(ids)}",
            "--subject=Maths",
            f"--level={v}",
            f"--date={draw(ODD_TEXT)}",
        ]
    return [draw(st.sampled_from(["init", "passwd", "attention", "school"])), *draw(st.lists(ODD_TEXT, max_size=3))]


def test_any_argument_values(profile):
    @fuzz(30)
    @given(data=st.data())
    def run(data):
        check(profile, data.draw(command(profile)))

    run()


# --- the key file and the store's header ---------------------------------------------------


def mutated_json(original: dict) -> st.SearchStrategy:
    json_values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=6,
    )

    @st.composite
    def mutate(draw) -> bytes:
        data = json.loads(json.dumps(original))
        section = draw(st.sampled_from(["kdf", "wrap", "top"]))
        if section == "top":
            data[draw(st.sampled_from(["format", "check", "kdf", "wrap"]))] = draw(json_values)
        else:
            key = draw(st.sampled_from([*sorted(data[section]), "extra"]))
            data[section][key] = draw(json_values)
        return json.dumps(data).encode()

    return mutate()


def test_any_key_file_or_store_header(profile):
    key_path, db_path = profile.data / "waymark.key", profile.data / "waymark.db"
    profile.cli("pupil", "list")  # journal folded in: the store is one file
    good_key, good_db = key_path.read_bytes(), db_path.read_bytes()
    original = json.loads(good_key)

    @st.composite
    def damage(draw) -> tuple[str, bytes]:
        target = draw(st.sampled_from(["key-json", "key-bytes", "db-header", "db-length"]))
        if target == "key-json":
            return "key", draw(mutated_json(original))
        if target == "key-bytes":
            return "key", draw(st.binary(max_size=600) | st.just(good_key[: draw(st.integers(0, len(good_key)))]))
        if target == "db-header":
            start = draw(st.integers(0, 1023))
            patch = draw(st.binary(min_size=1, max_size=64))
            return "db", good_db[:start] + patch + good_db[start + len(patch) :]
        return "db", good_db[: draw(st.sampled_from([0, 1, 15, 16, 100, 1024, 4096, len(good_db) - 1]))]

    @fuzz(40)
    @given(change=damage())
    def run(change):
        which, content = change
        path = key_path if which == "key" else db_path
        path.write_bytes(content)
        try:
            if check(profile, ["pupil", "list"]) == 2:
                assert path.read_bytes() == content  # a damaged file is left exactly as it was
        finally:
            key_path.write_bytes(good_key)
            db_path.write_bytes(good_db)
            for extra in ("waymark.db-wal", "waymark.db-shm"):
                (profile.data / extra).unlink(missing_ok=True)

    run()
    assert profile.cli("pupil", "list")[0] == 0
    shutil.rmtree(profile.spare / "no", ignore_errors=True)
