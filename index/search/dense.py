"""What search asks of a dense index, whichever engine holds the vectors: FAISS in one process (`vectors`),
Milvus shared by many (`milvus`). Both are derived from the archive's stored vectors and rebuildable.

A long-running process also keeps its index in step with what other processes
store (`IndexRefresher`): FAISS lives in this process's memory, so new and
removed vectors are brought in from the archive (`vector_refresh`); Milvus is
one server every process writes to and searches, so there is nothing to bring
in and only what this process caches of the archive is forgotten
(`shared_refresh`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from index.storage.protocols import EmbeddingRepository
from index.storage.records import SearchFilters

__all__ = ["DenseIndex", "IndexHealth", "IndexRefresher", "VectorRefresh"]


@dataclass(frozen=True)
class IndexHealth:
    vectors: int
    stored: int
    model_id: str
    dimension: int
    rebuilt: bool
    added: int
    removed: int
    layout: str = "exact"
    """"exact" or "approximate" (see `index.approximate`)."""

    @property
    def ok(self) -> bool:
        return self.vectors == self.stored

    def describe(self) -> str:
        state = "ok" if self.ok else "out of sync"
        extra = " (rebuilt from SQLite)" if self.rebuilt and self.layout != "milvus" else \
            " (rebuilt from the archive)" if self.rebuilt else ""
        if self.added or self.removed:
            extra += f" (synced: +{self.added} −{self.removed})"
        search = ", approximate search" if self.layout == "approximate" else ""
        return f"{state}: {self.vectors} vectors for {self.stored} stored paragraphs{search}{extra}"


class DenseIndex(Protocol):
    dimension: int
    model_id: str
    last_health: IndexHealth | None
    filters_natively: bool
    """True: `search` takes `filters` itself; False: the caller passes the ids the filters allow."""

    def __len__(self) -> int: ...

    @property
    def layout(self) -> str: ...

    def load(self, store: EmbeddingRepository) -> IndexHealth: ...

    def rebuild(self, store: EmbeddingRepository) -> IndexHealth: ...

    def rebuild_if_due(self, store: EmbeddingRepository) -> bool: ...

    def sync(self, store: EmbeddingRepository, *, rebuilt: bool = False) -> IndexHealth:
        """Compare the index with the archive id by id: add what it lacks, drop what the archive no longer has."""

    def holds(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """A mask: which of these paragraph ids searches can find now."""

    def update(self, added_ids: Sequence[int] | np.ndarray, vectors: np.ndarray,
               removed_ids: Sequence[int] | np.ndarray = ()) -> None:
        """After an article's transaction committed: take in its new paragraphs, drop its old ones. An id
        already held is not added twice (a refresh and this process's own ingest may both bring it)."""

    def save(self) -> None: ...

    def save_if_due(self) -> bool: ...

    def save_if_changed(self) -> bool: ...

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None,
               filters: SearchFilters | None = None) -> list[tuple[int, float]]: ...

    def search_many(self, queries: np.ndarray, k: int, allowed: Sequence[int] | np.ndarray | None = None,
                    filters: SearchFilters | None = None) -> list[list[tuple[int, float]]]: ...

    def scores(self, query: np.ndarray, ids: Sequence[int]) -> dict[int, float]: ...

    def describe(self) -> dict[str, object]:
        """Which engine and where, with its count, for `newsbot status`."""

    def close(self) -> None:
        """Let go of the engine (a connection to a server; nothing for an index in this process's memory)."""


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
    """The removal log no longer reached back: every id was compared with the archive."""


class IndexRefresher(Protocol):
    """Keeps a long-running process's dense index (and what it caches of the archive) in step with what other
    processes store; searches call `refresh` first, a timer calls it between them."""

    def start(self) -> None:
        """Take the marks before the index is loaded: whatever is written after is brought in by `refresh`."""

    def refresh(self, budget: int | None = None) -> VectorRefresh:
        """Bring in what other processes stored since the last refresh; `budget` caps the new vectors read."""
