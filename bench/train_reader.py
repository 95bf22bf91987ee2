"""Train the reader on the training set, choose on development half a, confirm on half b.

    python bench/train_reader.py [--variant cross|biencoder|frozen] [--trained-from 6] [--epochs 3]
                                 [--fraction 1.0] [--seed 13] [--threads 2] [--write] [--json]

Data (bench/reader_data.py): every training question with its gold paragraphs
(and evidence sentence) and newsbot's own search results around them as
negatives; the development set's questions with the passages search gives the
product (its first 20), to score on.

Variants:
- `cross`: the reader as shipped (`index.reading.model`): question and passage
  read together, the layers from `--trained-from` up trained (0 = all), a
  mean-pooled passage head and a token head for the answering sentence. The
  frozen layers' output is computed once and kept, so an epoch costs only the
  trained layers.
- `biencoder`: e5 itself fine-tuned contrastively on question → evidence
  sentence (the top layers), scoring a passage by its best sentence's cosine,
  with a logistic answerability head on that score.
- `frozen`: no fine-tuning; a logistic regression on the frozen cross-encoded
  pair (mean of e5's last layer) plus the search score.

Printed per development half: search's own R@5, the reader's R@5 over the same
20 passages (reranked by reader logit + w × search score, w chosen on half a),
AUROC of the best passage's probability for answerable against unanswerable
questions, and balanced abstention at the threshold chosen on half a.
`--write` stores the `cross` weights and the chosen threshold in index/reading/.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.nn import functional
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.reader_data import CACHE, DEVSET, TRAINSET, Group, groups  # noqa: E402
from index.input.chunking import split_sentences  # noqa: E402
from index.reading.encoder import E5Encoder  # noqa: E402
from index.reading.model import PairLimits, ReaderModel, build_pairs, sentence_logits  # noqa: E402
from index.reading.reader import open_base_model  # noqa: E402
from index.reading.tokenizer import E5Tokenizer  # noqa: E402
from index.reading.weights import ReaderManifest, save_weights, shipped_folder  # noqa: E402

log = logging.getLogger("train_reader")

PRODUCTION_CANDIDATES = 20
HARD_NEGATIVES = 10
"""Search's first non-gold passages kept per question (plus two of the gold article's day)."""
GOLD_PER_STEP = 3
NEGATIVES_PER_STEP = 5
"""Of a question's kept pairs, each epoch trains on at most this many gold and this many other passages, drawn
afresh: an epoch costs half of all pairs, and over the epochs every kept negative is seen."""
SEARCH_WEIGHTS = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0)


@dataclass
class Pair:
    group: int
    candidate: int
    ids: torch.Tensor
    spans: tuple[tuple[int, int], ...]
    label: float
    evidence: int
    states: torch.Tensor | None = None


class Encoding:
    """Tokenization of questions and passages into pairs, shared by training and scoring."""

    def __init__(self, tokenizer: E5Tokenizer, limits: PairLimits) -> None:
        self.tokenizer = tokenizer
        self.limits = limits
        self.prefixes = (tokenizer.encode("query:"), tokenizer.encode("passage:"))
        self._sentences: dict[str, list[list[int]]] = {}

    def sentences(self, text: str) -> list[list[int]]:
        if text not in self._sentences:
            self._sentences[text] = self.tokenizer.encode_many(split_sentences(text) or [text])
        return self._sentences[text]

    def pair(self, question: str, passage: str) -> tuple[torch.Tensor, tuple[tuple[int, int], ...]]:
        batch = build_pairs(self.tokenizer.encode(question), [self.sentences(passage)], bos=self.tokenizer.bos,
                            eos=self.tokenizer.eos, pad=self.tokenizer.pad, prefix_ids=self.prefixes,
                            limits=self.limits)
        return batch.ids[0], batch.sentences[0]


def pad(rows: Sequence[torch.Tensor], value: float = 0) -> tuple[torch.Tensor, torch.Tensor]:
    length = max(r.shape[0] for r in rows)
    shape = (len(rows), length, *rows[0].shape[1:])
    out = torch.full(shape, value, dtype=rows[0].dtype)
    mask = torch.zeros((len(rows), length), dtype=torch.long)
    for i, row in enumerate(rows):
        out[i, : row.shape[0]] = row
        mask[i, : row.shape[0]] = 1
    return out, mask


def training_pairs(train: list[Group], encoding: Encoding) -> list[Pair]:
    pairs: list[Pair] = []
    for g, group in enumerate(tqdm(train, desc="tokenize", unit="question")):
        negatives = sorted((c for c in group.candidates if not c.gold and c.rank >= 0), key=lambda c: c.rank)
        chosen = [c for c in group.candidates if c.gold] + negatives[:HARD_NEGATIVES]
        chosen += [c for c in group.candidates if not c.gold and c.rank < 0]
        for candidate in chosen:
            ids, spans = encoding.pair(group.question, candidate.text)
            index = group.candidates.index(candidate)
            evidence = candidate.evidence if candidate.evidence < len(spans) else -1
            pairs.append(Pair(g, index, ids, spans, float(candidate.gold), evidence))
    return pairs


def cache_frozen(model: ReaderModel, pairs: list[Pair], batch: int = 32) -> None:
    """Run the frozen bottom once per pair and keep its output (float16)."""
    order = sorted(range(len(pairs)), key=lambda i: pairs[i].ids.shape[0])
    with torch.inference_mode():
        for start in tqdm(range(0, len(order), batch), desc="frozen layers", unit="batch"):
            chunk = [pairs[i] for i in order[start : start + batch]]
            ids, mask = pad([p.ids for p in chunk], 1)
            states = model.frozen_states(ids, mask)
            for row, pair in enumerate(chunk):
                pair.states = states[row, : pair.ids.shape[0]].to(torch.float16).clone()


def sample_pairs(pairs: list[Pair], rng: random.Random) -> list[Pair]:
    gold = [p for p in pairs if p.label]
    other = [p for p in pairs if not p.label]
    return rng.sample(gold, min(GOLD_PER_STEP, len(gold))) + rng.sample(other, min(NEGATIVES_PER_STEP, len(other)))


def step_loss(model: ReaderModel, step: list[Pair], pos_weight: float) -> torch.Tensor:
    order = sorted(range(len(step)), key=lambda i: step[i].ids.shape[0])
    passage = torch.zeros(len(step))
    sentence_terms: list[torch.Tensor] = []
    logits_by_row: list[torch.Tensor | None] = [None] * len(step)
    for start in range(0, len(order), 16):
        rows = order[start : start + 16]
        assert all(step[i].states is not None for i in rows)
        states, mask = pad([step[i].states.float() for i in rows])  # type: ignore[union-attr]
        passage_logits, token_logits = model.from_frozen(states, mask)
        for j, i in enumerate(rows):
            logits_by_row[i] = passage_logits[j]
            pair = step[i]
            if pair.label and pair.evidence >= 0 and len(pair.spans) > 1:
                scores = sentence_logits(token_logits[j], pair.spans)
                sentence_terms.append(functional.cross_entropy(scores[None], torch.tensor([pair.evidence])))
    passage = torch.stack([t for t in logits_by_row if t is not None])
    labels = torch.tensor([p.label for p in step])
    loss = functional.binary_cross_entropy_with_logits(passage, labels, pos_weight=torch.tensor(pos_weight))
    # Listwise, with "no passage answers" as one more option at logit 0: the gold passages should win over the
    # question's other passages, and for a question nothing answers, "none" should win over all of them.
    listwise: list[torch.Tensor] = []
    none = torch.zeros(1)
    for g in {p.group for p in step}:
        rows = [i for i, p in enumerate(step) if p.group == g]
        gold = [k for k, i in enumerate(rows) if step[i].label]
        scores = passage[rows]
        everything = torch.logsumexp(torch.cat([scores, none]), 0)
        listwise.append(everything - (torch.logsumexp(scores[gold], 0) if gold else none[0]))
        others = [k for k in range(len(rows)) if k not in gold]
        if gold and others:
            # The same question with its answer taken away is a near miss: its other passages share its names
            # and dates, and "none" should win over them too.
            listwise.append(torch.logsumexp(torch.cat([scores[others], none]), 0) - none[0])
    if listwise:
        loss = loss + 0.5 * torch.stack(listwise).mean()
    if sentence_terms:
        loss = loss + 0.5 * torch.stack(sentence_terms).mean()
    return loss


@dataclass
class Scored:
    """One development question: its production candidates with search scores and reader logits."""

    group: Group
    search: np.ndarray
    gold: np.ndarray
    logits: np.ndarray
    sentences: list[str]


def production_candidates(group: Group) -> list[Any]:
    return sorted((c for c in group.candidates if 0 <= c.rank < PRODUCTION_CANDIDATES), key=lambda c: c.rank)


@dataclass
class DevPairs:
    """The development questions' production candidates as pairs, with the frozen layers' output kept."""

    groups: list[Group]
    candidates: list[list[Any]]
    pairs: list[Pair]
    rows: list[range]
    """For each question, the rows of `pairs` that are its candidates."""


def dev_pairs(model: ReaderModel, encoding: Encoding, dev: list[Group]) -> DevPairs:
    candidates = [production_candidates(g) for g in dev]
    pairs: list[Pair] = []
    rows: list[range] = []
    for g, (group, chosen) in enumerate(zip(dev, candidates, strict=True)):
        start = len(pairs)
        for c, candidate in enumerate(chosen):
            ids, spans = encoding.pair(group.question, candidate.text)
            pairs.append(Pair(g, c, ids, spans, float(candidate.gold), -1))
        rows.append(range(start, len(pairs)))
    if model.trained_from > 0:
        cache_frozen(model, pairs)
    return DevPairs(dev, candidates, pairs, rows)


def score_cross(model: ReaderModel, encoding: Encoding, dev: DevPairs, batch: int = 32) -> list[Scored]:
    model.eval()
    passage = np.zeros(len(dev.pairs))
    best_sentence = np.zeros(len(dev.pairs), dtype=int)
    order = sorted(range(len(dev.pairs)), key=lambda i: dev.pairs[i].ids.shape[0])
    with torch.inference_mode():
        for start in tqdm(range(0, len(order), batch), desc="score devset", unit="batch", leave=False):
            chunk = [dev.pairs[i] for i in order[start : start + batch]]
            if model.trained_from > 0:
                states, mask = pad([p.states.float() for p in chunk])  # type: ignore[union-attr]
                passage_logits, token_logits = model.from_frozen(states, mask)
            else:
                ids, mask = pad([p.ids for p in chunk], encoding.tokenizer.pad)
                passage_logits, token_logits = model(ids, mask)
            for row, i in enumerate(order[start : start + batch]):
                passage[i] = float(passage_logits[row])
                spans = dev.pairs[i].spans
                best_sentence[i] = int(torch.argmax(sentence_logits(token_logits[row], spans))) if spans else 0
    model.train()
    out: list[Scored] = []
    for group, chosen, rows in zip(dev.groups, dev.candidates, dev.rows, strict=True):
        sentences = [(split_sentences(c.text) or [c.text])[best_sentence[r]] for c, r in zip(chosen, rows,
                                                                                              strict=True)]
        out.append(Scored(group, np.array([c.score for c in chosen]), np.array([c.gold for c in chosen], dtype=bool),
                          passage[list(rows)], sentences))
    return out


def auroc(positive: Sequence[float], negative: Sequence[float]) -> float:
    if not positive or not negative:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in positive for n in negative)
    return wins / (len(positive) * len(negative))


def shown_order(s: Scored, weight: float) -> list[int]:
    """The order an answer shows passages in (`ReaderDecider`): reader logit + weight × search score."""
    return [int(i) for i in np.argsort(-(s.logits + weight * s.search), kind="stable")]


def evaluate(scored: list[Scored], search_weight: float | None = None, threshold: float | None = None
             ) -> dict[str, Any]:
    """Figures per half; the search weight and threshold are chosen on half a when not given."""
    halves = {h: [s for s in scored if s.group.id.startswith(h)] for h in "ab"}

    def recall(items: list[Scored], weight: float, depth: int = 5) -> float:
        answerable = [s for s in items if s.group.answerable]
        found = 0
        for s in answerable:
            if not len(s.logits):
                continue
            found += bool(s.gold[shown_order(s, weight)[:depth]].any())
        return found / max(len(answerable), 1)

    def best_probability(s: Scored) -> float:
        return float(1 / (1 + np.exp(-s.logits.max()))) if len(s.logits) else 0.0

    def balanced(items: list[Scored], cut: float) -> float:
        yes = [best_probability(s) >= cut for s in items if s.group.answerable]
        no = [best_probability(s) < cut for s in items if not s.group.answerable]
        return 0.5 * (sum(yes) / max(len(yes), 1) + sum(no) / max(len(no), 1))

    if search_weight is None:
        search_weight = max(SEARCH_WEIGHTS, key=lambda w: (round(recall(halves["a"], w), 4), -w))
    if threshold is None:
        cuts = [round(c, 2) for c in np.arange(0.05, 0.96, 0.05)]  # a coarse grid: 14 unanswerable questions
        threshold = max(cuts, key=lambda c: (round(balanced(halves["a"], c), 4), -abs(c - 0.5)))
    result: dict[str, Any] = {"search_weight": search_weight, "threshold": threshold}
    for half, items in halves.items():
        answerable = [s for s in items if s.group.answerable]
        result[half] = {
            "search_R@5": round(sum(bool(s.gold[:5].any()) for s in answerable) / max(len(answerable), 1), 3),
            "reader_R@5": round(recall(items, 0.0), 3),
            "combined_R@5": round(recall(items, search_weight), 3),
            "combined_R@1": round(recall(items, search_weight, 1), 3),
            "auroc": round(auroc([best_probability(s) for s in answerable],
                                 [best_probability(s) for s in items if not s.group.answerable]), 3),
            "balanced": round(balanced(items, threshold), 3),
        }
    return result


def train_cross(args: argparse.Namespace, train: list[Group], dev: list[Group]) -> dict[str, Any]:
    base, base_sha256 = open_base_model()
    tokenizer = E5Tokenizer(base)
    limits = PairLimits()
    encoding = Encoding(tokenizer, limits)
    model = ReaderModel(E5Encoder(base), args.trained_from)
    for parameter in model.parameters():
        parameter.requires_grad = False
    trained = model.trained_parameters()
    for parameter in trained.values():
        parameter.requires_grad = True
    started = time.monotonic()
    pairs = training_pairs(train, encoding)
    if args.trained_from > 0:
        cache_frozen(model, pairs)
    development = dev_pairs(model, encoding, dev)
    frozen_seconds = time.monotonic() - started
    positives = sum(p.label for p in pairs)
    pos_weight = (len(pairs) - positives) / max(positives, 1) / 2
    heads = [p for n, p in trained.items() if "head" in n]
    layers = [p for n, p in trained.items() if "head" not in n]
    optimiser = torch.optim.AdamW([{"params": layers, "lr": args.lr}, {"params": heads, "lr": args.head_lr}],
                                  weight_decay=0.01)
    by_group: dict[int, list[Pair]] = {}
    for pair in pairs:
        by_group.setdefault(pair.group, []).append(pair)
    group_ids = list(by_group)
    steps_per_epoch = math.ceil(len(group_ids) / args.groups_per_step)
    total = steps_per_epoch * args.epochs
    warmup = max(1, total // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(total - warmup, 1))))
    rng = random.Random(args.seed)
    history: list[dict[str, Any]] = []
    run_step: Callable[[list[Pair]], torch.Tensor]
    if args.trained_from > 0:
        def run_step(step: list[Pair]) -> torch.Tensor:
            return step_loss(model, step, pos_weight)
    else:
        def run_step(step: list[Pair]) -> torch.Tensor:
            for pair in step:
                pair.states = None
            return full_step_loss(model, step, pos_weight, tokenizer.pad)
    model.train()
    for epoch in range(args.epochs):
        rng.shuffle(group_ids)
        losses: list[float] = []
        progress = tqdm(range(steps_per_epoch), desc=f"epoch {epoch + 1}/{args.epochs}", unit="step")
        for step_index in progress:
            chosen = group_ids[step_index * args.groups_per_step : (step_index + 1) * args.groups_per_step]
            step = [p for g in chosen for p in sample_pairs(by_group[g], rng)]
            loss = run_step(step)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(list(trained.values()), 1.0)
            optimiser.step()
            schedule.step()
            losses.append(float(loss.detach()))
            progress.set_postfix(loss=f"{np.mean(losses[-50:]):.3f}")
        figures = evaluate(score_cross(model, encoding, development))
        figures.update(epoch=epoch + 1, loss=round(float(np.mean(losses)), 4),
                       seconds=round(time.monotonic() - started))
        history.append(figures)
        log.info("epoch %d: %s", epoch + 1, json.dumps(figures))
    result = {"variant": "cross", "trained_from": args.trained_from, "pairs": len(pairs),
              "questions": len(train), "frozen_seconds": round(frozen_seconds), "history": history,
              "seconds": round(time.monotonic() - started)}
    if args.write:
        final = history[-1]
        manifest = ReaderManifest(
            trained_from=args.trained_from, weights_sha256="", base_sha256=base_sha256,
            threshold=float(final["threshold"]), search_weight=float(final["search_weight"]),
            question_tokens=limits.question_tokens, pair_tokens=limits.pair_tokens,
            candidates=PRODUCTION_CANDIDATES,
            training={k: v for k, v in result.items() if k != "history"} | {
                "seed": args.seed, "epochs": args.epochs, "lr": args.lr, "head_lr": args.head_lr,
                "fraction": args.fraction, "threads": args.threads, "devset": final},
        )
        written = save_weights(args.out, {n: p.detach() for n, p in trained.items()}, manifest)
        result["written"] = str(args.out / "reader.safetensors")
        result["weights_sha256"] = written.weights_sha256
    return result


def full_step_loss(model: ReaderModel, step: list[Pair], pos_weight: float, pad_id: int) -> torch.Tensor:
    """`step_loss` for a model trained from its first layer: the states are the embeddings, recomputed."""
    order = sorted(range(len(step)), key=lambda i: step[i].ids.shape[0])
    for start in range(0, len(order), 16):
        rows = [step[i] for i in order[start : start + 16]]
        ids, mask = pad([p.ids for p in rows], pad_id)
        embedded = model.encoder.embed(ids)
        for j, pair in enumerate(rows):
            pair.states = embedded[j, : pair.ids.shape[0]]
    return step_loss(model, step, pos_weight)


def train_frozen(args: argparse.Namespace, train: list[Group], dev: list[Group]) -> dict[str, Any]:
    """Logistic regression on the untrained cross-encoding of each pair (mean of the last layer) and search score."""
    from bench.fit_answerability import fit_logistic

    base, _ = open_base_model()
    encoding = Encoding(E5Tokenizer(base), PairLimits())
    encoder = E5Encoder(base).eval()
    started = time.monotonic()

    def features(pairs: list[tuple[torch.Tensor, float]]) -> np.ndarray:
        rows = []
        with torch.inference_mode():
            for start in range(0, len(pairs), 32):
                chunk = pairs[start : start + 32]
                ids, mask = pad([p[0] for p in chunk], encoding.tokenizer.pad)
                hidden = encoder(ids, mask)
                weights = mask.unsqueeze(-1).float()
                pooled = ((hidden * weights).sum(1) / weights.sum(1)).numpy()
                rows.append(np.hstack([pooled, np.array([[p[1]] for p in chunk])]))
        return np.vstack(rows)

    x_rows, y = [], []
    for group in tqdm(train, desc="frozen features", unit="question"):
        negatives = sorted((c for c in group.candidates if not c.gold and c.rank >= 0), key=lambda c: c.rank)
        for candidate in [c for c in group.candidates if c.gold] + negatives[:HARD_NEGATIVES]:
            x_rows.append((encoding.pair(group.question, candidate.text)[0], candidate.score))
            y.append(float(candidate.gold))
    x = features(x_rows)
    mean, scale, weights, bias = fit_logistic(x, np.array(y))
    scored = []
    for group in tqdm(dev, desc="score devset", unit="question", leave=False):
        candidates = production_candidates(group)
        if not candidates:
            scored.append(Scored(group, np.zeros(0), np.zeros(0, bool), np.zeros(0), []))
            continue
        f = features([(encoding.pair(group.question, c.text)[0], c.score) for c in candidates])
        logits = ((f - mean) / scale) @ weights + bias
        scored.append(Scored(group, np.array([c.score for c in candidates]), np.array([c.gold for c in candidates]),
                             logits, []))
    return {"variant": "frozen", "questions": len(train), "seconds": round(time.monotonic() - started),
            "history": [evaluate(scored)]}


def train_biencoder(args: argparse.Namespace, train: list[Group], dev: list[Group]) -> dict[str, Any]:
    """e5 fine-tuned on question → evidence sentence; a passage scores its best sentence's cosine."""
    from bench.fit_answerability import fit_logistic

    base, _ = open_base_model()
    tokenizer = E5Tokenizer(base)
    encoder = E5Encoder(base)
    for parameter in encoder.parameters():
        parameter.requires_grad = False
    trained = [p for layer in encoder.layers[args.trained_from:] for p in layer.parameters()]
    for parameter in trained:
        parameter.requires_grad = True
    query_prefix, passage_prefix = tokenizer.encode("query:"), tokenizer.encode("passage:")

    def ids_of(text: str, prefix: list[int], limit: int) -> torch.Tensor:
        return torch.tensor([tokenizer.bos, *(prefix + tokenizer.encode(text))[: limit - 2], tokenizer.eos])

    def embed(rows: list[torch.Tensor]) -> torch.Tensor:
        ids, mask = pad(rows, tokenizer.pad)
        hidden = encoder(ids, mask)
        weights = mask.unsqueeze(-1).float()
        return functional.normalize((hidden * weights).sum(1) / weights.sum(1), dim=-1)

    examples = []
    for group in train:
        for candidate in group.candidates:
            if candidate.gold and candidate.evidence >= 0:
                sentences = split_sentences(candidate.text) or [candidate.text]
                hard = [c for c in group.candidates if not c.gold and c.rank >= 0][:1]
                hard_sentence = (split_sentences(hard[0].text) or [hard[0].text])[0] if hard else None
                examples.append((group.question, sentences[candidate.evidence], hard_sentence))
                break
    optimiser = torch.optim.AdamW(trained, lr=args.lr)
    rng = random.Random(args.seed)
    started = time.monotonic()
    encoder.train()
    for epoch in range(args.epochs):
        rng.shuffle(examples)
        progress = tqdm(range(0, len(examples), 32), desc=f"epoch {epoch + 1}/{args.epochs}", unit="step")
        for start in progress:
            chunk = examples[start : start + 32]
            queries = embed([ids_of(q, query_prefix, 64) for q, _, _ in chunk])
            documents = [ids_of(s, passage_prefix, 96) for _, s, _ in chunk]
            documents += [ids_of(h, passage_prefix, 96) for _, _, h in chunk if h]
            similarity = queries @ embed(documents).T / 0.05
            loss = functional.cross_entropy(similarity, torch.arange(len(chunk)))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            progress.set_postfix(loss=f"{float(loss):.3f}")
    encoder.eval()

    def best_sentence_scores(question: str, candidates: list[Any]) -> np.ndarray:
        with torch.inference_mode():
            query = embed([ids_of(question, query_prefix, 64)])[0]
            scores = []
            for candidate in candidates:
                sentences = split_sentences(candidate.text) or [candidate.text]
                scores.append(float((embed([ids_of(s, passage_prefix, 96) for s in sentences]) @ query).max()))
        return np.array(scores)

    calibration_x, calibration_y = [], []
    for group in rng.sample(train, min(400, len(train))):
        candidates = production_candidates(group)
        if candidates:
            calibration_x.append([best_sentence_scores(group.question, candidates).max()])
            calibration_y.append(float(group.answerable))
    mean, scale, weights, bias = fit_logistic(np.array(calibration_x), np.array(calibration_y))
    scored = []
    for group in tqdm(dev, desc="score devset", unit="question", leave=False):
        candidates = production_candidates(group)
        if not candidates:
            scored.append(Scored(group, np.zeros(0), np.zeros(0, bool), np.zeros(0), []))
            continue
        cosines = best_sentence_scores(group.question, candidates)
        logits = ((cosines[:, None] - mean) / scale) @ weights + bias
        scored.append(Scored(group, np.array([c.score for c in candidates]), np.array([c.gold for c in candidates]),
                             logits, []))
    return {"variant": "biencoder", "trained_from": args.trained_from, "questions": len(train),
            "seconds": round(time.monotonic() - started), "history": [evaluate(scored)]}


def rescore(args: argparse.Namespace, dev: list[Group]) -> dict[str, Any]:
    """Score stored weights on the development set again and choose the search weight and threshold on half a
    anew (the weights and their checksum stay as they are): for a new rule, without retraining."""
    from dataclasses import asdict

    from index.reading.weights import MANIFEST_FILE, load_weights

    base, base_sha256 = open_base_model()
    manifest, tensors = load_weights(args.out, base_sha256)
    limits = PairLimits(manifest.question_tokens, manifest.pair_tokens)
    encoding = Encoding(E5Tokenizer(base), limits)
    model = ReaderModel(E5Encoder(base), manifest.trained_from)
    model.load_state_dict(tensors, strict=False)
    figures = evaluate(score_cross(model, encoding, dev_pairs(model, encoding, dev)))
    if args.write:
        chosen = ReaderManifest(**{**asdict(manifest), "threshold": float(figures["threshold"]),
                                   "search_weight": float(figures["search_weight"]),
                                   "training": {**manifest.training, "devset": figures}})
        (args.out / MANIFEST_FILE).write_text(chosen.to_json(), encoding="utf-8")
    return {"variant": "rescore", "seconds": 0, "history": [figures]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=("cross", "biencoder", "frozen"), default="cross")
    parser.add_argument("--trained-from", type=int, default=6, help="train the layers from this one up (0 = all)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--fraction", type=float, default=1.0, help="share of the training questions used")
    parser.add_argument("--lr", type=float, default=4e-5)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--groups-per-step", type=int, default=4)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--trainset", type=Path, default=TRAINSET)
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--out", type=Path, default=shipped_folder())
    parser.add_argument("--write", action="store_true", help="store the trained weights (cross only)")
    parser.add_argument("--rescore", action="store_true",
                        help="no training: score the weights in --out again and, with --write, store the search "
                             "weight and threshold chosen on half a")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    train = groups(args.trainset, args.cache, same_day=True)
    dev = groups(args.devset, args.cache, same_day=False)
    if args.fraction < 1.0:
        train = random.Random(args.seed).sample(train, round(len(train) * args.fraction))
    variants = {"cross": train_cross, "biencoder": train_biencoder, "frozen": train_frozen}
    result = rescore(args, dev) if args.rescore else variants[args.variant](args, train, dev)
    if args.json:
        print(json.dumps(result))
    else:
        for figures in result["history"]:
            print(json.dumps(figures))
        print(f"{args.variant}: {result['seconds']} s on {args.threads} threads, {len(train)} questions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
