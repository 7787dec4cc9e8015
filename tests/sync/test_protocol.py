"""The wire protocol's models and change stamps (no server)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from sync.protocol import Op, PushRequest, clamp, parse_stamp, stamp_device, successor
from sync.protocol.clock import COUNTER_MAX, Stamp, format_stamp

STAMP = "2026-11-22T10:00:00.000000Z-0003-0195-device"


def test_stamp_round_trip_keeps_a_device_id_with_hyphens():
    stamp = parse_stamp(STAMP)
    assert stamp == Stamp("2026-11-22T10:00:00.000000Z", 3, "0195-device")
    assert format_stamp(stamp) == STAMP
    assert stamp_device(STAMP) == "0195-device"


def test_stamps_order_by_time_then_counter_then_device():
    later_counter = successor(STAMP, "a")
    assert later_counter > STAMP
    assert parse_stamp(later_counter).counter == 4
    assert "2026-11-22T10:00:00.000001Z-0000-a" > "2026-11-22T10:00:00.000000Z-9999-z"


def test_successor_past_the_counter_moves_time_on():
    full = format_stamp(Stamp("2026-11-22T10:00:00.999999Z", COUNTER_MAX, "d"))
    nxt = successor(full, "d")
    assert nxt == "2026-11-22T10:00:01.000000Z-0000-d"
    assert nxt > full


def test_clamp_brings_a_future_clock_back_and_leaves_the_present_alone():
    now = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    ahead = format_stamp(Stamp("2026-11-23T10:00:00.000000Z", 2, "fast"))
    assert clamp(ahead, now) == "2026-11-22T10:00:00.000000Z-0002-fast"
    behind = format_stamp(Stamp("2026-11-21T10:00:00.000000Z", 2, "slow"))
    assert clamp(behind, now) == behind
    slightly = format_stamp(Stamp("2026-11-22T10:00:30.000000Z", 0, "d"))
    assert clamp(slightly, now, timedelta(seconds=60)) == slightly


@pytest.mark.parametrize("bad", ["", "zz", "2026-11-22T10:00:00.000000Z-00x3-d", "2026-13-22T10:00:00.000000Z-0003-d"])
def test_malformed_stamps_are_refused(bad):
    with pytest.raises(ValueError):
        parse_stamp(bad)
    with pytest.raises(ValidationError):
        Op(op_id="o", entity="visit", entity_id="v", clock=bad)


def test_an_op_names_a_table_and_carries_any_json_fields():
    op = Op(op_id="o", entity="visit_entry", entity_id="v", clock=STAMP, fields={"subjects": ["Maths"], "end": None})
    assert Op.model_validate_json(op.model_dump_json()) == op
    with pytest.raises(ValidationError):
        Op(op_id="o", entity="Visit; DROP", entity_id="v", clock=STAMP)


def test_a_push_is_at_most_a_thousand_ops():
    op = Op(op_id="o", entity="visit", entity_id="v", clock=STAMP)
    assert len(PushRequest(ops=[op] * 1000).ops) == 1000
    with pytest.raises(ValidationError):
        PushRequest(ops=[op] * 1001)


# --- values on the wire: one reader for the laptop's pull and the LA overview ----------


@pytest.mark.parametrize(
    "value",
    ["2026-11-16", "2026-11-16T10:30:00", "09:00", "9:00", "soon", "five", 1, 0, 2.5, True, "", ["x"], {"a": 1}],
)
@pytest.mark.parametrize("kind", ["date", "datetime", "time", "bool", "int", "float", "str", "list"])
def test_the_laptop_and_the_overview_read_a_wire_value_alike(kind, value):
    """The desktop's pull (by column) and the server's overview (by the record's field type)
    read every value by sync.protocol.values, so a "9:00", a "soon" or a "five" is the same
    to both: none where the field may be none, the laptop's blank where it may not."""
    from datetime import date, time

    from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Float, Integer, MetaData, String, Table, Time

    from desktop.store.sync_port.values import _blank, decode
    from sync.protocol import values as wire
    from sync.server.overview.records import _value

    python, sql = {
        "date": (date, Date),
        "datetime": (datetime, DateTime),
        "time": (time, Time),
        "bool": (bool, Boolean),
        "int": (int, Integer),
        "float": (float, Float),
        "str": (str, String),
        "list": (list, JSON),
    }[kind]
    column = Table("t", MetaData(), Column("f", sql(), nullable=False)).c.f
    laptop = decode(column, value)
    laptop = _blank(column) if laptop is None else laptop  # as the pull fills a required column
    server = _value(python, wire.blank(python))(value)
    assert laptop == server and type(laptop) is type(server)
    assert _value(python, None)(value) == decode(column, value)  # a field that may be none


def test_one_definition_of_the_wire_values_and_the_conflict_table():
    """No copy of the reader in the overview, and the conflicts' table named once."""
    from pathlib import Path

    from sqlalchemy import JSON, Boolean, Column, Date, Float, Integer, String

    from desktop.store.sync_port.values import _blank
    from sync.protocol import serving
    from sync.protocol import values as wire
    from sync.server import shapes

    here = Path(__file__).resolve().parents[2] / "sync" / "server" / "overview"
    assert not [p.name for p in here.glob("*.py") if "fromisoformat" in p.read_text()]
    assert shapes.CONFLICT_ENTITY is serving.CONFLICT
    for sql, python in ((Boolean, bool), (Integer, int), (Float, float), (JSON, list), (Date, date), (String, str)):
        assert _blank(Column("f", sql())) == wire.blank(python)
    assert wire.blank(date) == date(1970, 1, 1) and wire.decode(date, "2026-11-16T09:00") == date(2026, 11, 16)


# --- values no laptop and no server can keep --------------------------------------------------


def _nested(levels: int, kind: type) -> object:
    """An empty list, or an object holding one, inside `levels` more of the same."""
    value: object = [] if kind is list else {"k": None}
    for _ in range(levels):
        value = [value] if kind is list else {"k": value}
    return value


@pytest.mark.parametrize(
    "value,found",
    [
        ({"a": "text", "n": 2**63 - 1, "m": -(2**63), "f": 2.5, "b": True, "l": [1, "x"], "o": {"k": None}}, ""),
        ({"n": 2**63}, "number"),
        ({"n": -(2**63) - 1}, "number"),
        ({"l": [1, [10**30]]}, "number"),
        ({"o": {"k": 1e19}}, "number"),  # a reader's float for a whole number past 64 bits
        ({"f": float("inf")}, "number"),
        ({"f": float("nan")}, "number"),
        ({"t": "a\x00b"}, "NUL"),
        ({"o": {"k\x00": 1}}, "NUL"),
        ({"l": _nested(31, list)}, ""),  # a field 32 lists deep: kept
        ({"l": _nested(32, list)}, "depth"),  # 33: refused
        ({"o": _nested(100_000, dict)}, "depth"),  # no recursion: a reader gives a thousand levels
    ],
)
def test_a_value_past_what_a_laptop_or_the_server_keeps_is_found(value, found):
    from sync.protocol.values import unkeepable

    assert unkeepable(value) == found


@pytest.mark.parametrize("value,ok", [(None, True), ("", True), ("x" * 64, True), ("x" * 65, False), (7, False),
                                      (True, False), (["x"], False), ({"id": "x"}, False)])  # fmt: skip
def test_an_id_is_none_or_a_short_text(value, ok):
    from sync.protocol.values import is_id

    assert is_id(value) is ok
