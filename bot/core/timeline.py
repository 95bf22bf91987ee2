"""Topic → dated events in order, each cited. No Discord here.

`/timeline Lachin corridor 2022-12 2023-09` lists what the archive reports about
a topic, day by day. A line is dated by the day a passage *names* ("on 12
December") when it names one, else by the day its report was published; the
two are shown apart ("12 December 2022, reported 13 December"), because a
report often appears a day or more after the event. A month-only report is
placed in its month and never on an invented day. Copies of one wire story,
and two reports of one event on one day (the same measure of "one event" as
the digest's stories: mean paragraph vectors at STORY_SIMILARITY, or at
OPPOSING_SIDES_SIMILARITY for each side's own account), fold into one line
that lists every source with its side. A year, month or day the topic names
("het offensief van september 2023") limits the dates when no `since`/`until`
is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from bot.core.citations import Citation
from bot.core.digest import OPPOSING_SIDES_SIMILARITY, STORY_SIMILARITY
from bot.core.reading import read_passage
from bot.core.relevance import ReaderFilter
from index.input.dates import PublishedDate, find_dates_in_question, find_months_in_question
from index.models import Hit, StoredArticle
from index.search.hybrid import Searcher
from index.search.topic import TopicGate
from index.sides import Side
from index.storage.protocols import ArticleRepository as ArticleStore
from index.storage.records import SearchFilters

if TYPE_CHECKING:  # index.reading imports torch, which commands that never read need not load
    from index.reading import PassageReading, Reader

__all__ = ["Timeline", "TimelineEntry", "TimelineBuilder", "named_period"]

CANDIDATES = 200
READER_FLOOR = 0.3
"""With the reader, a passage belongs to the topic's timeline if the reader finds it about the topic with this
probability (of the READ_AT_MOST best that hold enough of the topic's words)."""
READ_AT_MOST = 40
RELATIVE_FLOOR = 0.6
"""Without the reader, a passage belongs to the topic's timeline if it scores at least this share of the best one."""
ABSOLUTE_FLOOR = 0.25
MIN_COVERAGE = 0.5
"""…and holds at least half of the topic's words (in any spelling or translation)."""
RECENT_DAYS = 31
PER_DAY = 2
"""Lines per day at most: a busy day's other reports are folded into its lines as further outlets."""


@dataclass(frozen=True)
class TimelineEntry:
    when: PublishedDate
    """The day the passage names, or its report's publication date (at that date's precision)."""
    named: bool
    """True when `when` comes from the text ("on 12 December"), False when it is the publication date."""
    citation: Citation
    also_in: tuple[StoredArticle, ...] = field(default=())
    sides: tuple[Side, ...] = field(default=())
    """The side of the cited article, then of each of `also_in` (empty when sides are not known)."""

    @property
    def reported(self) -> PublishedDate:
        return self.citation.passage.article.published

    @property
    def sources(self) -> tuple[tuple[StoredArticle, Side], ...]:
        """Every report on this line with its side, the cited one first."""
        articles = (self.citation.passage.article, *self.also_in)
        return tuple(zip(articles, self.sides or (Side.UNKNOWN,) * len(articles), strict=True))


@dataclass(frozen=True)
class Timeline:
    topic: str
    language: str
    since: date | None
    until: date | None
    entries: tuple[TimelineEntry, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "topic": self.topic,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "entries": [
                {"date": e.when.iso(), "date_precision": e.when.precision.value,
                 "date_from": "text" if e.named else "publication", "reported": e.reported.iso(),
                 "sentence": e.citation.marked, "citation": e.citation.to_dict(),
                 "side": e.sources[0][1].value,
                 "also_in": [{"outlet": a.outlet, "url": a.url, "source": a.source, "side": side.value}
                             for a, side in e.sources[1:]]}
                for e in self.entries
            ],
        }


def _root(article: StoredArticle) -> int:
    return article.duplicate_of or article.id


_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")


def named_period(topic: str) -> tuple[date, date] | None:
    """The days, month or year a topic names ("september 2023", "in 2022", "op 10 november 2020"), as one span."""
    days = find_dates_in_question(topic)
    if days:
        return min(days), max(days)
    months = find_months_in_question(topic)
    if months:
        first = [PublishedDate.month(year, month) for year, month in months]
        return (min(p.first_day() or date.max for p in first), max(p.last_day() or date.min for p in first))
    years = [int(y) for y in _YEAR.findall(topic)]
    if years:
        return date(min(years), 1, 1), date(max(years), 12, 31)
    return None


class TimelineBuilder:
    def __init__(self, searcher: Searcher, store: ArticleStore, topic: TopicGate,
                 side_of: Callable[[StoredArticle], Side] = lambda _article: Side.UNKNOWN,
                 reader: Reader | None = None, reader_floor: float = READER_FLOOR) -> None:
        self.searcher = searcher
        self.store = store
        self.topic = topic
        self.side_of = side_of
        self.relevance = ReaderFilter(reader, reader_floor, READ_AT_MOST) if reader else None

    def build(self, topic: str, since: date | None = None, until: date | None = None,
              filters: SearchFilters | None = None) -> Timeline:
        if since is None and until is None:
            since, until = named_period(topic) or (None, None)
        base = filters or SearchFilters()
        filters = SearchFilters(since=since or base.since, until=until or base.until, language=base.language,
                                outlet=base.outlet)
        result = self.searcher.search(topic.strip(), filters=filters, limit=CANDIDATES)
        hits = [h for h in result.hits if self.topic.on_topic(h.passage.article.topic_density)]
        language = result.question.language
        if not hits:
            return Timeline(topic, language, since, until, ())
        readings: dict[int, PassageReading] = {}
        if self.relevance is not None:
            readings = self.relevance.keep(topic, [h for h in hits if h.coverage >= MIN_COVERAGE])
            relevant = [h for h in hits if h.passage.id in readings]
        else:
            floor = max(ABSOLUTE_FLOOR, RELATIVE_FLOOR * hits[0].score)
            relevant = [h for h in hits if h.score >= floor and h.coverage >= MIN_COVERAGE]
        named_days = self.store.days_mentioned([h.passage.id for h in relevant])

        def in_range(day: date) -> bool:
            return (since is None or day >= since) and (until is None or day <= until)

        # One candidate line per (date, hit): the days a passage names, else its publication date.
        dated: list[tuple[PublishedDate, bool, Hit]] = []
        for hit in relevant:
            published = hit.passage.article.published
            named = [d for d in named_days.get(hit.passage.id, []) if in_range(d) and _reported_event(d, published)]
            if named:
                dated.extend((PublishedDate.day(d), True, hit) for d in named)
            elif published.value is not None:
                dated.append((published, False, hit))
        dated.sort(key=lambda item: (item[0].first_day() or date.min, -item[2].score))
        def sentence_of(hit: Hit) -> str:
            reading = readings.get(hit.passage.id)
            return reading.sentence if reading else read_passage(hit, result.question, result.concepts).sentence

        entries = self._fold(dated, sentence_of)
        return Timeline(topic, language, since, until, tuple(entries))

    def _article_vector(self, article: StoredArticle, cache: dict[int, np.ndarray]) -> np.ndarray:
        """The article's mean paragraph vector, normalised (what digest stories are grouped by)."""
        if article.id not in cache:
            ids = [p.id for p in self.store.article_passages(article.id)]
            mean = self.searcher.passage_vectors(ids).mean(axis=0)
            cache[article.id] = mean / (float(np.linalg.norm(mean)) or 1.0)
        return cache[article.id]

    def _one_event(self, first: StoredArticle, second: StoredArticle, cache: dict[int, np.ndarray]) -> bool:
        """Two reports of one event: copies of one story, or articles as close as a digest story's."""
        if _root(first) == _root(second):
            return True
        sides = {self.side_of(first), self.side_of(second)}
        floor = OPPOSING_SIDES_SIMILARITY if sides == {Side.ARMENIAN, Side.AZERBAIJANI} else STORY_SIMILARITY
        return float(self._article_vector(first, cache) @ self._article_vector(second, cache)) >= floor

    def _fold(self, dated: list[tuple[PublishedDate, bool, Hit]],
              sentence_of: Callable[[Hit], str]) -> list[TimelineEntry]:
        """One line per day and event: copies, and other outlets' reports of the same event, fold into it."""
        lines: list[tuple[PublishedDate, bool, Hit, list[StoredArticle]]] = []
        used_passages: set[tuple[int, int]] = set()
        vectors: dict[int, np.ndarray] = {}
        for when, named, hit in dated:
            article = hit.passage.article
            key = (_root(article), hit.passage.position)
            if key in used_passages:
                continue
            same_day = [line for line in lines if line[0] == when]
            story = next((line for line in same_day if line[2].passage.article.id == article.id
                          or self._one_event(line[2].passage.article, article, vectors)), None)
            if story is None and len(same_day) >= PER_DAY:
                story = same_day[0]
            if story is not None:
                if all(a.id != article.id for a in story[3]) and story[2].passage.article.id != article.id:
                    story[3].append(article)
                used_passages.add(key)
                continue
            lines.append((when, named, hit, []))
            used_passages.add(key)
        entries = []
        for n, (when, named, hit, others) in enumerate(lines, start=1):
            citation = Citation(n=n, passage=hit.passage, score=hit.score, marked=sentence_of(hit),
                                also_in=tuple(others))
            sides = tuple(self.side_of(a) for a in (hit.passage.article, *others))
            entries.append(TimelineEntry(when, named, citation, tuple(others), sides))
        return entries


def _reported_event(day: date, published: PublishedDate) -> bool:
    """Whether a day a passage names is an event the report is about.

    A day after the report is a plan or a deadline; one more than RECENT_DAYS
    before it is background ("Shusha fell on 8 May 1992"), not news of the report.
    """
    first, last = published.first_day(), published.last_day()
    if first is None or last is None:
        return False
    return first - timedelta(days=RECENT_DAYS) <= day <= last
