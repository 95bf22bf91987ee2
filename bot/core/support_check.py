"""How far cited passages support a written sentence: the reader's judgement, behind a small protocol.

The reader (`index.reading`) was trained to say whether a passage answers a
question; given a written sentence in place of the question it says whether
the passage says the same thing, in any language it reads. The writer asks it
about each sentence against the passages that sentence cites and no others,
so a sentence cannot borrow support from a passage it does not name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # index.reading imports torch, which commands that never read need not load
    from index.reading import Reader


__all__ = ["SupportCheck", "ReaderSupport", "load_support_check"]


class SupportCheck(Protocol):
    def support(self, sentence: str, passages: Sequence[str]) -> float:
        """Probability in [0, 1] that the passages (together: the best of them) support the sentence."""
        ...


class ReaderSupport:
    """The reader's probability for the best of the cited passages."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def support(self, sentence: str, passages: Sequence[str]) -> float:
        if not passages:
            return 0.0
        readings = self.reader.score(sentence, list(passages))
        return max((float(r.probability) for r in readings), default=0.0)


def load_support_check() -> SupportCheck | None:
    """The shipped reader as a support check (for benches), or None when it cannot be loaded (logged by it)."""
    from index.reading import load_reader  # torch only where a reader is wanted
    reader = load_reader()
    return ReaderSupport(reader) if reader is not None else None
