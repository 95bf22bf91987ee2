"""The reader network: e5 read across a question and a passage, with one head for the passage and one per token.

Input is the pair the way XLM-R reads two texts, `<s> query: Q </s></s> passage:
P </s>`, so every layer attends across question and passage (a cross-encoder:
it reads the passage against the question instead of comparing two vectors).

- The passage head scores the mean of the last layer's token states: e5 was
  trained with mean pooling, so this head starts from a representation the
  model already uses, where a first-token head starts from nothing.
- The token head scores each passage token; a sentence's score is the mean over
  its tokens, and the best-scoring sentence is the answering one. One forward
  pass gives both the passage's probability and its answering sentence.

Training (bench/train_reader.py) changes the top `trained_from` layers and the
heads only; `TrainedWeights` stores exactly those, int8 with a scale per row
for matrices and fp16 for the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from index.reading.encoder import E5Encoder

__all__ = ["ReaderModel", "PairBatch", "PairLimits", "build_pairs", "sentence_logits"]


@dataclass(frozen=True)
class PairLimits:
    """How much of each text the reader reads: cost grows with the tokens of every pair."""

    question_tokens: int = 48
    pair_tokens: int = 160
    """Question, passage and the four markers together; a passage's tail past this is not read."""


@dataclass(frozen=True)
class PairBatch:
    ids: torch.Tensor
    """(pairs, length) token ids, padded."""
    mask: torch.Tensor
    """(pairs, length) 1 for tokens, 0 for padding."""
    sentences: tuple[tuple[tuple[int, int], ...], ...]
    """For each pair, the [start, end) token span of each of its passage's sentences that was read."""


def build_pairs(question_ids: Sequence[int], passages: Sequence[Sequence[Sequence[int]]], *, bos: int, eos: int,
                pad: int, prefix_ids: tuple[Sequence[int], Sequence[int]], limits: PairLimits) -> PairBatch:
    """Pairs of one question with each passage, given as the token ids of its sentences.

    `prefix_ids` are the ids of "query:" and "passage:", which e5 expects in
    front of each text. A sentence cut by the length limit keeps the tokens
    that fit; the sentences after it are not read.
    """
    query_prefix, passage_prefix = prefix_ids
    head = [bos, *query_prefix, *question_ids][: limits.question_tokens] + [eos, eos, *passage_prefix]
    rows: list[list[int]] = []
    spans: list[tuple[tuple[int, int], ...]] = []
    room = limits.pair_tokens - 1
    for sentences in passages:
        row = list(head)
        sentence_spans: list[tuple[int, int]] = []
        for sentence in sentences:
            if len(row) >= room:
                break
            start = len(row)
            row.extend(sentence[: room - start])
            if len(row) > start:
                sentence_spans.append((start, len(row)))
        row.append(eos)
        rows.append(row)
        spans.append(tuple(sentence_spans))
    length = max(len(r) for r in rows)
    ids = torch.full((len(rows), length), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), length), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row)
        mask[i, : len(row)] = 1
    return PairBatch(ids, mask, tuple(spans))


class ReaderModel(nn.Module):
    def __init__(self, encoder: E5Encoder, trained_from: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.trained_from = trained_from
        hidden = encoder.shape.hidden
        self.passage_head = nn.Linear(hidden, 1)
        self.token_head = nn.Linear(hidden, 1)
        nn.init.zeros_(self.passage_head.bias)
        nn.init.normal_(self.passage_head.weight, std=0.02)
        nn.init.zeros_(self.token_head.bias)
        nn.init.normal_(self.token_head.weight, std=0.02)

    def trained_parameters(self) -> dict[str, nn.Parameter]:
        """The parameters training changes (and the weights file stores), by name."""
        names = [f"encoder.layers.{i}." for i in range(self.trained_from, len(self.encoder.layers))]
        names += ["passage_head.", "token_head."]
        if self.trained_from == 0:
            names.append("encoder.embedding_norm.")
        return {n: p for n, p in self.named_parameters() if any(n.startswith(prefix) for prefix in names)}

    def heads(self, hidden: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Passage logits (pairs,) and token logits (pairs, length) from the last layer's states."""
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        return self.passage_head(pooled).squeeze(-1), self.token_head(hidden).squeeze(-1)

    def frozen_states(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The output of the layers training leaves alone: computed once per pair and kept while training."""
        return self.encoder.run_layers(self.encoder.embed(ids), self.encoder.attention_mask(mask), 0,
                                       self.trained_from)

    def from_frozen(self, states: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.encoder.run_layers(states, self.encoder.attention_mask(mask), self.trained_from)
        return self.heads(hidden, mask)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.heads(self.encoder(ids, mask), mask)


def sentence_logits(token_logits: torch.Tensor, spans: Sequence[tuple[int, int]]) -> torch.Tensor:
    """A sentence's logit is the mean of its tokens' logits."""
    return torch.stack([token_logits[start:end].mean() for start, end in spans]) if spans else token_logits[:0]
