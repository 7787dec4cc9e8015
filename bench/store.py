"""Store benchmark: SQLCipher against plain SQLite on the same workload, and
logging a visit through the services against a bare insert of the same rows.

    python bench/store.py [--pupils 5000] [--visits 250000] [--rounds 2]

Prints figures and ratios; every baseline is measured in the same run.
Targets: encrypted / plain <= 1.3; service log / bare insert <= 3x and < 20 ms;
Store.find / the same SQL on a raw cursor <= 2x (`--find-only PROFILE` runs that
part alone on an existing profile).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bench.generate import generate
from desktop.domain.enums import Visibility
from desktop.domain.records import ProvisionEpisode, Pupil, Visit, VisitEntry, VisitNote
from desktop.services import Waymark
from desktop.store import Store, new_id, queries
from desktop.store.mapping import to_row

TODAY = date(2026, 11, 22)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def workload(store: Store, pupils: int, visits: int) -> dict[str, float]:
    """Insert the caseload, then the queries the app runs most."""
    app = Waymark(store, today=lambda: TODAY)
    figures = {"insert": timed(lambda: generate(store, pupils, visits, today=TODAY))}
    ids = [p.id for p in store.find(Pupil)]
    rng = random.Random(1)
    sample = rng.sample(ids, 200)
    figures["caseload"] = timed(app.caseload)
    figures["200 pupil timelines"] = timed(lambda: [queries.visits_for_pupil(store, pid) for pid in sample])
    figures["a month of visits"] = timed(lambda: queries.visits_between(store, TODAY - timedelta(days=30), TODAY))
    figures["attention"] = timed(app.attention)
    return figures


def run_one(kind: str, folder: Path, pupils: int, visits: int) -> dict[str, float]:
    """One store, one workload: what a child process runs."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    if kind == "plain":
        folder.mkdir()
    store = (
        Store.create(folder, "benchmark passphrase") if kind == "encrypted" else Store.open_plain(folder / "plain.db")
    )
    figures = workload(store, pupils, visits)
    store.close()
    return figures


def encrypted_vs_plain(pupils: int, visits: int, work: Path, rounds: int) -> None:
    """Each run in a fresh process (so the second never inherits the first one's heap),
    alternating which goes first; the median of each step over the rounds."""
    print(
        f"\n1. The same workload on SQLCipher and on plain SQLite ({pupils:,} pupils, {visits:,} visits; "
        f"{rounds} rounds, each run in a fresh process)"
    )
    results: dict[str, list[dict[str, float]]] = {"plain": [], "encrypted": []}
    for round_ in range(rounds):
        order = ("plain", "encrypted") if round_ % 2 == 0 else ("encrypted", "plain")
        for kind in order:
            folder = work / (kind if round_ == 0 else f"{kind}-{round_}")
            child = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--one",
                    kind,
                    "--folder",
                    str(folder),
                    "--pupils",
                    str(pupils),
                    "--visits",
                    str(visits),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            results[kind].append(json.loads(child.stdout.strip().splitlines()[-1]))
    median = {
        kind: {step: statistics.median(r[step] for r in runs) for step in runs[0]} for kind, runs in results.items()
    }
    print(f"   {'step':<22}{'plain':>10}{'SQLCipher':>12}{'ratio':>8}")
    for step in median["plain"]:
        p, e = median["plain"][step], median["encrypted"][step]
        print(f"   {step:<22}{p:>9.2f}s{e:>11.2f}s{e / p:>8.2f}")
    total_p, total_e = sum(median["plain"].values()), sum(median["encrypted"].values())
    verdict = "meets" if total_e / total_p <= 1.3 else "MISSES"
    print(f"   {'total':<22}{total_p:>9.2f}s{total_e:>11.2f}s{total_e / total_p:>8.2f}  ({verdict} the 1.3 target)")


def service_vs_bare(work: Path, runs: int = 200) -> None:
    print(f"\n2. Logging a visit: through the services (validation, outbox, audit) vs a bare insert ({runs} each)")
    app = Waymark.open_profile(work / "encrypted", "benchmark passphrase")
    app.today = lambda: TODAY
    store = app.store
    pupils = [p.id for p in store.find(Pupil, limit=2)]

    days = iter(range(10 * runs))

    def make_visit() -> Visit:
        # A day each, at an hour the generated caseload never uses: the services
        # refuse a second visit to a child at the same time.
        return Visit.same_for_all(
            date=TODAY - timedelta(days=next(days)),
            start=clock(7, 0),
            end=clock(8, 30),
            pupil_ids=list(pupils),
            subjects=["English"],
            work_covered="Phonics",
            work_set="Reading journal",
            notes=[
                VisitNote(text="Lovely work", visibility=Visibility.FAMILY),
                VisitNote(text="Dad unwell", visibility=Visibility.PROFESSIONAL),
            ],
        )

    def bare() -> None:
        visit = make_visit()
        visit.id = new_id()
        t = store.tables
        with store._begin_write() as conn:
            conn.execute(insert(t["visit"]).values(**to_row(visit)))
            conn.execute(
                insert(t["visit_entry"]),
                [to_row(e) | {"id": new_id(), "visit_id": visit.id, "visit_date": visit.date} for e in visit.entries],
            )
            conn.execute(
                insert(t["visit_note"]), [to_row(n) | {"id": new_id(), "visit_id": visit.id} for n in visit.notes]
            )

    bare_times, service_times = [], []
    for _ in range(runs):  # interleaved, so disk and cache effects fall on both alike
        bare_times.append(timed(bare))
        service_times.append(timed(lambda: app.log_visit(make_visit())))
    b, s = statistics.median(bare_times), statistics.median(service_times)
    p95 = statistics.quantiles(service_times, n=20)[-1]
    verdict = "meets" if s / b <= 3 and s < 0.020 else "MISSES"
    print(f"   bare insert (visit, 2 entries, 2 notes): median {b * 1000:.2f} ms")
    print(f"   services log_visit:                    median {s * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms")
    print(f"   ratio {s / b:.2f}x  ({verdict} the 3x and 20 ms targets)")
    app.close()


def _find_case(
    store: Store, raw, rng, runs: int, cls: type, column: str, keys: list, order: tuple
) -> tuple[float, float]:
    """Median seconds of the raw SQL and of Store.find, for random keys."""
    # The SQL find runs (a visit's entries and notes too), written out once: the raw side pays only for running it.
    sql = store.reader(cls).sql({column: "x"}, order)[0]
    link_sql = store.reader(VisitEntry).sql({"visit_id": ["x"]}, ["id"])[0]
    notes_sql = store.reader(VisitNote).sql({"visit_id": ["x"]}, ["id"])[0]

    def bare(key: str) -> list:
        if cls is not Visit:
            return raw.execute(sql, (key,)).fetchall()
        raw.execute("BEGIN")  # the three statements find runs, in one read transaction
        rows = raw.execute(sql, (key,)).fetchall()
        rows += raw.execute(link_sql, (key,)).fetchall()
        rows += raw.execute(notes_sql, (key,)).fetchall()
        raw.execute("COMMIT")
        return rows

    bare_times, find_times = [], []
    for key in (rng.choice(keys) for _ in range(runs)):
        bare_times.append(timed(lambda key=key: bare(key)))
        find_times.append(timed(lambda key=key: store.find(cls, order_by=order, **{column: key})))
    return statistics.median(bare_times), statistics.median(find_times)


def find_vs_cursor(data_dir: Path, runs: int = 2000) -> None:
    """A typical Store.find against the same SQL on a raw sqlcipher3 cursor (its own
    connection to the same file), interleaved call by call."""
    print(f"\n3. Store.find against the same SQL on a raw sqlcipher3 cursor ({runs} calls each, interleaved)")
    app = Waymark.open_profile(data_dir, "benchmark passphrase")
    store = app.store
    rng = random.Random(3)
    pupils = [p.id for p in store.find(Pupil)]
    visits = [v for (v,) in store._connection().execute("SELECT id FROM visit WHERE deleted IS 0 LIMIT 5000")]
    raw = store._creator()
    cases = {
        "a pupil by id": (Pupil, "id", pupils, ()),
        "a pupil's provision": (ProvisionEpisode, "pupil_id", pupils, ("start",)),
        "a visit, entries and notes": (Visit, "id", visits, ()),
    }
    print(f"   {'find':<28}{'raw cursor':>12}{'Store.find':>12}{'ratio':>8}")
    worst = 0.0
    for label, (cls, column, keys, order) in cases.items():
        b, f = _find_case(store, raw, rng, runs, cls, column, keys, order)
        worst = max(worst, f / b)
        print(f"   {label:<28}{b * 1e6:>10.1f}us{f * 1e6:>10.1f}us{f / b:>8.2f}")
    print(f"   worst ratio {worst:.2f}x  ({'meets' if worst <= 2 else 'MISSES'} the 2x target)")
    raw.close()
    app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=5000)
    parser.add_argument("--visits", type=int, default=250_000)
    parser.add_argument("--rounds", type=int, default=2, help="runs of each store, alternating which goes first")
    parser.add_argument("--one", choices=("plain", "encrypted"), help=argparse.SUPPRESS)  # a child run
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--find-only", type=Path, metavar="PROFILE", help="only part 3, on this profile")
    args = parser.parse_args()
    if args.find_only:
        find_vs_cursor(args.find_only)
        return
    if args.one:
        print(json.dumps(run_one(args.one, args.folder, args.pupils, args.visits)))
        return
    with tempfile.TemporaryDirectory(prefix="waymark-bench-") as tmp:
        work = Path(tmp)
        encrypted_vs_plain(args.pupils, args.visits, work, args.rounds)
        service_vs_bare(work)
        find_vs_cursor(work / "encrypted")


if __name__ == "__main__":
    main()
