"""Which pupils each touched row belongs to, followed to the rows that take their pupils from it."""

from __future__ import annotations

from ..shapes import LINKS, SHAPES, Conflict, Gathered, Owner, OwnerElseParent, Parent, Shared
from .rows import GATHERED, Key, Row


class Membership:
    """A part of Merger (merger.py), which holds the state these methods use."""

    # --- membership ---------------------------------------------------------------

    def _links_of(self, ids: list[str]) -> None:
        """Load the link rows of these gathered rows (visit -> visit_pupil rows)."""
        need = [i for i in ids if i not in self.link_cache]
        for i in need:
            self.link_cache[i] = {}
        stored = [i for i in need if any(r.seq is not None for r in self._gathered(i))]
        for row in self._load_children(need, stored):
            if row.entity in LINKS:
                self.link_cache[row.parent[1]][row.key] = row

    def _gathered(self, entity_id: str) -> list[Row]:
        return [self.rows[(entity, entity_id)] for entity in GATHERED if (entity, entity_id) in self.rows]

    def _members(self, row: Row) -> set[str]:
        shape = SHAPES[row.entity]
        if isinstance(shape, Owner) or (isinstance(shape, OwnerElseParent) and row.owner):
            return {row.owner} if row.owner else set()
        if isinstance(shape, (Parent, Conflict, OwnerElseParent)):
            parent = self.rows.get(row.parent) if row.parent else None
            return set(parent.members) if parent else set()
        if isinstance(shape, Gathered):
            links = self.link_cache.get(row.entity_id, {})
            return {link.owner for link in links.values() if link.owner and not link.deleted}
        return set()

    def _settle_members(self) -> None:
        """Recompute which pupils each touched row belongs to, and follow the
        change to rows that take their pupils from it; a row whose pupils
        changed gets a new sequence number, so newly entitled users receive it."""
        pending: set[Key] = set()
        for row in list(self.rows.values()):
            if not row.dirty:
                continue
            pending.add(row.key)
            if row.entity in LINKS and row.parent:
                pending.add(row.parent)
        for _round in range(50):  # parent chains are short; the cap only stops a malicious cycle
            if not pending:
                break
            batch = [k for k in pending if k in self.rows or k not in self.missing]
            pending = set()
            self._load(batch)
            rows = [self.rows[k] for k in batch if k in self.rows]
            self._load([r.parent for r in rows if r.parent])
            gathered = [r for r in rows if isinstance(SHAPES.get(r.entity), Gathered)]
            self._links_of([r.entity_id for r in gathered])
            for row in self.rows.values():  # links made or changed in this push
                if row.entity in LINKS and row.parent and row.parent[1] in self.link_cache:
                    self.link_cache[row.parent[1]][row.key] = row
            changed, existing = [], []
            for row in rows:
                if isinstance(SHAPES.get(row.entity), Shared):
                    continue
                members = self._members(row)
                if members != row.members or row.stored_members is None:
                    if members != row.members:
                        changed.append(row.entity_id)
                        if row.seq is not None:
                            existing.append(row.entity_id)
                    row.members = members
                    row.dirty = True
            if changed:
                pending.update(child.key for child in self._load_children(changed, existing))
