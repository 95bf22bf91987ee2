"""Keeping a cluster-mode process in step with what other processes store: the little there is to do.

In the default mode each process holds its own FAISS index in memory and must
bring in what other processes stored (`index.search.vector_refresh`, driven by
SQLite's `PRAGMA data_version` and the removal log of schema version 5). In
cluster mode no process holds vectors of its own: Milvus is one server that
every process writes to (from the archive's outbox, after each commit) and
every process searches, so a paragraph another worker stored is searchable
here as soon as its outbox rows were taken in, and a removed one is gone for
everyone at once. There is nothing to bring in and nothing to drop; that is
why PostgreSQL keeps no removal log.

What a process still keeps of the archive is its cache of articles (title,
outlet, dates, side), and a worker that replaces an article keeps its id. So
the cache is forgotten whenever the outbox's sequence moved since the last
look: every article written, replaced or removed by any process adds an
outbox row in its own transaction. That costs one short read per search.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from index.search.dense import VectorRefresh

__all__ = ["SharedIndexRefresher"]


class SharedIndexRefresher:
    """The refresher of a shared search engine (`index.search.dense.IndexRefresher`)."""

    def __init__(self, change_mark: Callable[[], int], forget_cached: Callable[[], None]) -> None:
        """`change_mark` reads a number that moves whenever any process changes an article
        (`SearchOutbox.change_mark`); `forget_cached` drops what this process keeps of articles."""
        self.change_mark = change_mark
        self.forget_cached = forget_cached
        self._lock = threading.Lock()
        self._mark: int | None = None

    def start(self) -> None:
        with self._lock:
            self._mark = self.change_mark()

    def refresh(self, budget: int | None = None) -> VectorRefresh:
        """Forget cached articles if any process changed one; `budget` has no use here (no vectors are read)."""
        mark = self.change_mark()
        with self._lock:
            if mark == self._mark:
                return VectorRefresh(changed=False)
            self._mark = mark
        self.forget_cached()
        return VectorRefresh(changed=True)
