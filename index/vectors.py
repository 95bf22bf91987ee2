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

Exact (flat) search is deliberate: at 100k paragraphs × 512 dimensions it
answers in a few milliseconds on two cores (see bench/), with perfect recall.
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

from index.embedding_store import EmbeddingStore
from index.errors import StoreError

__all__ = ["VectorIndex", "IndexHealth"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexHealth:
    vectors: int
    stored: int
    model_id: str
    dimension: int
    rebuilt: bool
    added: int
    removed: int

    @property
    def ok(self) -> bool:
        return self.vectors == self.stored

    def describe(self) -> str:
        state = "ok" if self.ok else "out of sync"
        extra = " (rebuilt from SQLite)" if self.rebuilt else ""
        if self.added or self.removed:
            extra += f" (synced: +{self.added} −{self.removed})"
        return f"{state}: {self.vectors} vectors for {self.stored} stored paragraphs{extra}"


def _new_index(dimension: int) -> faiss.IndexIDMap2:
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))


def _sha256(path: Path | str) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class VectorIndex:
    """Thread-safe wrapper: searches take the lock too, since FAISS add/remove are not safe under search."""

    def __init__(self, path: Path, dimension: int, model_id: str) -> None:
        self.path = path
        self.manifest_path = path.with_suffix(path.suffix + ".json")
        self.dimension = dimension
        self.model_id = model_id
        self._index = _new_index(dimension)
        self._lock = threading.RLock()
        self.last_health: IndexHealth | None = None

    def __len__(self) -> int:
        return int(self._index.ntotal)

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
            if index.d != self.dimension or not isinstance(index, faiss.IndexIDMap2):
                return False
            if int(index.ntotal) != int(manifest.get("count", -1)):
                return False
        except (OSError, ValueError, RuntimeError) as exc:
            log.warning("index file %s is unreadable (%s); rebuilding", self.path, exc)
            return False
        self._index = index
        return True

    def save(self) -> None:
        """Write index and manifest atomically (temp file in the same directory, then os.replace)."""
        with self._lock:
            self._check_paths()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".paragraphs-", suffix=".faiss.tmp", dir=self.path.parent)
            os.close(fd)
            try:
                faiss.write_index(self._index, tmp)
                checksum = _sha256(tmp)
                os.replace(tmp, self.path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            manifest = {"model_id": self.model_id, "dimension": self.dimension, "count": int(self._index.ntotal),
                        "sha256": checksum}
            fd, tmp = tempfile.mkstemp(prefix=".paragraphs-", suffix=".json.tmp", dir=self.path.parent)
            with os.fdopen(fd, "w") as handle:
                json.dump(manifest, handle)
            os.replace(tmp, self.manifest_path)

    # -- keeping in step with SQLite ------------------------------------------

    def ids(self) -> np.ndarray:
        with self._lock:
            if self._index.ntotal == 0:
                return np.zeros(0, dtype=np.int64)
            return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def load(self, store: EmbeddingStore) -> IndexHealth:
        """Open the saved index and bring it in line with SQLite, rebuilding if it cannot be trusted."""
        store.check_model(self.model_id)
        with self._lock:
            rebuilt = not self._read_file()
            if rebuilt:
                self._index = _new_index(self.dimension)
            health = self.sync(store, rebuilt=rebuilt)
            if rebuilt or health.added or health.removed:
                self.save()
            return health

    def sync(self, store: EmbeddingStore, *, rebuilt: bool = False) -> IndexHealth:
        """Add what SQLite has and the index lacks, drop what SQLite no longer has."""
        with self._lock:
            stored = store.paragraph_ids()
            present = self.ids()
            missing = np.setdiff1d(stored, present, assume_unique=True)
            extra = np.setdiff1d(present, stored, assume_unique=True)
            if len(extra):
                self._index.remove_ids(faiss.IDSelectorBatch(extra))
            for start in range(0, len(missing), 8192):
                chunk = missing[start:start + 8192]
                self._index.add_with_ids(store.vectors_for(chunk, self.dimension), chunk)
            health = IndexHealth(
                vectors=int(self._index.ntotal),
                stored=int(len(stored)),
                model_id=self.model_id,
                dimension=self.dimension,
                rebuilt=rebuilt,
                added=0 if rebuilt else int(len(missing)),
                removed=int(len(extra)),
            )
            if len(missing) or len(extra):
                log.info("vector index synced with SQLite: +%d −%d", len(missing), len(extra))
            self.last_health = health
            return health

    def reset(self) -> None:
        with self._lock:
            self._index = _new_index(self.dimension)

    def update(self, added_ids: tuple[int, ...], vectors: np.ndarray, removed_ids: tuple[int, ...] = ()) -> None:
        with self._lock:
            if removed_ids:
                self._index.remove_ids(faiss.IDSelectorBatch(np.asarray(removed_ids, dtype=np.int64)))
            if added_ids:
                self._index.add_with_ids(
                    np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(added_ids, dtype=np.int64)
                )

    # -- search -----------------------------------------------------------------

    def search_many(self, queries: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """Top-k for several vectors in one call (near-duplicate checks embed a whole article)."""
        with self._lock:
            if self._index.ntotal == 0 or k <= 0 or len(queries) == 0:
                return [[] for _ in range(len(queries))]
            scores, ids = self._index.search(np.ascontiguousarray(queries, dtype=np.float32),
                                             min(k, int(self._index.ntotal)))
        return [[(int(i), float(s)) for i, s in zip(row_ids, row_scores, strict=True) if i != -1]
                for row_ids, row_scores in zip(ids, scores, strict=True)]

    def scores(self, query: np.ndarray, ids: Sequence[int]) -> dict[int, float]:
        """The cosine of the query with each of these paragraphs (a search restricted to exactly them)."""
        return dict(self.search(query, len(ids), np.asarray(ids, dtype=np.int64)))

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top-k (paragraph id, cosine); `allowed` restricts the search to those ids."""
        with self._lock:
            if self._index.ntotal == 0 or k <= 0:
                return []
            q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
            if allowed is not None:
                if len(allowed) == 0:
                    return []
                selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
                params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
                scores, ids = self._index.search(q, min(k, len(allowed)), params=params)
            else:
                scores, ids = self._index.search(q, min(k, int(self._index.ntotal)))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i != -1]
