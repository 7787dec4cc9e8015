"""Sorting people's names as a reader expects: by surname, with the Unicode Collation
Algorithm (pyuca, the DUCET table), so Łukasz Kowalski sorts under K, Ó Súilleabháin
under O beside O'Sullivan rather than after Z, and Zoë with Zoe.

`name_key(surname, forename)` is the one sort key for people; the caseload and
every report use it. Keys are cached: a caseload's surnames repeat across siblings,
and a reload costs nothing. Most names are plain letters, so a key is built from
each letter's cached collation elements; anything the fast path cannot vouch for
(a contraction, a character outside the table) takes pyuca's full algorithm.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import pyuca

_NOT_SIMPLE: list = []  # a marker: this character needs the full algorithm

SortKey = tuple[int, ...]


@lru_cache(maxsize=1)
def _collator() -> pyuca.Collator:
    """Loaded on first use (a third of a second: its table is 20,000 lines), so a command
    that sorts no names does not wait for it."""
    return pyuca.Collator()


@lru_cache(maxsize=4096)
def _elements(ch: str) -> list:
    """The collation elements of one character when they stand alone: it has its own
    entry in the table and starts no contraction."""
    node = _collator().table.root.children.get(ord(ch))
    if node is None or not node.value or node.children:
        return _NOT_SIMPLE
    return node.value


@lru_cache(maxsize=50_000)
def collation_key(text: str) -> SortKey:
    """The UCA sort key of `text` (any case, any accents)."""
    normalized = unicodedata.normalize("NFD", text)
    elements: list = []
    for ch in normalized:
        found = _elements(ch)
        if found is _NOT_SIMPLE:
            return _collator().sort_key(text)
        elements.extend(found)
    return _collator().sort_key_from_collation_elements(elements)


def name_key(surname: str, forename: str = "") -> tuple[SortKey, SortKey, str, str]:
    """Surname first, then forename; the texts themselves break any tie, so the order is total."""
    return collation_key(surname.strip()), collation_key(forename.strip()), surname, forename


def pupil_key(pupil: object) -> tuple[SortKey, SortKey, str, str]:
    """A pupil's place in any list: by the surname and forename they are known by."""
    surname = getattr(pupil, "preferred_surname", "") or pupil.surname
    forename = getattr(pupil, "preferred_forename", "") or pupil.forename
    return name_key(surname, forename)
