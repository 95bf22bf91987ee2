"""Hybrid retrieval: dense vectors (FAISS) and BM25 (SQLite FTS5), fused by score.

Dense search finds paraphrases and other languages; BM25 finds rare names and
numbers the encoder blurs. Each side proposes candidates, every candidate gets
both scores (its dense score is computed from the stored vector even when only
BM25 found it), and the fused score is

    cosine + LEXICAL_WEIGHT × bm25 / best bm25 + date bonus

where the date bonus rewards passages published on a date the question names.
The weights were chosen on bench/questions.jsonl (the grid and what did not
help, such as pseudo-relevance feedback, are in README).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from index.dates import find_dates_in_question, find_months_in_question
from index.embedder import Embedder
from index.glossary import expand_term
from index.models import Hit
from index.stopwords import is_stopword
from index.store import SearchFilters, Store
from index.vectors import VectorIndex

__all__ = ["Searcher", "key_terms", "fts_query", "LEXICAL_WEIGHT", "SearchResult"]

LEXICAL_WEIGHT = 0.1
MONTH_SHARE = 0.3
"""A month named without a day ("in september 2023") often dates the event, not the report: a lighter boost."""
COMMON_TERM_SHARE = 0.05
"""A term in more than this share of paragraphs is left out of the lexical query (large archives only)."""
COMMON_TERM_MIN_PARAGRAPHS = 2000
_WORD = re.compile(r"[^\W_][\w'’-]*[^\W_]|[^\W_]", re.UNICODE)
_MAX_TERMS = 32


def key_terms(text: str) -> list[str]:
    """Content words of a question, lower-cased, without function words, in order, once each."""
    words = [w.strip("'’-").lower() for w in _WORD.findall(text)]
    terms = [
        w for w in words
        if (len(w) > 1 and not w.isdigit() and not is_stopword(w)) or (w.isdigit() and len(w) == 4)
    ]
    return list(dict.fromkeys(terms))


def _stem(term: str) -> str:
    """The prefix searched for: "aanval" also matches "aanvallen"; short words are matched whole."""
    cleaned = term.replace('"', "")
    return cleaned[:-1] if len(cleaned) > 6 and " " not in cleaned else cleaned


def _fts_term(term: str) -> str:
    stem = _stem(term)
    if " " in stem or len(stem) < 4:
        return f'"{stem}"'
    return f'"{stem}"*'


def fts_query(text: str, too_common: Callable[[str], bool] | None = None) -> str:
    """An FTS5 OR query of the question's key terms and their cross-language spellings.

    Terms found in a large share of paragraphs ("Karabakh" in a Karabakh archive)
    are dropped when `too_common` says so: they barely move BM25 but make the
    OR query match, and rank, most of the table.
    """
    terms: list[str] = []
    for term in key_terms(text):
        terms.append(term)
        terms.extend(expand_term(term))
    unique = list(dict.fromkeys(terms))
    if too_common is not None:
        unique = [t for t in unique if not too_common(_stem(t))]
    return " OR ".join(_fts_term(t) for t in unique[:_MAX_TERMS])


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[Hit, ...]
    query_vector: np.ndarray
    dates: tuple[date, ...]


class Searcher:
    def __init__(
        self,
        store: Store,
        vectors: VectorIndex,
        embedder: Embedder,
        *,
        candidates: int = 60,
        date_boost: float = 0.25,
        lexical_weight: float = LEXICAL_WEIGHT,
    ) -> None:
        self.store = store
        self.vectors = vectors
        self.embedder = embedder
        self.candidates = candidates
        self.date_boost = date_boost
        self.lexical_weight = lexical_weight

    def _too_common(self) -> Callable[[str], bool] | None:
        size = len(self.vectors)
        if size < COMMON_TERM_MIN_PARAGRAPHS:
            return None
        limit = COMMON_TERM_SHARE * size
        return lambda stem: self.store.document_frequency(stem) > limit

    def _question_dates(self, question: str) -> list[date]:
        """Dates named in the question; a day without a year is tried in every year the corpus covers."""
        found = find_dates_in_question(question)
        if found:
            return found
        years = self.store.years()
        dates: list[date] = []
        for year in years:
            dates.extend(find_dates_in_question(question, default_year=year))
        return dates

    def search(self, query: str, *, filters: SearchFilters | None = None, limit: int = 10) -> SearchResult:
        filters = filters or SearchFilters()
        query_vector = self.embedder.encode_query(query)
        allowed = self.store.filtered_paragraph_ids(filters) if filters.active else None
        dense = dict(self.vectors.search(query_vector, self.candidates, allowed))
        dates = self._question_dates(query)
        dated_ids: set[int] = set()
        for day in dates:
            dated_ids.update(self.store.paragraph_ids_published_on(day))
        month_ids: set[int] = set()
        if not dates:
            for year, month in find_months_in_question(query):
                month_ids.update(self.store.paragraph_ids_published_in_month(year, month))
        if dated_ids:
            on_day = np.fromiter(dated_ids, dtype=np.int64)
            if allowed is not None:
                on_day = np.intersect1d(on_day, allowed)
            dense.update(self.vectors.search(query_vector, 20, on_day))
        lexical = dict(self.store.lexical_search(fts_query(query, self._too_common()), self.candidates, filters))
        ids = list(dict.fromkeys([*dense, *lexical]))
        if not ids:
            return SearchResult((), query_vector, tuple(dates))
        best_lexical = max(lexical.values(), default=0.0) or 1.0
        lexical_part = {pid: self.lexical_weight * lexical.get(pid, 0.0) / best_lexical for pid in ids}
        date_part = {
            pid: self.date_boost if pid in dated_ids else MONTH_SHARE * self.date_boost if pid in month_ids else 0.0
            for pid in ids
        }
        candidate_vectors = self.store.vectors_for(ids, self.vectors.dimension)
        dense_scores = candidate_vectors @ query_vector
        passages = self.store.passages(ids)
        hits: list[Hit] = []
        for pid, dense_score in zip(ids, dense_scores, strict=True):
            passage = passages.get(pid)
            if passage is None:
                continue
            lex = lexical_part[pid]
            score = float(dense_score) + lex + date_part[pid]
            hits.append(Hit(passage=passage, score=score, dense=float(dense_score),
                            lexical=lex / self.lexical_weight if self.lexical_weight else 0.0))
        hits.sort(key=lambda h: h.score, reverse=True)
        return SearchResult(tuple(hits[:limit]), query_vector, tuple(dates))

    def passage_vectors(self, ids: Sequence[int]) -> np.ndarray:
        return self.store.vectors_for(ids, self.vectors.dimension)
