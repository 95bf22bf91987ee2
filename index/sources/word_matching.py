"""Whether a text names any of a list of words or phrases, as whole words, in any glossary spelling.

Used by the topic filter of source polling (`sources.topic_keywords`) and by a
source's include/exclude words for its own channel. Two rules:

- Whole words, folded (lower case, no diacritics): "war" names "war" and
  "War", not "award" or "software"; "Şuşa" names "Susa". A phrase ("Lachin
  corridor", "staat van beleg") matches those words in a row.
- Linear in the text, whatever the number of keywords: the keywords are
  compiled once into a set of word tuples, and the text's words are looked up
  in it, once per phrase length. Matching each keyword's substrings against the
  text cost text × keywords: 12,000 keywords took 80 s per poll. Phrases are
  matched on their first `MAX_PHRASE_WORDS` words, so a hostile keyword of a
  thousand words cannot multiply the work either.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from index.search.analysis import fold, word_tokens
from index.search.glossary import expand_term

__all__ = ["WordMatcher", "word_matcher", "MAX_PHRASE_WORDS"]

MAX_PHRASE_WORDS = 8


class WordMatcher:
    def __init__(self, keywords: Iterable[str]) -> None:
        phrases: set[tuple[str, ...]] = set()
        for keyword in keywords:
            for spelling in (keyword, *expand_term(keyword.lower())):
                words = tuple(fold(w) for w in word_tokens(spelling))[:MAX_PHRASE_WORDS]
                if words:
                    phrases.add(words)
        self._phrases = frozenset(phrases)
        self._lengths = sorted({len(p) for p in phrases})

    def __bool__(self) -> bool:
        """False when there is nothing to match (no keywords, or none with a letter or digit)."""
        return bool(self._phrases)

    def matches(self, text: str) -> bool:
        """Whether `text` names any keyword; never true for a matcher without keywords."""
        if not self._phrases:
            return False
        words = [fold(w) for w in word_tokens(text)]
        phrases = self._phrases
        for length in self._lengths:
            if any(tuple(words[i:i + length]) in phrases for i in range(len(words) - length + 1)):
                return True
        return False


@lru_cache(maxsize=256)
def word_matcher(keywords: tuple[str, ...]) -> WordMatcher:
    """A compiled matcher, kept for the next text with the same words (a source's include list)."""
    return WordMatcher(keywords)
