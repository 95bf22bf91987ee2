"""Language detection: of an article at ingest, and of one written sentence.

lingua-language-detector is used rather than langdetect: it is deterministic
(langdetect is random unless seeded), markedly better on short texts such as a
lead paragraph, and restricting it to the languages this conflict is reported
in keeps it small and fast.

Two detectors, because the two uses differ in length and in what memory they
may take. An article is told from its first paragraphs, and lingua's
low-accuracy mode (trigram models only, about 27 MB for these languages) named
every article and every paragraph of the training and development corpora as
the full mode did; the full mode (about 240 MB) would put `newsbot ingest` past
the memory a batch ingest is held to. A single written sentence is short, and
there the full mode errs less (1 against 12 of 463 sentences under 60
characters), so the check of written answers keeps it.
"""

from __future__ import annotations

from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

__all__ = ["detect_language", "detect_sentence_language", "SUPPORTED_LANGUAGES"]

SUPPORTED_LANGUAGES: dict[Language, str] = {
    Language.DUTCH: "nl",
    Language.ENGLISH: "en",
    Language.GERMAN: "de",
    Language.FRENCH: "fr",
    Language.RUSSIAN: "ru",
    Language.ARMENIAN: "hy",
    Language.AZERBAIJANI: "az",
    Language.TURKISH: "tr",
    Language.SPANISH: "es",
    Language.ITALIAN: "it",
}


@lru_cache(maxsize=1)
def _article_detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*SUPPORTED_LANGUAGES).with_low_accuracy_mode().build()


@lru_cache(maxsize=1)
def _sentence_detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*SUPPORTED_LANGUAGES).build()


def _detect(detector: LanguageDetector, text: str) -> str:
    sample = text[:2000].strip()
    if not sample:
        return ""
    language = detector.detect_language_of(sample)
    return SUPPORTED_LANGUAGES.get(language, "") if language is not None else ""


def detect_language(text: str) -> str:
    """ISO 639-1 code of an article's language (from its opening text), or "" when it cannot be told."""
    return _detect(_article_detector(), text)


def detect_sentence_language(text: str) -> str:
    """ISO 639-1 code of one sentence's language, or "" when it cannot be told."""
    return _detect(_sentence_detector(), text)
