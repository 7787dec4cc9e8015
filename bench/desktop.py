"""Desktop benchmark: the caseload and search-as-you-type with a large caseload,
the same with ten times the visit history, and cold start to the unlock window
against a bare QApplication — every baseline measured in the same run.

    python bench/desktop.py [--pupils 5000] [--visits 250000] [--years 0.5] [--factor 10] [--keep DIR]

Targets (issue 4): a search keystroke under 50 ms; ten times the visits (over
ten times the history) costs at most 1.2x to open the caseload; cold start
close to a bare Qt start. Runs offscreen; the window is real and shown, so a
keystroke's time includes the repaint of the table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from bench.generate import generate
from desktop.app import make_qapplication
from desktop.services import Waymark
from desktop.store import Store
from desktop.tasks import TaskRunner
from desktop.ui.common import STYLE
from desktop.ui.main_window import Workspace

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 22)
PASSPHRASE = "benchmark passphrase"
# What a worker types: a name, a UPN, a school; then corrections.
QUERIES = ["sean lee", "a8880001", "school 1", "ó súil"]


STEPS = ("caseload service call", "model load and paint", "caseload opened")


def settle(runner: TaskRunner) -> None:
    """Let queued results arrive, then paint."""
    while runner._pending:
        QApplication.processEvents()
        time.sleep(0.001)
    QApplication.processEvents()


def median(values: list[float]) -> float:
    return statistics.median(values)


def build(work: Path, pupils: int, visits: int, years: float) -> Path:
    data_dir = work / f"profile-{visits}"
    store = Store.create(data_dir, PASSPHRASE)
    started = time.perf_counter()
    generate(store, pupils, visits, years=years, today=TODAY)
    store.close()
    print(
        f"   generated {pupils:,} pupils and {visits:,} visits over {years:g} years in {time.perf_counter() - started:.0f} s"
    )
    return data_dir


def measure(data_dir: Path, runs: int = 5) -> dict[str, float | list[float]]:
    """Open the caseload and type into its search box, as the app does."""
    app = Waymark.open_profile(data_dir, PASSPHRASE)
    app.today = lambda: TODAY
    runner = TaskRunner()
    settings = QSettings(str(data_dir / "bench-ui.ini"), QSettings.Format.IniFormat)
    figures: dict[str, float | list[float]] = {}

    service = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = app.caseload()
        service.append(time.perf_counter() - started)
    figures["caseload service call"] = median(service)

    workspace = Workspace(app, runner, settings)
    workspace.setStyleSheet(STYLE)  # as in the app: style sheets cost paint time
    workspace.resize(1366, 720)
    workspace.show()
    settle(runner)
    loads = []
    for _ in range(runs):
        started = time.perf_counter()
        workspace._loaded(rows)  # the model load and first paint, as when the call returns
        QApplication.processEvents()
        loads.append(time.perf_counter() - started)
    figures["model load and paint"] = median(loads)
    figures["caseload opened"] = figures["caseload service call"] + figures["model load and paint"]

    keystrokes: list[float] = []
    for query in QUERIES:
        workspace.search.clear()
        settle(runner)
        workspace.search.setFocus()
        for char in query:
            started = time.perf_counter()
            if char.isascii():
                QTest.keyClick(workspace.search, char)
            else:  # QTest types ASCII only; insert as an input method would
                workspace.search.insert(char)
            QApplication.processEvents()
            keystrokes.append(time.perf_counter() - started)
        for _ in range(len(query)):  # and delete it again, widening each time
            started = time.perf_counter()
            QTest.keyClick(workspace.search, Qt.Key.Key_Backspace)
            QApplication.processEvents()
            keystrokes.append(time.perf_counter() - started)
    figures["keystrokes"] = keystrokes
    workspace.clear()
    workspace.deleteLater()
    runner.shutdown()
    app.close()
    return figures


def describe(keystrokes: list[float]) -> str:
    ms = sorted(k * 1000 for k in keystrokes)
    p95 = ms[int(len(ms) * 0.95) - 1]
    return f"median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms ({len(ms)} keys)"


CHILD_BARE = textwrap.dedent(
    """
    import sys, time
    from PySide6.QtWidgets import QApplication, QWidget
    app = QApplication(sys.argv[:1])
    window = QWidget()
    window.resize(1280, 760)
    window.show()
    app.processEvents()
    print(time.time())
    """
)

CHILD_WAYMARK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from PySide6.QtCore import QSettings
    from desktop.app import open_window
    settings = QSettings(sys.argv[2], QSettings.Format.IniFormat)
    qapp, runner, window = open_window(Path(sys.argv[1]), settings=settings)
    window.start()
    window.show()
    qapp.processEvents()
    assert window.pages.currentWidget() is window.unlock_page
    print(time.time())
    """
)


def cold_start(data_dir: Path, runs: int) -> tuple[float, float]:
    """Seconds from launching Python to a painted window: bare Qt vs Waymark's unlock screen."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    ini = str(data_dir.parent / "cold-start.ini")
    bare, waymark = [], []
    for _ in range(runs):  # interleaved, so caches warm both alike
        for code, args, out in ((CHILD_BARE, [], bare), (CHILD_WAYMARK, [str(data_dir), ini], waymark)):
            started = time.time()
            result = subprocess.run(
                [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=True
            )
            shown = float(result.stdout.strip().splitlines()[-1])
            out.append(shown - started)
    return median(bare), median(waymark)


def build_once(work: Path, pupils: int, visits: int, years: float) -> Path:
    """Reuse a profile built by an earlier run with --keep (the large one takes minutes)."""
    data_dir = work / f"profile-{visits}"
    done = work / f"profile-{visits}.complete"
    if done.exists() and done.read_text() == f"{pupils} {visits} {years}":
        print(f"   reusing {pupils:,} pupils and {visits:,} visits from {data_dir}")
        return data_dir
    if data_dir.exists():
        shutil.rmtree(data_dir)
    build(work, pupils, visits, years)
    done.write_text(f"{pupils} {visits} {years}")
    return data_dir


def measure_in_child(data_dir: Path) -> dict:
    """Each measurement in a fresh process, so neither profile inherits the other's heap."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, __file__, "--measure", str(data_dir)], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=5000)
    parser.add_argument("--visits", type=int, default=250_000)
    parser.add_argument("--years", type=float, default=0.5, help="history the visits spread over")
    parser.add_argument("--factor", type=int, default=10, help="the larger run has this many times the visits")
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each profile, interleaved")
    parser.add_argument("--cold-runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build the profiles here and reuse them next time")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # a child run: one profile, JSON out
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before the QApplication is made
    make_qapplication()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return

    with tempfile.TemporaryDirectory(prefix="waymark-bench-desktop-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        big_visits, big_years = args.visits * args.factor, args.years * args.factor
        print("1. Building the profiles (encrypted, bulk-loaded)")
        small_dir = build_once(work, args.pupils, args.visits, args.years)
        large_dir = build_once(work, args.pupils, big_visits, big_years)

        print(f"\n2. Opening the caseload and searching it ({args.pupils:,} pupils; {args.rounds} rounds, interleaved)")
        runs: dict[Path, list[dict]] = {small_dir: [], large_dir: []}
        for _ in range(args.rounds):
            for data_dir in runs:
                runs[data_dir].append(measure_in_child(data_dir))

        def combine(results: list[dict]) -> dict:
            combined = {step: median([r[step] for r in results]) for step in STEPS}
            combined["keystrokes"] = [k for r in results for k in r["keystrokes"]]
            return combined

        small, large = combine(runs[small_dir]), combine(runs[large_dir])
        label_small = f"{args.visits:,} visits"
        label_large = f"{big_visits:,} visits"
        print(f"   {'':<26}{label_small:>18}{label_large:>18}{'ratio':>8}")
        for step in STEPS:
            s, b = small[step], large[step]
            print(f"   {step:<26}{s * 1000:>15.0f} ms{b * 1000:>15.0f} ms{b / s:>8.2f}")
        ratio = large["caseload opened"] / small["caseload opened"]
        verdict = "meets" if ratio <= 1.2 else "MISSES"
        print(f"   ten times the visits costs {ratio:.2f}x to open the caseload ({verdict} the 1.2x target)")
        for name, figures in ((label_small, small), (label_large, large)):
            worst = max(figures["keystrokes"]) * 1000
            verdict = "meets" if worst < 50 else "MISSES"
            print(f"   keystroke, {name}: {describe(figures['keystrokes'])}  ({verdict} the 50 ms target)")
        key_ratio = median(large["keystrokes"]) / median(small["keystrokes"])
        print(f"   keystroke median ratio, ten times the visits: {key_ratio:.2f}x")

        print(f"\n3. Cold start to a painted window (median of {args.cold_runs}, each a fresh Python process)")
        bare, waymark = cold_start(small_dir, args.cold_runs)
        print(f"   bare QApplication + empty window: {bare * 1000:.0f} ms")
        print(f"   Waymark to the unlock screen:     {waymark * 1000:.0f} ms")
        print(f"   ratio {waymark / bare:.2f}x; Waymark's own cost {1000 * (waymark - bare):.0f} ms")


if __name__ == "__main__":
    main()
