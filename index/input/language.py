"""Language detection per article.

lingua-language-detector is used rather than langdetect: it is deterministic
(langdetect is random unless seeded), markedly better on short texts such as a
lead paragraph, and restricting it to the languages this conflict is reported
in keeps it small and fast.
"""

from __future__ import annotations

from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

__all__ = ["detect_language", "SUPPORTED_LANGUAGES"]

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
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*SUPPORTED_LANGUAGES).build()


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language, or "" when it cannot be told."""
    sample = text[:2000].strip()
    if not sample:
        return ""
    language = _detector().detect_language_of(sample)
    return SUPPORTED_LANGUAGES.get(language, "") if language is not None else ""
