"""How far cited passages support a written sentence: the reader's judgement, behind a small protocol.

The reader (`index.reading`) was trained to say whether a passage answers a
question; given a written sentence in place of the question it says whether
the passage says the same thing, in any language it reads. The writer asks it
about each sentence against the passages that sentence cites and no others,
so a sentence cannot borrow support from a passage it does not name.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

__all__ = ["SupportCheck", "ReaderSupport", "load_support_check"]

log = logging.getLogger(__name__)


class SupportCheck(Protocol):
    def support(self, sentence: str, passages: Sequence[str]) -> float:
        """Probability in [0, 1] that the passages (together: the best of them) support the sentence."""
        ...


class ReaderSupport:
    """The reader's probability for the best of the cited passages."""

    def __init__(self, reader: Any) -> None:
        """`reader` is an `index.reading.Reader` (its `score(text, passages)` gives one reading per passage)."""
        self.reader = reader

    def support(self, sentence: str, passages: Sequence[str]) -> float:
        if not passages:
            return 0.0
        readings = self.reader.score(sentence, list(passages))
        return max((float(r.probability) for r in readings), default=0.0)


def load_support_check() -> SupportCheck | None:
    """The reader as a support check, or None (written answers off) when it cannot be loaded: never unchecked text."""
    try:
        from index.reading import load_reader
    except ImportError:
        log.warning("the reader (index.reading) is not available: written answers are off, answers stay quoted")
        return None
    reader = load_reader()
    if reader is None:
        log.warning("the reader could not be loaded: written answers are off, answers stay quoted")
        return None
    return ReaderSupport(reader)
