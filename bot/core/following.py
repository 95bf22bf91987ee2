"""Followed topics: which newly stored articles deserve an alert in which channel. No Discord here.

A follow is a topic in words ("Lachin corridor", "vredesmacht") and a channel.
A new article matches when one of its paragraphs scores at least
`MATCH_THRESHOLD` against the topic with the search's own fused score (meaning
through the encoder, plus the topic's words in any spelling or translation), so
"Latsjin-corridor" in a Dutch report alerts a follower of "Lachin corridor".
Measured on the development set (20 topics labelled with the articles about
them, `bench/follow_topics.jsonl`): at 0.40 precision 0.62 / recall 0.56 on
half a, 0.58 / 0.58 on half b (the labels count only articles *about* a topic;
many of the "false" alerts mention it in passing).

No second alert for the same story: a wire copy of an alerted article, or a
new version of it (an update replaces the article under the same source), is
skipped; and a topic is quiet for `cooldown` after an alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

import numpy as np

from bot.core.reading import read_passage
from bot.core.relevance import ReaderFilter
from index.models import Hit, StoredArticle
from index.search.hybrid import Searcher
from index.search.topic import TopicGate
from index.storage.records import Follow

if TYPE_CHECKING:  # index.reading imports torch, which commands that never read need not load
    from index.reading import Reader

__all__ = ["Follow", "FollowAlert", "FollowLog", "FollowMatcher", "MATCH_THRESHOLD", "DEFAULT_COOLDOWN"]

MATCH_THRESHOLD = 0.40
"""Without the reader: the fused search score an article's best paragraph needs."""
READER_FLOOR = 0.3
"""With the reader: the probability that one of the article's best paragraphs is about the topic."""
READ_AT_MOST = 3
"""Paragraphs of a new article the reader reads per followed topic: its best three by search score."""
DEFAULT_COOLDOWN = timedelta(minutes=30)


@dataclass(frozen=True)
class FollowAlert:
    follow: Follow
    article: StoredArticle
    hit: Hit
    sentence: str
    """The matching paragraph's sentence closest to the topic, quoted in the alert."""


class FollowLog(Protocol):
    """What the matcher needs to know about earlier alerts (kept in SQLite by the caller)."""

    def alerted_roots(self, follow_id: int) -> set[int]: ...

    def last_alert(self, follow_id: int) -> datetime | None: ...


def _root(article: StoredArticle) -> int:
    return article.duplicate_of or article.id


class FollowMatcher:
    def __init__(self, searcher: Searcher, topic: TopicGate, threshold: float = MATCH_THRESHOLD,
                 cooldown: timedelta = DEFAULT_COOLDOWN, reader: Reader | None = None,
                 reader_floor: float = READER_FLOOR) -> None:
        self.searcher = searcher
        self.topic = topic
        self.threshold = threshold
        self.cooldown = cooldown
        self.relevance = ReaderFilter(reader, reader_floor, READ_AT_MOST) if reader else None

    def topic_vector(self, topic: str) -> np.ndarray:
        return self.searcher.embedder.encode_query(topic)

    def match(self, follow: Follow, article: StoredArticle, paragraph_ids: Sequence[int]) -> Hit | None:
        """The article's best paragraph for a followed topic, if it clears the threshold."""
        if not self.topic.on_topic(article.topic_density):
            return None
        hits = self.searcher.rank(follow.topic, paragraph_ids, follow.vector)
        if self.relevance is None:
            return hits[0] if hits and hits[0].score >= self.threshold else None
        readings = self.relevance.keep(follow.topic, hits)
        return max((h for h in hits if h.passage.id in readings), key=lambda h: readings[h.passage.id].probability,
                   default=None)

    def alerts(self, follows: Sequence[Follow], articles: Sequence[tuple[StoredArticle, Sequence[int]]],
               log: FollowLog, now: datetime) -> list[FollowAlert]:
        """Alerts due for newly stored articles: one per follow and story, none within a topic's cool-down."""
        out: list[FollowAlert] = []
        for follow in follows:
            seen = log.alerted_roots(follow.id)
            last = log.last_alert(follow.id)
            if last is not None and now - last < self.cooldown:
                continue
            for article, paragraph_ids in articles:
                if _root(article) in seen:
                    continue
                hit = self.match(follow, article, paragraph_ids)
                if hit is None:
                    continue
                question = self.searcher.reader.read(follow.topic)
                stats = self.searcher.lexical.concept_stats(question.concepts, self.searcher.size)
                sentence = read_passage(hit, question, stats).sentence
                out.append(FollowAlert(follow, article, hit, sentence))
                break  # one alert per topic per batch; the cool-down starts now
        return out
