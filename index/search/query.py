"""What a question asks, read once: its language, its content words with their other spellings and
translations, the days and months it names, and the kind of answer it expects.

Search, abstention and answer composition all need these; reading them in one
place keeps the three consistent (a word that counts for retrieval counts for
coverage too).

Each content word becomes a `Concept`: the analysed forms of the word itself, its
lemma, its glossary spellings (Sjoesja, Shusha, Şuşa) and its dictionary
translations into the archive's other languages. A paragraph "has" a concept
when it holds any of these forms; BM25 then weighs concepts, not spellings, so
a word with eight spellings counts once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from functools import lru_cache

import simplemma

from index.input.dates import MONTHS, find_dates_in_question, find_months_in_question
from index.search.analysis import ARCHIVE_LANGUAGES, fold, stems, term, word_tokens
from index.search.glossary import expand_term
from index.search.lexicon import Lexicon
from index.search.stopwords import is_stopword

__all__ = ["AnswerType", "Concept", "Question", "QuestionReader", "question_language"]

TRANSLATION_WEIGHT = 0.8
"""A dictionary translation counts a little less than the question's own word: dictionaries list
several senses and only one is meant."""
CONTEXT_WEIGHT = 0.5
"""Words of the earlier question in a conversation count half as much as the follow-up's own."""
COMPOUND_WEIGHT = 0.5
"""Parts of a compound ("waarnemings|centrum") and their translations: weaker evidence still."""
_MIN_COMPOUND_PART = 4


class AnswerType(StrEnum):
    """The kind of fact a question asks for, from its question word."""

    NUMBER = "number"
    DATE = "date"
    PERSON = "person"
    PLACE = "place"
    OTHER = "other"


_ANSWER_TYPES: tuple[tuple[AnswerType, re.Pattern[str]], ...] = (
    (AnswerType.NUMBER, re.compile(r"\b(how many|how much|hoeveel|wie viele|combien)\b", re.I)),
    (AnswerType.DATE, re.compile(r"\b(when|wanneer|wann|quand|in what year|in welk jaar|what date|welke datum|"
                                 r"since when|sinds wanneer)\b", re.I)),
    (AnswerType.PERSON, re.compile(r"^\s*(?:\w+\s+){0,3}?(who|whom|wie|wer|qui)\b", re.I)),
    (AnswerType.PLACE, re.compile(r"\b(where|waar|wo|où)\b", re.I)),
)

_DUTCH_HINTS = frozenset(
    "de het een en van wat wie waar wanneer hoe hoeveel waarom welke zijn is er op naar met voor niet door zei "
    "werd werden heeft hebben over bij uit ook nog dat die deze".split()
)
_ENGLISH_HINTS = frozenset(
    "the a an and of what who where when how many why which are is there on to with for not by said was were "
    "has have about at from also still that this these did does".split()
)


def question_language(question: str) -> str:
    """Dutch or English, whichever the question is in (the two languages users ask in).

    Counting function words is instant and reliable on short questions; the full
    detector is kept for articles.
    """
    words = [w.lower() for w in word_tokens(question)]
    dutch = sum(w in _DUTCH_HINTS for w in words)
    english = sum(w in _ENGLISH_HINTS for w in words)
    return "nl" if dutch > english else "en"


Phrase = tuple[str, ...]
"""Analysed terms in order: one for a word, several for "staat van beleg" or "cessez-le-feu"."""


@dataclass(frozen=True)
class Concept:
    """One content word of a question and every form that counts as the same word in a paragraph."""

    word: str
    variants: Mapping[Phrase, float]
    """Analysed form -> weight (1 for the word and its spellings, less for translations)."""


@dataclass(frozen=True)
class Question:
    text: str
    language: str
    concepts: tuple[Concept, ...]
    days: tuple[date, ...] = ()
    """Days the question names with a year (a day without one is resolved by search against the archive)."""
    undated_days: tuple[tuple[int, int], ...] = ()
    """(month, day) named without a year: "on 8 October"."""
    months: tuple[tuple[int, int], ...] = ()
    """(year, month) named without a day."""
    answer_type: AnswerType = AnswerType.OTHER
    numbers: tuple[str, ...] = field(default=())
    """Numbers the question itself names (they do not count as an answer to "how many")."""


def _phrase(text: str, languages: tuple[str, ...] = ARCHIVE_LANGUAGES) -> list[Phrase]:
    """The analysed forms of a word or phrase, one per distinct analysis across languages."""
    words = word_tokens(text)
    if not words:
        return []
    if len(words) == 1:
        return [(term,) for term in sorted(stems(words[0], languages))]
    return list(dict.fromkeys(tuple(term(w, language) for w in words) for language in languages))


_DATE_WORDS = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th|e|er)?\.?\s+(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b|"
    r"\b(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?\s+\d{1,2}\b",
    re.IGNORECASE,
)


class QuestionReader:
    """Reads questions with the installed dictionaries (none installed: spellings from the glossary only)."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or Lexicon()

    def read(self, question: str, context: str | None = None) -> Question:
        """Read a question; `context` is an earlier turn of the conversation a follow-up leans on.

        A follow-up ("En wat vond Pasjinjan zelf van dat akkoord?") names what is
        new and points back at the rest; the earlier question's words join as
        weaker concepts (CONTEXT_WEIGHT) and its days count when the follow-up
        names none.
        """
        own = self._read(question)
        if not context:
            return own
        earlier = self._read(context)
        words = {c.word for c in own.concepts}
        borrowed = tuple(
            Concept(c.word, {phrase: weight * CONTEXT_WEIGHT for phrase, weight in c.variants.items()})
            for c in earlier.concepts if c.word not in words
        )
        dated = bool(own.days or own.undated_days or own.months)
        return replace(
            own,
            concepts=own.concepts + borrowed,
            days=own.days if dated else earlier.days,
            undated_days=own.undated_days if dated else earlier.undated_days,
            months=own.months if dated else earlier.months,
        )

    def _read(self, question: str) -> Question:
        text = " ".join(question.split())
        language = question_language(text)
        days = tuple(find_dates_in_question(text))
        # 2000 is a leap year, so "29 February" survives; search places the day in the archive's years.
        undated = [] if days else [(d.month, d.day) for d in find_dates_in_question(text, default_year=2000)]
        months = tuple(find_months_in_question(text))
        answer_type = next((kind for kind, pattern in _ANSWER_TYPES if pattern.search(text)), AnswerType.OTHER)
        without_dates = _DATE_WORDS.sub(" ", text)
        words = [w for w in word_tokens(without_dates) if _is_content_word(w)]
        concepts = tuple(self._concept(w, language) for w in dict.fromkeys(w.lower() for w in words))
        numbers = tuple(w for w in word_tokens(text) if w.isdigit())
        return Question(text, language, concepts, days, tuple(undated), months, answer_type, numbers)

    def _concept(self, word: str, language: str) -> Concept:
        return _concept(word, language, self.lexicon)


def _is_content_word(word: str) -> bool:
    lowered = word.lower()
    if lowered.isdigit():
        # years are dates, not topics; a lone digit says too little to search for
        return len(lowered) > 1 and (len(lowered) != 4 or not 1900 <= int(lowered) <= 2100)
    return len(lowered) > 1 and not is_stopword(lowered) and fold(lowered) not in MONTHS


@lru_cache(maxsize=4096)
def _concept(word: str, language: str, lexicon: Lexicon) -> Concept:
    variants: dict[Phrase, float] = {}

    def add(text: str, weight: float, languages: tuple[str, ...] = ARCHIVE_LANGUAGES) -> None:
        for phrase in _phrase(text, languages):
            if weight > variants.get(phrase, 0.0):
                variants[phrase] = weight

    lemma = simplemma.lemmatize(word, lang=language).lower() if not word.isdigit() else word
    for form in dict.fromkeys((word, lemma)):
        add(form, 1.0)
        for spelling in expand_term(form):
            add(spelling, 1.0)
    if lexicon.available and not word.isdigit():
        translated = False
        for form in dict.fromkeys((word, lemma)):
            for target, translations in lexicon.translate(form, language, ARCHIVE_LANGUAGES).items():
                for translation in translations:
                    add(translation, TRANSLATION_WEIGHT, (target,))
                    translated = True
        if not translated:
            for part in lexicon.split_compound(lemma, language, _MIN_COMPOUND_PART):
                add(part, COMPOUND_WEIGHT)
                for target, translations in lexicon.translate(part, language, ARCHIVE_LANGUAGES).items():
                    for translation in translations:
                        add(translation, COMPOUND_WEIGHT, (target,))
    return Concept(word, variants)
