"""Source monitoring wired from settings: the registry, the fetch policy, one pass over the sources.

Shared by `newsbot poll`, `newsbot sources` and the bot's polling jobs so that
the same rules (address checks, caps, deadlines, topic filter) apply everywhere.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import replace

from bot.core.services import Services
from config.settings import SourcesSettings
from index.errors import InputError
from index.input.pages import extract_page
from index.sources.feeds import parse_feed
from index.sources.fetch import Fetcher, FetchPolicy
from index.sources.monitor import Monitor, PollResult, ToThread
from index.sources.registry import Source, SourceKind, SourceRegistry, load_sources_file

__all__ = ["fetch_policy", "open_registry", "make_monitor", "poll_sources", "check_source"]


def fetch_policy(sources: SourcesSettings) -> FetchPolicy:
    return FetchPolicy(
        deadline_s=sources.fetch_deadline_s,
        max_bytes=sources.max_bytes,
        allow_private_networks=sources.allow_private_networks,
    )


def open_registry(services: Services) -> SourceRegistry:
    """The sources table, with the configured TOML file's sources loaded into it."""
    registry = SourceRegistry(services.store.db)
    path = services.settings.sources.file
    if path is not None:
        registry.sync_file(load_sources_file(path, services.settings.sources.poll_minutes))
    return registry


def make_monitor(
    services: Services, registry: SourceRegistry, fetcher: Fetcher, *, to_thread: ToThread = asyncio.to_thread
) -> Monitor:
    """The monitor for every poll; `to_thread` is where its blocking work runs (the bot's core threads)."""
    return Monitor(
        registry,
        services.ingestor,
        fetcher,
        topic_keywords=services.settings.sources.topic_keywords,
        max_alerts=services.settings.alerts.max_per_poll,
        to_thread=to_thread,
        max_new_per_poll=services.settings.sources.max_new_per_poll,
        max_new_per_day=services.settings.sources.max_new_per_day,
    )


async def poll_sources(services: Services, registry: SourceRegistry, names: Iterable[str] = ()) -> list[PollResult]:
    """One pass over the enabled sources (or the named ones), one after another."""
    wanted = set(names)
    states = [s for s in registry.all() if (s.source.name in wanted if wanted else s.source.enabled)]
    missing = wanted - {s.source.name for s in states}
    if missing:
        raise InputError(", ".join(sorted(missing)), "no such source (see `newsbot sources list`)")
    async with Fetcher(fetch_policy(services.settings.sources)) as fetcher:
        monitor = make_monitor(services, registry, fetcher)
        return [await monitor.poll(state) for state in states]


async def check_source(source: Source, policy: FetchPolicy) -> tuple[Source, str]:
    """Fetch a candidate source once under the same rules: the source with its kind, and what was found.

    A feed with entries is a feed source; otherwise a page with main text is
    a watched page. Anything else raises InputError (or FetchError), so a
    source that no poll could ever use is refused when it is added.
    """
    async with Fetcher(policy) as fetcher:
        response = await fetcher.fetch(source.url)
    try:
        feed = await asyncio.to_thread(parse_feed, response.body, base_url=response.url,
                                       http_charset=response.encoding)
        return replace(source, kind=SourceKind.FEED), f"feed with {len(feed.entries)} entries"
    except InputError as not_a_feed:
        try:
            page = await asyncio.to_thread(extract_page, response.body, url=response.url,
                                           http_charset=response.encoding)
        except InputError:
            raise InputError(source.url, f"neither a feed nor an article page ({not_a_feed.reason})") from None
    return (replace(source, kind=SourceKind.PAGE),
            f"article page ({len(page.paragraphs)} paragraphs), watched for changes")
