"""Which paragraph ids a vector index holds, one flag per id.

Paragraph ids are small, dense integers (SQLite AUTOINCREMENT), so a flag per
id up to the largest answers "is this id held?" for a whole batch in one numpy
step (1 MB at a million paragraphs). Both index layouts keep one: adding an id
that is already held would store its vector twice, and an index can be brought
up to date from two sides at once (this process's own ingest, and what another
process wrote, see `index.search.vector_refresh`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["IdBitmap"]


class IdBitmap:
    def __init__(self) -> None:
        self._present = np.zeros(0, dtype=bool)
        self.count = 0

    def holds(self, ids: np.ndarray) -> np.ndarray:
        """A mask: which of these ids are held."""
        ids = np.asarray(ids, dtype=np.int64)
        inside = (ids >= 0) & (ids < len(self._present))
        mask = np.zeros(len(ids), dtype=bool)
        mask[inside] = self._present[ids[inside]]
        return mask

    def new_only(self, ids: np.ndarray, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ids (and their vectors) not held yet: what an index may add without storing an id twice."""
        ids = np.asarray(ids, dtype=np.int64)
        fresh = ~self.holds(ids)
        return (ids, vectors) if fresh.all() else (ids[fresh], vectors[fresh])

    def ids(self) -> np.ndarray:
        return np.flatnonzero(self._present).astype(np.int64)

    def mark(self, ids: np.ndarray) -> None:
        ids = np.unique(np.asarray(ids, dtype=np.int64))
        if not len(ids):
            return
        top = int(ids.max()) + 1
        if top > len(self._present):
            grown = np.zeros(max(top, int(len(self._present) * 1.5) + 1024), dtype=bool)
            grown[:len(self._present)] = self._present
            self._present = grown
        self.count += int(len(ids) - np.count_nonzero(self._present[ids]))
        self._present[ids] = True

    def unmark(self, ids: np.ndarray) -> np.ndarray:
        """Forget these ids; returns those that were held (each once)."""
        ids = np.asarray(ids, dtype=np.int64)
        held = np.unique(ids[self.holds(ids)])
        self._present[held] = False
        self.count -= len(held)
        return held
