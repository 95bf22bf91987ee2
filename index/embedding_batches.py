"""Embedding many articles' paragraphs in batches of bounded size, handing each article back when it is complete.

The model is much faster on a batch than on one short text at a time, but a
batch counted in articles is unbounded in paragraphs: sixteen articles of 200
paragraphs each were embedded in one go, and nothing was stored until all of
them were. Here a batch is a number of paragraphs; an article may span
several batches, and is handed back (to be stored) as soon as its last
paragraph has been embedded, in the order the articles came in.

With `workers`, full batches are embedded in that many worker threads while
the caller goes on reading, parsing and storing (the encoder's numpy work
releases the GIL). When the next batch is full it is handed to a worker
first; once `workers` batches are in flight, the oldest is waited for and the
articles it completes are handed back to be stored while the others embed.
Articles always come back in the order they came in, so at most `workers`
+ 1 batches are embedded but not yet stored.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
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
    """Queue items with their texts; get back (item, vectors) pairs in arrival order as batches are embedded.

    Use it as a context manager when `workers` is set, so the worker threads end with the batcher.
    """

    def __init__(self, encode: Callable[[list[str]], np.ndarray], dimension: int,
                 paragraphs_per_batch: int = PARAGRAPHS_PER_BATCH, *, workers: int = 0) -> None:
        self._encode = encode
        self._dimension = dimension
        self._size = max(1, paragraphs_per_batch)
        self._texts: deque[str] = deque()
        self._waiting: deque[_Waiting[Item]] = deque()
        self._workers = workers
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="embedding") if workers > 0 else None
        self._in_flight: deque[Future[np.ndarray]] = deque()
        self.batches = 0
        """Batches embedded so far."""

    def __enter__(self) -> ParagraphBatcher[Item]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

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
        while self._in_flight:
            self._hand_out(self._in_flight.popleft().result())
            yield from self._completed()
        yield from self._completed()

    def _embed(self, count: int) -> Iterator[tuple[Item, np.ndarray]]:
        texts = [self._texts.popleft() for _ in range(count)]
        if self._pool is None:
            self._hand_out(self._encode(texts))
            yield from self._completed()
            return
        oldest = self._in_flight.popleft().result() if len(self._in_flight) >= self._workers else None
        self._in_flight.append(self._pool.submit(self._encode, texts))
        if oldest is not None:  # its articles are stored while the batches in flight embed
            self._hand_out(oldest)
        yield from self._completed()

    def _hand_out(self, vectors: np.ndarray) -> None:
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

    def _completed(self) -> Iterator[tuple[Item, np.ndarray]]:
        while self._waiting and sum(len(p) for p in self._waiting[0].parts) == self._waiting[0].needed:
            done = self._waiting.popleft()
            if done.parts:
                vectors = np.concatenate(done.parts) if len(done.parts) > 1 else done.parts[0]
            else:
                vectors = np.zeros((0, self._dimension), dtype=np.float32)
            yield done.item, vectors
