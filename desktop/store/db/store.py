"""`Store`, assembled from its parts: each file of this package holds one."""

from __future__ import annotations

from .opening import Opening
from .reading import Reading
from .writing import Writing


class Store(Opening, Writing, Reading):
    """Owns the engine. Safe to call from any thread: each call takes its own
    pooled connection, and SQLite serialises the writers."""
