"""Question → extractive, cited answer (or an honest refusal). No Discord here.

The answer quotes what the sources say and never writes claims of its own. It
opens with the sentence that answers, chosen across every retrieved passage
(see `bot.core.reading`), introduced in the question's language when the source
is in another ("Volgens een Engelstalig bericht van …"). The citations follow:
the answering passage first, then the other passages that clear a relevance
floor, with copies of one wire story folded into a single citation that lists
every outlet.

It declines in three ways: the archive is empty; the question is not about the
archive's topic at all (a short "this archive covers …" reply); or the archive
does not answer it (`bot.core.answerability` decides from measured signals).
An article off the topic (a COP29 report from Baku, say) may be cited but never
leads an answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from bot.core.answerability import AnswerabilityModel, Signals, load_answerability_model
from bot.core.citations import Citation
from bot.core.reading import Evidence, read_passage, read_passages
from index.models import Hit
from index.search.hybrid import SearchResult
from index.search.topic import TopicGate
from index.storage.records import SearchFilters

__all__ = ["Answer", "Answerer", "AnswerPolicy", "Assessment", "PassageSearch"]

_FOLD_SIMILARITY = 0.92
_FOLD_SAME_STORY = 0.80
"""Paragraphs of two linked copies of one wire story are folded from this cosine on (the
reworded sample pair measures 0.88 on average, unrelated same-day reports at most 0.66)."""
_READ_PASSAGES = 4
"""Passages whose sentences compete to open the answer."""
_NO_RUNNER_UP_MARGIN = 0.3

_MESSAGES = {
    "abstain": {
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
    result: SearchResult
    evidence: tuple[Evidence, ...]
    """Best sentence of each leading passage, best first (empty when no passage is on the topic)."""
    names_topic: bool
    """Whether the question names the topic's places, peoples or leaders."""
    signals: Signals | None


@dataclass(frozen=True)
class AnswerPolicy:
    top_k: int = 5
    """Most citations in one answer."""
    relative_floor: float = 0.6
    """A passage is cited only if its score is at least this share of the best one's."""
    absolute_floor: float = 0.25
    """… and at least this fused score (measured: unrelated passages of a topical archive score 0.15–0.25)."""


class Answerer:
    def __init__(
        self,
        searcher: PassageSearch,
        topic: TopicGate,
        policy: AnswerPolicy | None = None,
        model: AnswerabilityModel | None = None,
    ) -> None:
        self.searcher = searcher
        self.topic = topic
        self.policy = policy or AnswerPolicy()
        self.model = model or load_answerability_model()

    def assess(self, question: str, filters: SearchFilters | None = None, context: str | None = None) -> Assessment:
        """Search and read, without deciding: what `answer` decides on (and what the refit script fits)."""
        result = self.searcher.search(question.strip(), filters=filters, limit=max(20, self.policy.top_k * 4),
                                      context=context)
        leading = [h for h in result.hits if self.topic.on_topic(h.passage.article.topic_density)]
        names_topic = self.topic.names_topic([p for c in result.question.concepts for p in c.variants])
        evidence = read_passages(leading[:_READ_PASSAGES], result.question, result.concepts)
        signals = None
        if evidence:
            # Copies of the same wire story are not competitors: the runner-up is the best other story.
            runner_up = next((h for h in leading[1:] if _root(h) != _root(leading[0])), None)
            margin = leading[0].score - runner_up.score if runner_up else _NO_RUNNER_UP_MARGIN
            signals = Signals(top_score=leading[0].score, typed=float(evidence[0].typed),
                              unknown=result.concepts.unknown_share, margin=margin)
        return Assessment(result, tuple(evidence), names_topic, signals)

    def answer(self, question: str, filters: SearchFilters | None = None, context: str | None = None) -> Answer:
        """Answer a question; `context` (the earlier question of a conversation) completes a follow-up."""
        question = question.strip()
        assessment = self.assess(question, filters, context)
        result = assessment.result
        language = result.question.language
        if not result.hits:
            key = "empty" if self.searcher.size == 0 else "abstain"
            return self._decline(question, language, key, "no passages found")
        # Only a question that names neither the topic nor a day gets the "this archive covers" reply.
        declined_key = "abstain" if assessment.names_topic or result.days else "off_topic"
        if assessment.signals is None:
            return self._decline(question, language, declined_key, "no passage on the archive's topic")
        probability = self.model.probability(assessment.signals)
        if not self.would_answer(assessment):
            return self._decline(question, language, declined_key, f"answerability {probability:.2f}",
                                 assessment.signals)
        evidence = list(assessment.evidence)
        citations = self._cite(result, evidence)
        lead = evidence[0]
        text = f"{self._attribution(lead, language)}{lead.sentence} [1]"
        return Answer(question, text, False, tuple(citations), reason=f"answerability {probability:.2f}",
                      signals=assessment.signals.as_dict())

    def would_answer(self, assessment: Assessment) -> bool:
        """The decision: the model says the archive answers, or one passage of the named day holds it all."""
        if assessment.signals is None:
            return False
        return self.model.answers(assessment.signals) or self._dated_and_covered(assessment)

    @staticmethod
    def _dated_and_covered(assessment: Assessment) -> bool:
        """A question naming a day, answered by a passage of that day that holds every word it asks about.

        On the development set all twelve questions this fits are answerable, and
        the model alone declined some ("Wat gebeurde er op 10 november 2020?":
        nothing but a date, many passages of that day alike, so no clear winner).
        """
        lead = assessment.evidence[0].hit if assessment.evidence else None
        return lead is not None and bool(assessment.result.days) and lead.dated and lead.coverage >= 0.99

    def _decline(self, question: str, language: str, key: str, reason: str,
                 signals: Signals | None = None) -> Answer:
        text = _MESSAGES[key][language].format(topic=self.topic.described(language))
        return Answer(question, text, True, reason=reason, off_topic=key == "off_topic",
                      signals=signals.as_dict() if signals else {})

    @staticmethod
    def _attribution(lead: Evidence, language: str) -> str:
        article = lead.hit.passage.article
        if article.language == language or article.language not in _LANGUAGE_NAMES[language]:
            return ""
        name = _LANGUAGE_NAMES[language][article.language]
        when = article.published.display(language)
        if language == "nl":
            return f"Volgens een {name} bericht van {article.outlet} ({when}): "
        return f"According to a {name}-language report by {article.outlet} ({when}): "

    def _cite(self, result: SearchResult, evidence: list[Evidence]) -> list[Citation]:
        """The answering passage, then every other passage over the floors; copies folded into one citation."""
        lead = evidence[0].hit
        others = [h for h in result.hits if h.passage.id != lead.passage.id]
        hits = [lead, *others]
        floor = max(self.policy.absolute_floor, self.policy.relative_floor * lead.score)
        vectors = self.searcher.passage_vectors([h.passage.id for h in hits])
        marked = {e.hit.passage.id: e.sentence for e in evidence}
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
                continue
            if len(chosen) >= self.policy.top_k or (chosen and hit.score < floor):
                continue
            chosen.append((index, []))
        citations: list[Citation] = []
        for n, (index, copies) in enumerate(chosen, start=1):
            hit = hits[index]
            sentence = marked.get(hit.passage.id) or read_passage(hit, result.question, result.concepts).sentence
            also = tuple(dict.fromkeys(c.passage.article for c in copies
                                       if c.passage.article.id != hit.passage.article.id))
            citations.append(Citation(n=n, passage=hit.passage, score=hit.score, marked=sentence, also_in=also))
        return citations


def _root(hit: Hit) -> int:
    """The article a story was first stored as (copies point to it)."""
    return hit.passage.article.duplicate_of or hit.passage.article.id


def _same_root(a: Hit, b: Hit) -> bool:
    return _root(a) == _root(b) and a.passage.article.id != b.passage.article.id
