"""Splitting text into paragraphs and sentences.

Paragraphs are the unit of retrieval and citation (a citation names a
paragraph number), sentences the unit of highlighting inside a quote.
"""

from __future__ import annotations

import re

from index.dates import MONTHS

__all__ = ["split_paragraphs", "split_sentences", "normalise_whitespace", "MAX_PARAGRAPH_CHARS"]

MAX_PARAGRAPH_CHARS = 1500
"""Longer paragraphs are cut at sentence boundaries: a wall of text embeds poorly and quotes badly."""

_BLANK_LINES = re.compile(r"\n\s*\n")
_SPACES = re.compile(r"\s+")
# A sentence ends at . ! ? or … (optionally followed by closing quotes/brackets) before
# whitespace and something that can start a sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+(?=[\"'“‘„«(\[]?[A-ZÀ-ÖØ-ÞĀ-ſА-ЯԱ-Ֆ0-9])")
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "gen", "col", "lt", "sgt", "capt", "maj", "jr", "sr",
    "dhr", "mevr", "mw", "drs", "ir", "o.a", "m.a.w", "bijv", "nr", "vs", "ca", "jan", "feb",
    "aug", "sept", "okt", "nov", "dec", "u.s", "u.n", "e.g", "i.e", "z.b", "bzw", "etc", "art",
}


def normalise_whitespace(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def split_sentences(text: str) -> list[str]:
    """Sentences of one paragraph; abbreviations ("Dr.", "o.a.") and day ordinals ("am 22. Februar") end none."""
    text = normalise_whitespace(text)
    if not text:
        return []
    pieces = _SENTENCE_END.split(text)
    sentences: list[str] = []
    for piece in pieces:
        if sentences:
            last_word = sentences[-1].rsplit(" ", 1)[-1].rstrip(".").lower()
            ordinal_day = last_word.isdigit() and len(last_word) <= 2 and piece.split(" ", 1)[0].lower() in MONTHS
            if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()) or ordinal_day:
                sentences[-1] = f"{sentences[-1]} {piece}"
                continue
        sentences.append(piece)
    return sentences


def _cut_long(paragraph: str, limit: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for sentence in split_sentences(paragraph):
        if current and len(current) + 1 + len(sentence) > limit:
            chunks.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        chunks.append(current)
    return chunks


def split_paragraphs(text: str, limit: int = MAX_PARAGRAPH_CHARS) -> list[str]:
    """Blank-line separated paragraphs, whitespace normalised, over-long ones cut at sentences."""
    paragraphs: list[str] = []
    for block in _BLANK_LINES.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        paragraph = normalise_whitespace(block)
        if not paragraph:
            continue
        if len(paragraph) > limit:
            paragraphs.extend(_cut_long(paragraph, limit))
        else:
            paragraphs.append(paragraph)
    return paragraphs
