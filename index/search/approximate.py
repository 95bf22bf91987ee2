"""Approximate nearest-neighbour search for large archives: a FAISS HNSW graph over float16 vectors.

Exact search reads every stored vector for every question: at 50k paragraphs
that is as much time as embedding the question, at 1M 2 GB per question. An
HNSW graph links every vector to `LINKS` near neighbours in layers; a search
walks it from the top and looks at a few thousand vectors, however large the
archive. Vectors are stored as float16 (cosines within about 1e-4 of float32,
half the memory); `IndexIDMap2` keys them by paragraph id and reads them back.

Why not an inverted-file index (IVF), which clusters the vectors: questions
are not paragraphs, and a question's nearest paragraphs are spread over many
clusters. On 40k paragraphs of the benchmark archive, IVF reached recall@10
0.93 against exact search only when scanning a quarter of the vectors, and
0.975 at half; HNSW (32 links) reached 0.98 looking at a few thousand vectors,
at under a millisecond (bench/scale.py, see README). HNSW costs about 0.3 ms
per added vector, on the ingest thread while the next batch embeds.

HNSW cannot delete. A removed paragraph (its article was replaced) stays in
the graph as a tombstone that searches filter out; once tombstones are a tenth
of the graph, `VectorIndex` rebuilds it from SQLite.

Filtered search keeps the contract of exact search:

* a filter that leaves at most `EXACT_FILTER_MAX` paragraphs (a day's reports,
  the candidates of one question, one article's date window) is searched
  exactly, over the vectors of just those paragraphs;
* a larger filter (a language, an outlet) is searched in the graph with a
  bitmap of the allowed ids, looking further the smaller its share.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from typing import cast

import faiss
import numpy as np

from index.search.id_bitmap import IdBitmap

__all__ = ["ApproximateIndex", "EXACT_FILTER_MAX", "LINKS", "SEARCH_BREADTH", "TOMBSTONE_SHARE"]

EXACT_FILTER_MAX = 16_384
"""Largest filter searched exactly: reading back 16k vectors and scoring them takes a few milliseconds."""
LINKS = 32
"""Neighbours per vector (HNSW's M): 16 lost a point of recall@10 at the same search cost."""
BUILD_BREADTH = 64
"""Candidates considered when linking a new vector (efConstruction)."""
SEARCH_BREADTH = 640
"""Candidates kept while searching (efSearch): recall@10 ≥ 0.95 against exact search on the benchmark archive."""
WIDEN_MAX = 8
"""A filter covering a small share of the archive keeps up to this many times more candidates."""
TOMBSTONE_SHARE = 0.1


def _pairs(scores: np.ndarray, ids: np.ndarray) -> list[list[tuple[int, float]]]:
    return [[(int(i), float(s)) for i, s in zip(row_ids, row_scores, strict=True) if i != -1]
            for row_ids, row_scores in zip(ids, scores, strict=True)]


def _exact_top_k(queries: np.ndarray, vectors: np.ndarray, ids: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
    """Best k (id, cosine) per query among `vectors`, by FAISS's single-threaded kernel.

    Not numpy's `@`: a multi-threaded BLAS call for a product this small
    stalls when the cores are busy (and the encoder's thread holds the same
    BLAS pool during ingest): 39 ms against 3.6 ms for 10 queries × 4,000
    vectors on a loaded 2-core machine.
    """
    scores, rows = faiss.knn(queries, np.ascontiguousarray(vectors, dtype=np.float32), min(k, len(ids)),
                             metric=faiss.METRIC_INNER_PRODUCT)
    return [[(int(ids[r]), float(s)) for r, s in zip(row, row_scores, strict=True) if r != -1]
            for row, row_scores in zip(rows, scores, strict=True)]


class ApproximateIndex:
    """HNSW over float16 vectors keyed by paragraph id. Not thread-safe: `VectorIndex` holds the lock."""

    layout = "approximate"

    def __init__(self, index: faiss.Index) -> None:
        """`index`: an `IndexIDMap2` over an `IndexHNSW` (see `accepts`)."""
        self.index = cast(faiss.IndexIDMap2, index)
        self._held = IdBitmap()
        """Which paragraph ids the index holds (tombstones are not held)."""
        self._held.mark(self._graph_ids())

    @classmethod
    def empty(cls, dimension: int) -> ApproximateIndex:
        graph = faiss.IndexHNSWSQ(dimension, faiss.ScalarQuantizer.QT_fp16,  # type: ignore[arg-type]
                                  LINKS, faiss.METRIC_INNER_PRODUCT)
        graph.hnsw.efConstruction = BUILD_BREADTH
        graph.train(np.zeros((1, dimension), dtype=np.float32))  # float16 needs no statistics: only marks it trained
        return cls(faiss.IndexIDMap2(graph))

    @classmethod
    def built(cls, dimension: int, chunks: Iterable[tuple[np.ndarray, np.ndarray]]) -> ApproximateIndex:
        """A graph of every (ids, vectors) chunk, linked on every core (FAISS answers queries on one)."""
        index = cls.empty(dimension)
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(os.cpu_count() or 1)
        try:
            for ids, vectors in chunks:
                index.add(ids, vectors)
        finally:
            faiss.omp_set_num_threads(threads)
        return index

    @classmethod
    def accepts(cls, index: faiss.Index) -> bool:
        return isinstance(index, faiss.IndexIDMap2) and isinstance(faiss.downcast_index(index.index), faiss.IndexHNSW)

    def _graph_ids(self) -> np.ndarray:
        if self.index.ntotal == 0:
            return np.zeros(0, dtype=np.int64)
        return faiss.vector_to_array(self.index.id_map).astype(np.int64)

    # -- contents -----------------------------------------------------------------

    def __len__(self) -> int:
        return self._held.count

    @property
    def tombstones(self) -> int:
        """Vectors still in the graph whose paragraphs were removed."""
        return int(self.index.ntotal) - self._held.count

    def ids(self) -> np.ndarray:
        return self._held.ids()

    def holds(self, ids: np.ndarray) -> np.ndarray:
        """A mask: which of these ids the index holds (and not as tombstones)."""
        return self._held.holds(ids)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids, vectors = self._held.new_only(ids, vectors)  # adding an id twice would link it twice
        if len(ids):
            self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
            self._held.mark(ids)

    def remove(self, ids: np.ndarray) -> None:
        self._held.unmark(ids)

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of these ids, which must all be held (see `holds`)."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if not len(ids):
            return np.zeros((0, int(self.index.d)), dtype=np.float32)
        return self.index.reconstruct_batch(ids)

    # -- search -------------------------------------------------------------------

    def search(
        self, queries: np.ndarray, k: int, allowed: Sequence[int] | np.ndarray | None = None
    ) -> list[list[tuple[int, float]]]:
        """Top-k (paragraph id, cosine) per query; `allowed` restricts the search to those ids."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if self._held.count == 0 or k <= 0 or len(queries) == 0:
            return [[] for _ in range(len(queries))]
        if allowed is None:
            if self.tombstones == 0:
                params = faiss.SearchParametersHNSW(efSearch=max(SEARCH_BREADTH, k))  # type: ignore[attr-defined]
                scores, ids = self.index.search(queries, min(k, self._held.count), params=params)
                return _pairs(scores, ids)
            wanted = self.ids()
        else:
            wanted = np.unique(np.asarray(allowed, dtype=np.int64))
            wanted = wanted[self.holds(wanted)]
            if len(wanted) == 0:
                return [[] for _ in range(len(queries))]
            if len(wanted) <= EXACT_FILTER_MAX:
                return _exact_top_k(queries, self.vectors(wanted), wanted, k)
        return self._search_within(queries, k, wanted)

    def _search_within(self, queries: np.ndarray, k: int, wanted: np.ndarray) -> list[list[tuple[int, float]]]:
        """A graph search that only returns `wanted` ids (sorted), keeping more candidates the fewer they are."""
        mask = np.zeros(int(wanted[-1]) + 1, dtype=bool)
        mask[wanted] = True
        bits = np.packbits(mask, bitorder="little")
        selector = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bits))
        widen = min(WIDEN_MAX, math.ceil(self._held.count / len(wanted)))
        params = faiss.SearchParametersHNSW(  # type: ignore[attr-defined]
            efSearch=max(SEARCH_BREADTH, k) * widen, sel=selector)
        scores, ids = self.index.search(queries, min(k, len(wanted)), params=params)
        del bits  # kept alive until here: the selector reads it during the search
        return _pairs(scores, ids)
