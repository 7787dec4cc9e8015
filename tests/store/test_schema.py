"""The tables the store builds from the file's own schema match what SQLAlchemy's
reflection reads, column by column, so skipping reflection changes no query."""

from sqlalchemy import MetaData

from desktop.store import Store

PASS = "correct horse battery"


def shape(meta: MetaData) -> dict:
    return {
        name: (
            [(c.name, type(c.type).__name__, c.nullable, c.primary_key) for c in table.columns],
            sorted((fk.parent.name, fk.target_fullname) for fk in table.foreign_keys),
        )
        for name, table in meta.tables.items()
    }


def test_built_tables_match_reflection(tmp_path):
    store = Store.create(tmp_path / "p", PASS, scrypt_n=2**10)
    try:
        reflected = MetaData()
        reflected.reflect(store.engine)
        assert shape(store._metadata()) == shape(reflected)
        assert set(store.tables) == set(reflected.tables)
        assert store.insert_order.index("pupil") < store.insert_order.index("visit_entry")
        assert store.schema_version() > 0
    finally:
        store.close()


def test_opening_and_settings_need_no_engine(tmp_path):
    store = Store.create(tmp_path / "p", PASS, scrypt_n=2**10)
    store.set_setting("colour", {"a": 1})
    store.set_setting("colour", {"a": 2})
    assert store.get_setting("colour") == {"a": 2}
    assert store.get_setting("missing", "default") == "default"
    assert store._engine is None  # no SQLAlchemy engine was made for any of that
    store.close()
    again = Store.open(tmp_path / "p", PASS)
    assert again.get_setting("colour") == {"a": 2}
    again.close()
