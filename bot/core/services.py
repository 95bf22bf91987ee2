"""The long-lived objects one newsbot process needs, built once from settings.

The CLI and the Discord client both start here, so there is exactly one place
where the model is loaded, the database opened and the index checked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, cast

import numpy as np

from bot.core.answer_decision import Decider, ReaderDecider, SignalDecider
from bot.core.answerability import load_answerability_model
from bot.core.answering import Answerer, AnswerPolicy
from bot.core.writing import Writer, open_writer
from config.settings import Settings
from index.embedder import Embedder, load_embedder
from index.errors import InputError
from index.ingest import Ingestor
from index.input.article_building import ArticleLimits
from index.input.parsing import ParseOptions
from index.models import StoredArticle
from index.search.dense import DenseIndex, IndexHealth, IndexRefresher
from index.search.hybrid import Searcher, SearchWeights
from index.search.lexicon import load_lexicon
from index.search.query import QuestionReader
from index.search.topic import TopicGate
from index.search.vector_refresh import SEARCH_BUDGET, VectorRefresher
from index.search.vectors import VectorIndex
from index.sides import Side, SideTable, bundled_side_table, load_side_table
from index.storage.protocols import Archive
from index.storage.records import Removal
from index.storage.sqlite.store import open_store

if TYPE_CHECKING:  # index.reading imports torch, which commands that never read need not load
    from index.reading import Reader

__all__ = ["Services", "open_services"]

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    store: Archive
    vectors: DenseIndex
    embedder: Embedder
    searcher: Searcher
    answerer: Answerer
    ingestor: Ingestor
    health: IndexHealth | None
    topic: TopicGate
    sides: SideTable
    reader: Reader | None
    """The trained reader, or None where it cannot be loaded (answers then rest on search scores)."""
    refresher: IndexRefresher
    """Brings `vectors` up to date with what other processes store (`newsbot ingest` while the bot runs, other
    workers in cluster mode)."""
    writer: Writer | None = None
    """Writes checked answers in the asker's language; None keeps answers quoted (see `bot.core.writing`)."""

    def side_of(self, article: StoredArticle) -> Side:
        """The side it was ingested with (a source's, `ingest --side`), else its outlet's from the outlet table."""
        if article.side and article.side != Side.UNKNOWN.value:
            return Side(article.side)
        return self.sides.side_of(article.outlet)

    def index_in_sync(self) -> bool:
        """Whether the vectors searches use now are those of every stored paragraph."""
        return len(self.vectors) == self.store.articles.paragraph_count()

    def remove_articles(self, removal: Removal) -> list[StoredArticle]:
        """Delete articles from the archive (one transaction), then drop their vectors from the derived index."""
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
            try:
                self.vectors.close()
            finally:
                self.store.close()

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_archive(settings: Settings, embedder: Embedder | None = None
                 ) -> tuple[Archive, DenseIndex, Embedder, IndexRefresher]:
    """The archive, its dense index and what keeps that index in step with other processes: SQLite and a
    FAISS file in the data folder, or, in cluster mode (`store.url` and `search.milvus_uri`), PostgreSQL and
    Milvus shared with other processes."""
    url = settings.store.url
    if url is None:
        store = open_store(settings.db_path)
        embedder = embedder or load_embedder(settings.embedding)
        vectors = VectorIndex(settings.index_path, embedder.dimension, embedder.model_id,
                              approximate_above=settings.search.approximate_above)
        return store, vectors, embedder, VectorRefresher(store.db, store.embeddings, vectors,
                                                         store.articles.forget_cached)
    from index.search.milvus import MilvusIndex
    from index.search.shared_refresh import SharedIndexRefresher
    from index.storage.postgres.store import open_postgres_store

    cluster = open_postgres_store(url.get_secret_value())
    try:
        embedder = embedder or load_embedder(settings.embedding)
        index = MilvusIndex(settings.search.milvus_uri or "", settings.search.milvus_collection, embedder.dimension,
                            embedder.model_id, embeddings=cluster.embeddings, outbox=cluster.outbox)
    except BaseException:
        cluster.close()
        raise

    def forget_cached() -> None:  # another process wrote: what this one read of articles and counts is stale
        cluster.articles.forget_cached()
        index.forget_count()

    return cluster, index, embedder, SharedIndexRefresher(cluster.outbox.change_mark, forget_cached)


_LOAD = object()


def open_services(settings: Settings, *, verify_index: bool = True, embedder: Embedder | None = None,
                  reader: Reader | None | object = _LOAD, writing: bool = False) -> Services:
    """Open store and index and load the models.

    `verify_index=False` is for `reindex`, which must start even when the
    stored vectors belong to another model. `embedder` and `reader`, when
    given, are used instead of loading them (tests share one of each);
    commands that never read a passage against a question (ingest, poll,
    status, the worker) pass `reader=None` and stay clear of torch's memory.
    `writing` opens the configured writer, checked by the same reader (for
    `ask` and `run`; the other commands never answer).
    """
    topic = TopicGate(settings.topic.name, tuple(settings.topic.keywords), name_nl=settings.topic.name_nl)
    if not topic.forms:  # every article would be off the topic: every digest empty, no answer led
        raise InputError("topic.keywords", "none of these words can mark an article as on the topic (a word needs "
                                           "five letters or more, or a glossary spelling): name places, peoples "
                                           "or leaders of the conflict")
    store, vectors, embedder, refresher = open_archive(settings, embedder)
    if verify_index:
        refresher.start()  # before loading: whatever is stored from now on is brought in by a refresh
    health = vectors.load(store.embeddings) if verify_index else None
    if health is not None:
        log.info("index %s", health.describe())
    searcher = Searcher(
        store, vectors, embedder, QuestionReader(load_lexicon(settings.search.dictionary_dir)),
        SearchWeights(candidates=settings.search.candidates, date=settings.search.date_boost),
        before_search=partial(refresher.refresh, SEARCH_BUDGET) if verify_index else None,
    )
    if reader is _LOAD:
        from index.reading import load_reader  # torch only where a reader is wanted
        reader = load_reader(settings.reader.weights_dir) if settings.reader.enabled else None
    reader = cast("Reader | None", reader)
    signal_decider = SignalDecider(load_answerability_model())
    decider: Decider = ReaderDecider(reader, signal_decider) if reader else signal_decider
    answerer = Answerer(searcher, topic, decider, AnswerPolicy(top_k=settings.search.top_k))
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
    services = Services(settings, store, vectors, embedder, searcher, answerer, ingestor, health, topic, sides,
                        reader, refresher)
    if writing:
        services.writer = open_writer(settings.writer, reader, services.side_of)
    return services
