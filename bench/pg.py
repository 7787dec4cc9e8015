"""A throwaway PostgreSQL cluster for the sync benchmark (as the tests make one):
initdb and pg_ctl on a free port in a temporary folder, as `postgres` when root."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path


def bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)
    if found:
        return Path(found[0])
    initdb = shutil.which("initdb")
    if not initdb:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql).")
    return Path(initdb).parent


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


FOLDERS: dict[str, Path] = {}  # URL -> the cluster's folder


def server_pids(url: str) -> list[int]:
    """The cluster's processes (the postmaster and its children), for CPU accounting."""
    from bench.cpu import tree

    port = url.rsplit(":", 1)[1].split("/")[0]
    for folder in FOLDERS.values():
        lines = (folder / "data" / "postmaster.pid").read_text().split()
        if lines[3] == port:
            return tree(int(lines[0]))
    return []


@contextmanager
def cluster():
    """Yields a URL for the `postgres` database of a fresh cluster (durable settings: fsync on)."""
    base = Path(tempfile.mkdtemp(prefix="waymark-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    data, bins = base / "data", bindir()
    run = dict(check=True, capture_output=True, text=True, cwd=base)
    subprocess.run(_as_postgres([str(bins / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]), **run)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c max_connections=300"
    subprocess.run(
        _as_postgres([str(bins / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start"]),
        **run,
    )
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    FOLDERS[url] = base
    try:
        yield url
    finally:
        FOLDERS.pop(url, None)
        subprocess.run(_as_postgres([str(bins / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]), **run)
        shutil.rmtree(base, ignore_errors=True)
