"""Which passages are about a topic or question, by the reader: for perspectives, timelines and follow alerts.

These features used to keep a passage when its search score cleared a floor
(a share of the best score, and an absolute minimum). A search score says how
close a passage is, not whether it is about the thing asked; the reader reads
the passage against the text and gives a probability. Each feature keeps its
own floor, chosen on half a of the development set (README, "Measured"), and
reads only its first `at_most` passages, so the cost stays bounded. Where the
reader cannot be loaded, the features fall back to their score floors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from index.models import Hit

if TYPE_CHECKING:  # index.reading imports torch, which commands that never read need not load
    from index.reading import PassageReading, Reader

__all__ = ["ReaderFilter"]


@dataclass(frozen=True)
class ReaderFilter:
    reader: Reader
    floor: float
    """A passage is kept when the reader gives it at least this probability."""
    at_most: int = 30
    """Passages read (the first ones of the order given); the rest are dropped unread."""

    def keep(self, text: str, hits: Sequence[Hit]) -> dict[int, PassageReading]:
        """Of the first `at_most` hits, those about `text`: passage id → the reader's reading."""
        read = list(hits[: self.at_most])
        readings = self.reader.score(text, [h.passage.text for h in read])
        return {h.passage.id: r for h, r in zip(read, readings, strict=True) if r.probability >= self.floor}
