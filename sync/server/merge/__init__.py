"""Applying a push: each operation once, per-field last-writer-wins on the
hybrid logical clock, free-text conflicts kept, scope checked per operation.

A push runs in one transaction that first takes the feed row's lock, so
sequence numbers are handed out in commit order: a reader that has seen
number N has seen every number below it. The whole batch is worked in memory
(rows loaded a few queries at a time), then written in bulk.

Parts: rows.py (the rows in memory), loading.py, membership.py (which pupils
a row belongs to), writing.py, merger.py (the push and each operation).
"""

from .merger import Merger

__all__ = ["Merger"]
