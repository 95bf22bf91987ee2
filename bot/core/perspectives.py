"""Question → each side's account, side by side. No Discord here.

`/perspectives` answers "how do Baku and Yerevan describe …?" with the best
passages of every side's outlets, grouped under the side's label, each cited,
and says which sides have nothing on it. It retrieves like `/ask` (same search,
same topic rule: an article off the topic never appears) but keeps a few
passages per side instead of the best overall, because the side that reports
an event less prominently is exactly the one a reader wants to see. The
international group is shown only when its reports are about the same event
(published within EVENT_DAYS of it): a foreign report of another week is no
third perspective on this one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.core.citations import Citation
from bot.core.reading import read_passage
from bot.core.relevance import ReaderFilter
from index.input.dates import PublishedDate
from index.models import Hit, StoredArticle
from index.search.hybrid import Searcher
from index.search.topic import TopicGate
from index.sides import Side
from index.storage.records import SearchFilters

if TYPE_CHECKING:  # index.reading imports torch, which commands that never read need not load
    from index.reading import PassageReading, Reader

__all__ = ["Perspectives", "SideAccount", "PerspectiveFinder", "SIDES_SHOWN"]

SIDES_SHOWN: tuple[Side, ...] = (Side.ARMENIAN, Side.AZERBAIJANI, Side.INTERNATIONAL)
"""The sides a reader expects to see; `unknown` outlets are shown only when they report."""
PER_SIDE = 2
READER_FLOOR = 0.3
"""With the reader, a side's passage is shown if the reader finds it about the question with this probability."""
READ_AT_MOST = 30
RELATIVE_FLOOR = 0.6
"""Without the reader, a side's passage is shown if it scores at least this share of the best passage overall."""
ABSOLUTE_FLOOR = 0.25
SAME_EVENT_BONUS = 0.15
"""Each side's account of one event: passages reported within EVENT_DAYS of the day or month the question
names (else of the best passage) come first."""
EVENT_DAYS = 3
LEAD_BONUS = 0.05
"""A lead states an outlet's version of the event; it comes first unless another paragraph is clearly closer."""
_CANDIDATES = 60


@dataclass(frozen=True)
class SideAccount:
    side: Side
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Perspectives:
    question: str
    language: str
    accounts: tuple[SideAccount, ...]
    missing: tuple[Side, ...]
    """Sides (of SIDES_SHOWN) with no passage over the floor."""

    @property
    def found(self) -> bool:
        return bool(self.accounts)

    def to_dict(self) -> dict[str, object]:
        return {
            "question": self.question,
            "sides": [{"side": a.side.value, "citations": [c.to_dict() for c in a.citations]}
                      for a in self.accounts],
            "missing": [s.value for s in self.missing],
        }


def _root(article: StoredArticle) -> int:
    return article.duplicate_of or article.id


def _named_period(days: tuple[date, ...], months: tuple[tuple[int, int], ...]) -> PublishedDate | None:
    """The day or month the question names (the event it asks about), if exactly one."""
    if len(days) == 1:
        return PublishedDate.day(days[0])
    if not days and len(months) == 1:
        return PublishedDate.month(*months[0])
    return None


def _near(article: StoredArticle, anchor: PublishedDate) -> bool:
    first, last = article.published.first_day(), article.published.last_day()
    a_first, a_last = anchor.first_day(), anchor.last_day()
    if first is None or last is None or a_first is None or a_last is None:
        return False
    return first <= a_last + timedelta(days=EVENT_DAYS) and a_first <= last + timedelta(days=EVENT_DAYS)


class PerspectiveFinder:
    def __init__(self, searcher: Searcher, topic: TopicGate, side_of: Callable[[StoredArticle], Side],
                 reader: Reader | None = None, reader_floor: float = READER_FLOOR) -> None:
        self.searcher = searcher
        self.topic = topic
        self.side_of = side_of
        self.relevance = ReaderFilter(reader, reader_floor, READ_AT_MOST) if reader else None

    def find(self, question: str, filters: SearchFilters | None = None) -> Perspectives:
        result = self.searcher.search(question.strip(), filters=filters, limit=_CANDIDATES)
        hits = [h for h in result.hits if self.topic.on_topic(h.passage.article.topic_density)]
        language = result.question.language
        if not hits:
            return Perspectives(question, language, (), SIDES_SHOWN)
        floor = max(ABSOLUTE_FLOOR, RELATIVE_FLOOR * hits[0].score)
        anchor = _named_period(result.days, result.question.months) or hits[0].passage.article.published
        def weight(hit: Hit) -> float:
            return (hit.score + (SAME_EVENT_BONUS if _near(hit.passage.article, anchor) else 0.0)
                    + (LEAD_BONUS if hit.passage.position == 0 else 0.0))

        ordered = sorted(hits, key=weight, reverse=True)
        readings: dict[int, PassageReading] = {}
        if self.relevance is not None:
            readings = self.relevance.keep(question, ordered)
            ranked = [h for h in ordered if h.passage.id in readings]
        else:
            ranked = [h for h in ordered if weight(h) >= floor]
        by_side: dict[Side, list[Hit]] = {}
        seen: set[tuple[int, int]] = set()
        for hit in ranked:
            side = self.side_of(hit.passage.article)
            if side is Side.INTERNATIONAL and not _near(hit.passage.article, anchor):
                continue
            chosen = by_side.setdefault(side, [])
            key = (_root(hit.passage.article), hit.passage.position)
            if len(chosen) < PER_SIDE and key not in seen:
                chosen.append(hit)
                seen.add(key)
        order = [*SIDES_SHOWN, Side.UNKNOWN]
        accounts: list[SideAccount] = []
        n = 0
        for side in order:
            citations = []
            for hit in by_side.get(side, []):
                n += 1
                reading = readings.get(hit.passage.id)
                sentence = reading.sentence if reading else read_passage(hit, result.question, result.concepts).sentence
                citations.append(Citation(n=n, passage=hit.passage, score=hit.score, marked=sentence))
            if citations:
                accounts.append(SideAccount(side, tuple(citations)))
        missing = tuple(s for s in SIDES_SHOWN if s not in by_side)
        return Perspectives(question, language, tuple(accounts), missing)
