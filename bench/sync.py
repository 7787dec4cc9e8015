"""Sync benchmark: the LA server on PostgreSQL over loopback (uvicorn in its own
process), against a plain psycopg bulk insert of the same rows into the same
PostgreSQL, measured in the same run.

    python bench/sync.py [--changes 50000] [--devices 200] [--per-device 100] [--spread 10]

Prints:
- push and pull of N changes (records per second) and their ratio to the bulk
  insert (target: at least 25 %; the push against the mean of a bulk insert
  just before and one just after it); the pull into a real encrypted desktop
  store too;
- the round trips of a sync with nothing to do (target: one);
- D devices each syncing K changes at once against one server (target: no
  errors, p99 under 1 s), with the latency spread. Each device is a worker's
  laptop that has synced before (--warm records of its caseload, not
  measured); then all sync K new changes at the same moment: a push and a pull
  each. The devices run as threads in --client-processes processes of their
  own, apart from the server's (as `serve` runs it by default); a device's
  latency runs from its first request to its last. --devices-per-user N: N
  laptops share each caseload (each then also pulls the others' changes).
  Then the same again with each device starting at a moment of its own within
  --spread seconds (laptops syncing through the day do not all start at once).

Every figure starts once the server answers and its processes are idle (their
start-up is not counted). CPU seconds per 1,000 changes are printed beside the
rates: on a machine others share, they say what a step costs when wall-clock
times mostly say how busy the machine was.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench.cpu import Meter, Meters, machine_busy, tree  # noqa: E402
from bench.pg import cluster, server_pids  # noqa: E402
from sync.client import SyncClient  # noqa: E402
from sync.protocol import Op  # noqa: E402
from sync.protocol.clock import Stamp, format_stamp, format_time  # noqa: E402


class MemoryPort:
    """The sync port over plain memory: the client's own cost, without a store's."""

    def __init__(self, ops: list[Op]) -> None:
        self.outbox: OrderedDict[str, Op] = OrderedDict((op.op_id, op) for op in ops)
        self._cursor: str | None = None
        self.applied = 0

    def pending(self, limit: int) -> list[Op]:
        return [op for _, op in zip(range(limit), self.outbox.values())]

    def queue(self, ops: list[Op]) -> None:
        self.outbox.update((op.op_id, op) for op in ops)

    def acknowledge(self, op_ids) -> None:
        for op_id in op_ids:
            self.outbox.pop(op_id, None)

    def reject(self, refused) -> None:
        self.acknowledge(list(refused))

    def cursor(self) -> str | None:
        return self._cursor

    def apply_page(self, changes, cursor: str) -> None:
        self.applied += len(changes)
        self._cursor = cursor

    def forget_cursor(self) -> None:
        self._cursor = None

    def unsent(self) -> int:
        return len(self.outbox)


def stamps(device: str):
    start = datetime.now(UTC) - timedelta(hours=1)
    n = 0
    while True:
        yield format_stamp(Stamp(format_time(start + timedelta(microseconds=n)), 0, device))
        n += 1


def pupil_ops(count: int, clock) -> tuple[list[Op], list[str]]:
    """New pupils: their operations and ids."""
    ops, ids = [], [str(uuid.uuid4()) for _ in range(count)]
    for i, pid in enumerate(ids):
        fields = {
            "forename": f"Pupil{i}",
            "surname": "Lee",
            "dob": "2015-05-01",
            "sex": "unknown",
            "sen": "none",
            "traveller_group": "gypsy_roma",
            "first_language": "English",
            "deleted": False,
        }
        ops.append(Op(op_id=str(uuid.uuid4()), entity="pupil", entity_id=pid, clock=next(clock), fields=fields))
    return ops, ids


def progress_ops(pupil_ids: list[str], count: int, clock) -> list[Op]:
    """New progress entries spread over these pupils."""
    ops = []
    for i in range(count):
        fields = {
            "pupil_id": pupil_ids[i % len(pupil_ids)],
            "subject": "English",
            "level": f"Year {i % 6 + 1}",
            "assessed_on": "2026-11-01",
            "assessed_by": "Ann",
            "evidence": f"Read page {i}",
            "target": "",
            "learning_gap": "",
            "deleted": False,
        }
        ops.append(
            Op(
                op_id=str(uuid.uuid4()),
                entity="progress_entry",
                entity_id=str(uuid.uuid4()),
                clock=next(clock),
                fields=fields,
            )
        )
    return ops


def caseload_ops(changes: int, device: str, pupils: int) -> list[Op]:
    """`pupils` pupils, then progress entries spread over them: `changes` operations."""
    clock = stamps(device)
    ops, ids = pupil_ops(pupils, clock)
    return ops + progress_ops(ids, changes - pupils, clock)


def bulk_insert_rate(url: str, ops: list[Op]) -> tuple[float, tuple[float, float]]:
    """Rows per second of a plain psycopg bulk insert of the same rows (JSON data, per-field clocks)
    into a table of its own, and the CPU seconds it took (the client's, PostgreSQL's)."""
    with psycopg.connect(url) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_rows")
        conn.execute(
            "CREATE TABLE bench_rows (entity text, entity_id text, data json NOT NULL, clocks json NOT NULL,"
            " PRIMARY KEY (entity, entity_id))"
        )
        rows = [
            (op.entity, op.entity_id, json.dumps(op.fields), json.dumps(dict.fromkeys(op.fields, op.clock)))
            for op in ops
        ]
        postgres = Meter(lambda: server_pids(url))
        postgres.start()
        mine = time.process_time()
        start = time.perf_counter()
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO bench_rows VALUES (%s, %s, %s, %s)", rows)
        conn.commit()
        seconds = time.perf_counter() - start
        return len(rows) / seconds, (time.process_time() - mine, postgres.stop())


def start_server(url: str, workers_env: dict) -> tuple[subprocess.Popen, str]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    port = listener.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "sync.server.cli", "--database", url, "serve", "--fd", str(listener.fileno())],
        pass_fds=[listener.fileno()],
        env=workers_env,
        stdout=subprocess.DEVNULL,
    )
    listener.close()
    return server, f"http://127.0.0.1:{port}"


def wait_until_ready(base: str, token: str, server: subprocess.Popen) -> None:
    """Until the server answers and its processes have finished starting (imports are
    seconds of CPU per process): start-up is not part of any figure."""
    import httpx

    from sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION

    headers = {"Authorization": f"Bearer {token}", PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/v1/me", headers=headers, timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    quiet(Meters(Meter(lambda: tree(server.pid))), deadline)


def quiet(meters: Meters, deadline: float) -> None:
    """Until a second passes with (almost) nothing done by the metered processes (or the deadline)."""
    while time.monotonic() < deadline:
        meters.start()
        time.sleep(1)
        if sum(meters.stop()) < 0.05:
            return


def register_devices(url: str, users: list[tuple[str, str]], per_user: int) -> list[str]:
    """Users and device tokens made directly (log-ins are not what is measured)."""
    from sync.server import admin, auth, db
    from sync.server.tables import Device, User

    engine = db.make_engine(db.database_url(url))
    tokens = []
    with db.writing(engine) as conn:
        for name, role in users:
            conn.execute(
                User.__table__.insert().values(
                    name=name,
                    role=role,
                    school_urn="",
                    team="",
                    disabled=False,
                    password_hash="!",
                    scope_epoch=0,
                    failed_logins=0,
                    created_at=auth.now(),
                )
            )
            user_id = conn.execute(User.__table__.select().where(User.name == name)).first().id
            for _ in range(per_user):
                token, hashed = auth.new_token()
                conn.execute(
                    Device.__table__.insert().values(
                        id=uuid.uuid4().hex,
                        user_id=user_id,
                        name="bench",
                        token_hash=hashed,
                        created_at=auth.now(),
                        revoked=False,
                    )
                )
                tokens.append(token)
    engine.dispose()
    del admin
    return tokens


def pull_into_store(base: str, token: str) -> tuple[float, int]:
    """The same pull, applied to a real encrypted desktop store."""
    from desktop.services import Waymark
    from desktop.store.sync_port import StoreSyncPort

    folder = Path(tempfile.mkdtemp(prefix="waymark-bench-store-"))
    app = Waymark.create_profile(folder / "p", "bench passphrase", scrypt_n=2**14)
    port = StoreSyncPort(app.store)
    try:
        with SyncClient(port, base, token, page_size=5000) as client:
            start = time.perf_counter()
            result = client.pull()
            return time.perf_counter() - start, result.pulled
    finally:
        app.close()


WARM_PUPILS = 20  # each device's caseload before the measured sync


def _devices_process(
    base: str, jobs: list[tuple[int, str]], per_device: int, warm: int, spread: float, gate, out
) -> None:
    """One client process: its share of the devices, a thread each. Each device first syncs
    its caseload (`warm` records, not measured: a laptop in the field has synced before),
    then all wait at the gate and sync `per_device` new changes at once (or each at a moment
    of its own within `spread` seconds). A device's latency runs from its first request to its
    last. The process's CPU seconds from the gate on go out with the latencies."""
    clocks = {i: stamps(f"dev{i}") for i, _ in jobs}
    ports, pupils = {}, {}
    for i, _ in jobs:
        ops, ids = pupil_ops(min(WARM_PUPILS, warm), clocks[i])
        ports[i] = MemoryPort(ops + progress_ops(ids, warm - len(ids), clocks[i]))
        pupils[i] = ids
    clients = {i: SyncClient(ports[i], base, token, timeout=120) for i, token in jobs}
    results = []
    began: list[float] = []

    def one(i: int) -> None:
        error = ""
        try:
            clients[i].sync()
        except Exception as exc:  # counted, not raised: the figure is how many
            error = f"device {i} (before): {exc}"
        ports[i].queue(progress_ops(pupils[i], per_device, clocks[i]))
        gate.wait()
        if not began:
            began.append(time.process_time())
        if spread:
            time.sleep(random.Random(i).uniform(0, spread))
        start = time.perf_counter()
        try:
            result = clients[i].sync()
            if result.refused or ports[i].unsent():
                error = error or f"device {i}: {result.refused or 'unsent left'}"
        except Exception as exc:
            error = error or f"device {i}: {exc}"
        results.append((time.perf_counter() - start, error))

    with ThreadPoolExecutor(len(jobs)) as pool:
        list(pool.map(one, [i for i, _ in jobs]))
    cpu = time.process_time() - began[0]
    for client in clients.values():
        client.close()
    out.put((results, cpu))


def many_devices(
    base: str, tokens: list[str], per_device: int, warm: int, processes: int, spread: float = 0.0, meter=None
):
    """(latencies, errors, wall seconds, the client processes' CPU seconds, the whole machine's
    busy CPU seconds). `meter` (the
    server's and PostgreSQL's CPU) is started at the gate, once every device has synced before."""
    context = multiprocessing.get_context("fork")
    gate = context.Barrier(len(tokens) + 1)
    out = context.Queue()
    shares = [[(i, t) for i, t in enumerate(tokens) if i % processes == k] for k in range(processes)]
    procs = [
        context.Process(target=_devices_process, args=(base, share, per_device, warm, spread, gate, out))
        for share in shares
        if share
    ]
    for proc in procs:
        proc.start()
    gate.wait()  # every device has synced before and is ready: go
    if meter is not None:
        meter.start()
    start, busy = time.perf_counter(), machine_busy()
    found = [out.get() for _ in procs]
    wall, busy = time.perf_counter() - start, machine_busy() - busy
    for proc in procs:
        proc.join()
    latencies = [seconds for share, _ in found for seconds, _ in share]
    errors = [error for share, _ in found for _, error in share if error]
    return latencies, errors, wall, sum(cpu for _, cpu in found), busy


def many(base: str, tokens: list[str], args, share: int, spread: float, cpu: Meters) -> None:
    latencies, errors, wall, clients, busy = many_devices(
        base, tokens, args.per_device, args.warm, args.client_processes, spread, cpu
    )
    ours, postgres = cpu.stop()
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    when = f"each at a moment of its own within {spread:g} s" if spread else "at once"
    print(
        f"{len(tokens)} devices x {args.per_device} changes {when} "
        f"({share} per worker, {args.warm} records synced before; {args.client_processes} client processes): "
        f"{len(errors)} errors, p50 {p(0.5):.2f} s, p99 {p(0.99):.2f} s, max {latencies[-1]:.2f} s, "
        f"all done in {wall:.1f} s"
    )
    for error in errors[:5]:
        print("  ", error)
    print(
        f"  mean {statistics.mean(latencies):.2f} s; CPU from the start: server {ours:.1f} s, "
        f"PostgreSQL {postgres:.1f} s, the devices' processes {clients:.1f} s"
    )
    # All of it, whatever the process (a PostgreSQL backend that ended is missed above): the
    # machine's cores can do no more than their number of CPU seconds each second, so no
    # device can finish before the work before it is done.
    cores = os.cpu_count() or 1
    print(
        f"  the whole machine: {busy:.1f} CPU s busy of {cores * wall:.1f} ({cores} cores x {wall:.1f} s, "
        f"{busy / (cores * wall):.0%}); that much work takes at least {busy / cores:.1f} s on {cores} cores"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=50_000)
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--per-device", type=int, default=100)
    parser.add_argument(
        "--devices-per-user",
        type=int,
        default=1,
        help="devices sharing each worker's caseload (each pulls the others')",
    )
    parser.add_argument("--warm", type=int, default=100, help="records each device synced before the measured sync")
    parser.add_argument(
        "--spread", type=float, default=10.0, help="then again, each device starting within this many seconds (0: not)"
    )
    parser.add_argument("--client-processes", type=int, default=8, help="processes the devices run in")
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    with cluster() as admin_url:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute("CREATE DATABASE baseline")
            conn.execute("CREATE DATABASE waymark")
        base_url = admin_url.rsplit("/", 1)[0]
        baseline_url, server_url = f"{base_url}/baseline", f"{base_url}/waymark"
        ops = caseload_ops(args.changes, "bench-device-1", pupils=max(1, args.changes // 100))
        bulk, (bulk_client, bulk_pg) = bulk_insert_rate(baseline_url, ops)
        print(
            f"plain psycopg bulk insert (before the push): {bulk:,.0f} rows/s; CPU per 1,000 rows: "
            f"client {bulk_client * 1000 / len(ops) * 1000:.0f} ms, PostgreSQL {bulk_pg * 1000 / len(ops) * 1000:.0f} ms"
        )

        subprocess.run(
            [sys.executable, "-m", "sync.server.cli", "--database", server_url, "db", "upgrade"], env=env, check=True
        )
        lead_tokens = register_devices(server_url, [("ann", "tutor")], 3)
        share = max(1, args.devices_per_user)
        device_tokens = register_devices(
            server_url, [(f"worker{i}", "tutor") for i in range(-(-args.devices // share))], share
        )[: args.devices]
        server, base = start_server(server_url, env)
        wait_until_ready(base, lead_tokens[2], server)
        cpu = Meters(Meter(lambda: tree(server.pid)), Meter(lambda: server_pids(admin_url)))

        def per_thousand(n: int, client_seconds: float = 0.0) -> str:
            """CPU per 1,000 changes of the step just done: server, PostgreSQL (and the client's)."""
            ours, postgres = cpu.stop()
            mine = f", client {client_seconds * 1e6 / n:.0f} ms" if client_seconds else ""
            return f"CPU per 1,000: server {ours * 1e6 / n:.0f} ms, PostgreSQL {postgres * 1e6 / n:.0f} ms{mine}"

        try:
            port = MemoryPort(ops)
            with SyncClient(port, base, lead_tokens[0], push_batch=1000, page_size=5000) as client:
                cpu.start()
                mine = time.process_time()
                start = time.perf_counter()
                pushed = client.push()
                push_s = time.perf_counter() - start
                mine = time.process_time() - mine
            assert pushed.pushed == len(ops) and not pushed.refused, pushed
            push_cpu = per_thousand(len(ops), mine)
            # The bulk insert again, just after: on a machine whose speed drifts (a shared VM),
            # the push is set against the mean of the two measured around it. First the server
            # and PostgreSQL settle (the push's statistics task, autovacuum), so the second
            # insert does not share the machine with work the push left behind.
            quiet(cpu, time.monotonic() + 60)
            again, _cpu = bulk_insert_rate(baseline_url, ops)
            around = (bulk + again) / 2
            print(
                f"push {len(ops):,} changes: {push_s:.1f} s, {len(ops) / push_s:,.0f}/s = {len(ops) / push_s / around:.0%} "
                f"of the bulk insert ({around:,.0f} rows/s: {bulk:,.0f} before, {again:,.0f} after); " + push_cpu
            )

            fresh = MemoryPort([])
            with SyncClient(fresh, base, lead_tokens[1], page_size=5000) as client:
                cpu.start()
                mine = time.process_time()
                start = time.perf_counter()
                pulled = client.pull()
                pull_s = time.perf_counter() - start
                mine = time.process_time() - mine
                print(
                    f"pull {pulled.pulled:,} records: {pull_s:.1f} s, {pulled.pulled / pull_s:,.0f}/s = {pulled.pulled / pull_s / around:.0%} of the bulk insert; "
                    + per_thousand(pulled.pulled, mine)
                )
                idle = client.sync()
                print(f"a sync with nothing to do: {idle.round_trips} round trip(s)")

            seconds, count = pull_into_store(base, lead_tokens[2])
            print(f"pull {count:,} records into an encrypted desktop store: {seconds:.1f} s, {count / seconds:,.0f}/s")

            # Many devices, each pushing its changes and pulling: all starting together, then (with
            # --spread) each at a moment of its own. The devices run in client processes of their own.
            for spread in [0.0] + ([args.spread] if args.spread else []):
                many(base, device_tokens, args, share, spread, cpu)
        finally:
            server.terminate()
            server.wait(timeout=60)


if __name__ == "__main__":
    main()
