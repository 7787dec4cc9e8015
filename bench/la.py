"""LA scale: the caseload summary (data, then the PDF), a pupil's record, the
caseload and the attention list on an LA lead's profile, 5,000 pupils and
250,000 visits by default, through the services as the app and CLI call them.

    python bench/la.py [--pupils 5000] [--visits 250000] [--years 0.5] [--keep DIR] [--records 50]

Targets (issue 13): summary data under 1 s and with the PDF under 5 s; a pupil
record under 10 ms (median); the caseload service call under 150 ms. `--keep DIR`
builds the profile there once (as bench/desktop.py does) and reuses it.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.desktop import PASSPHRASE, TODAY, build_once
from desktop.reports import render_caseload_summary
from desktop.services import Waymark
from desktop.services.reporting import caseload_summary

CPU: dict[str, float] = {}  # label -> CPU seconds of the same step (less disturbed by a busy machine)


def timed(fn, label: str = "") -> tuple[float, object]:
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    if label:
        CPU[label] = CPU.get(label, 0.0) + time.process_time() - cpu
    return time.perf_counter() - start, result


def measure(data_dir: Path, records: int, today: date = TODAY) -> None:
    app = Waymark.open_profile(data_dir, PASSPHRASE)
    app.today = lambda: today
    rows = app.caseload()  # warms the page cache as the app's first screen does
    rng = random.Random(5)
    sample = rng.sample([r.pupil_id for r in rows], min(records, len(rows)))

    data_s, summary = timed(lambda: caseload_summary(app), "data")
    pdf_s, pdf = timed(lambda: render_caseload_summary(summary), "pdf")
    record_times = [timed(lambda pid=pid: app.pupil_record(pid), "record")[0] for pid in sample]
    caseload_times = [timed(app.caseload, "caseload")[0] for _ in range(3)]
    attention_times = [timed(app.attention, "attention")[0] for _ in range(3)]
    cpu = {
        "data": CPU["data"],
        "pdf": CPU["pdf"],
        "both": CPU["data"] + CPU["pdf"],
        "record": CPU["record"] / len(sample),
        "caseload": CPU["caseload"] / 3,
        "attention": CPU["attention"] / 3,
    }
    app.close()

    def line(label: str, seconds: float, target: float | None, unit: str = "s", cpu_s: float = 0.0) -> None:
        def show(value: float) -> str:
            return f"{value * 1000:.1f} ms" if unit == "ms" else f"{value:.2f} s"

        verdict = "" if target is None else ("meets" if seconds < target else "MISSES")
        limit = "" if target is None else (f"{target * 1000:g} ms" if unit == "ms" else f"{target:g} s")
        print(f"   {label:<36}{show(seconds):>12}{show(cpu_s):>12}   {verdict} {'< ' + limit if limit else ''}")

    print(f"   ({len(rows):,} pupils on the caseload; {len(summary.rows):,} summary rows, PDF {len(pdf) / 1e6:.1f} MB)")
    print(f"   {'':<36}{'wall':>12}{'CPU':>12}   (CPU: mean; a busy machine slows the wall clock)")
    line("LA summary: data", data_s, 1.0, cpu_s=cpu["data"])
    line("LA summary: PDF from the data", pdf_s, None, cpu_s=cpu["pdf"])
    line("LA summary: data and PDF", data_s + pdf_s, 5.0, cpu_s=cpu["both"])
    line(f"pupil record (median of {len(sample)})", statistics.median(record_times), 0.010, "ms", cpu["record"])
    line("caseload service call (median of 3)", statistics.median(caseload_times), 0.150, "ms", cpu["caseload"])
    line("attention list (median of 3)", statistics.median(attention_times), None, "ms", cpu["attention"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=5000)
    parser.add_argument("--visits", type=int, default=250_000)
    parser.add_argument("--years", type=float, default=0.5)
    parser.add_argument("--records", type=int, default=50, help="pupil records to open")
    parser.add_argument("--keep", type=Path, help="build the profile here and reuse it next time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="waymark-bench-la-") as tmp:
        work = args.keep or Path(tmp)
        print(f"\nLA scale: {args.pupils:,} pupils, {args.visits:,} visits over {args.years:g} years")
        data_dir = build_once(work, args.pupils, args.visits, args.years)
        measure(data_dir, args.records)


if __name__ == "__main__":
    main()
