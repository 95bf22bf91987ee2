"""Paragraph vectors on PostgreSQL (`bytea`, float32), and the model that made them: Milvus is rebuilt from these."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from index.storage.postgres.db import PostgresDatabase
from index.storage.records import model_mismatch

__all__ = ["EmbeddingStore"]


class EmbeddingStore:
    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db

    def check_model(self, model_id: str) -> None:
        stored = self.db.meta("model_id")
        if stored is not None and stored != model_id:
            raise model_mismatch(stored, model_id)

    def claim_model(self, db: Any, model_id: str, dimension: int) -> None:
        """Inside a writing transaction: record the model with the first vectors, refuse vectors of another."""
        db.execute("INSERT INTO meta(key, value) VALUES ('model_id', %s) ON CONFLICT DO NOTHING", (model_id,))
        db.execute("INSERT INTO meta(key, value) VALUES ('dimension', %s) ON CONFLICT DO NOTHING", (str(dimension),))
        stored = db.execute("SELECT value FROM meta WHERE key = 'model_id'").fetchone()
        if stored["value"] != model_id:
            raise model_mismatch(stored["value"], model_id)

    @staticmethod
    def add_many(db: Any, paragraph_ids: Sequence[int], vectors: np.ndarray) -> None:
        db.execute(
            "INSERT INTO embeddings(paragraph_id, vector) SELECT * FROM unnest(%s::bigint[], %s::bytea[])",
            ([int(i) for i in paragraph_ids], [np.asarray(v, dtype=np.float32).tobytes() for v in vectors]),
        )

    def replace_all(self, batches: Iterable[tuple[Sequence[int], np.ndarray]], model_id: str) -> None:
        with self.db.transaction() as db:
            db.execute("DELETE FROM embeddings")
            dimension = 0
            for ids, vectors in batches:
                dimension = int(vectors.shape[1])
                self.add_many(db, ids, vectors)
            db.execute("INSERT INTO meta(key, value) VALUES ('model_id', %s) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (model_id,))
            if dimension:
                db.execute("INSERT INTO meta(key, value) VALUES ('dimension', %s) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(dimension),))
            db.execute("INSERT INTO search_outbox(article_id) SELECT id FROM articles")

    def paragraph_ids(self) -> np.ndarray:
        rows = self.db.read("SELECT paragraph_id FROM embeddings ORDER BY paragraph_id")
        return np.fromiter((r["paragraph_id"] for r in rows), dtype=np.int64, count=len(rows))

    def vectors_for(self, ids: Sequence[int] | np.ndarray, dimension: int) -> np.ndarray:
        out = np.zeros((len(ids), dimension), dtype=np.float32)
        position = {int(i): n for n, i in enumerate(ids)}
        for row in self.db.read("SELECT paragraph_id, vector FROM embeddings WHERE paragraph_id = ANY(%s)",
                                ([int(i) for i in ids],)):
            out[position[row["paragraph_id"]]] = np.frombuffer(row["vector"], dtype=np.float32)
        return out

    def vector_count(self) -> int:
        return int(self.db.read("SELECT COUNT(*) AS n FROM embeddings")[0]["n"])

    def iter_vectors(self, batch: int = 8192) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for rows in self.db.read_pages(
            "SELECT paragraph_id, vector FROM embeddings WHERE paragraph_id > %s ORDER BY paragraph_id LIMIT %s", batch
        ):
            ids = np.fromiter((r["paragraph_id"] for r in rows), dtype=np.int64, count=len(rows))
            yield ids, np.frombuffer(b"".join(r["vector"] for r in rows), dtype=np.float32).reshape(len(rows), -1)
