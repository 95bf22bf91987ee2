"""Keeping a long-running process's vector index in step with what other processes write to the archive.

The bot holds its FAISS index in memory; `newsbot ingest`, `remove` or `poll`
run in other processes and write to SQLite, the source of truth. Without this
module an article ingested while the bot runs stays invisible to it until a
restart: answers and searches miss it, and a followed topic is never alerted.

How the bot notices, cheaply:

- SQLite's `PRAGMA data_version` changes only when *another* connection
  commits, so the check before every search costs one pragma when nobody else
  wrote (`Database.data_version`).
- Paragraph ids only grow (AUTOINCREMENT), so what is new is every stored
  vector after the newest id seen; what went is in the removal log a trigger
  keeps (`vector_removals`, schema version 5). Neither compares the whole id
  set, which at a million paragraphs reads the whole table.
- A paragraph removed and stored again under the same id (`newsbot reindex`
  replaces every vector in place) is read back after its removal.
- When the log no longer reaches back to the mark (each process that opens
  the archive prunes it to its newest `KEEP_REMOVALS` entries), the index is
  compared with SQLite id by id once.

Adding is idempotent (an index never holds an id twice), so this process's own
ingest and a refresh may both bring the same paragraph. A search that finds a
refresh under way in another thread does not wait for it; a search brings in
at most `SEARCH_BUDGET` new vectors itself and the bot's timer the rest, so a
bulk ingest elsewhere never makes one question slow.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from index.search.vectors import VectorIndex
from index.storage.sqlite.db import Database
from index.storage.sqlite.embedding_store import EmbeddingStore, VectorMark

__all__ = ["VectorRefresh", "VectorRefresher", "SEARCH_BUDGET", "KEEP_REMOVALS"]

log = logging.getLogger(__name__)

SEARCH_BUDGET = 4096
"""New vectors a search brings in before it runs; the rest come with the next refresh."""
KEEP_REMOVALS = 200_000
"""Removal-log entries kept for readers that are behind (a few MB); older ones are pruned."""
CHUNK = 2048


@dataclass(frozen=True)
class VectorRefresh:
    """What one refresh did."""

    changed: bool
    """Another process had written since the last look."""
    added: int = 0
    removed: int = 0
    complete: bool = True
    """False when a budget or a refresh in another thread left work for the next one."""
    compared: bool = False
    """The removal log no longer reached back: every id was compared with SQLite."""


class VectorRefresher:
    def __init__(self, db: Database, embeddings: EmbeddingStore, vectors: VectorIndex,
                 forget_cached: Callable[[], None] = lambda: None) -> None:
        """`forget_cached` drops what this process keeps of articles (their metadata may have changed too)."""
        self.db = db
        self.embeddings = embeddings
        self.vectors = vectors
        self.forget_cached = forget_cached
        self._lock = threading.Lock()
        self._version: int | None = None
        self._mark = VectorMark(0, 0)
        self._pending = False
        """Changes seen but not all applied (a budget ran out): look again even if nobody wrote since."""
        self._model_warned = False

    def start(self) -> None:
        """Take the marks before the index is loaded: whatever is written after is brought in by `refresh`."""
        with self._lock:
            self.embeddings.prune_removals(KEEP_REMOVALS)
            self._version = self.db.data_version()
            self._mark = self.embeddings.mark()

    def refresh(self, budget: int | None = None) -> VectorRefresh:
        """Bring in what other processes stored and drop what they removed since the last refresh.

        `budget` caps the new vectors read in this call (None: all of them).
        """
        if not self._lock.acquire(blocking=False):
            return VectorRefresh(changed=True, complete=False)
        try:
            version = self.db.data_version()
            if version == self._version and not self._pending:
                return VectorRefresh(changed=False)
            self._version = version
            self.forget_cached()
            if not self._same_model():
                return VectorRefresh(changed=True, complete=False)
            result = self._apply(budget)
            self._pending = not result.complete
            if result.added or result.removed:
                log.info("vector index brought up to date with the archive: +%d −%d%s", result.added,
                         result.removed, "" if result.complete else " (more to come)")
                if not self.vectors.rebuild_if_due(self.embeddings):
                    self.vectors.save_if_due()
            return result
        finally:
            self._lock.release()

    def _same_model(self) -> bool:
        stored = self.db.meta("model_id")
        if stored is None or stored == self.vectors.model_id:
            return True
        if not self._model_warned:
            log.error("the archive's vectors are now from %s, this process embeds with %s: restart it with the "
                      "model the archive was re-embedded with", stored, self.vectors.model_id)
            self._model_warned = True
        return False

    def _apply(self, budget: int | None) -> VectorRefresh:
        removals = self.embeddings.removed_since(self._mark.removal)
        if removals is None:
            mark = self.embeddings.mark()
            health = self.vectors.sync(self.embeddings)
            self._mark = mark
            return VectorRefresh(changed=True, added=health.added, removed=health.removed, compared=True)
        removed_ids, last_removal = removals
        removed = 0
        if len(removed_ids):
            removed = int(self.vectors.holds(removed_ids).sum())
            self.vectors.update((), np.zeros((0, self.vectors.dimension), dtype=np.float32), removed_ids)
            # Stored again under the same id (re-embedded in place): read back.
            again = self.embeddings.stored_among(removed_ids[removed_ids <= self._mark.newest_id])
            for start in range(0, len(again), CHUNK):
                chunk = again[start:start + CHUNK]
                self.vectors.update(chunk, self.embeddings.vectors_for(chunk, self.vectors.dimension))
            removed -= len(again)
        added = 0
        newest = self._mark.newest_id
        complete = True
        for ids, vectors in self.embeddings.iter_vectors(CHUNK, after=newest):
            if budget is not None and added >= budget:
                complete = False
                break
            fresh = ~self.vectors.holds(ids)
            self.vectors.update(ids, vectors)
            added += int(fresh.sum())
            newest = int(ids[-1])
        self._mark = VectorMark(newest, last_removal)
        return VectorRefresh(changed=True, added=added, removed=max(0, removed), complete=complete)
