"""From files or feed entries to stored, embedded, searchable paragraphs.

Articles are parsed, checked against the bounds one article must keep
(`index.article_building.admit_article`) and embedded in batches bounded in
paragraphs (`index.embedding_batches`); each article is written in its own
transaction as soon as its last paragraph is embedded, so a failure or a kill
loses at most the batch in flight, and a large ingest stores as it goes. The
FAISS index is updated in memory as each article commits and saved atomically
whenever a twentieth of it (at least 2,048 paragraphs) is new since the last
save, and when the process closes its services: saving rewrites the whole
file, so saving every few batches cost a 1M-paragraph ingest more than
embedding did. If the process dies in between, the next start finds the index
behind SQLite and syncs it.
Crossing the approximate-search threshold rebuilds the index from SQLite
(`VectorIndex.rebuild_if_due`).

A failed input is reported once, as a `failed` result naming it; printing it
is the caller's business (logging it here as well printed every error twice).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np

from index.embedder import Embedder
from index.embedding_batches import ParagraphBatcher
from index.errors import InputError
from index.input.article_building import OUTLET_MAX_CHARS, ArticleLimits, admit_article
from index.input.input_files import collect_files
from index.input.language import detect_language
from index.input.parsing import ParseOptions, parse_file
from index.input.text_cleaning import bounded_label
from index.models import Article, IngestResult, IngestStatus
from index.near_duplicates import NearDuplicateFinder
from index.search.analysis import analyse
from index.search.topic import TopicGate
from index.search.vectors import VectorIndex
from index.storage.sqlite.article_store import ArticleStore, content_hash

__all__ = ["FileOrigin", "Ingestor", "embedding_text", "IngestCounts", "IngestSummary"]

log = logging.getLogger(__name__)


def embedding_text(title: str, paragraph: str, position: int) -> str:
    """A paragraph with its article's context.

    Later paragraphs often say "he" or "the city" where the title names who and
    where; prefixing the title gives their vectors that context (measured in
    bench/eval.py: see README). The lead already carries it.
    """
    if position == 0 or not title or title in paragraph:
        return paragraph
    return f"{title}. {paragraph}"


@dataclass
class IngestCounts:
    """How many inputs ended in each status: the tally `newsbot ingest` prints and every poll reports."""

    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: int = 0

    def count(self, status: IngestStatus) -> None:
        match status:
            case IngestStatus.ADDED:
                self.added += 1
            case IngestStatus.REPLACED:
                self.replaced += 1
            case IngestStatus.UNCHANGED:
                self.unchanged += 1
            case IngestStatus.FAILED:
                self.failed += 1


@dataclass
class IngestSummary(IngestCounts):
    """The counts of a batch plus what it stored: the line (or JSON object) `newsbot ingest` prints."""

    paragraphs: int = 0
    duplicates: int = 0

    def add(self, result: IngestResult) -> None:
        self.count(result.status)
        if result.status.stored:
            self.paragraphs += result.paragraphs
            if result.duplicate_of is not None:
                self.duplicates += 1

    def line(self) -> str:
        return (
            f"{self.added} added, {self.replaced} replaced, {self.unchanged} unchanged, {self.failed} failed; "
            f"{self.paragraphs} paragraphs embedded, {self.duplicates} near-duplicates linked"
        )

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class FileOrigin:
    """Where a folder of files comes from, when the files themselves do not say (`ingest --outlet --side`)."""

    outlet: str | None = None
    """Replaces the outlet of every file: one outlet's archive, whatever its headers or names say."""
    side: str | None = None

    def apply(self, article: Article) -> Article:
        """The article with this origin's outlet and side; the outlet cleaned like a file's `outlet:` header."""
        if self.outlet is None and self.side is None:
            return article
        outlet = bounded_label(self.outlet, OUTLET_MAX_CHARS) if self.outlet is not None else ""
        return replace(article, outlet=outlet or article.outlet, side=self.side or article.side)


class Ingestor:
    def __init__(
        self,
        store: ArticleStore,
        vectors: VectorIndex,
        embedder: Embedder,
        *,
        parse_options: ParseOptions | None = None,
        dedup_threshold: float = 0.9,
        dedup_window_days: int = 3,
        topic: TopicGate | None = None,
        limits: ArticleLimits | None = None,
        embed_in_background: bool = True,
    ) -> None:
        self.store = store
        self.vectors = vectors
        self.embedder = embedder
        self.parse_options = parse_options or ParseOptions()
        self.duplicates = NearDuplicateFinder(store, vectors, threshold=dedup_threshold,
                                              window_days=dedup_window_days)
        self.topic = topic
        self.limits = limits or ArticleLimits()
        self.embed_in_background = embed_in_background
        """Embed batches in worker threads while reading and storing go on (see `Embedder.batch_workers`)."""

    def refresh_topic(self) -> int:
        """Recompute every article's topic share if the keywords changed since they were stored; returns how many."""
        if self.topic is None or self.store.topic_fingerprint() == self.topic.fingerprint:
            return 0
        gate = self.topic
        values = [(article_id, gate.density(terms)) for article_id, terms in self.store.article_terms()]
        self.store.set_topic_densities(values, gate.fingerprint)
        log.info("topic shares recomputed for %d articles (keywords changed)", len(values))
        return len(values)

    # -- files ------------------------------------------------------------------

    def _parsed(
        self, files: Sequence[Path | InputError], progress: Callable[[int], None] | None, origin: FileOrigin
    ) -> Iterator[Article | InputError]:
        for item in files:
            if isinstance(item, InputError):
                yield item
            else:
                for parsed in parse_file(item, self.parse_options):
                    yield parsed if isinstance(parsed, InputError) else origin.apply(parsed)
            if progress is not None:
                progress(1)

    def ingest_paths(
        self, paths: Iterable[Path], *, progress: Callable[[int], None] | None = None,
        origin: FileOrigin | None = None,
    ) -> list[IngestResult]:
        """Ingest files and folders; `progress(1)` is called as each file has been read."""
        return list(self.ingest_files(collect_files(paths), progress=progress, origin=origin))

    def ingest_files(
        self, files: Sequence[Path | InputError], *, progress: Callable[[int], None] | None = None,
        origin: FileOrigin | None = None,
    ) -> Iterator[IngestResult]:
        """Results as the articles are stored, for files found by `collect_files`.

        Embedding runs at most one batch of paragraphs behind reading, so a
        progress bar fed by `progress` leads the stored work by at most that.
        """
        return self.ingest_articles(self._parsed(files, progress, origin or FileOrigin()))

    # -- articles -----------------------------------------------------------------

    def ingest_articles(
        self, items: Iterable[Article | InputError], *, first_seen: datetime | None = None
    ) -> Iterator[IngestResult]:
        if not self.embed_in_background:
            yield from self._ingest_embedded(items, first_seen, 0)
            return
        with self.embedder.batch_workers() as workers:
            yield from self._ingest_embedded(items, first_seen, workers)

    def _ingest_embedded(
        self, items: Iterable[Article | InputError], first_seen: datetime | None, workers: int
    ) -> Iterator[IngestResult]:
        batcher: ParagraphBatcher[tuple[Article, str]] = ParagraphBatcher(
            self.embedder.encode_passages, self.embedder.dimension, workers=workers
        )
        queued: set[str] = set()
        try:
            for item in items:
                try:
                    if isinstance(item, InputError):
                        raise item
                    article = admit_article(item, self.limits)
                except InputError as exc:
                    log.debug("%s", exc)
                    yield IngestResult(source=exc.source, status=IngestStatus.FAILED, error=str(exc))
                    continue
                if not article.language:
                    article = replace(article, language=detect_language(" ".join(article.paragraphs[:3])))
                digest = content_hash(article)
                skipped = self._unchanged(article, digest, queued)
                if skipped is not None:
                    yield skipped
                    continue
                queued.add(digest)
                texts = [embedding_text(article.title, p, i) for i, p in enumerate(article.paragraphs)]
                for (done, done_digest), vectors in batcher.add((article, digest), texts):
                    yield self._write(done, done_digest, vectors, first_seen)
            for (done, done_digest), vectors in batcher.flush():
                yield self._write(done, done_digest, vectors, first_seen)
        finally:
            batcher.close()
            self.vectors.save_if_due()

    def _unchanged(self, article: Article, digest: str, queued: set[str]) -> IngestResult | None:
        """The result for an article that adds nothing (same source and content, or content already
        stored or queued under another source), else None."""
        existing = self.store.find_source(article.source)
        if existing is not None and existing[1] == digest:
            return IngestResult(article.source, IngestStatus.UNCHANGED, article_id=existing[0])
        if existing is None:
            same_content = self.store.find_hash(digest)
            if same_content is not None:
                return IngestResult(article.source, IngestStatus.UNCHANGED, article_id=same_content,
                                    duplicate_of=same_content)
            if digest in queued:
                return IngestResult(article.source, IngestStatus.UNCHANGED)
        return None

    def _write(self, article: Article, digest: str, vectors: np.ndarray, first_seen: datetime | None) -> IngestResult:
        duplicate_of = self.find_near_duplicate(article, vectors, first_seen)
        density = None
        if self.topic is not None:
            density = self.topic.density(t for p in article.paragraphs for t in analyse(p, article.language))
        outcome = self.store.write_article(
            article,
            vectors,
            model_id=self.embedder.model_id,
            digest=digest,
            first_seen=first_seen,
            duplicate_of=duplicate_of,
            topic_density=density,
        )
        self.vectors.update(outcome.added_ids, vectors, outcome.removed_ids)
        if not self.vectors.rebuild_if_due(self.store.embeddings):
            self.vectors.save_if_due()
        log.debug("%s %s (%d paragraphs)", outcome.status, article.source, len(article.paragraphs))
        return IngestResult(
            article.source,
            outcome.status,
            article_id=outcome.article_id,
            paragraphs=len(article.paragraphs),
            duplicate_of=duplicate_of,
        )

    def find_near_duplicate(
        self, article: Article, vectors: np.ndarray, first_seen: datetime | None = None
    ) -> int | None:
        """The stored article this one copies (the same wire story, lightly reworded), if any: compared
        only with the articles of its date window (see `index.near_duplicates`)."""
        return self.duplicates.find(article, vectors, first_seen)
