"""BM25 over a question's concepts, on the analysed terms the store keeps for every paragraph.

FTS5 finds the candidates (any form of any concept); the score is computed here
because FTS5's bm25() weighs every spelling as a separate term: a question word
with eight spellings and translations would count eight times, and a common
word's many translations would drown a rare name. Here each concept counts
once, with the idf of all its forms together, and a form's weight (a
translation counts a little less than the word itself) scales its term
frequency.

Large archives (`COMMON_MIN_PARAGRAPHS` and more): forms held by more than
`COMMON_SHARE` of paragraphs are left out of the FTS5 query (they barely move
BM25 but make the OR query match most of the table); they still count in the
score of candidates found otherwise. Candidates are not ranked by FTS5's
bm25() there: it reads the length of every paragraph matched, about a
microsecond each, and at 41k paragraphs an ordinary question matched 8,000
(9 ms of a 19 ms answer). Instead each concept adds its idf once to every
paragraph holding any of its forms, inside SQLite, and the paragraphs holding
the most weight are the candidates (concept BM25 without term frequency and
length: the score they then get). On the development set this changes a
quarter of the candidates and none of its figures. A query is also held to
`QUERY_POSTINGS` (the rarest concepts go in first), so its cost stays bounded
as the archive grows.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from index.search.query import Concept, Phrase
from index.storage.protocols import TermRepository
from index.storage.records import SearchFilters

__all__ = ["ConceptCandidates", "ConceptMatcher", "ConceptStats", "FullTextCandidates", "LexicalMatch", "LexicalScorer"]

K1 = 1.2
B = 0.75
COMMON_SHARE = 0.05
COMMON_MIN_PARAGRAPHS = 2000
QUERY_POSTINGS = 100_000
"""Most postings (paragraphs holding a form, summed over the query's forms) one candidate query reads on a
large archive (measured cost in bench/scale.py, see README)."""
COUNTS_KEPT = 50_000
"""Document counts of at most this many forms are remembered between questions."""
_MAX_QUERY_FORMS = 96


@dataclass(frozen=True)
class LexicalMatch:
    """How one paragraph matches a question's concepts."""

    score: float
    """BM25 summed over concepts, divided by the sum of their idf (so about 0–1.5 whatever the question)."""
    coverage: float
    """Share of the question's concept idf that the paragraph holds (0–1): rare words weigh more."""
    matched: frozenset[int]
    """Indexes of the concepts the paragraph holds."""


def _fts_phrase(phrase: Phrase) -> str:
    return '"' + " ".join(t.replace('"', "") for t in phrase) + '"'


def _count(phrase: Phrase, terms: Sequence[str], counts: Counter[str]) -> int:
    if len(phrase) == 1:
        return counts.get(phrase[0], 0)
    width = len(phrase)
    return sum(1 for i in range(len(terms) - width + 1) if tuple(terms[i:i + width]) == phrase)


class ConceptMatcher:
    """Finds a question's concepts in runs of analysed terms, in one pass over the distinct terms.

    A concept's frequency is that of its best-weighted form, not the sum: one
    word can be several forms of a concept at once (its English and its Dutch
    stem).
    """

    def __init__(self, concepts: Sequence[Concept]) -> None:
        self.size = len(concepts)
        self._single: dict[str, list[tuple[int, float]]] = {}
        self._phrases: list[tuple[int, Phrase, float]] = []
        for index, concept in enumerate(concepts):
            for phrase, weight in concept.variants.items():
                if len(phrase) == 1:
                    self._single.setdefault(phrase[0], []).append((index, weight))
                else:
                    self._phrases.append((index, phrase, weight))

    def frequencies(self, terms: Sequence[str]) -> list[float]:
        counts = Counter(terms)
        out = [0.0] * self.size
        for term, n in counts.items():
            for index, weight in self._single.get(term, ()):
                if weight * n > out[index]:
                    out[index] = weight * n
        for index, phrase, weight in self._phrases:
            if phrase[0] in counts:
                n = _count(phrase, terms, counts)
                if weight * n > out[index]:
                    out[index] = weight * n
        return out


@dataclass(frozen=True)
class ConceptStats:
    idfs: tuple[float, ...]
    paragraphs: tuple[int, ...]
    """How many paragraphs hold each concept (0: the archive never uses the word in any form)."""
    form_counts: dict[str, int]
    matcher: ConceptMatcher

    @property
    def unknown_share(self) -> float:
        """Share of the question's concept weight that the archive does not hold at all."""
        total = sum(self.idfs) or 1.0
        return sum(idf for idf, held in zip(self.idfs, self.paragraphs, strict=True) if held == 0) / total


@runtime_checkable
class FullTextCandidates(Protocol):
    """FTS5 queries over the analysed terms (the SQLite archive's `TermStore`)."""

    def lexical_candidates(self, match: str, limit: int, filters: SearchFilters | None = None) -> list[int]: ...

    def lexical_candidates_by_weight(self, matches: Sequence[tuple[float, str]], limit: int,
                                     filters: SearchFilters | None = None) -> list[int]: ...


@runtime_checkable
class ConceptCandidates(Protocol):
    """A search engine that finds the paragraphs holding the most weight of a question's forms (Milvus's sparse
    vectors in cluster mode)."""

    def concept_candidates(self, weights: dict[Phrase, float], limit: int,
                           filters: SearchFilters | None) -> list[int]: ...


class LexicalScorer:
    def __init__(self, store: TermRepository, engine: ConceptCandidates | None = None) -> None:
        """`engine` finds candidates where the archive has no full-text index of its own (PostgreSQL)."""
        self.store = store
        self.engine = engine
        self._length_cache: tuple[int, float] = (-1, 1.0)
        self._counts: dict[str, int] = {}
        self._counted_at = -1

    def document_counts(self, forms: set[str], paragraphs: int) -> dict[str, int]:
        """How many paragraphs hold each form (forms the archive lacks are left out), remembered between questions.

        Counting a form reads its whole doclist: a few milliseconds for a common
        word at 1M paragraphs, for every question that uses it. Counts are kept
        while the archive stays within 1 % of the size they were counted at
        (idf hardly moves), and only while it is unchanged below
        `COMMON_MIN_PARAGRAPHS`.
        """
        tolerance = paragraphs // 100 if paragraphs >= COMMON_MIN_PARAGRAPHS else 0
        if abs(paragraphs - self._counted_at) > tolerance or len(self._counts) > COUNTS_KEPT:
            self._counts = {}
            self._counted_at = paragraphs
        missing = forms - self._counts.keys()
        if missing:
            found = self.store.term_document_counts(missing)
            self._counts.update({form: found.get(form, 0) for form in missing})
        return {form: self._counts[form] for form in forms if self._counts.get(form)}

    def _mean_length(self, paragraphs: int) -> float:
        known, mean = self._length_cache
        if known < 0 or abs(paragraphs - known) > max(100, known // 10):
            mean = self.store.mean_terms_per_paragraph()
            self._length_cache = (paragraphs, mean)
        return mean

    def concept_stats(self, concepts: Sequence[Concept], paragraphs: int) -> ConceptStats:
        """Each concept's idf, from how many paragraphs hold any of its forms (a sum: an upper bound)."""
        forms = {t for c in concepts for phrase in c.variants for t in phrase}
        counts = self.document_counts(forms, paragraphs)
        idfs: list[float] = []
        held_by: list[int] = []
        for concept in concepts:
            held = sum(min((counts.get(t, 0) for t in phrase), default=0) for phrase in concept.variants)
            held = min(held, paragraphs)
            held_by.append(held)
            idfs.append(math.log(1 + (paragraphs - held + 0.5) / (held + 0.5)))
        return ConceptStats(tuple(idfs), tuple(held_by), counts, ConceptMatcher(concepts))

    def candidates(
        self, concepts: Sequence[Concept], stats: ConceptStats, paragraphs: int, limit: int,
        filters: SearchFilters | None,
    ) -> list[int]:
        """Paragraph ids holding the question's concepts, best first (FTS5's bm25 on small archives, concept
        weight on large ones: see the module docstring; a search engine's sparse vectors in cluster mode)."""
        if self.engine is not None:
            return self.engine.concept_candidates(self._form_weights(concepts, stats, paragraphs), limit, filters)
        if paragraphs < COMMON_MIN_PARAGRAPHS:
            return self._ranked_candidates(concepts, stats.form_counts, limit, filters)
        return self._weighted_candidates(concepts, stats, paragraphs, limit, filters)

    @staticmethod
    def _form_weights(concepts: Sequence[Concept], stats: ConceptStats, paragraphs: int) -> dict[Phrase, float]:
        """Each form the archive holds, weighted by its own idf (as FTS5's bm25 weighs a phrase) and by how much
        it stands for its concept (a translation a little less than the word)."""
        counts = stats.form_counts
        weights: dict[Phrase, float] = {}
        for concept in concepts:
            for phrase, weight in concept.variants.items():
                if not all(t in counts for t in phrase):
                    continue
                held = min(counts[t] for t in phrase)
                idf = math.log(1 + (paragraphs - held + 0.5) / (held + 0.5))
                weights[phrase] = max(weights.get(phrase, 0.0), idf * weight)
        return weights

    def _ranked_candidates(
        self, concepts: Sequence[Concept], counts: dict[str, int], limit: int, filters: SearchFilters | None
    ) -> list[int]:
        phrases: list[Phrase] = []
        for concept in concepts:
            for phrase, _weight in sorted(concept.variants.items(), key=lambda kv: -kv[1]):
                if all(t in counts for t in phrase):
                    phrases.append(phrase)
        match = " OR ".join(_fts_phrase(p) for p in dict.fromkeys(phrases[:_MAX_QUERY_FORMS]))
        return self._full_text().lexical_candidates(match, limit, filters)

    def _weighted_candidates(
        self, concepts: Sequence[Concept], stats: ConceptStats, paragraphs: int, limit: int,
        filters: SearchFilters | None,
    ) -> list[int]:
        counts = stats.form_counts
        too_common = COMMON_SHARE * paragraphs
        queries: list[tuple[int, float, str]] = []
        for concept, idf in zip(concepts, stats.idfs, strict=True):
            phrases = [phrase for phrase in dict.fromkeys(concept.variants)
                       if all(t in counts for t in phrase) and max(counts[t] for t in phrase) <= too_common]
            if phrases:
                postings = sum(counts[t] for phrase in phrases for t in phrase)
                queries.append((postings, idf, " OR ".join(_fts_phrase(p) for p in phrases[:_MAX_QUERY_FORMS])))
        matches: list[tuple[float, str]] = []
        spent = 0
        for postings, idf, match in sorted(queries, key=lambda q: q[0]):
            if spent + postings > QUERY_POSTINGS:
                break
            matches.append((idf, match))
            spent += postings
        return self._full_text().lexical_candidates_by_weight(matches, limit, filters)

    def _full_text(self) -> FullTextCandidates:
        if not isinstance(self.store, FullTextCandidates):
            raise TypeError("this archive has no full-text index: give LexicalScorer a search engine")
        return self.store

    def score(self, stats: ConceptStats, ids: Sequence[int], paragraphs: int) -> dict[int, LexicalMatch]:
        idfs = stats.idfs
        total_idf = sum(idfs) or 1.0
        mean_length = self._mean_length(paragraphs)
        stored = self.store.paragraph_terms(ids)
        out: dict[int, LexicalMatch] = {}
        for pid in ids:
            terms = stored.get(pid, "").split()
            norm = K1 * (1 - B + B * len(terms) / mean_length)
            score = 0.0
            covered = 0.0
            matched: set[int] = set()
            frequencies = stats.matcher.frequencies(terms)
            for index, (tf, idf) in enumerate(zip(frequencies, idfs, strict=True)):
                if tf:
                    score += idf * tf * (K1 + 1) / (tf + norm)
                    covered += idf
                    matched.add(index)
            coverage = covered / total_idf if idfs else 1.0  # nothing asked beyond dates: nothing missing
            out[pid] = LexicalMatch(score / total_idf, coverage, frozenset(matched))
        return out
