"""The long-lived objects one newsbot process needs, built once from settings.

The CLI and the Discord client both start here, so there is exactly one place
where the model is loaded, the database opened and the index checked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from bot.core.answering import Answerer, AnswerPolicy
from bot.core.writing import Writer, open_writer
from config.settings import Settings
from index.embedder import Embedder, load_embedder
from index.ingest import Ingestor
from index.input.article_building import ArticleLimits
from index.input.parsing import ParseOptions
from index.models import StoredArticle
from index.search.hybrid import Searcher, SearchWeights
from index.search.lexicon import load_lexicon
from index.search.query import QuestionReader
from index.search.topic import TopicGate
from index.search.vectors import IndexHealth, VectorIndex
from index.sides import Side, SideTable, bundled_side_table, load_side_table
from index.storage.sqlite.article_store import Removal
from index.storage.sqlite.store import Store, open_store

__all__ = ["Services", "open_services"]

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    store: Store
    vectors: VectorIndex
    embedder: Embedder
    searcher: Searcher
    answerer: Answerer
    ingestor: Ingestor
    health: IndexHealth | None
    topic: TopicGate
    sides: SideTable
    writer: Writer | None = None
    """Writes checked answers in the asker's language; None keeps answers quoted (see `bot.core.writing`)."""

    def side_of(self, article: StoredArticle) -> Side:
        """The side it was ingested with (a source's, `ingest --side`), else its outlet's from the outlet table."""
        if article.side and article.side != Side.UNKNOWN.value:
            return Side(article.side)
        return self.sides.side_of(article.outlet)

    def remove_articles(self, removal: Removal) -> list[StoredArticle]:
        """Delete articles from SQLite (one transaction), then drop their vectors from the derived index."""
        removed, paragraph_ids = self.store.articles.remove(removal)
        if paragraph_ids:
            self.vectors.update((), np.zeros((0, self.vectors.dimension), dtype=np.float32), paragraph_ids)
            self.vectors.save()
        return removed

    def close(self) -> None:
        """Write what the vector index holds beyond its file (ingest saves it only now and then), then close."""
        try:
            self.vectors.save_if_changed()
        finally:
            self.store.close()

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_services(settings: Settings, *, verify_index: bool = True, embedder: Embedder | None = None,
                  writing: bool = False) -> Services:
    """Open store and index and load the model.

    `verify_index=False` is for `reindex`, which must start even when the
    stored vectors belong to another model. `writing` loads the configured
    writer (for `ask` and `run`; the other commands never answer).
    """
    store = open_store(settings.db_path)
    embedder = embedder or load_embedder(settings.embedding)
    vectors = VectorIndex(settings.index_path, embedder.dimension, embedder.model_id,
                          approximate_above=settings.search.approximate_above)
    health = vectors.load(store.embeddings) if verify_index else None
    if health is not None:
        log.info("index %s", health.describe())
    topic = TopicGate(settings.topic.name, tuple(settings.topic.keywords), name_nl=settings.topic.name_nl)
    reader = QuestionReader(load_lexicon(settings.search.dictionary_dir))
    searcher = Searcher(
        store, vectors, embedder, reader,
        SearchWeights(candidates=settings.search.candidates, date=settings.search.date_boost),
    )
    answerer = Answerer(searcher, topic, AnswerPolicy(top_k=settings.search.top_k))
    ingestor = Ingestor(
        store.articles,
        vectors,
        embedder,
        parse_options=ParseOptions(
            max_file_bytes=settings.ingest.max_file_bytes, default_outlet=settings.ingest.default_outlet
        ),
        dedup_threshold=settings.ingest.dedup_threshold,
        dedup_window_days=settings.ingest.dedup_window_days,
        topic=topic,
        limits=ArticleLimits(max_paragraphs=settings.ingest.max_article_paragraphs),
    )
    ingestor.refresh_topic()
    sides = load_side_table(settings.sides.outlets_file) if settings.sides.outlets_file else bundled_side_table()
    services = Services(settings, store, vectors, embedder, searcher, answerer, ingestor, health, topic, sides)
    if writing:
        services.writer = open_writer(settings.writer, services.side_of)
    return services
