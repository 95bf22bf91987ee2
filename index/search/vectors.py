"""The FAISS index: a derived, disposable copy of the vectors in SQLite.

`IndexIDMap2` over `IndexFlatIP` keyed by paragraph id: normalised vectors make
inner product the cosine. The file is written to a temporary name and moved
into place with `os.replace`, next to a JSON manifest (model id, dimension,
count and the file's SHA-256), so a crash never leaves a half-written index.
On load a file whose checksum does not match its manifest (damaged vectors
still load and search, silently wrong) is rebuilt from scratch, and the index
is compared with SQLite by id set: whatever differs is added or removed from
the stored embeddings. A folder where the index file belongs is an error that
says so, not a traceback.

Two layouts, chosen by the archive's size (`approximate_above`, a setting):
below it `IndexIDMap2` over `IndexFlatIP`, exact, every vector read for every
query; at or above it an HNSW graph (`index.approximate`), which looks at a
few thousand vectors whatever the size. Exact search at 50k paragraphs already
costs about as much as embedding the question and the rest of the answer
together, and at 1M it reads 2 GB per question (bench/scale.py, see README).
Crossing the threshold (either way), or tombstones of removed paragraphs
filling a tenth of an approximate index, builds a fresh index from SQLite
beside the one in use and swaps it in under the lock, then catches up with
whatever was written meanwhile: searches go on against the old index during the build, and
the file on disk is replaced atomically as always. The manifest names the
layout, so a saved index of the wrong layout for the configured threshold is
rebuilt on load.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from index.errors import StoreError
from index.search.approximate import TOMBSTONE_SHARE, ApproximateIndex
from index.search.id_bitmap import IdBitmap
from index.storage.sqlite.embedding_store import EmbeddingStore

__all__ = ["VectorIndex", "IndexHealth", "ExactIndex", "APPROXIMATE_ABOVE"]

log = logging.getLogger(__name__)

APPROXIMATE_ABOVE = 50_000
"""Default size at which search turns approximate (the setting `search.approximate_above`)."""
SHRINK_MARGIN = 0.75
"""An approximate index turns exact again only well below the threshold, so replacements near it do not flip it."""
BUILD_CHUNK = 8192
SAVE_EVERY = 2048
SAVE_SHARE = 0.05
"""Saving rewrites the whole file (1 GB at 1M paragraphs): it waits until a twentieth of the index, and at least
2,048 vectors, changed. What is not saved yet is in SQLite, and the next start syncs it."""


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
        extra = " (rebuilt from SQLite)" if self.rebuilt else ""
        if self.added or self.removed:
            extra += f" (synced: +{self.added} −{self.removed})"
        search = ", approximate search" if self.layout == "approximate" else ""
        return f"{state}: {self.vectors} vectors for {self.stored} stored paragraphs{search}{extra}"


def _pairs(scores: np.ndarray, ids: np.ndarray) -> list[list[tuple[int, float]]]:
    return [[(int(i), float(s)) for i, s in zip(row_ids, row_scores, strict=True) if i != -1]
            for row_ids, row_scores in zip(ids, scores, strict=True)]


class ExactIndex:
    """`IndexIDMap2(IndexFlatIP)`: every query reads every vector; perfect recall. Not thread-safe on its own."""

    layout = "exact"

    def __init__(self, dimension: int, index: faiss.IndexIDMap2 | None = None) -> None:
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        self._held = IdBitmap()
        self._held.mark(self.ids())

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def ids(self) -> np.ndarray:
        if self.index.ntotal == 0:
            return np.zeros(0, dtype=np.int64)
        return faiss.vector_to_array(self.index.id_map).astype(np.int64)

    def holds(self, ids: np.ndarray) -> np.ndarray:
        """A mask: which of these ids the index holds."""
        return self._held.holds(ids)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids, vectors = self._held.new_only(ids, vectors)  # adding an id twice would store it twice
        if len(ids):
            self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
            self._held.mark(ids)

    def remove(self, ids: np.ndarray) -> None:
        held = self._held.unmark(ids)
        if len(held):
            self.index.remove_ids(faiss.IDSelectorBatch(held))

    def search(
        self, queries: np.ndarray, k: int, allowed: Sequence[int] | np.ndarray | None = None
    ) -> list[list[tuple[int, float]]]:
        """Top-k (paragraph id, cosine) per query; `allowed` restricts the search to those ids."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if self.index.ntotal == 0 or k <= 0 or len(queries) == 0:
            return [[] for _ in range(len(queries))]
        if allowed is not None:
            if len(allowed) == 0:
                return [[] for _ in range(len(queries))]
            selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
            params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
            scores, ids = self.index.search(queries, min(k, len(allowed)), params=params)
        else:
            scores, ids = self.index.search(queries, min(k, int(self.index.ntotal)))
        return _pairs(scores, ids)


Layout = ExactIndex | ApproximateIndex


def _sha256(path: Path | str) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class VectorIndex:
    """Thread-safe wrapper: searches take the lock too, since FAISS add/remove are not safe under search."""

    def __init__(self, path: Path, dimension: int, model_id: str, *,
                 approximate_above: int = APPROXIMATE_ABOVE) -> None:
        self.path = path
        self.manifest_path = path.with_suffix(path.suffix + ".json")
        self.dimension = dimension
        self.model_id = model_id
        self.approximate_above = approximate_above
        """Stored paragraphs from which search is approximate; 0 keeps it exact at any size."""
        self._index: Layout = ExactIndex(dimension)
        self._lock = threading.RLock()
        self._rebuilding = threading.Lock()
        """Held by the one rebuild under way: another thread that finds a rebuild due goes on meanwhile."""
        self._unsaved = 0
        """Vectors added or removed since the file was last written."""
        self.last_health: IndexHealth | None = None

    def __len__(self) -> int:
        return len(self._index)

    @property
    def layout(self) -> str:
        """"exact" or "approximate": the kind of index searches use now."""
        return self._index.layout

    # -- persistence ------------------------------------------------------------

    def _check_paths(self) -> None:
        for path in (self.path, self.manifest_path):
            if path.exists() and not path.is_file():
                raise StoreError(f"{path} is not a file (a folder?): move it away; the vector index is rebuilt "
                                 "from the database")

    def _read_file(self) -> bool:
        """Load the saved index if its manifest matches this model and its checksum; False means 'rebuild'."""
        self._check_paths()
        if not self.path.exists() or not self.manifest_path.exists():
            return False
        try:
            manifest = json.loads(self.manifest_path.read_text())
            if manifest.get("model_id") != self.model_id or manifest.get("dimension") != self.dimension:
                log.warning("index %s was built for %s/%s; rebuilding", self.path, manifest.get("model_id"),
                            manifest.get("dimension"))
                return False
            if "sha256" not in manifest:
                log.warning("index %s has no checksum in its manifest (an older newsbot wrote it); rebuilding",
                            self.path)
                return False
            if manifest["sha256"] != _sha256(self.path):
                log.warning("index %s does not match the checksum in its manifest; rebuilding", self.path)
                return False
            index = faiss.read_index(str(self.path))
            if index.d != self.dimension or int(index.ntotal) != int(manifest.get("count", -1)):
                return False
            layout = manifest.get("layout", ExactIndex.layout)
            if layout == ExactIndex.layout and isinstance(index, faiss.IndexIDMap2):
                self._index = ExactIndex(self.dimension, index)
            elif layout == ApproximateIndex.layout and ApproximateIndex.accepts(index):
                self._index = ApproximateIndex(index)
            else:
                return False
        except (OSError, ValueError, RuntimeError) as exc:
            log.warning("index file %s is unreadable (%s); rebuilding", self.path, exc)
            return False
        return True

    def save(self) -> None:
        """Write index and manifest atomically (temp file in the same directory, then os.replace)."""
        with self._lock:
            self._check_paths()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".paragraphs-", suffix=".faiss.tmp", dir=self.path.parent)
            os.close(fd)
            try:
                faiss.write_index(self._index.index, tmp)
                checksum = _sha256(tmp)
                os.replace(tmp, self.path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            manifest: dict[str, object] = {
                "model_id": self.model_id, "dimension": self.dimension, "count": len(self._index),
                "sha256": checksum, "layout": self._index.layout,
            }
            if isinstance(self._index, ApproximateIndex):
                manifest["tombstones"] = self._index.tombstones
            fd, tmp = tempfile.mkstemp(prefix=".paragraphs-", suffix=".json.tmp", dir=self.path.parent)
            with os.fdopen(fd, "w") as handle:
                json.dump(manifest, handle)
            os.replace(tmp, self.manifest_path)
            self._unsaved = 0

    def save_if_due(self) -> bool:
        """Save once enough has changed since the last save (see `SAVE_EVERY`, `SAVE_SHARE`)."""
        with self._lock:
            if self._unsaved < max(SAVE_EVERY, SAVE_SHARE * len(self._index)):
                return False
            self.save()
            return True

    def save_if_changed(self) -> bool:
        """Save if anything changed since the last save: for a process that is about to close."""
        with self._lock:
            if not self._unsaved:
                return False
            self.save()
            return True

    # -- keeping in step with SQLite ------------------------------------------

    def ids(self) -> np.ndarray:
        with self._lock:
            return self._index.ids()

    def load(self, store: EmbeddingStore) -> IndexHealth:
        """Open the saved index and bring it in line with SQLite, rebuilding if it cannot be trusted
        or is of the wrong layout for the archive's size."""
        store.check_model(self.model_id)
        with self._lock:
            rebuilt = not self._read_file()
            if rebuilt:
                self._index = self._build(store)
            health = self.sync(store, rebuilt=rebuilt)
            if self.rebuild_due():
                self._index = self._build(store)
                health = self.sync(store, rebuilt=True)
                rebuilt = True
            if rebuilt or health.added or health.removed:
                self.save()
            return health

    def sync(self, store: EmbeddingStore, *, rebuilt: bool = False) -> IndexHealth:
        """Add what SQLite has and the index lacks, drop what SQLite no longer has."""
        with self._lock:
            stored = store.paragraph_ids()
            present = self._index.ids()
            missing = np.setdiff1d(stored, present, assume_unique=True)
            extra = np.setdiff1d(present, stored, assume_unique=True)
            if len(extra):
                self._index.remove(extra)
            self._unsaved += len(extra) + len(missing)
            for start in range(0, len(missing), BUILD_CHUNK):
                chunk = missing[start:start + BUILD_CHUNK]
                self._index.add(chunk, store.vectors_for(chunk, self.dimension))
            health = IndexHealth(
                vectors=len(self._index),
                stored=int(len(stored)),
                model_id=self.model_id,
                dimension=self.dimension,
                rebuilt=rebuilt,
                added=0 if rebuilt else int(len(missing)),
                removed=int(len(extra)),
                layout=self._index.layout,
            )
            if len(missing) or len(extra):
                log.info("vector index synced with SQLite: +%d −%d", len(missing), len(extra))
            self.last_health = health
            return health

    def _approximate_at(self, count: int) -> bool:
        return 0 < self.approximate_above <= count

    def rebuild_due(self) -> bool:
        """Whether the index in use is of the wrong layout for the archive's size, or holds too many tombstones."""
        with self._lock:
            index = self._index
            count = len(index)
        if isinstance(index, ApproximateIndex):
            if not self._approximate_at(int(count / SHRINK_MARGIN)):
                return True
            return index.tombstones > TOMBSTONE_SHARE * (count + index.tombstones)
        return self._approximate_at(count)

    def _build(self, store: EmbeddingStore) -> Layout:
        """A fresh index of every stored vector, of the layout the archive's size calls for.

        Vectors are read from SQLite in chunks, never all at once.
        """
        chunks = store.iter_vectors(BUILD_CHUNK)
        if self._approximate_at(store.vector_count()):
            return ApproximateIndex.built(self.dimension, chunks)
        index = ExactIndex(self.dimension)
        for chunk_ids, vectors in chunks:
            index.add(chunk_ids, vectors)
        return index

    def rebuild(self, store: EmbeddingStore) -> IndexHealth:
        """Build a fresh index from SQLite beside the one in use and swap it in atomically.

        The build runs outside the lock, so searches (and other threads'
        updates) go on against the old index meanwhile; after the swap the new
        index is synced with SQLite, which picks up whatever was stored during
        the build, and saved.
        """
        fresh = self._build(store)
        with self._lock:
            self._index = fresh
            health = self.sync(store, rebuilt=True)
            self.save()
        log.info("vector index rebuilt: %s", health.describe())
        return health

    def rebuild_if_due(self, store: EmbeddingStore) -> bool:
        """Rebuild when `rebuild_due`; called by ingest after each stored article (a cheap check). When another
        thread is already rebuilding, return at once: its swap syncs whatever this thread stores meanwhile."""
        if not self.rebuild_due() or not self._rebuilding.acquire(blocking=False):
            return False
        try:
            if not self.rebuild_due():
                return False
            self.rebuild(store)
            return True
        finally:
            self._rebuilding.release()


    def holds(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """A mask: which of these paragraph ids searches can find now."""
        with self._lock:
            return self._index.holds(np.asarray(ids, dtype=np.int64))

    def update(self, added_ids: Sequence[int] | np.ndarray, vectors: np.ndarray,
               removed_ids: Sequence[int] | np.ndarray = ()) -> None:
        """Drop `removed_ids`, then add `added_ids` with their vectors; ids already held are not added again,
        so this process's own ingest and `index.search.vector_refresh` may both bring the same paragraph."""
        with self._lock:
            if len(removed_ids):
                self._index.remove(np.asarray(removed_ids, dtype=np.int64))
            if len(added_ids):
                self._index.add(np.asarray(added_ids, dtype=np.int64), vectors)
            self._unsaved += len(added_ids) + len(removed_ids)

    # -- search -----------------------------------------------------------------

    def search_many(
        self, queries: np.ndarray, k: int, allowed: Sequence[int] | np.ndarray | None = None
    ) -> list[list[tuple[int, float]]]:
        """Top-k for several vectors in one call (near-duplicate checks embed a whole article);
        `allowed` restricts the search to those ids."""
        with self._lock:
            return self._index.search(queries, k, allowed)

    def scores(self, query: np.ndarray, ids: Sequence[int]) -> dict[int, float]:
        """The cosine of the query with each of these paragraphs (a search restricted to exactly them)."""
        return dict(self.search(query, len(ids), np.asarray(ids, dtype=np.int64)))

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top-k (paragraph id, cosine); `allowed` restricts the search to those ids."""
        with self._lock:
            return self._index.search(query.reshape(1, -1), k, allowed)[0]
