"""Re-embedding every stored paragraph with the configured model (`newsbot reindex`).

Run after a model change: the vectors of the old model are replaced in one
transaction, so a failure half-way leaves the old ones, and the FAISS index
is rebuilt from the new ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from index.embedder import Embedder
from index.ingest import embedding_text
from index.search.dense import DenseIndex
from index.storage.protocols import ArticleRepository, EmbeddingRepository

__all__ = ["reindex"]


def reindex(
    articles: ArticleRepository,
    embeddings: EmbeddingRepository,
    vectors: DenseIndex,
    embedder: Embedder,
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Re-embed every paragraph with `embedder` and rebuild the index from scratch; the number of vectors."""
    def batches() -> Iterator[tuple[list[int], np.ndarray]]:
        for rows in articles.iter_paragraph_texts():
            stored = articles.articles({r[2] for r in rows})
            texts = [
                embedding_text(stored[article_id].title, text, position)
                for _, text, article_id, position in rows
            ]
            encoded = embedder.encode_passages(texts)
            if progress is not None:
                progress(len(rows))
            yield [r[0] for r in rows], encoded

    embeddings.replace_all(batches(), embedder.model_id)
    return vectors.rebuild(embeddings).vectors  # of the layout the archive's size calls for
