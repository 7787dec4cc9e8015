"""CLI start-up: `waymark settings` on a profile against a bare `python -c pass`
and against the unlock cost alone (scrypt at the profile's own parameters),
measured side by side in one run, interleaved, each command in a fresh process.

    python bench/cli.py [--runs 15] [--data-dir DIR]

Target (issue 13): `waymark settings` at most 0.3 s beyond the key derivation.
Wall times are medians; CPU is user + system time of the child, which a busy
machine disturbs less than the wall clock. Then the slowest imports of
`waymark settings` (`python -X importtime`), cumulative.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop.store import keys
from desktop.store.db import KEY_NAME

ROOT = Path(__file__).resolve().parent.parent
PASSPHRASE = "benchmark passphrase"


def child(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def unlock_alone(data_dir: Path) -> tuple[float, float]:
    """The key derivation at the profile's own parameters, in this process."""
    wrapped = keys.read_keyfile(data_dir / KEY_NAME)
    started, cpu = time.perf_counter(), time.process_time()
    keys.unwrap_key(wrapped, PASSPHRASE)
    return time.perf_counter() - started, time.process_time() - cpu


def top_imports(env: dict[str, str], data_dir: Path, count: int = 12) -> list[tuple[int, str]]:
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "desktop.cli", "--data-dir", str(data_dir), "settings"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found = []
    for line in run.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.split("|")
            if cumulative.strip().isdigit():
                found.append((int(cumulative), name.rstrip()))
    return sorted(found, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--data-dir", type=Path, help="an existing profile (its passphrase: 'benchmark passphrase')")
    args = parser.parse_args()
    env = dict(os.environ, WAYMARK_PASSPHRASE=PASSPHRASE, PYTHONPATH=str(ROOT))
    # As installed: bytecode cached (a development shell may turn that off; compiling
    # the sources again on every start is not what a user's machine does).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory(prefix="waymark-bench-cli-") as tmp:
        data_dir = args.data_dir
        if data_dir is None:
            data_dir = Path(tmp) / "profile"
            subprocess.run(
                [sys.executable, "-m", "desktop.cli", "--data-dir", str(data_dir), "init", "--worker", "Ann"],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        n = keys.read_keyfile(data_dir / KEY_NAME).n
        settings = [sys.executable, "-m", "desktop.cli", "--data-dir", str(data_dir), "settings"]
        child(settings, env)  # writes the bytecode, warms the file cache
        figures: dict[str, list[tuple[float, float]]] = {"python -c pass": [], "unlock alone": [], "settings": []}
        for _ in range(args.runs):  # interleaved, so load on the machine falls on all three alike
            figures["python -c pass"].append(child([sys.executable, "-c", "pass"], env))
            figures["unlock alone"].append(unlock_alone(data_dir))
            figures["settings"].append(child(settings, env))
        wall = {k: statistics.median(w for w, _ in v) for k, v in figures.items()}
        cpu = {k: statistics.median(c for _, c in v) for k, v in figures.items()}
        print(f"\nCLI start-up ({args.runs} runs each, interleaved; scrypt N=2^{n.bit_length() - 1}, r=8, p=1)")
        print(f"   {'':<34}{'wall':>9}{'CPU':>9}")
        print(f"   {'python -c pass':<34}{wall['python -c pass']:>8.3f}s{cpu['python -c pass']:>8.3f}s")
        print(f"   {'unlock alone (scrypt, in process)':<34}{wall['unlock alone']:>8.3f}s{cpu['unlock alone']:>8.3f}s")
        print(f"   {'waymark settings':<34}{wall['settings']:>8.3f}s{cpu['settings']:>8.3f}s")
        beyond = wall["settings"] - wall["unlock alone"]
        beyond_cpu = cpu["settings"] - cpu["unlock alone"]
        verdict = "meets" if beyond <= 0.3 else "MISSES"
        print(f"   beyond the key derivation: {beyond:.3f}s wall, {beyond_cpu:.3f}s CPU ({verdict} the 0.3 s target)")
        print("\n   slowest imports of `waymark settings` (cumulative, one run):")
        for micros, name in top_imports(env, data_dir):
            print(f"   {micros / 1000:>8.1f} ms  {name.strip()}")


if __name__ == "__main__":
    main()
