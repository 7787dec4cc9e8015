"""The LA overview on the server: `/v1/overview` (JSON) and `/v1/overview.pdf`
over a server on PostgreSQL holding an LA caseload, against the desktop's own
caseload summary over the same records, measured in the same run.

    python bench/overview.py [--pupils 1000] [--visits 50000] [--years 0.5] [--runs 3]

A desktop profile is generated (bench/generate.py), every record queued and
pushed by the desktop's own sync to the server (uvicorn on loopback, in this
process, on a fresh PostgreSQL cluster: bench/pg.py); then an LA lead asks for
the overview. The server works it out from its database at each request (no
replica), so every request pays for the whole summary. The JSON is checked
against the desktop's counts before anything is timed.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import uvicorn

from bench.generate import generate
from bench.pg import cluster
from desktop.reports import render_caseload_summary
from desktop.services import Waymark
from desktop.services.reporting import caseload_summary
from desktop.services.sync import SyncService
from desktop.store import Store
from desktop.store.sync_port import StoreSyncPort
from sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION
from sync.server import admin, auth, db
from sync.server.app import create_app
from sync.server.overview import counts

TODAY = date(2026, 11, 22)
PASSPHRASE = "benchmark passphrase"
PASSWORD = "a long benchmark password"


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def serve(engine) -> tuple[uvicorn.Server, threading.Thread, str]:
    """The server app on a free loopback port, in a thread of this process."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(engine, today=lambda: TODAY), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=1000)
    parser.add_argument("--visits", type=int, default=50_000)
    parser.add_argument("--years", type=float, default=0.5)
    parser.add_argument("--runs", type=int, default=3, help="requests of each kind (the median is shown)")
    args = parser.parse_args()
    print(f"\nLA overview on the server: {args.pupils:,} pupils, {args.visits:,} visits over {args.years:g} years")
    auth.set_hash_cost(time_cost=1, memory_cost=1024)  # one login: the hash is not what is measured
    with tempfile.TemporaryDirectory(prefix="waymark-bench-overview-") as tmp, cluster() as pg_url:
        store = Store.create(Path(tmp) / "profile", PASSPHRASE)
        generate(store, args.pupils, args.visits, years=args.years, today=TODAY)
        store.close()
        app = Waymark.open_profile(Path(tmp) / "profile", PASSPHRASE)
        app.today = lambda: TODAY

        engine = db.make_engine(db.database_url(pg_url))
        db.upgrade(engine)
        admin.add_user(engine, "lead", "la-lead", PASSWORD)
        server, thread, base = serve(engine)
        try:
            sync = SyncService(app)
            sync.login(base, "lead", PASSWORD, device_name="bench laptop")
            queued = StoreSyncPort(app.store).share_everything()
            push_s, result = timed(sync.sync)
            assert not result.refused and app.store.count("outbox") == 0, result
            print(f"   pushed {queued:,} records to the server in {push_s:.0f} s (set-up, not measured below)")

            summary = caseload_summary(app)  # warms the profile as the server's first request warms it
            laptop_s = [timed(lambda: caseload_summary(app))[0] for _ in range(args.runs)]
            laptop_pdf_s = [timed(lambda: render_caseload_summary(summary))[0] for _ in range(args.runs)]
            with httpx.Client(base_url=base, timeout=300, headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION)}) as http:
                token = http.post("/v1/login", json={"user": "lead", "password": PASSWORD}).json()["token"]
                http.headers["Authorization"] = f"Bearer {token}"
                first = http.get("/v1/overview")  # also warms the server's connections
                assert first.status_code == 200 and first.json() == counts(summary, TODAY), "the counts differ"
                json_s = [timed(lambda: http.get("/v1/overview").raise_for_status())[0] for _ in range(args.runs)]
                pdf_s = []
                for _ in range(args.runs):
                    seconds, got = timed(lambda: http.get("/v1/overview.pdf").raise_for_status())
                    pdf_s.append(seconds)
                size = len(got.content)
        finally:
            server.should_exit = True
            thread.join()
            engine.dispose()
            app.close()

    print(
        f"   ({len(summary.rows):,} pupils in the summary; PDF {size / 1e6:.1f} MB; median of {args.runs} runs of each, after one)"
    )
    laptop, laptop_pdf = statistics.median(laptop_s), statistics.median(laptop_pdf_s)
    print(f"   {'desktop caseload_summary (baseline)':<44}{laptop:>8.2f} s")
    print(f"   {'desktop caseload_summary and its PDF':<44}{laptop + laptop_pdf:>8.2f} s")
    print(f"   {'server GET /v1/overview (JSON)':<44}{statistics.median(json_s):>8.2f} s")
    print(f"   {'server GET /v1/overview.pdf':<44}{statistics.median(pdf_s):>8.2f} s")


if __name__ == "__main__":
    main()
