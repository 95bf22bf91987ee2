"""One poll of one source: fetch safely, parse, filter, fetch pages where needed, ingest.

A poll never raises: whatever goes wrong becomes the source's last error and
its back-off grows; the bot and the other sources carry on. Everything but
the network waits (feed parsing, the topic filter, hashing, page extraction,
splitting text into paragraphs, embedding, SQLite) runs in worker threads
through `to_thread`, so a poll can share the bot's event loop: a 1 MB entry
once held it for 45 s.

A feed source yields its entries; a page source is one article page, stored
under its URL and replaced when its text changes. An entry's URL belongs to
the source that claimed it first (`SourceRegistry.claim_entry`); other sources
linking it count it as `elsewhere` and store nothing.

The first successful poll of a new source stores what the feed already holds
without alerting: only reporting that appears later is news.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from index.errors import FetchError, InputError, NewsbotError
from index.ingest import IngestCounts, Ingestor
from index.input.pages import ExtractedPage, extract_page
from index.input.urls import canonical_url
from index.models import Article, IngestResult, IngestStatus, StoredArticle
from index.sides import Side
from index.sources.entry_articles import entry_to_article, page_to_article
from index.sources.feeds import FeedEntry, needs_page, parse_feed
from index.sources.fetch import Fetcher, FetchResult
from index.sources.registry import Source, SourceKind, SourceRegistry, SourceState
from index.sources.word_matching import WordMatcher, word_matcher

__all__ = ["Monitor", "PollResult", "ToThread", "matches_topic", "routed"]

log = logging.getLogger(__name__)

ToThread = Callable[..., Awaitable[Any]]
"""Runs a blocking call in a worker thread: `asyncio.to_thread`, or the bot's own pool of core threads."""


def _with_side(article: Article, state: SourceState) -> Article:
    """A monitored source's side travels with its articles (the outlet table only fills in where none is set)."""
    side = state.source.side
    return article if side is Side.UNKNOWN else replace(article, side=side.value)


@dataclass(kw_only=True)
class PollResult(IngestCounts):
    """One poll of one source: its entries counted by what became of them (`unchanged` and `failed` also
    count entries that never reached ingest: seen before, or no article could be built)."""

    source: str
    not_modified: bool = False
    entries: int = 0
    off_topic: int = 0
    elsewhere: int = 0
    """Entries whose article another source stored first."""
    capped: int = 0
    """New entries left for later polls: the source reached its cap of new articles per poll or per day."""
    error: str = ""
    alerts: list[StoredArticle] = field(default_factory=list)

    def line(self) -> str:
        if self.error:
            return f"{self.source}: failed: {self.error}"
        if self.not_modified:
            return f"{self.source}: not modified"
        elsewhere = f", {self.elsewhere} from other sources" if self.elsewhere else ""
        capped = f", {self.capped} left for later (cap reached)" if self.capped else ""
        return (
            f"{self.source}: {self.entries} entries, {self.added} added, {self.replaced} updated, "
            f"{self.unchanged} unchanged, {self.off_topic} off-topic{elsewhere}{capped}, {self.failed} failed"
        )

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of `newsbot poll --json`."""
        return {
            "source": self.source, "not_modified": self.not_modified, "entries": self.entries, "added": self.added,
            "replaced": self.replaced, "unchanged": self.unchanged, "off_topic": self.off_topic,
            "elsewhere": self.elsewhere, "capped": self.capped, "failed": self.failed, "error": self.error,
            "alerts": [a.source for a in self.alerts],
        }


def _entry_digest(entry: FeedEntry) -> str:
    text = "\x1e".join((entry.title, entry.published.iso(), entry.summary_text, entry.content_text))
    return hashlib.sha256(text.encode()).hexdigest()


def matches_topic(text: str, keywords: Iterable[str]) -> bool:
    """True when the text names any keyword (or a glossary spelling of it) as whole words; no keywords = no
    filter. See `index.sources.word_matching`."""
    matcher = word_matcher(tuple(keywords))
    return not matcher or matcher.matches(text)


def routed(source: Source, text: str) -> bool:
    """Whether an article of `source` goes to the source's own channel under its include/exclude words (whole
    words, any glossary spelling; blocking work for a long article: run it off the event loop)."""
    if source.channel_id is None:
        return False
    if word_matcher(source.exclude).matches(text):
        return False
    return matches_topic(text, source.include)


class Monitor:
    def __init__(
        self,
        registry: SourceRegistry,
        ingestor: Ingestor,
        fetcher: Fetcher,
        *,
        topic_keywords: Iterable[str] = (),
        max_alerts: int = 5,
        to_thread: ToThread = asyncio.to_thread,
        max_new_per_poll: int = 50,
        max_new_per_day: int = 500,
    ) -> None:
        """`max_new_per_poll` and `max_new_per_day` cap the new articles one source stores: a feed that changes
        its links on every poll would otherwise add its whole length each time."""
        self.max_new_per_poll = max_new_per_poll
        self.max_new_per_day = max_new_per_day
        self.registry = registry
        self.ingestor = ingestor
        self.fetcher = fetcher
        self.topic_filter = WordMatcher(topic_keywords)
        """Compiled once: a poll checks every entry against it (an empty filter lets every entry through)."""
        self.max_alerts = max_alerts
        self.to_thread = to_thread

    async def poll(self, state: SourceState) -> PollResult:
        source = state.source
        result = PollResult(source=source.name)
        interval = timedelta(minutes=source.poll_minutes)
        try:
            response = await self.fetcher.fetch(source.url, etag=state.etag, last_modified=state.last_modified)
            if response.not_modified:
                result.not_modified = True
            else:
                if source.kind is SourceKind.PAGE:
                    articles, seen = await self.to_thread(self._page_articles, state, response, result)
                else:
                    articles, seen = await self._feed_articles(state, response, result)
                outcomes = await self.to_thread(self._ingest, articles)
                await self.to_thread(self._count, outcomes, result, alert=state.seeded)
                stored = {o.source for o in outcomes if o.status is not IngestStatus.FAILED}
                for url, digest in seen:
                    if url in stored:
                        await self.to_thread(self.registry.remember_entry, url, digest)
            await self.to_thread(
                self.registry.record_success, source.name, etag=response.etag,
                last_modified=response.last_modified, interval=interval,
            )
        except NewsbotError as exc:
            result.error = str(exc)
            log.info("polling %s failed: %s", source.name, exc)
            await self.to_thread(self.registry.record_failure, source.name, str(exc), interval=interval)
        except Exception as exc:  # a bug or an unexpected library error: log it, keep the bot alive
            result.error = f"unexpected error ({type(exc).__name__})"
            log.exception("polling %s failed unexpectedly", source.name)
            await self.to_thread(self.registry.record_failure, source.name, result.error, interval=interval)
        return result

    async def _feed_articles(
        self, state: SourceState, response: FetchResult, result: PollResult
    ) -> tuple[list[Article], list[tuple[str, str]]]:
        """Articles for the entries that are new or changed since they were last seen, and their digests."""
        feed = await self.to_thread(parse_feed, response.body, base_url=response.url, http_charset=response.encoding)
        result.entries = len(feed.entries)
        wanted = await self.to_thread(self._wanted_entries, state, feed.entries, result)
        articles: list[Article] = []
        seen: list[tuple[str, str]] = []
        today = datetime.now(UTC).date()
        for entry, digest, fetch_page in wanted:
            page = None
            if fetch_page:
                try:
                    fetched = await self.fetcher.fetch(entry.url)
                    page = await self.to_thread(extract_page, fetched.body, url=fetched.url,
                                                http_charset=fetched.encoding)
                except (FetchError, InputError) as exc:
                    log.info("%s: using the feed summary of %s (%s)", state.source.name, entry.url, exc)
            try:
                articles.append(await self.to_thread(self._entry_article, state, entry, page, today))
                seen.append((entry.url, digest))
            except InputError as exc:
                result.failed += 1
                log.warning("%s: %s", state.source.name, exc)
        return articles, seen

    def _wanted_entries(
        self, state: SourceState, entries: list[FeedEntry], result: PollResult
    ) -> list[tuple[FeedEntry, str, bool]]:
        """(entry, digest, whether its page must be fetched) for entries this source should store now."""
        wanted: list[tuple[FeedEntry, str, bool]] = []
        stored_today = self.registry.stored_today(state.source.name)
        # A new source's first poll stores its backlog (silently, a feed keeps a bounded number of entries):
        # only the daily cap applies to it, so no backlog entry is left to alert on a later poll.
        per_poll = self.max_new_per_poll if state.seeded else self.max_new_per_day
        room = max(0, min(per_poll, self.max_new_per_day - stored_today))
        for entry in entries:
            if self.topic_filter and not self.topic_filter.matches(
                    f"{entry.title} {entry.summary_text} {entry.content_text}"):
                result.off_topic += 1
                continue
            digest = _entry_digest(entry)
            known = self.registry.entry_digest(entry.url)
            if known == digest:
                result.unchanged += 1
                continue
            if known is None and room == 0:
                result.capped += 1  # not claimed: a later poll may still store it
                continue
            if not self.registry.claim_entry(entry.url, state.source):
                result.elsewhere += 1
                continue
            room -= known is None
            wanted.append((entry, digest, needs_page(entry)))
        if result.capped:
            log.warning("%s: %d new entries left for later polls: at most %d new articles per poll and %d a day "
                        "(%d stored today; sources.max_new_per_poll, sources.max_new_per_day)", state.source.name,
                        result.capped, self.max_new_per_poll, self.max_new_per_day, stored_today)
        return wanted

    @staticmethod
    def _entry_article(state: SourceState, entry: FeedEntry, page: ExtractedPage | None, today: date) -> Article:
        article = entry_to_article(entry, outlet=state.source.outlet, language=state.source.language, page=page,
                                   first_seen_date=today)
        return _with_side(article, state)

    def _page_articles(
        self, state: SourceState, response: FetchResult, result: PollResult
    ) -> tuple[list[Article], list[tuple[str, str]]]:
        """The watched page as one article under the source's canonical URL, unless another source has it."""
        source = state.source
        url = canonical_url(source.url)
        result.entries = 1
        page = extract_page(response.body, url=response.url, http_charset=response.encoding)
        if not self.registry.claim_entry(url, source):
            result.elsewhere += 1
            return [], []
        article = _with_side(page_to_article(page, url=url, outlet=source.outlet, language=source.language,
                                             first_seen_date=datetime.now(UTC).date()), state)
        digest = hashlib.sha256("\x1e".join(article.paragraphs).encode()).hexdigest()
        if self.registry.entry_digest(url) == digest:
            result.unchanged += 1
            return [], []
        return [article], [(url, digest)]

    def _ingest(self, articles: list[Article]) -> list[IngestResult]:
        return list(self.ingestor.ingest_articles(articles))

    def _count(self, outcomes: list[IngestResult], result: PollResult, *, alert: bool) -> None:
        for outcome in outcomes:
            result.count(outcome.status)
            if (alert and outcome.status is IngestStatus.ADDED and outcome.article_id is not None
                    and outcome.duplicate_of is None and len(result.alerts) < self.max_alerts):
                result.alerts.append(self.ingestor.store.article(outcome.article_id))
