"""`Store.find` without building a statement per call.

Through SQLAlchemy a `find` cost about thirty times the SQL it ran (a select
built, keyed and executed, a transaction begun and rolled back, every row
mapped): at fifteen finds a pupil record, that was most of a record's time. A
find has one shape, "live rows whose columns equal these values, in this
order", so each table gets a `TableReader` that writes that SQL once per shape
and runs it on the driver's cursor. Values are converted both ways by the same
SQLAlchemy type processors the engine uses, so records come back exactly as
they did through SQLAlchemy (tests/store/test_reads.py compares the two).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum
from typing import Any

from .mapping import column_fields, enum_fields

Convert = Callable[[Any], Any] | None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _member(enum: type[Enum] | None) -> Convert:
    """A stored value to its enum member by a dict look-up (calling the enum class
    costs several times more, on every row); anything else goes to the class,
    which raises for a value it does not know, as before."""
    if enum is None:
        return None
    members = enum._value2member_map_

    def member(value: object) -> Enum:
        found = members.get(value)
        return found if found is not None else enum(value)

    return member


def _chain(first: Convert, then: Convert) -> Convert:
    if first is None:
        return then
    if then is None:
        return first
    return lambda value: None if value is None else then(first(value))


def _maker(cls: type, plan: list[tuple[str, int, Convert]]) -> Callable[[tuple], object]:
    """A function making a `cls` from a row, written out field by field as
    dataclasses writes its __init__: a loop over the fields cost twice as much."""
    env: dict[str, object] = {"cls": cls}
    args = []
    for name, i, convert in plan:
        if convert is None:
            args.append(f"{name}=row[{i}]")
        else:
            env[f"convert{i}"] = convert
            args.append(f"{name}=None if row[{i}] is None else convert{i}(row[{i}])")
    # Only the dataclass's own field names and positions go into the source.
    exec(f"def make(row):\n    return cls({', '.join(args)})\n", env)
    return env["make"]


class TableReader:
    """Reads one table's live rows, as tuples or as records of `cls`."""

    def __init__(self, table, dialect, cls: type | None = None) -> None:
        self.table = table.name
        self.columns = [c.name for c in table.columns]
        self.index = {name: i for i, name in enumerate(self.columns)}
        types = {c.name: c.type.dialect_impl(dialect) for c in table.columns}
        self._bind = {name: t.bind_processor(dialect) for name, t in types.items()}
        self._result = [types[name].result_processor(dialect, None) for name in self.columns]
        self._select = f"SELECT {', '.join(map(_quote, self.columns))} FROM {_quote(self.table)} WHERE deleted IS 0"
        self._sql: dict[tuple, str] = {}
        self.cls = cls
        if cls is not None:
            enums = enum_fields(cls)
            self._make = _maker(
                cls,
                [
                    (name, self.index[name], _chain(self._result[self.index[name]], _member(enums.get(name))))
                    for name in column_fields(cls)
                ],
            )

    def param(self, column: str, value: object) -> object:
        if isinstance(value, Enum):
            value = value.value
        bind = self._bind[column]
        return value if bind is None or value is None else bind(value)

    def sql(
        self, equals: Mapping[str, object], order_by: Sequence[str] = (), limit: int | None = None
    ) -> tuple[str, list]:
        """The SQL for these conditions (written once per shape) and its parameters."""
        shape = []
        params: list = []
        for name, value in equals.items():
            if name not in self.index:
                raise KeyError(name)
            if isinstance(value, (list, tuple, set, frozenset)):
                values = list(value)
                shape.append((name, len(values)))
                params.extend(self.param(name, v) for v in values)
            elif value is None:
                shape.append((name, None))
            else:
                shape.append((name, -1))  # equal to one value; n >= 0 is a list of n
                params.append(self.param(name, value))
        key = (tuple(shape), tuple(order_by), limit is not None)
        sql = self._sql.get(key)
        if sql is None:
            sql = self._write(shape, order_by, limit is not None)
            if all(n is None or n <= 8 for _, n in shape):  # long IN lists vary in length: not kept
                self._sql[key] = sql
        if limit is not None:
            params.append(limit)
        return sql, params

    def _write(self, shape: list, order_by: Sequence[str], limited: bool) -> str:
        parts = [self._select]
        for name, count in shape:
            column = _quote(name)
            if count is None:
                parts.append(f"AND {column} IS NULL")
            elif count == -1:
                parts.append(f"AND {column} = ?")
            else:
                parts.append(f"AND {column} IN ({', '.join('?' * count)})")
        if order_by:
            terms = []
            for name in order_by:
                column = name.lstrip("-")
                if column not in self.index:
                    raise KeyError(column)
                terms.append(_quote(column) + (" DESC" if name.startswith("-") else ""))
            parts.append("ORDER BY " + ", ".join(terms))
        if limited:
            parts.append("LIMIT ?")
        return " ".join(parts)

    def records(self, rows: Iterable[tuple]) -> list:
        """Rows (in column order) as records of this reader's class."""
        make = self._make
        return [make(row) for row in rows]

    def converter(self, column: str) -> Callable[[object], object]:
        """What convert does for one column, as a function (for loops over many rows)."""
        process = self._result[self.index[column]]
        if process is None:
            return lambda value: value
        return lambda value: None if value is None else process(value)

    def convert(self, column: str, value: object) -> object:
        """One stored value as SQLAlchemy would have returned it."""
        convert = self._result[self.index[column]]
        return value if convert is None or value is None else convert(value)
