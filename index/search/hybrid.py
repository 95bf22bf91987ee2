"""Hybrid retrieval: dense vectors (FAISS) and concept BM25 (SQLite FTS5), fused by score.

Dense search finds paraphrases and other languages roughly; the lexical half
finds rare names and numbers the encoder blurs, and reaches other languages
through the question's glossary spellings and dictionary translations (see
`index.query`). Candidates come from both halves and from the days the question
names; every candidate gets every score, and the fused score is

    cosine + LEXICAL_WEIGHT × concept BM25 + date bonus

The date bonus rewards a passage published on a day the question names, or one
that names that day itself ("on 8 October" in a report of the 9th); a month
named without a day gives a lighter bonus to that month's reports. The weights
were chosen on one half of an independent development set and confirmed on the
other (README, "Measured").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from index.embedder import Embedder
from index.input.dates import DatePrecision, PublishedDate
from index.models import Hit
from index.search.lexical import ConceptStats, LexicalMatch, LexicalScorer
from index.search.query import Question, QuestionReader
from index.search.vectors import VectorIndex
from index.storage.sqlite.article_store import SearchFilters
from index.storage.sqlite.store import Store

__all__ = ["Searcher", "SearchResult", "SearchWeights"]


CONTEXT_VECTOR_WEIGHT = 0.5
"""A follow-up's vector leans this much towards the earlier question's (see `QuestionReader.read`)."""


@dataclass(frozen=True)
class SearchWeights:
    lexical: float = 0.3
    date: float = 0.25
    month_share: float = 0.3
    """A month named without a day ("in september 2023") often dates the event, not the report: a lighter bonus."""
    candidates: int = 60
    dated_candidates: int = 20


@dataclass(frozen=True)
class SearchResult:
    question: Question
    hits: tuple[Hit, ...]
    query_vector: np.ndarray
    days: tuple[date, ...]
    concepts: ConceptStats


def _published_in(published: PublishedDate, months: set[tuple[int, int]]) -> bool:
    """Whether a report of day or month precision is dated in one of these (year, month)s.

    Checked on the candidates themselves: collecting every paragraph of a month
    first read a month of the archive per question (18k paragraphs at 1M).
    """
    if not months or published.value is None or published.precision not in (DatePrecision.DAY, DatePrecision.MONTH):
        return False
    return (published.value.year, published.value.month) in months


class Searcher:
    def __init__(
        self,
        store: Store,
        vectors: VectorIndex,
        embedder: Embedder,
        reader: QuestionReader | None = None,
        weights: SearchWeights | None = None,
        *,
        before_search: Callable[[], object] | None = None,
    ) -> None:
        """`before_search` runs first in every search: the bot brings its vectors up to date there with what
        other processes stored (`index.search.vector_refresh`)."""
        self.before_search = before_search
        self.store = store.articles
        self.embeddings = store.embeddings
        self.vectors = vectors
        self.embedder = embedder
        self.reader = reader or QuestionReader()
        self.weights = weights or SearchWeights()
        self.lexical = LexicalScorer(store.terms)

    @property
    def size(self) -> int:
        """Paragraphs searchable now."""
        return len(self.vectors)

    def _days(self, question: Question) -> list[date]:
        """Days the question names; a day without a year is tried in every year the archive covers."""
        if question.days:
            return list(question.days)
        days: list[date] = []
        if not question.undated_days:
            return days
        for year in self.store.publication_years():
            for month, day in question.undated_days:
                try:
                    days.append(date(year, month, day))
                except ValueError:
                    continue
        return days

    def search(self, text: str, *, filters: SearchFilters | None = None, limit: int = 10,
               context: str | None = None) -> SearchResult:
        """Best passages for a question; `context` is the earlier turn a follow-up question leans on."""
        if self.before_search is not None:
            self.before_search()
        weights = self.weights
        filters = filters or SearchFilters()
        question = self.reader.read(text, context)
        query_vector = self._query_vector(question.text, context)
        allowed = self.store.filtered_paragraph_ids(filters) if filters.active else None
        dense = dict(self.vectors.search(query_vector, weights.candidates, allowed))
        size = self.size

        days = self._days(question)
        dated: set[int] = set()
        if days:
            for day in days:
                dated.update(self.store.paragraph_ids_published_on(day))
            dated.update(self.store.paragraph_ids_mentioning(days))
        months = set() if days else set(question.months)
        if dated:
            on_day = np.fromiter(dated, dtype=np.int64)
            if allowed is not None:
                on_day = np.intersect1d(on_day, allowed)
            dense.update(self.vectors.search(query_vector, weights.dated_candidates, on_day))

        stats = self.lexical.concept_stats(question.concepts, size)
        lexical_ids = self.lexical.candidates(question.concepts, stats, size, weights.candidates, filters)
        missing = [pid for pid in lexical_ids if pid not in dense]
        if missing:
            dense.update(self.vectors.scores(query_vector, missing))
        ids = list(dense)
        if not ids:
            return SearchResult(question, (), query_vector, tuple(days), stats)
        matches = self.lexical.score(stats, ids, size)
        passages = self.store.passages(ids)
        hits: list[Hit] = []
        for pid in ids:
            passage = passages.get(pid)
            if passage is None:
                continue
            match = matches.get(pid) or LexicalMatch(0.0, 0.0, frozenset())
            in_month = _published_in(passage.article.published, months)
            date_part = weights.date if pid in dated else weights.date * weights.month_share if in_month else 0.0
            score = dense[pid] + weights.lexical * match.score + date_part
            hits.append(Hit(passage=passage, score=score, dense=dense[pid], lexical=match.score,
                            coverage=match.coverage, dated=date_part > 0, matched=match.matched))
        hits.sort(key=lambda h: h.score, reverse=True)
        return SearchResult(question, tuple(hits[:limit]), query_vector, tuple(days), stats)

    def rank(self, text: str, ids: Sequence[int], query_vector: np.ndarray | None = None) -> list[Hit]:
        """Score exactly these passages against a text (a followed topic against a new article), best first.

        The same fused score as `search` without the date bonus; `query_vector`
        may be passed when the text's vector is kept (a followed topic's is).
        """
        if not ids:
            return []
        if self.before_search is not None:
            self.before_search()
        question = self.reader.read(text)
        vector = self.embedder.encode_query(question.text) if query_vector is None else query_vector
        dense = self.vectors.scores(vector, ids)
        stats = self.lexical.concept_stats(question.concepts, self.size)
        matches = self.lexical.score(stats, list(dense), self.size)
        passages = self.store.passages(list(dense))
        hits = [
            Hit(passage=passages[pid], score=dense[pid] + self.weights.lexical * matches[pid].score, dense=dense[pid],
                lexical=matches[pid].score, coverage=matches[pid].coverage, matched=matches[pid].matched)
            for pid in dense if pid in passages
        ]
        return sorted(hits, key=lambda h: h.score, reverse=True)

    def _query_vector(self, text: str, context: str | None) -> np.ndarray:
        if not context:
            return self.embedder.encode_query(text)
        own, earlier = self.embedder.encode_queries([text, context])
        combined: np.ndarray = own + CONTEXT_VECTOR_WEIGHT * earlier
        return combined / (float(np.linalg.norm(combined)) or 1.0)

    def passage_vectors(self, ids: Sequence[int]) -> np.ndarray:
        return self.embeddings.vectors_for(ids, self.vectors.dimension)
