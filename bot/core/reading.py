"""Reading retrieved passages sentence by sentence: which sentence answers the question.

A passage is cited whole, but one sentence of it says what was asked. The
sentence chosen is the one that holds most of the question's weight (its rare
words count most, in any spelling or translation, see `index.query`) and the
kind of fact the question asks for: a number for "how many", a date for
"when", a name for "who". No embedding is needed: this runs on the analysed
terms, in well under a millisecond per passage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.input.chunking import split_sentences
from index.input.dates import MONTHS, find_dates_in_text
from index.models import Hit
from index.search.analysis import analyse
from index.search.lexical import ConceptStats
from index.search.query import AnswerType, Question

__all__ = ["Evidence", "read_passage", "answer_type_present", "SENTENCE_COVERAGE_WEIGHT", "TYPE_WEIGHT"]

SENTENCE_COVERAGE_WEIGHT = 0.5
TYPE_WEIGHT = 0.1

_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")
_NUMBER_WORDS = frozenset(
    """two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty hundred
    hundreds thousand thousands million millions dozens dozen twee drie vier vijf zes zeven acht negen tien elf
    twaalf twintig dertig veertig vijftig honderd honderden duizend duizenden miljoen tientallen zwei drei
    fünf sechs sieben neun zehn zwölf zwanzig hundert hunderte tausend tausende millionen dutzende deux trois
    quatre cinq sept huit neuf dix douze vingt trente cent centaines mille milliers dizaines""".split()
)
_MONTH_WORD = re.compile(r"\b(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_NAME = re.compile(r"(?<=[\s(\"'“‘«])[A-ZÀ-ÖØ-ÞĀ-ſА-Я][\w’'-]+")


@dataclass(frozen=True)
class Evidence:
    """The best sentence of one retrieved passage and how well it answers."""

    hit: Hit
    sentence: str
    coverage: float
    """Share of the question's concept weight held by this one sentence."""
    typed: bool
    """Whether the sentence holds the kind of fact the question asks for (always true for other questions)."""

    @property
    def score(self) -> float:
        return self.hit.score + SENTENCE_COVERAGE_WEIGHT * self.coverage + TYPE_WEIGHT * self.typed


def answer_type_present(sentence: str, question: Question, hit: Hit) -> bool:
    """Whether a sentence holds a number, date or name of the kind the question asks for."""
    kind = question.answer_type
    if kind is AnswerType.OTHER:
        return True
    if kind is AnswerType.NUMBER:
        asked = set(question.numbers)
        for match in _NUMBER.finditer(sentence):
            value = match.group(0)
            if value not in asked and not _YEAR.fullmatch(value):
                return True
        return any(w.lower() in _NUMBER_WORDS for w in sentence.split())
    if kind is AnswerType.DATE:
        article = hit.passage.article
        return bool(find_dates_in_text(sentence, article.published, article.language) or _MONTH_WORD.search(sentence)
                    or _YEAR.search(sentence))
    asked_words = {w.lower() for w in question.text.split()}
    return any(m.group(0).lower().strip("’'") not in asked_words for m in _NAME.finditer(" " + sentence))


def read_passage(hit: Hit, question: Question, stats: ConceptStats) -> Evidence:
    """The sentence of a passage that best answers the question."""
    article = hit.passage.article
    sentences = split_sentences(hit.passage.text) or [hit.passage.text]
    total = sum(stats.idfs) or 1.0
    best: Evidence | None = None
    for sentence in sentences:
        frequencies = stats.matcher.frequencies(analyse(sentence, article.language))
        held = sum(idf for idf, tf in zip(stats.idfs, frequencies, strict=True) if tf) / total
        evidence = Evidence(hit, sentence, held, answer_type_present(sentence, question, hit))
        if best is None or evidence.score > best.score:
            best = evidence
    assert best is not None
    return best


def read_passages(hits: Sequence[Hit], question: Question, stats: ConceptStats) -> list[Evidence]:
    """Best sentence of each passage, best evidence first."""
    return sorted((read_passage(h, question, stats) for h in hits), key=lambda e: e.score, reverse=True)
