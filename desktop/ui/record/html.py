"""Small HTML helpers the record's tabs share (`HtmlPane` renders them)."""

from __future__ import annotations

from datetime import date

from ..widgets import esc


def age(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def fact_rows(pairs: list[tuple[str, str]]) -> str:
    """A two-column table of facts; values are already HTML."""
    cells = "".join(f"<tr><td class='key'>{esc(k)}</td><td>{v}</td></tr>" for k, v in pairs if v)
    return f"<table cellspacing='0'>{cells}</table>"


RULE_ROW = "<tr><td colspan='2'><hr></td></tr>"
