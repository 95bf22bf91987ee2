"""Day → dated digest of that day's reporting, grouped into stories. No Discord here.

Which articles: those published on the day (day precision), plus those first
seen on the day whose publication date is coarser (a month, a year, unknown),
so a month-dated article appears once, on the day it arrived, never on the 1st.

Stories: articles are joined when the core linked them as near-duplicates
(the same wire copy) or when their mean paragraph vectors are close. Measured
on data/sample/: the two outlets' copies of the 10 Nov 2020 wire story are at
0.91, both sides' accounts of the 4 Oct 2020 shelling at 0.74; unrelated
reports of other days reach 0.74 too (0.85 for two offensive reports three
years apart), but a digest only compares articles of one day, where
STORY_SIMILARITY = 0.72 keeps both known pairs together. The margin is thin:
on a busy day two different clashes on the same front may share a story.
Grouping against the story's centroid (not single links) limits the damage.

Each story quotes its key sentences from different outlets where it can (so
both sides' claims appear when both were reported), each with a numbered citation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import numpy as np

from bot.core.citations import Citation
from index.chunking import split_sentences
from index.dates import DatePrecision
from index.embedder import Embedder
from index.errors import InputError
from index.models import Passage, StoredArticle

__all__ = [
    "Digest",
    "Story",
    "DayReports",
    "StoredVectors",
    "BuildDigest",
    "build_digest",
    "digest_articles",
    "day_before",
    "day_bounds_utc",
    "check_digest_day",
    "STORY_SIMILARITY",
    "FIRST_DIGEST_DAY",
]

STORY_SIMILARITY = 0.72
MAX_QUOTES = 2
LEAD_BONUS = 0.05
"""A lead says what happened; it is quoted unless another paragraph is clearly closer to the story."""


class DayReports(Protocol):
    """What a digest reads about a day's articles (an `index.article_store.ArticleStore`)."""

    def articles_published_on(self, day: date) -> list[StoredArticle]: ...

    def articles_in_range(self, start: datetime, end: datetime) -> list[StoredArticle]: ...

    def article_passages(self, article_id: int) -> list[Passage]: ...


class StoredVectors(Protocol):
    """The stored vectors of paragraphs (an `index.embedding_store.EmbeddingStore`)."""

    def vectors_for(self, ids: Sequence[int] | np.ndarray, dimension: int) -> np.ndarray: ...


@dataclass(frozen=True)
class Story:
    headline: str
    citations: tuple[Citation, ...]
    outlets: tuple[str, ...]
    articles: tuple[StoredArticle, ...]

    @property
    def sentences(self) -> tuple[str, ...]:
        return tuple(c.marked for c in self.citations)


@dataclass(frozen=True)
class Digest:
    day: date
    timezone: ZoneInfo
    article_count: int
    outlet_count: int
    stories: tuple[Story, ...]

    @property
    def empty(self) -> bool:
        return not self.stories

    def title(self) -> str:
        return f"Digest — {self.day.strftime('%A')} {self.day.day} {self.day.strftime('%B %Y')}"

    def to_dict(self) -> dict[str, object]:
        return {
            "date": self.day.isoformat(),
            "timezone": self.timezone.key,
            "article_count": self.article_count,
            "outlet_count": self.outlet_count,
            "stories": [
                {
                    "headline": s.headline,
                    "sentences": list(s.sentences),
                    "outlets": list(s.outlets),
                    "citations": [c.to_dict() for c in s.citations],
                }
                for s in self.stories
            ],
        }


def day_before(instant: datetime, zone: ZoneInfo) -> date:
    """The local day before `instant`: what a digest posted then covers, and the default day to show."""
    return instant.astimezone(zone).date() - timedelta(days=1)


def day_bounds_utc(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where the local calendar day starts and ends (23 or 25 hours around DST changes)."""
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def digest_articles(store: DayReports, day: date, zone: ZoneInfo) -> list[StoredArticle]:
    published = store.articles_published_on(day)
    start, end = day_bounds_utc(day, zone)
    arrived = [a for a in store.articles_in_range(start, end) if a.published.precision is not DatePrecision.DAY]
    seen = {a.id for a in published}
    return published + [a for a in arrived if a.id not in seen]


def _root(article: StoredArticle) -> int:
    return article.duplicate_of or article.id


def _group(articles: list[StoredArticle], vectors: np.ndarray) -> list[list[int]]:
    """Greedy centroid grouping: an article joins the story whose centroid it is closest to, if that is at
    STORY_SIMILARITY or closer, or the story holding a linked copy of it; otherwise it starts a story.

    Comparing with the story's centroid, not with any one member, stops chains (A like B, B like C)
    from gluing a whole day of war reporting into one story.
    """
    groups: list[list[int]] = []
    for i, article in enumerate(articles):
        best, best_score = -1, STORY_SIMILARITY
        for g, members in enumerate(groups):
            if any(_root(articles[m]) == _root(article) for m in members):
                best = g
                break
            centroid = vectors[members].mean(axis=0)
            score = float(vectors[i] @ centroid) / (float(np.linalg.norm(centroid)) or 1.0)
            if score >= best_score:
                best, best_score = g, score
        if best >= 0:
            groups[best].append(i)
        else:
            groups.append([i])
    return groups


def _recency(article: StoredArticle) -> str:
    return max(article.published.iso(), article.first_seen.date().isoformat())


FIRST_DIGEST_DAY = date(1900, 1, 1)
"""No news archive reaches further back; far older days do not even have a UTC offset to compute."""


def check_digest_day(day: date, today: date | None = None) -> None:
    """Refuse a day no digest can cover: before 1900 or after tomorrow (9999-12-31 has no next day)."""
    latest = (today or datetime.now(UTC).date()) + timedelta(days=1)
    if not FIRST_DIGEST_DAY <= day <= latest:
        raise InputError(day.isoformat(), f"no digest for this day: choose one from {FIRST_DIGEST_DAY.isoformat()} "
                                          f"to {latest.isoformat()}")


BuildDigest = Callable[[date, ZoneInfo], Digest]
"""`build_digest` with its archive and model given: what the scheduled post and /digest call."""


def build_digest(store: DayReports, embeddings: StoredVectors, embedder: Embedder, day: date, zone: ZoneInfo) -> Digest:
    check_digest_day(day)
    articles = digest_articles(store, day, zone)
    if not articles:
        return Digest(day, zone, 0, 0, ())
    passages = {a.id: store.article_passages(a.id) for a in articles}
    dimension = embedder.dimension
    paragraph_vectors = {a.id: embeddings.vectors_for([p.id for p in passages[a.id]], dimension) for a in articles}
    means = np.stack([paragraph_vectors[a.id].mean(axis=0) for a in articles])
    means /= np.linalg.norm(means, axis=1, keepdims=True).clip(min=1e-9)
    stories: list[Story] = []
    for group in _group(articles, means):
        members = [articles[i] for i in group]
        centroid = means[group].mean(axis=0)
        centroid /= np.linalg.norm(centroid) or 1.0
        representative = members[int(np.argmax(means[group] @ centroid))]
        quotes = _key_passages(members, passages, paragraph_vectors, centroid)
        stories.append(Story(
            headline=representative.title,
            citations=tuple(_cite(embedder, quotes, centroid)),
            outlets=tuple(dict.fromkeys(a.outlet for a in members)),
            articles=tuple(members),
        ))
    stories.sort(key=lambda s: (len(s.outlets), max(_recency(a) for a in s.articles)), reverse=True)
    numbered: list[Story] = []
    counter = 1
    for story in stories:
        renumbered = []
        for citation in story.citations:
            renumbered.append(replace(citation, n=counter))
            counter += 1
        numbered.append(Story(story.headline, tuple(renumbered), story.outlets, story.articles))
    outlets = {a.outlet for a in articles}
    return Digest(day, zone, len(articles), len(outlets), tuple(numbered))


def _key_passages(
    members: list[StoredArticle],
    passages: dict[int, list[Passage]],
    vectors: dict[int, np.ndarray],
    centroid: np.ndarray,
) -> list[tuple[Passage, float, tuple[StoredArticle, ...]]]:
    """The paragraph closest to the story from each outlet (best outlets first), at most MAX_QUOTES.

    Copies of the same wire story count as one source: the other copies are
    listed as `also_in` on its citation instead of being quoted again.
    """
    by_root: dict[int, list[StoredArticle]] = {}
    for article in members:
        by_root.setdefault(_root(article), []).append(article)
    candidates = []
    for linked in by_root.values():
        article = linked[0]
        scores = vectors[article.id] @ centroid
        scores[0] += LEAD_BONUS
        best = int(np.argmax(scores))
        candidates.append((passages[article.id][best], float(scores[best]), tuple(linked[1:])))
    candidates.sort(key=lambda c: c[1], reverse=True)
    chosen: list[tuple[Passage, float, tuple[StoredArticle, ...]]] = []
    used_outlets: set[str] = set()
    for passage, score, copies in candidates:
        if passage.article.outlet in used_outlets:
            continue
        chosen.append((passage, score, copies))
        used_outlets.add(passage.article.outlet)
        if len(chosen) == MAX_QUOTES:
            break
    return chosen


def _cite(
    embedder: Embedder, quotes: list[tuple[Passage, float, tuple[StoredArticle, ...]]], centroid: np.ndarray
) -> list[Citation]:
    citations = []
    for n, (passage, score, copies) in enumerate(quotes, start=1):
        sentences = split_sentences(passage.text) or [passage.text]
        best = sentences[int(np.argmax(embedder.encode_passages(sentences) @ centroid))] if len(sentences) > 1 \
            else sentences[0]
        citations.append(Citation(n=n, passage=passage, score=score, marked=best, also_in=copies))
    return citations
