"""Three laptops of one worker make random edits, creations and deletes, and
sync in a random order over a connection that drops at random. In the end,
after everyone syncs: every replica is the same, no write the server
acknowledged is lost, and every laptop's audit trail is on the server once,
in order. A write may be gone from its field only because someone who had
seen it wrote over it (or deleted the record); otherwise its words must
survive in a conflict record. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import dataclass

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test
from sqlalchemy import select

from desktop.domain.records import ProgressEntry, Pupil
from sync.client import Offline
from sync.server.tables import AuditEvent
from tests.sync import helpers as h
from tests.sync.conftest import add_user

FIELDS = {"pupil": ("medical_needs", "address"), "progress_entry": ("evidence", "learning_gap")}
CLASSES = {"pupil": Pupil, "progress_entry": ProgressEntry}
_users = itertools.count()


@dataclass
class Write:
    device: int
    entity: str
    entity_id: str
    field: str
    value: str
    entry: str  # its outbox entry: acknowledged once the entry has left the outbox
    superseded: bool = False


def _newest_entry(app) -> str:
    outbox = app.store.tables["outbox"]
    with app.store.reading() as conn:
        return conn.execute(select(outbox.c.id).order_by(outbox.c.changed_at.desc(), outbox.c.id.desc())).first()[0]


def _outbox_ids(app) -> set[str]:
    outbox = app.store.tables["outbox"]
    with app.store.reading() as conn:
        return set(conn.execute(select(outbox.c.id)).scalars())


def test_three_laptops_converge_and_lose_no_acknowledged_write(engine, make_device):
    tokens = itertools.count()

    class ThreeLaptops(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            user = f"worker{next(_users)}"  # each example its own caseload on the shared server
            add_user(engine, user, "tutor")
            self.devices = [make_device(f"{user}-{i}", user) for i in range(3)]
            first = self.devices[0].app
            self.pupil = h.pupil(first)
            self.records = [("pupil", self.pupil)] + [
                ("progress_entry", h.progress(first, self.pupil)) for _ in range(2)
            ]
            self.writes: list[Write] = []
            for device in self.devices:
                device.sync()

        def _get(self, device: int, entity: str, entity_id: str):
            return self.devices[device].app.store.get(CLASSES[entity], entity_id)

        def _saw(self, device: int, record) -> None:
            """Device `device` is about to overwrite what it holds: those writes it has seen."""
            entity = "pupil" if isinstance(record, Pupil) else "progress_entry"
            held = {getattr(record, name) for name in FIELDS[entity]}
            for w in self.writes:
                if w.entity_id == record.id and w.value in held:
                    w.superseded = True

        @rule(device=st.integers(0, 2), which=st.integers(0, 20), field=st.integers(0, 1))
        def edit(self, device: int, which: int, field: int) -> None:
            entity, entity_id = self.records[which % len(self.records)]
            record = self._get(device, entity, entity_id)
            if record is None:
                return  # deleted (or not yet seen) on this laptop
            name = FIELDS[entity][field]
            self._saw(device, record)
            value = f"w{next(tokens)}"
            setattr(record, name, value)
            app = self.devices[device].app
            with app.store.transaction("t") as tx:
                tx.update(record)
            self.writes.append(Write(device, entity, entity_id, name, value, _newest_entry(app)))

        @rule(device=st.integers(0, 2))
        def create(self, device: int) -> None:
            app = self.devices[device].app
            value = f"w{next(tokens)}"
            entry_id = h.progress(app, self.pupil, evidence=value)
            self.records.append(("progress_entry", entry_id))
            self.writes.append(Write(device, "progress_entry", entry_id, "evidence", value, _newest_entry(app)))

        @precondition(lambda self: len(self.records) > 1)
        @rule(device=st.integers(0, 2), which=st.integers(1, 20))
        def delete(self, device: int, which: int) -> None:
            entity, entity_id = self.records[1 + which % (len(self.records) - 1)]  # progress entries only
            record = self._get(device, entity, entity_id)
            if record is None:
                return
            self._saw(device, record)
            with self.devices[device].app.store.transaction("t") as tx:
                tx.delete(ProgressEntry, entity_id)

        @rule(
            device=st.integers(0, 2),
            drop=st.none() | st.tuples(st.integers(1, 3), st.sampled_from(["request", "response"])),
        )
        def sync(self, device: int, drop) -> None:
            laptop = self.devices[device]
            if drop:
                laptop.net.drop(*drop)
            with contextlib.suppress(Offline):
                laptop.sync()

        def teardown(self) -> None:
            for _ in range(2):
                for laptop in self.devices:
                    laptop.net.drop(10**6, "request")  # no more faults
                    laptop.sync()
            dumps = [h.dump(d.app) for d in self.devices]
            assert dumps[0] == dumps[1] == dumps[2]
            for laptop in self.devices:
                assert laptop.port.unsent() == 0
                assert laptop.port.rejected() == []
                # Its audit trail is on the server whole: each row once, in order, the chain unbroken.
                trail = laptop.app.store.tables["audit_event"]
                with laptop.app.store.reading() as conn:
                    rows = conn.execute(select(trail.c.id, trail.c.sent).order_by(trail.c.seq)).all()
                with engine.connect() as conn:
                    held = conn.execute(
                        select(AuditEvent.row_id, AuditEvent.chain_break)
                        .where(AuditEvent.trail == laptop.app.store.device)
                        .order_by(AuditEvent.seq)
                    ).all()
                assert all(sent for _, sent in rows)
                assert [i for i, _ in held] == [i for i, _ in rows] and not any(b for _, b in held)
            app = self.devices[0].app
            conflicts = self.devices[0].sync_service.conflicts(include_resolved=True)
            kept = {(c.entity_id, c.field, v) for c in conflicts for v in (c.kept_value, c.other_value)}
            pending = [_outbox_ids(d.app) for d in self.devices]
            for w in self.writes:
                acknowledged = w.entry not in pending[w.device]
                if not acknowledged or w.superseded:
                    continue
                with app.store.reading() as conn:
                    table = app.store.tables[w.entity]
                    final = conn.execute(select(table.c[w.field]).where(table.c.id == w.entity_id)).scalar()
                assert final == w.value or (w.entity_id, w.field, w.value) in kept, w

    run_state_machine_as_test(
        ThreeLaptops,
        settings=settings(
            max_examples=8,
            stateful_step_count=14,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
