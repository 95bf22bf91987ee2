"""The archive: one database and the repositories on it, opened and closed together.

Each consumer takes the narrowest of them: ingest the `ArticleStore`, the
FAISS index the `EmbeddingStore`, lexical scoring the `TermStore`. Sources
(`index.sources.registry`) and digest posts (`bot.digest_posts`) keep their
own repositories on the same `Database`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from index.storage.sqlite.article_store import ArticleStore
from index.storage.sqlite.db import Database
from index.storage.sqlite.embedding_store import EmbeddingStore
from index.storage.sqlite.term_store import TermStore

__all__ = ["Store", "open_store"]


@dataclass(frozen=True)
class Store:
    db: Database
    articles: ArticleStore
    embeddings: EmbeddingStore
    terms: TermStore

    def close(self) -> None:
        self.db.close()


def open_store(path: Path) -> Store:
    """Open (or create) the archive at `path` with every repository on it."""
    db = Database(path)
    embeddings = EmbeddingStore(db)
    return Store(db, ArticleStore(db, embeddings), embeddings, TermStore(db))
