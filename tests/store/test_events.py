"""Events that change no record (sign-in, lock) are written through the driver
(`Store.record_event`), so opening a profile needs no SQLAlchemy. They must be
stored exactly as the trail's own writer stores them, and keep the chain whole."""

from desktop.store import Store, trail

PASS = "correct horse battery"


def test_an_event_through_the_driver_is_stored_as_the_trail_writes_one(tmp_path):
    store = Store.create(tmp_path / "p", PASS, scrypt_n=2**10)
    store.record_event("Ann Tutor", "sign-in", "profile", "", "unlocked")
    with store.transaction("Ann Tutor") as tx:
        tx.audit("sign-in", "profile", "", "unlocked", pupil_ids=[])
    store.record_event("Ann Tutor", "lock", "profile", "", "locked")
    rows = store.rows("SELECT * FROM audit_event ORDER BY seq")
    names = [d[0] for d in store._connection().execute("SELECT * FROM audit_event").description]
    driver, through_sqlalchemy, after = (dict(zip(names, row, strict=True)) for row in rows)
    assert [r["seq"] for r in (driver, through_sqlalchemy, after)] == [1, 2, 3]
    differ = {"id", "seq", "at", "salt", "content_hash", "prev_hash", "hash"}
    assert {k: v for k, v in driver.items() if k not in differ} == {
        k: v for k, v in through_sqlalchemy.items() if k not in differ
    }
    stored_types = (
        "SELECT typeof(at), typeof(pupil_ids), typeof(changes), typeof(redacted), length(at) FROM audit_event"
    )
    assert len(set(store.rows(stored_types))) == 1  # same storage classes and time format
    assert trail.verify(store).intact and trail.verify(store).rows == 3
    store.close()
