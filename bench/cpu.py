"""CPU seconds used by processes, from /proc (Linux): on a machine others share,
CPU time says what a step costs when wall-clock time says mostly how busy the machine was."""

from __future__ import annotations

import os


def tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    found = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                for child in f.read().split():
                    found += tree(int(child))
    except OSError:
        pass
    return found


def seconds(pids: list[int]) -> float:
    """User plus system CPU seconds of these processes so far (those still running)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class Meter:
    """CPU seconds of a set of process trees between start() and stop()."""

    def __init__(self, *roots) -> None:
        self.roots = roots  # callables giving pids, evaluated at each reading (processes come and go)

    def _read(self) -> dict[int, float]:
        return {pid: seconds([pid]) for root in self.roots for pid in root()}

    def start(self) -> None:
        self._before = self._read()

    def stop(self) -> float:
        after = self._read()
        return sum(after[pid] - self._before.get(pid, 0.0) for pid in after)


class Meters:
    """Several meters read together."""

    def __init__(self, *meters: Meter) -> None:
        self.meters = meters

    def start(self) -> None:
        for meter in self.meters:
            meter.start()

    def stop(self) -> tuple[float, ...]:
        return tuple(meter.stop() for meter in self.meters)


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (every core, every process) since boot:
    /proc/stat's first line, all but idle and iowait."""
    with open("/proc/stat") as f:
        ticks = [int(n) for n in f.readline().split()[1:]]
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
