"""Topic → dated events in order, each cited. No Discord here.

`/timeline Lachin corridor 2022-12 2023-09` lists what the archive reports about
a topic, day by day. A line is dated by the day a passage *names* ("on 12
December") when it names one, else by the day its report was published; the
two are shown apart ("12 December 2022, reported 13 December"), because a
report often appears a day or more after the event. A month-only report is
placed in its month and never on an invented day. Copies of one wire story
and the same event reported by several outlets fold into one line that
lists every outlet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.core.citations import Citation
from bot.core.reading import read_passage
from index.input.dates import PublishedDate
from index.models import Hit, StoredArticle
from index.search.hybrid import Searcher
from index.search.topic import TopicGate
from index.storage.protocols import ArticleRepository as ArticleStore
from index.storage.records import SearchFilters

__all__ = ["Timeline", "TimelineEntry", "TimelineBuilder"]

CANDIDATES = 200
RELATIVE_FLOOR = 0.6
"""A passage belongs to the topic's timeline if it scores at least this share of the best one."""
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

    @property
    def reported(self) -> PublishedDate:
        return self.citation.passage.article.published


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
                 "also_in": [{"outlet": a.outlet, "url": a.url, "source": a.source} for a in e.also_in]}
                for e in self.entries
            ],
        }


def _root(article: StoredArticle) -> int:
    return article.duplicate_of or article.id


class TimelineBuilder:
    def __init__(self, searcher: Searcher, store: ArticleStore, topic: TopicGate) -> None:
        self.searcher = searcher
        self.store = store
        self.topic = topic

    def build(self, topic: str, since: date | None = None, until: date | None = None,
              filters: SearchFilters | None = None) -> Timeline:
        base = filters or SearchFilters()
        filters = SearchFilters(since=since or base.since, until=until or base.until, language=base.language,
                                outlet=base.outlet)
        result = self.searcher.search(topic.strip(), filters=filters, limit=CANDIDATES)
        hits = [h for h in result.hits if self.topic.on_topic(h.passage.article.topic_density)]
        language = result.question.language
        if not hits:
            return Timeline(topic, language, since, until, ())
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
        entries = self._fold(dated, result, lambda hit: read_passage(hit, result.question, result.concepts).sentence)
        return Timeline(topic, language, since, until, tuple(entries))

    @staticmethod
    def _fold(dated: list[tuple[PublishedDate, bool, Hit]], result: object,
              sentence_of: Callable[[Hit], str]) -> list[TimelineEntry]:
        """One line per day and story: copies and other outlets on the same story fold into it."""
        lines: list[tuple[PublishedDate, bool, Hit, list[StoredArticle]]] = []
        used_passages: set[tuple[int, int]] = set()
        for when, named, hit in dated:
            article = hit.passage.article
            key = (_root(article), hit.passage.position)
            if key in used_passages:
                continue
            same_day = [line for line in lines if line[0] == when]
            story = next((line for line in same_day if _root(line[2].passage.article) == _root(article)
                          or line[2].passage.article.id == article.id), None)
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
            entries.append(TimelineEntry(when, named, citation, tuple(others)))
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
