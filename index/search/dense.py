"""What search asks of a dense index, whichever engine holds the vectors: FAISS in one process (`vectors`),
Milvus shared by many (`milvus`). Both are derived from the archive's stored vectors and rebuildable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from index.storage.protocols import EmbeddingRepository
from index.storage.records import SearchFilters

__all__ = ["DenseIndex", "IndexHealth"]


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

    def update(self, added_ids: tuple[int, ...], vectors: np.ndarray, removed_ids: tuple[int, ...] = ()) -> None:
        """After an article's transaction committed: take in its new paragraphs, drop its old ones."""

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
