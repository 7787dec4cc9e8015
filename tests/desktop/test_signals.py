"""Emitting Qt signals from Python must not leak or drop references.

PySide6 6.12.0 dropped one reference to `True` on every Python-side
`emit()`; on Python 3.11 (where `True` is not immortal) the app then aborted
with "bool_dealloc" after a few thousand background tasks. pyproject.toml
excludes that release; this test fails if a release with the same fault is
ever installed.
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, Signal

from desktop.tasks import TaskRunner

EMITS = 500


class _Emitter(QObject):
    plain = Signal()
    text = Signal(str)
    flag = Signal(bool)


def test_emitting_signals_keeps_the_reference_count_of_true(qtbot) -> None:
    emitter = _Emitter()
    received: list[object] = []
    emitter.plain.connect(lambda: received.append(None))
    emitter.text.connect(received.append)
    emitter.flag.connect(received.append)

    gc.collect()
    before = sys.getrefcount(True)
    for _ in range(EMITS):
        emitter.plain.emit()
        emitter.text.emit("x")
        emitter.flag.emit(False)
    gc.collect()
    after = sys.getrefcount(True)

    assert len(received) == 3 * EMITS
    # The fault loses one per emit. Only a loss counts: objects made meanwhile
    # (by anything else still running) may hold more references to True.
    assert before - after < EMITS // 10, f"True lost {before - after} references over {3 * EMITS} emits"


def test_many_background_tasks_deliver_without_losing_references(qtbot) -> None:
    runner = TaskRunner()
    delivered: list[int] = []
    try:
        gc.collect()
        before = sys.getrefcount(True)
        for i in range(EMITS):
            runner.run(lambda i=i: i, delivered.append)
        qtbot.waitUntil(lambda: len(delivered) == EMITS, timeout=10_000)
        gc.collect()
        after = sys.getrefcount(True)
    finally:
        runner.shutdown()
    assert sorted(delivered) == list(range(EMITS))
    assert before - after < EMITS // 10, f"True lost {before - after} references over {EMITS} tasks"
