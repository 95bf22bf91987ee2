"""Splitting text into paragraphs and sentences, in linear time and bounded pieces.

Paragraphs are the unit of retrieval and citation (a citation names a
paragraph number), sentences the unit of highlighting inside a quote.

Two bounds protect the model and the event loop from hostile text:
- no paragraph is longer than `MAX_PARAGRAPH_CHARS`: a long paragraph is cut
  at sentence ends, and text without sentence ends (a 1 MB run-on entry) into
  windows that overlap by `WINDOW_OVERLAP_CHARS`, so a sentence cut at a window
  edge is still whole in the next window and every citation quotes a real
  place in the article. The encoder's memory grows with the length of one
  text: a single 100 KB paragraph cost 480 MB.
- every function here does work proportional to its input: sentences are
  collected as lists of pieces and joined once (joining a growing string
  piece by piece made `'A. ' * 80000` quadratic).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from index.input.dates import MONTHS

__all__ = [
    "split_paragraphs",
    "split_sentences",
    "bound_paragraphs",
    "window_text",
    "normalise_whitespace",
    "MAX_PARAGRAPH_CHARS",
    "WINDOW_OVERLAP_CHARS",
]

MAX_PARAGRAPH_CHARS = 1500
"""Longer paragraphs are cut: a wall of text embeds poorly, quotes badly and costs the encoder memory."""
WINDOW_OVERLAP_CHARS = 150
"""How much two consecutive windows of sentence-less text share (about one sentence)."""

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


def _continues_sentence(previous: str, piece: str) -> bool:
    """Whether the split before `piece` was a false one: an abbreviation, an initial or a day ordinal."""
    last_word = previous[previous.rfind(" ") + 1:].rstrip(".").lower()
    if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
        return True
    first_word = piece[: piece.find(" ")] if " " in piece else piece
    return last_word.isdigit() and len(last_word) <= 2 and first_word.lower() in MONTHS


def split_sentences(text: str) -> list[str]:
    """Sentences of one paragraph; abbreviations ("Dr.", "o.a.") and day ordinals ("am 22. Februar") end none."""
    text = normalise_whitespace(text)
    if not text:
        return []
    sentences: list[str] = []
    current: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if current and not _continues_sentence(current[-1], piece):
            sentences.append(" ".join(current))
            current = []
        current.append(piece)
    if current:
        sentences.append(" ".join(current))
    return sentences


def window_text(text: str, limit: int = MAX_PARAGRAPH_CHARS, overlap: int = WINDOW_OVERLAP_CHARS) -> list[str]:
    """Whitespace-normalised `text` as windows of at most `limit` characters, neighbours sharing about `overlap`.

    Windows end at a space in their second half when there is one (a hard cut
    otherwise, for text without spaces) and start at a word after the overlap.
    """
    overlap = max(0, min(overlap, limit // 4))
    windows: list[str] = []
    start = 0
    while len(text) - start > limit:
        end = start + limit
        cut = text.rfind(" ", start + limit // 2, end + 1)
        if cut <= start:
            cut = end
        windows.append(text[start:cut].strip())
        resume = cut - overlap
        space = text.find(" ", resume, cut)
        start = max(space + 1 if space >= 0 else resume, start + 1)
    tail = text[start:].strip()
    if tail:
        windows.append(tail)
    return windows


def _cut_long(paragraph: str, limit: int) -> list[str]:
    """Whole sentences gathered into chunks of at most `limit`; a sentence longer than that is windowed."""
    chunks: list[str] = []
    current: list[str] = []
    length = 0
    for sentence in split_sentences(paragraph):
        if current and length + 1 + len(sentence) > limit:
            chunks.append(" ".join(current))
            current, length = [], 0
        if len(sentence) > limit:
            chunks.extend(window_text(sentence, limit))
            continue
        length += len(sentence) + (1 if current else 0)
        current.append(sentence)
    if current:
        chunks.append(" ".join(current))
    return chunks


def bound_paragraphs(paragraphs: Iterable[str], limit: int = MAX_PARAGRAPH_CHARS) -> list[str]:
    """Paragraphs whitespace-normalised, empty ones dropped, over-long ones cut (see the module docstring)."""
    bounded: list[str] = []
    for block in paragraphs:
        paragraph = normalise_whitespace(block)
        if not paragraph:
            continue
        if len(paragraph) > limit:
            bounded.extend(_cut_long(paragraph, limit))
        else:
            bounded.append(paragraph)
    return bounded


def split_paragraphs(text: str, limit: int = MAX_PARAGRAPH_CHARS) -> list[str]:
    """Blank-line separated paragraphs, whitespace normalised, none longer than `limit`."""
    return bound_paragraphs(_BLANK_LINES.split(text.replace("\r\n", "\n").replace("\r", "\n")), limit)
