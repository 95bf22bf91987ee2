"""Embedding in batches, in worker threads while ingest reads and stores: the same results in the same order,
whatever the threads' timing, with a bounded number of batches in flight."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from index.embedding_batches import ParagraphBatcher
from tests.conftest import write_articles


class Encoder:
    """Vectors that name their text; records how far embedding ran ahead of what was handed back."""

    def __init__(self, jitter: float = 0.0) -> None:
        self.encoded = 0
        self.calls = 0
        self.jitter = random.Random(7) if jitter else None
        self.limit = jitter
        self.lock = threading.Lock()

    def __call__(self, texts: list[str]) -> np.ndarray:
        if self.jitter is not None:
            time.sleep(self.jitter.random() * self.limit)  # scramble the threads' timing, not measured
        with self.lock:
            self.encoded += len(texts)
            self.calls += 1
        return np.array([[float(t.split(":")[0]), float(t.split(":")[1])] for t in texts], dtype=np.float32)


def _articles(count: int) -> list[tuple[int, list[str]]]:
    rng = random.Random(3)
    return [(n, [f"{n}:{i}" for i in range(rng.choice((0, 1, 3, 7, 12, 40)))]) for n in range(count)]


def _run(workers: int, encoder: Encoder, articles: list[tuple[int, list[str]]]) -> list[tuple[int, np.ndarray]]:
    out: list[tuple[int, np.ndarray]] = []
    handed = 0
    with ParagraphBatcher(encoder, 2, paragraphs_per_batch=16, workers=workers) as batcher:
        for item, texts in articles:
            for done, vectors in batcher.add(item, texts):
                out.append((done, vectors))
                handed += len(vectors)
                # the batches in flight, the one that completed these articles, and the article being queued
                assert encoder.encoded - handed <= (workers + 1) * 16 + 40, "too many batches embedded ahead"
        out.extend(batcher.flush())
    return out


@pytest.mark.parametrize(("workers", "jitter"), [(1, 0.0), (2, 0.0), (2, 0.002), (3, 0.002)])
def test_background_embedding_hands_back_the_same_vectors_in_order(workers: int, jitter: float) -> None:
    articles = _articles(120)
    sequential = _run(0, Encoder(), articles)
    background = _run(workers, Encoder(jitter), articles)
    assert [item for item, _ in background] == [item for item, _ in sequential] == [n for n, _ in articles]
    for (item, vectors), (_, expected) in zip(background, sequential, strict=True):
        texts = dict(articles)[item]
        assert vectors.shape == (len(texts), 2) and np.array_equal(vectors, expected)
        assert all(vectors[i, 0] == item and vectors[i, 1] == i for i in range(len(texts)))


def test_an_encoder_error_reaches_the_caller_and_the_worker_ends() -> None:
    def failing(texts: list[str]) -> np.ndarray:
        raise RuntimeError("model gone")

    batcher: ParagraphBatcher[int] = ParagraphBatcher(failing, 2, paragraphs_per_batch=4, workers=2)
    with pytest.raises(RuntimeError, match="model gone"), batcher:
        for n in range(10):
            list(batcher.add(n, ["0:0"] * 3))
        list(batcher.flush())
    assert not any(t.name.startswith("embedding") and t.is_alive() for t in threading.enumerate())


@pytest.mark.slow
def test_ingest_stores_the_same_with_and_without_the_worker(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    from bot.core.services import open_services
    from config.settings import load_settings

    corpus = write_articles(tmp_path / "corpus")
    stored = []
    for in_background in (False, True):
        with open_services(load_settings(data_dir=tmp_path / f"data-{in_background}"), embedder=embedder) as services:
            services.ingestor.embed_in_background = in_background
            results = services.ingestor.ingest_paths([corpus])
            ids = services.store.embeddings.paragraph_ids()
            stored.append(([(r.source, r.status, r.paragraphs) for r in results],
                           services.store.embeddings.vectors_for(ids, 512)))
    assert stored[0][0] == stored[1][0]
    assert np.allclose(stored[0][1], stored[1][1], atol=1e-6)


def test_the_bundled_encoder_embeds_batches_side_by_side_on_one_thread_each(embedder) -> None:  # type: ignore[no-untyped-def]
    from threadpoolctl import threadpool_info

    def blas_threads() -> set[int]:
        return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}

    configured = blas_threads()
    texts = ["Ganja was shelled on Sunday.", "Lachin corridor reopened.", "Talks in Moscow.", "A truce.", "Mines."]
    with embedder.batch_workers() as workers:
        assert workers == embedder.threads
        if workers > 1:
            assert blas_threads() == {1}
        vectors = embedder.encode_passages(texts)
    assert blas_threads() == configured
    assert np.allclose(vectors, embedder.encode_passages(texts), atol=1e-5)
