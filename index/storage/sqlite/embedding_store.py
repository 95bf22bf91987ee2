"""The vector of every paragraph as SQLite keeps it, and the model that made them.

These rows are the source of truth for the FAISS index (`index.vectors`),
which is rebuilt from them whenever it cannot be trusted. Vectors of one
model only: the model id is recorded with the first vector written, and any
other model is refused until `newsbot reindex` has replaced them all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from index.errors import ModelMismatchError
from index.storage.sqlite.db import Database

__all__ = ["EmbeddingStore", "VectorMark"]


def _mismatch(stored: str, configured: str) -> ModelMismatchError:
    return ModelMismatchError(
        f"the store's vectors were made by {stored!r} but the configured model is {configured!r}; "
        "run `newsbot reindex` to re-embed with the configured model (or configure the old one again)"
    )


@dataclass(frozen=True)
class VectorMark:
    """How far a reader of the stored vectors has come (see `index.search.vector_refresh`)."""

    newest_id: int
    """The newest paragraph id it has seen: paragraph ids only grow, so anything newer is new."""
    removal: int
    """The last entry of the removal log (`vector_removals`) it has seen."""


class EmbeddingStore:
    """The `embeddings` table and the `model_id` / `dimension` it was written with."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def check_model(self, model_id: str) -> None:
        """Refuse a model other than the one the stored vectors come from (none stored: any model)."""
        stored = self.db.meta("model_id")
        if stored is not None and stored != model_id:
            raise _mismatch(stored, model_id)

    def claim_model(self, db: sqlite3.Connection, model_id: str, dimension: int) -> None:
        """Inside a writing transaction: record the model with the first vectors, refuse vectors of another."""
        stored = db.execute("SELECT value FROM meta WHERE key='model_id'").fetchone()
        if stored is None:
            db.execute("INSERT INTO meta(key, value) VALUES ('model_id', ?)", (model_id,))
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('dimension', ?)", (str(dimension),))
        elif stored["value"] != model_id:
            raise _mismatch(stored["value"], model_id)

    @staticmethod
    def add(db: sqlite3.Connection, paragraph_id: int, vector: np.ndarray) -> None:
        """Inside a writing transaction: the vector of a paragraph written in the same transaction."""
        db.execute(
            "INSERT INTO embeddings(paragraph_id, vector) VALUES (?, ?)",
            (paragraph_id, np.asarray(vector, dtype=np.float32).tobytes()),
        )

    def replace_all(self, batches: Iterable[tuple[Sequence[int], np.ndarray]], model_id: str) -> None:
        """Swap every stored vector for a new model's, in one transaction (used by reindex)."""
        with self.db.transaction() as db:
            db.execute("DELETE FROM embeddings")
            dimension = 0
            for ids, vectors in batches:
                dimension = int(vectors.shape[1])
                db.executemany(
                    "INSERT INTO embeddings(paragraph_id, vector) VALUES (?, ?)",
                    [(int(i), np.asarray(v, dtype=np.float32).tobytes()) for i, v in zip(ids, vectors, strict=True)],
                )
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('model_id', ?)", (model_id,))
            if dimension:
                db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('dimension', ?)", (str(dimension),))

    def paragraph_ids(self) -> np.ndarray:
        rows = self.db.read("SELECT paragraph_id FROM embeddings ORDER BY paragraph_id")
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def vectors_for(self, ids: Sequence[int] | np.ndarray, dimension: int) -> np.ndarray:
        out = np.zeros((len(ids), dimension), dtype=np.float32)
        position = {int(i): n for n, i in enumerate(ids)}
        for row in self.db.read_in("SELECT paragraph_id, vector FROM embeddings WHERE paragraph_id IN ({marks})",
                                   [int(i) for i in ids]):
            out[position[row[0]]] = np.frombuffer(row[1], dtype=np.float32)
        return out

    def vector_count(self) -> int:
        return int(self.db.read("SELECT COUNT(*) FROM embeddings")[0][0])

    def iter_vectors(self, batch: int = 8192, *, after: int = 0) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(paragraph ids, vectors) of every stored embedding in id order (or of those after the paragraph id
        `after`), `batch` rows at a time.

        An index build streams through this, so no step holds every vector as
        Python objects (a chunk of 8,192 is 16 MB).
        """
        for rows in self.db.read_pages(
            "SELECT paragraph_id, vector FROM embeddings WHERE paragraph_id > ? ORDER BY paragraph_id LIMIT ?", batch,
            after,
        ):
            ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            yield ids, np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)

    # -- what changed, for a process that keeps its own copy of the vectors ---------------------------------

    def mark(self) -> VectorMark:
        """Where the stored vectors stand now: their newest paragraph id and the last removal logged."""
        row = self.db.read("SELECT (SELECT COALESCE(MAX(paragraph_id), 0) FROM embeddings), "
                           "(SELECT COALESCE(MAX(seq), 0) FROM vector_removals)")[0]
        return VectorMark(int(row[0]), int(row[1]))

    def removed_since(self, removal: int) -> tuple[np.ndarray, int] | None:
        """Paragraph ids whose vectors went after log entry `removal`, and the last entry; None when the log no
        longer reaches back that far (`prune_removals`), so the caller must compare every id instead."""
        first = self.db.read("SELECT MIN(seq) FROM vector_removals")[0][0]
        if first is not None and first > removal + 1:
            return None
        rows = self.db.read("SELECT seq, paragraph_id FROM vector_removals WHERE seq > ? ORDER BY seq", (removal,))
        if not rows:
            return np.zeros(0, dtype=np.int64), removal
        return np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows)), int(rows[-1][0])

    def stored_among(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Which of these paragraph ids have a stored vector (a vector replaced in place: `replace_all`)."""
        rows = self.db.read_in("SELECT paragraph_id FROM embeddings WHERE paragraph_id IN ({marks})",
                               [int(i) for i in ids])
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def prune_removals(self, keep: int) -> int:
        """Forget all but the newest `keep` removals; how many were forgotten. A reader further behind than
        that compares every id once (`removed_since` says so)."""
        first, last = self.db.read("SELECT MIN(seq), MAX(seq) FROM vector_removals")[0]
        if first is None or last - first < keep:
            return 0  # nothing to forget: no write, no wait for another process's write lock
        with self.db.transaction() as db:
            return int(db.execute("DELETE FROM vector_removals WHERE seq <= ?", (last - keep,)).rowcount)
