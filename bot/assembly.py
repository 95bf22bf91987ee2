"""The Discord bot put together: each cog and job built with exactly the collaborators it uses.

This is the one place that knows every cog. `newsbot run` (`bot.runner`) and
the end-to-end tests build the bot here, so they serve the same commands.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from bot.client import NewsBot, ScheduledJob
from bot.cogs.ask import AskCog
from bot.cogs.briefing import BriefingCog
from bot.cogs.digest import DigestCog
from bot.cogs.follows import FollowsCog
from bot.cogs.mentions import MentionsCog
from bot.cogs.sources import SourcesCog
from bot.cogs.status import StatusCog
from bot.core.configured_ids import ConfiguredId, IdKind, configured_ids, unseen_lines
from bot.core.conversation import ConversationMemory
from bot.core.digest import build_digest
from bot.core.following import FollowMatcher
from bot.core.monitoring import fetch_policy, make_monitor
from bot.core.perspectives import PerspectiveFinder
from bot.core.services import Services
from bot.core.status import StatusReport, status_report
from bot.core.timeline import TimelineBuilder
from bot.core_threads import CoreThreads
from bot.digest_job import DigestPoster, send_digest
from bot.follow_job import FollowAlerter
from bot.markdown_escaping import inert
from bot.polling import SourcePoller
from bot.refresh_job import RefreshJob
from bot.render import IndexFooter, channel_mention
from index.sources.fetch import Fetcher
from index.sources.registry import SourceRegistry

__all__ = ["AssembledBot", "assemble_bot"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AssembledBot:
    bot: NewsBot
    poller: SourcePoller
    digest: DigestPoster | None
    """None when no digest channel is configured."""
    follows: FollowAlerter
    refresh: RefreshJob

    @property
    def jobs(self) -> list[ScheduledJob]:
        """The timed jobs `newsbot run` schedules: source polls, followed-topic alerts, the daily digest, and
        bringing in what other processes stored."""
        return [self.refresh.attach, self.poller.attach, self.follows.attach] + (
            [self.digest.attach] if self.digest is not None else [])


def assemble_bot(services: Services, registry: SourceRegistry, fetcher: Fetcher) -> AssembledBot:
    """The bot with every cog installed; its jobs are returned, not scheduled (the caller decides)."""
    settings = services.settings
    store = services.store
    bot = NewsBot(threads=CoreThreads(), guild_id=settings.discord.guild_id,
                  shard_count=settings.discord.shard_count, shard_ids=list(settings.discord.shard_ids))
    run = bot.threads.run

    async def index_footer() -> IndexFooter:
        stats = await run(store.articles.stats)
        return IndexFooter(stats.articles, stats.paragraphs, stats.newest_display)

    build = partial(build_digest, store.articles, store.embeddings, services.embedder, topic=services.topic,
                    side_of=services.side_of)
    monitor = make_monitor(services, registry, fetcher, to_thread=run)
    poller = SourcePoller(bot, registry, monitor, settings.alerts, store.articles.article_passages, run)
    leader = store.leader_lock("jobs")
    posts = store.posts
    digest = None
    if settings.digest.channel_id:
        digest = DigestPoster(build, posts, settings.digest, partial(send_digest, bot), run, leads=leader.acquire)
    discord_settings = settings.discord
    managers = frozenset(discord_settings.manager_role_ids)
    memory = ConversationMemory()
    follows = store.follows
    # Alerts, perspectives and timelines keep their score floors: the reader was trained on questions, and
    # against a topic ("Lachin corridor") it rates the passages about it too low to filter with (README).
    matcher = FollowMatcher(services.searcher, services.topic, threshold=settings.alerts.follow_threshold,
                            cooldown=timedelta(minutes=settings.alerts.follow_cooldown_minutes))
    alerter = FollowAlerter(bot, follows, matcher, store.articles, run,
                            every_seconds=settings.alerts.follow_check_seconds, leads=leader.acquire,
                            searchable=services.vectors.holds, refresh=services.refresher.refresh)

    def report() -> StatusReport:
        services.refresher.refresh()
        return status_report(services, registry, follows.count_all(), channel=channel_mention, text=inert)

    def visible(configured: ConfiguredId) -> bool:
        if configured.kind is IdKind.CHANNEL:
            return bot.get_channel(configured.id) is not None
        return any(guild.get_role(configured.id) is not None for guild in bot.guilds)

    async def unseen(channel: Callable[[int], str] = channel_mention) -> list[str]:
        """Configured channels and roles the bot cannot see (its cache is read here, on the event loop)."""
        states = await run(registry.all)
        return unseen_lines(configured_ids(settings, [s.source for s in states]), visible, channel)

    async def report_unseen_at_start() -> None:
        for line in await unseen(lambda i: f"channel {i}"):
            log.warning("%s", line)

    bot.install(cogs=[
        AskCog(services.answerer, services.searcher, index_footer, run, memory, services.writer),
        BriefingCog(PerspectiveFinder(services.searcher, services.topic, services.side_of),
                    TimelineBuilder(services.searcher, store.articles, services.topic, services.side_of), run),
        DigestCog(build, settings.digest.timezone, run, managers, posts),
        MentionsCog(bot, services.answerer, index_footer, run, ask_channel_ids=discord_settings.ask_channel_ids,
                    thread_channel_ids=discord_settings.thread_channel_ids, memory=memory, writer=services.writer),
        FollowsCog(follows, matcher, run, managers),
        StatusCog(report, run, unseen),
        SourcesCog(registry, fetch_policy(settings.sources), run, poll_minutes=settings.sources.poll_minutes,
                   changed=partial(bot.dispatch, "sources_changed"), manager_role_ids=managers),
    ])
    bot.add_listener(report_unseen_at_start, "on_ready")
    return AssembledBot(bot, poller, digest, alerter, RefreshJob(services.refresher, run))
