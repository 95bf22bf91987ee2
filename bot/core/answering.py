"""Question → extractive, cited answer (or an honest refusal). No Discord here.

The answer quotes what the sources say and never writes claims of its own. It
opens with the sentence that answers, in the passage the decision put first
(`bot.core.answer_decision`: the reader, or search signals where the reader
cannot be loaded), introduced in the question's language when the source is in
another ("Volgens een Engelstalig bericht van …"). The citations follow: the
answering passage first, then the other passages worth showing, with copies of
one wire story folded into a single citation that lists every outlet.

Three outcomes, each honest:
- an answer, when the decision says a passage answers;
- on a question about the archive's topic that no passage answers with
  confidence, "no passage answers this directly" followed by the closest
  passages (`abstained` with citations);
- a short "this archive covers …" reply for a question that names neither the
  topic nor a day (`off_topic`), and a note when the archive is empty.
An article off the topic (a COP29 report from Baku, say) may be cited but never
leads an answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from bot.core.answer_decision import Decider, Decision, Reading
from bot.core.citations import Citation
from index.models import Hit
from index.search.hybrid import SearchResult
from index.search.topic import TopicGate
from index.storage.sqlite.article_store import SearchFilters

__all__ = ["Answer", "Answerer", "AnswerPolicy", "PassageSearch"]

_FOLD_SIMILARITY = 0.92
_FOLD_SAME_STORY = 0.80
"""Paragraphs of two linked copies of one wire story are folded from this cosine on (the
reworded sample pair measures 0.88 on average, unrelated same-day reports at most 0.66)."""

_MESSAGES = {
    "abstain": {
        "en": "No passage in the archive answers this directly. The closest passages:",
        "nl": "Geen passage in het archief beantwoordt dit rechtstreeks. Wat er het dichtst bij komt:",
    },
    "nothing": {
        "en": "I found nothing in the archive that answers this question.",
        "nl": "Ik vond niets in het archief dat deze vraag beantwoordt.",
    },
    "empty": {
        "en": "The archive is empty: nothing has been ingested yet.",
        "nl": "Het archief is leeg: er is nog niets ingelezen.",
    },
    "off_topic": {
        "en": "This archive covers {topic}; it has nothing on that question.",
        "nl": "Dit archief gaat over {topic}; over deze vraag staat er niets in.",
    },
}
_LANGUAGE_NAMES = {
    "en": {"en": "English", "nl": "Dutch", "de": "German", "fr": "French", "ru": "Russian"},
    "nl": {"en": "Engelstalig", "nl": "Nederlandstalig", "de": "Duitstalig", "fr": "Franstalig",
           "ru": "Russischtalig"},
}


class PassageSearch(Protocol):
    """What answering asks of search (an `index.search.Searcher`): passages, the archive's size, and the
    stored vectors of the passages it cites, to fold copies of one story into one citation."""

    @property
    def size(self) -> int: ...

    def search(self, text: str, *, filters: SearchFilters | None = None, limit: int = 10,
               context: str | None = None) -> SearchResult: ...

    def passage_vectors(self, ids: Sequence[int]) -> np.ndarray: ...


@dataclass(frozen=True)
class Answer:
    """An extractive answer: the cited passages, or an honest refusal."""

    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    reason: str = ""
    """Why the answer was given or declined, for logs and `--json`."""
    off_topic: bool = False
    """Declined because the question is not about the archive's topic."""
    signals: dict[str, float] = field(default_factory=dict)
    """The measured signals the decision rested on (see `bot.core.answerability`)."""

    def to_dict(self) -> dict[str, object]:
        """The JSON shape promised by `newsbot ask --json`."""
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "off_topic": self.off_topic,
            "reason": self.reason,
            "signals": self.signals,
            "citations": [c.to_dict() for c in self.citations],
        }


@dataclass(frozen=True)
class Assessment:
    """What a question found and what the decider made of it, before any text is written."""

    result: SearchResult
    decision: Decision | None
    """None when no passage found is on the archive's topic."""
    names_topic: bool
    """Whether the question names the topic's places, peoples or leaders."""


@dataclass(frozen=True)
class AnswerPolicy:
    top_k: int = 5
    """Most citations in one answer, and most closest passages shown when none answers."""
    candidates: int = 20
    """Passages search hands to the decision."""
    reader_floor: float = 0.05
    """Besides the answering passage, an answer cites passages the reader gives at least this probability."""


class Answerer:
    def __init__(self, searcher: PassageSearch, topic: TopicGate, decider: Decider,
                 policy: AnswerPolicy | None = None) -> None:
        self.searcher = searcher
        self.topic = topic
        self.decider = decider
        self.policy = policy or AnswerPolicy()

    def assess(self, question: str, filters: SearchFilters | None = None, context: str | None = None) -> Assessment:
        """Search and decide, without writing: what `answer` words (and what the bench scripts score)."""
        question = question.strip()
        result = self.searcher.search(question, filters=filters, limit=max(self.policy.candidates,
                                                                           self.policy.top_k * 4), context=context)
        leading = [h for h in result.hits if self.topic.on_topic(h.passage.article.topic_density)]
        names_topic = self.topic.names_topic([p for c in result.question.concepts for p in c.variants])
        decision = self.decider.decide(_reader_text(question, context), result, leading) if leading else None
        return Assessment(result, decision, names_topic)

    def answer(self, question: str, filters: SearchFilters | None = None, context: str | None = None) -> Answer:
        """Answer a question; `context` (the earlier question of a conversation) completes a follow-up."""
        question = question.strip()
        assessment = self.assess(question, filters, context)
        result, decision = assessment.result, assessment.decision
        language = result.question.language
        if not result.hits:
            key = "empty" if self.searcher.size == 0 else "nothing"
            return self._decline(question, language, key, "no passages found")
        # Only a question that names neither the topic nor a day gets the "this archive covers" reply.
        about_topic = assessment.names_topic or bool(result.days)
        if decision is None or (not decision.answers and not about_topic):
            if decision is None:
                why, signals = "no passage on the archive's topic", {}
            else:
                why, signals = f"off the topic, closest {decision.probability:.2f}", decision.signals
            return self._decline(question, language, "nothing" if about_topic else "off_topic", why, signals)
        readings = decision.readings
        if decision.answers:
            floor = self.policy.reader_floor
            readings = (readings[0], *(r for r in readings[1:] if r.probability is None or r.probability >= floor))
        citations = self._cite(result, readings)
        reason = f"{'answers' if decision.answers else 'closest'} {decision.probability:.2f}"
        if not decision.answers:
            return Answer(question, _MESSAGES["abstain"][language], True, citations, reason=reason,
                          signals=decision.signals)
        lead = decision.readings[0]
        text = f"{self._attribution(lead, language)}{lead.sentence} [1]"
        return Answer(question, text, False, citations, reason=reason, signals=decision.signals)

    def _decline(self, question: str, language: str, key: str, reason: str,
                 signals: dict[str, float] | None = None) -> Answer:
        text = _MESSAGES[key][language].format(topic=self.topic.described(language))
        return Answer(question, text, True, reason=reason, off_topic=key == "off_topic", signals=signals or {})

    @staticmethod
    def _attribution(lead: Reading, language: str) -> str:
        article = lead.hit.passage.article
        if article.language == language or article.language not in _LANGUAGE_NAMES[language]:
            return ""
        name = _LANGUAGE_NAMES[language][article.language]
        when = article.published.display(language)
        if language == "nl":
            return f"Volgens een {name} bericht van {article.outlet} ({when}): "
        return f"According to a {name}-language report by {article.outlet} ({when}): "

    def _cite(self, result: SearchResult, readings: Sequence[Reading]) -> tuple[Citation, ...]:
        """The passages in the decision's order, at most `top_k`, copies of one story folded into one citation."""
        hits = [r.hit for r in readings]
        vectors = self.searcher.passage_vectors([h.passage.id for h in hits])
        chosen: list[tuple[int, list[Hit]]] = []
        for index, hit in enumerate(hits):
            copy_of = next(
                (kept for kept, _ in chosen
                 if (similarity := float(vectors[index] @ vectors[kept])) >= _FOLD_SIMILARITY
                 or (_same_root(hit, hits[kept]) and similarity >= _FOLD_SAME_STORY)),
                None,
            )
            if copy_of is not None:
                next(copies for kept, copies in chosen if kept == copy_of).append(hit)
            elif len(chosen) < self.policy.top_k:
                chosen.append((index, []))
        citations: list[Citation] = []
        for n, (index, copies) in enumerate(chosen, start=1):
            hit = hits[index]
            also = tuple(dict.fromkeys(c.passage.article for c in copies
                                       if c.passage.article.id != hit.passage.article.id))
            citations.append(Citation(n=n, passage=hit.passage, score=hit.score, marked=readings[index].sentence,
                                      also_in=also))
        return tuple(citations)


def _reader_text(question: str, context: str | None) -> str:
    """What the decider reads: a follow-up with the earlier question it leans on after it."""
    return f"{question} ({context.strip()})" if context and context.strip() else question


def _root(hit: Hit) -> int:
    """The article a story was first stored as (copies point to it)."""
    return hit.passage.article.duplicate_of or hit.passage.article.id


def _same_root(a: Hit, b: Hit) -> bool:
    return _root(a) == _root(b) and a.passage.article.id != b.passage.article.id
