"""Step 9 (sync tables) opens a populated version-8 profile: its unsent
changes survive and become operations the sync client can push."""

from __future__ import annotations

from desktop.domain.records import Pupil, SyncConflict
from desktop.store import Store
from desktop.store.migrations import LATEST
from desktop.store.sync_port import StoreSyncPort
from tests.store.test_store import PASS, profile_at_version


def test_a_populated_version_8_profile_gains_the_sync_tables_and_keeps_its_outbox(tmp_path):
    folder = tmp_path / "v8"
    conn = profile_at_version(folder, 8)
    conn.execute(
        "INSERT INTO outbox (id, entity, entity_id, fields, changed_at) VALUES "
        "('o1', 'pupil', 'p1', '[\"forename\", \"surname\"]', '2026-11-01T10:00:00.000000Z-0000-dev-1')"
    )
    conn.close()

    store = Store.open(folder, PASS)
    try:
        assert store.schema_version() == LATEST >= 9
        assert store.get(Pupil, "p1").surname == "Lee"
        assert store.find(SyncConflict) == []
        port = StoreSyncPort(store)
        [op] = port.pending(10)
        assert (op.op_id, op.entity, op.entity_id) == ("o1", "pupil", "p1")
        assert op.fields == {"forename": "Levi", "surname": "Lee"}
        assert op.clock == "2026-11-01T10:00:00.000000Z-0000-dev-1"
        assert port.cursor() is None
    finally:
        store.close()
