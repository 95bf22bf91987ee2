"""Day → dated briefing of that day's reporting, grouped into stories. No Discord here.

Which articles: those published on the day (at day precision) and about the
monitored conflict (`index.topic`). When an article was ingested does not
matter, so a bulk import or a new source's first poll never floods the next
morning's digest with old reports, and a report dated only by its month
belongs to that month (it appears in timelines and searches, placed in its
month), never to the day it happened to be ingested.

Stories: articles are joined when the core linked them as copies of one wire
story, or when their mean paragraph vectors are close. Measured on the
development set: both sides' reports of one event on one day (also across
languages: Dutch/German, Dutch/French) score 0.65–0.89, unrelated reports
within a week of each other at most 0.64, so STORY_SIMILARITY = 0.65 (a thin
margin: two different clashes on one front on one busy day may share a story).
Grouping against the story's centroid, not single links, stops chains.
A story told by one side only takes in the other side's report of the day
before when it is about the same event (EARLIER_SIMILARITY): sides often
publish a day apart.

Each side's report of one event can read far apart, so a report joins a story
that only the other side has told from OPPOSING_SIDES_SIMILARITY on.

Each story reads as a briefing: a headline (the article's own title, whole, or
the lead's first sentence: `bot.core.news_sentences`), then up to three
sentences chosen across all its articles, those that are central to the story
*and* tell the day's news first (dates near the report's day, numbers, verbs of
action, over earlier years and "has long"), no two saying the same; where more
than one side reported, each side's account is given under its label.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import numpy as np

from bot.core.citations import Citation
from bot.core.news_sentences import has_own_title, headline_for, news_signal
from index.embedder import Embedder
from index.errors import InputError
from index.input.chunking import split_sentences
from index.models import Passage, StoredArticle
from index.search.topic import TopicGate
from index.sides import Side

__all__ = [
    "Digest",
    "Story",
    "DayReports",
    "StoredVectors",
    "BuildDigest",
    "build_digest",
    "digest_articles",
    "day_before",
    "check_digest_day",
    "STORY_SIMILARITY",
    "FIRST_DIGEST_DAY",
]

STORY_SIMILARITY = 0.65
EARLIER_SIMILARITY = 0.70
MAX_SENTENCES = 3
SAME_SENTENCE = 0.80
"""Two sentences this close (cosine) say the same thing; only the more central one is quoted."""
OPPOSING_SIDES_SIMILARITY = 0.55
"""Each side's report of one event on one day can read far apart (each tells it its own way: on the
development set 0.65–0.89): a report joins a story told only by the other side from this similarity on."""
NEWS_WEIGHT = 0.15
"""How much telling the day's news (`news_signal`, −1…1) counts next to a sentence's centrality (cosine)."""


class DayReports(Protocol):
    """What a digest reads about a day's articles (an `index.article_store.ArticleStore`)."""

    def articles_published_on(self, day: date) -> list[StoredArticle]: ...

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
    sides: tuple[Side, ...] = ()
    """The side of each citation's outlet, in citation order (empty when sides are not known)."""

    @property
    def sentences(self) -> tuple[str, ...]:
        return tuple(c.marked for c in self.citations)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted({a.language for a in self.articles}))

    @property
    def reported_by(self) -> str:
        """"1 outlet (en)", "3 outlets (de, en, nl)"."""
        count = len(self.outlets)
        return f"{count} outlet{'' if count == 1 else 's'} ({', '.join(self.languages)})"

    @property
    def several_sides(self) -> bool:
        return len({s for s in self.sides if s is not Side.UNKNOWN}) > 1


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

    def summary(self) -> str:
        articles = f"{self.article_count} article{'' if self.article_count == 1 else 's'}"
        outlets = f"{self.outlet_count} outlet{'' if self.outlet_count == 1 else 's'}"
        stories = f"{len(self.stories)} stor{'y' if len(self.stories) == 1 else 'ies'}"
        return f"{articles} from {outlets}, {stories}"

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
                    "languages": list(s.languages),
                    "reported_by": s.reported_by,
                    "sides": [side.value for side in s.sides],
                    "articles": [a.source for a in s.articles],
                    "citations": [c.to_dict() for c in s.citations],
                }
                for s in self.stories
            ],
        }


def day_before(instant: datetime, zone: ZoneInfo) -> date:
    """The local day before `instant`: what a digest posted then covers, and the default day to show."""
    return instant.astimezone(zone).date() - timedelta(days=1)


def digest_articles(store: DayReports, day: date, topic: TopicGate | None = None) -> list[StoredArticle]:
    """The day's reports on the topic: published that day, whenever they were ingested."""
    articles = store.articles_published_on(day)
    return [a for a in articles if topic is None or topic.on_topic(a.topic_density)]


def _root(article: StoredArticle) -> int:
    return article.duplicate_of or article.id


_OPPOSING = {Side.ARMENIAN: Side.AZERBAIJANI, Side.AZERBAIJANI: Side.ARMENIAN}


def _group(articles: list[StoredArticle], vectors: np.ndarray, sides: list[Side]) -> list[list[int]]:
    """Greedy centroid grouping: an article joins the story whose centroid it is closest to, if that is at
    STORY_SIMILARITY or closer (OPPOSING_SIDES_SIMILARITY for a story only the other side has told yet), or
    the story holding a linked copy of it; otherwise it starts a story.
    """
    groups: list[list[int]] = []
    for i, article in enumerate(articles):
        best, best_score = -1, 0.0
        for g, members in enumerate(groups):
            if any(_root(articles[m]) == _root(article) for m in members):
                best = g
                break
            told_by = {sides[m] for m in members}
            other_side_only = sides[i] in _OPPOSING and _OPPOSING[sides[i]] in told_by and sides[i] not in told_by
            floor = OPPOSING_SIDES_SIMILARITY if other_side_only else STORY_SIMILARITY
            centroid = vectors[members].mean(axis=0)
            score = float(vectors[i] @ centroid) / (float(np.linalg.norm(centroid)) or 1.0)
            if score >= floor and score >= best_score:
                best, best_score = g, score
        if best >= 0:
            groups[best].append(i)
        else:
            groups.append([i])
    return groups


FIRST_DIGEST_DAY = date(1900, 1, 1)
"""No news archive reaches further back; far older days do not even have a UTC offset to compute."""


def check_digest_day(day: date, today: date | None = None) -> None:
    """Refuse a day no digest can cover: before 1900 or after tomorrow (9999-12-31 has no next day)."""
    latest = (today or datetime.now(UTC).date()) + timedelta(days=1)
    if not FIRST_DIGEST_DAY <= day <= latest:
        raise InputError(day.isoformat(), f"no digest for this day: choose one from {FIRST_DIGEST_DAY.isoformat()} "
                                          f"to {latest.isoformat()}")


BuildDigest = Callable[[date, ZoneInfo], Digest]
"""`build_digest` with its archive, model, topic and sides given: what the scheduled post and /digest call."""


def build_digest(
    store: DayReports,
    embeddings: StoredVectors,
    embedder: Embedder,
    day: date,
    zone: ZoneInfo,
    *,
    topic: TopicGate | None = None,
    side_of: Callable[[StoredArticle], Side] | None = None,
) -> Digest:
    check_digest_day(day)
    articles = digest_articles(store, day, topic)
    if not articles:
        return Digest(day, zone, 0, 0, ())
    sides = side_of or (lambda _article: Side.UNKNOWN)
    passages = {a.id: store.article_passages(a.id) for a in articles}
    vectors = {a.id: embeddings.vectors_for([p.id for p in passages[a.id]], embedder.dimension) for a in articles}
    means = _normalised(np.stack([vectors[a.id].mean(axis=0) for a in articles]))
    earlier = digest_articles(store, day - timedelta(days=1), topic)
    stories: list[Story] = []
    for group in _group(articles, means, [sides(a) for a in articles]):
        members = [articles[i] for i in group]
        centroid = _normalised(means[group].mean(axis=0, keepdims=True))[0]
        members += _other_side_earlier(members, earlier, centroid, store, embeddings, embedder, sides, passages,
                                       vectors)
        stories.append(_story(members, passages, vectors, centroid, embedder, sides))
    stories.sort(key=lambda s: (len(s.outlets), max(a.published.iso() for a in s.articles)), reverse=True)
    numbered: list[Story] = []
    counter = 1
    for story in stories:
        renumbered = []
        for citation in story.citations:
            renumbered.append(replace(citation, n=counter))
            counter += 1
        numbered.append(Story(story.headline, tuple(renumbered), story.outlets, story.articles, story.sides))
    outlets = {a.outlet for a in articles}
    return Digest(day, zone, len(articles), len(outlets), tuple(numbered))


def _normalised(matrix: np.ndarray) -> np.ndarray:
    normalised: np.ndarray = matrix / np.linalg.norm(matrix, axis=1, keepdims=True).clip(min=1e-9)
    return normalised


def _other_side_earlier(
    members: list[StoredArticle], earlier: list[StoredArticle], centroid: np.ndarray, store: DayReports,
    embeddings: StoredVectors, embedder: Embedder, side_of: Callable[[StoredArticle], Side],
    passages: dict[int, list[Passage]], vectors: dict[int, np.ndarray],
) -> list[StoredArticle]:
    """The previous day's report of the same event by a side this story does not have yet, if any."""
    present = {side_of(a) for a in members}
    if not present & {Side.ARMENIAN, Side.AZERBAIJANI}:
        return []
    best: tuple[float, StoredArticle] | None = None
    for article in earlier:
        side = side_of(article)
        if side in present or side not in (Side.ARMENIAN, Side.AZERBAIJANI):
            continue
        if article.id not in vectors:
            passages[article.id] = store.article_passages(article.id)
            vectors[article.id] = embeddings.vectors_for([p.id for p in passages[article.id]], embedder.dimension)
        mean = _normalised(vectors[article.id].mean(axis=0, keepdims=True))[0]
        similarity = float(mean @ centroid)
        if similarity >= EARLIER_SIMILARITY and (best is None or similarity > best[0]):
            best = (similarity, article)
    return [best[1]] if best else []


def _story(
    members: list[StoredArticle], passages: dict[int, list[Passage]], vectors: dict[int, np.ndarray],
    centroid: np.ndarray, embedder: Embedder, side_of: Callable[[StoredArticle], Side],
) -> Story:
    by_root: dict[int, list[StoredArticle]] = {}
    for article in members:
        by_root.setdefault(_root(article), []).append(article)
    originals = [linked[0] for linked in by_root.values()]
    central = max(originals, key=lambda a: float(_normalised(vectors[a.id].mean(axis=0, keepdims=True))[0]
                                                 @ centroid))
    titled = [a for a in sorted(originals, key=lambda a: a is not central)
              if has_own_title(a, passages[a.id][0].text)]
    headline, used_sentence = headline_for(titled[0] if titled else central, passages[central.id][0].text)
    quotes = _quotes(originals, by_root, passages, centroid, embedder, side_of, used_sentence)
    return Story(
        headline=headline,
        citations=tuple(c for c, _ in quotes),
        outlets=tuple(dict.fromkeys(a.outlet for a in members)),
        articles=tuple(members),
        sides=tuple(s for _, s in quotes),
    )


def _quotes(
    originals: list[StoredArticle], by_root: dict[int, list[StoredArticle]], passages: dict[int, list[Passage]],
    centroid: np.ndarray, embedder: Embedder, side_of: Callable[[StoredArticle], Side], skip: str | None,
) -> list[tuple[Citation, Side]]:
    """Up to MAX_SENTENCES sentences across the story's articles: most central first, no two alike, and with
    more than one side reporting, each side's most central sentence before any side's second."""
    candidates: list[tuple[str, Passage, StoredArticle]] = []
    for article in originals:
        for passage in passages[article.id]:
            for sentence in split_sentences(passage.text) or [passage.text]:
                if sentence != skip and len(sentence) >= 25:
                    candidates.append((sentence, passage, article))
    if not candidates:
        return []
    sentence_vectors = embedder.encode_passages([c[0] for c in candidates])
    centrality = sentence_vectors @ centroid
    weight = [float(centrality[i]) + NEWS_WEIGHT * news_signal(c[0], c[2].published, c[2].language)
              for i, c in enumerate(candidates)]
    order = sorted(range(len(candidates)), key=lambda i: weight[i], reverse=True)
    story_sides = {side_of(a) for a in originals} - {Side.UNKNOWN}
    chosen: list[int] = []
    covered: set[Side] = set()
    for pass_sides in (True, False):
        for i in order:
            if len(chosen) >= MAX_SENTENCES:
                break
            side = side_of(candidates[i][2])
            if pass_sides and (len(story_sides) < 2 or side in covered or side is Side.UNKNOWN):
                continue
            if i in chosen or any(float(sentence_vectors[i] @ sentence_vectors[j]) >= SAME_SENTENCE for j in chosen):
                continue
            chosen.append(i)
            covered.add(side)
    if not chosen:
        chosen = order[:1]
    chosen.sort(key=lambda i: weight[i], reverse=True)
    out: list[tuple[Citation, Side]] = []
    for n, i in enumerate(chosen, start=1):
        sentence, passage, article = candidates[i]
        copies = tuple(by_root[_root(article)][1:])
        out.append((Citation(n=n, passage=passage, score=float(centrality[i]), marked=sentence, also_in=copies),
                    side_of(article)))
    return out
