"""Embedding many articles' paragraphs in batches of bounded size, handing each article back when it is complete.

The model is much faster on a batch than on one short text at a time, but a
batch counted in articles is unbounded in paragraphs: sixteen articles of 200
paragraphs each were embedded in one go, and nothing was stored until all of
them were. Here a batch is a number of paragraphs; an article may span
several batches, and is handed back (to be stored) as soon as its last
paragraph has been embedded, in the order the articles came in.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np

__all__ = ["ParagraphBatcher", "PARAGRAPHS_PER_BATCH"]

PARAGRAPHS_PER_BATCH = 256
"""Four of the model's own batches: large enough to keep it busy, small enough to store every few seconds."""

Item = TypeVar("Item")


@dataclass
class _Waiting(Generic[Item]):
    item: Item
    needed: int
    parts: list[np.ndarray] = field(default_factory=list)


class ParagraphBatcher(Generic[Item]):
    """Queue items with their texts; get back (item, vectors) pairs in arrival order as batches are embedded."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray], dimension: int,
                 paragraphs_per_batch: int = PARAGRAPHS_PER_BATCH) -> None:
        self._encode = encode
        self._dimension = dimension
        self._size = max(1, paragraphs_per_batch)
        self._texts: deque[str] = deque()
        self._waiting: deque[_Waiting[Item]] = deque()
        self.batches = 0
        """Batches embedded so far."""

    def add(self, item: Item, texts: Sequence[str]) -> Iterator[tuple[Item, np.ndarray]]:
        """Queue `item`; embeds every full batch now queued and yields the items they completed."""
        self._waiting.append(_Waiting(item, len(texts)))
        self._texts.extend(texts)
        while len(self._texts) >= self._size:
            yield from self._embed(self._size)
        yield from self._completed()

    def flush(self) -> Iterator[tuple[Item, np.ndarray]]:
        """Embed what is left and yield the remaining items."""
        while self._texts:
            yield from self._embed(min(self._size, len(self._texts)))
        yield from self._completed()

    def _embed(self, count: int) -> Iterator[tuple[Item, np.ndarray]]:
        texts = [self._texts.popleft() for _ in range(count)]
        vectors = self._encode(texts)
        self.batches += 1
        offset = 0
        for waiting in self._waiting:
            if offset == len(vectors):
                break
            missing = waiting.needed - sum(len(p) for p in waiting.parts)
            if missing <= 0:
                continue
            take = vectors[offset:offset + missing]
            waiting.parts.append(take)
            offset += len(take)
        yield from self._completed()

    def _completed(self) -> Iterator[tuple[Item, np.ndarray]]:
        while self._waiting and sum(len(p) for p in self._waiting[0].parts) == self._waiting[0].needed:
            done = self._waiting.popleft()
            if done.parts:
                vectors = np.concatenate(done.parts) if len(done.parts) > 1 else done.parts[0]
            else:
                vectors = np.zeros((0, self._dimension), dtype=np.float32)
            yield done.item, vectors
