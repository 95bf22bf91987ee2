"""Text analysis for the lexical index: words to language-independent search terms.

A paragraph is stored for lexical search as a string of *terms*: each word lower-cased,
stripped of diacritics, written in Latin letters (Russian reporting names "Агдам"
where a Dutch question says "Agdam") and stemmed with the Snowball stemmer of the
article's language ("aanvallen" and "aanval" both match). A question's words are
analysed the same way, once per language the archive holds, since the language of
the paragraph that answers is not known in advance.

Dutch uses Snowball's older Porter-style stemmer: the newer one strips the "ge-"
prefix and maps "gevangenen" (prisoners) to "vangen" (to catch).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import Stemmer

__all__ = [
    "ARCHIVE_LANGUAGES",
    "analyse",
    "fold",
    "paragraph_terms",
    "stems",
    "term",
    "transliterate",
    "word_tokens",
]

ARCHIVE_LANGUAGES: tuple[str, ...] = ("en", "nl", "de", "fr", "ru")
"""Languages with a stemmer; text in any other language is folded but not stemmed."""

_STEMMER_NAMES = {"en": "english", "nl": "dutch_porter", "de": "german", "fr": "french", "ru": "russian"}
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u",
     "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"],
    strict=True,
))
_TRANSLITERATION = str.maketrans(_CYRILLIC)


def word_tokens(text: str) -> list[str]:
    """Runs of letters and digits; hyphens, apostrophes and punctuation separate words."""
    return _WORD.findall(text)


def transliterate(word: str) -> str:
    """Cyrillic to Latin letters (a plain scholarly-style table; other scripts are kept)."""
    return word.translate(_TRANSLITERATION)


@lru_cache(maxsize=1 << 16)
def fold(word: str) -> str:
    """Lower case without diacritics: "Şuşa" and "susa" become one term, as do "Füzuli" and "fuzuli"."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _stemmer(language: str) -> Stemmer.Stemmer | None:
    name = _STEMMER_NAMES.get(language)
    return Stemmer.Stemmer(name) if name else None


@lru_cache(maxsize=1 << 17)
def term(word: str, language: str) -> str:
    """One word as the lexical index stores it for a text in `language`."""
    folded = fold(word)
    stemmer = _stemmer(language)
    if stemmer is not None and not folded.isdigit():
        folded = stemmer.stemWord(folded)
    return transliterate(folded)


def analyse(text: str, language: str) -> list[str]:
    """The search terms of a text written in `language`, in order (repeats kept: they count for BM25)."""
    return [term(word, language) for word in word_tokens(text)]


def paragraph_terms(text: str, language: str) -> str:
    """What the lexical index stores for a paragraph: its analysed terms, space-separated."""
    return " ".join(analyse(text, language))


def stems(word: str, languages: tuple[str, ...] = ARCHIVE_LANGUAGES) -> set[str]:
    """The terms one word becomes in each language's analysis, for matching a question word anywhere."""
    return {term(word, language) for language in languages}
