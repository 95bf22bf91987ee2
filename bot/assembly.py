"""The Discord bot put together: each cog and job built with exactly the collaborators it uses.

This is the one place that knows every cog. `newsbot run` (`bot.runner`) and
the end-to-end tests build the bot here, so they serve the same commands.
"""

from __future__ import annotations

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
from bot.core.conversation import ConversationMemory
from bot.core.digest import build_digest
from bot.core.following import FollowMatcher
from bot.core.monitoring import fetch_policy, make_monitor
from bot.core.perspectives import PerspectiveFinder
from bot.core.services import Services
from bot.core.status import status_report
from bot.core.timeline import TimelineBuilder
from bot.core_threads import CoreThreads
from bot.digest_job import DigestPoster, send_digest
from bot.digest_posts import PostLog
from bot.follow_job import FollowAlerter
from bot.follow_store import FollowStore
from bot.polling import SourcePoller
from bot.render import IndexFooter
from index.sources.fetch import Fetcher
from index.sources.registry import SourceRegistry

__all__ = ["AssembledBot", "assemble_bot"]


@dataclass(frozen=True)
class AssembledBot:
    bot: NewsBot
    poller: SourcePoller
    digest: DigestPoster | None
    """None when no digest channel is configured."""
    follows: FollowAlerter

    @property
    def jobs(self) -> list[ScheduledJob]:
        """The timed jobs `newsbot run` schedules: source polls, followed-topic alerts, the daily digest."""
        return [self.poller.attach, self.follows.attach] + ([self.digest.attach] if self.digest is not None else [])


def assemble_bot(services: Services, registry: SourceRegistry, fetcher: Fetcher) -> AssembledBot:
    """The bot with every cog installed; its jobs are returned, not scheduled (the caller decides)."""
    settings = services.settings
    store = services.store
    bot = NewsBot(threads=CoreThreads(), guild_id=settings.discord.guild_id)
    run = bot.threads.run

    async def index_footer() -> IndexFooter:
        stats = await run(store.articles.stats)
        return IndexFooter(stats.articles, stats.paragraphs, stats.newest_display)

    build = partial(build_digest, store.articles, store.embeddings, services.embedder, topic=services.topic,
                    side_of=services.side_of)
    monitor = make_monitor(services, registry, fetcher, to_thread=run)
    poller = SourcePoller(bot, registry, monitor, settings.alerts, store.articles.article_passages, run)
    digest = None
    if settings.digest.channel_id:
        digest = DigestPoster(build, PostLog(store.db), settings.digest, partial(send_digest, bot), run)
    discord_settings = settings.discord
    managers = frozenset(discord_settings.manager_role_ids)
    memory = ConversationMemory()
    follows = FollowStore(store.db)
    matcher = FollowMatcher(services.searcher, services.topic, threshold=settings.alerts.follow_threshold,
                            cooldown=timedelta(minutes=settings.alerts.follow_cooldown_minutes))
    alerter = FollowAlerter(bot, follows, matcher, store.articles, run,
                            every_seconds=settings.alerts.follow_check_seconds)
    bot.install(cogs=[
        AskCog(services.answerer, services.searcher, index_footer, run, memory, services.writer),
        BriefingCog(PerspectiveFinder(services.searcher, services.topic, services.side_of),
                    TimelineBuilder(services.searcher, store.articles, services.topic), run),
        DigestCog(build, settings.digest.timezone, run, managers),
        MentionsCog(bot, services.answerer, index_footer, run, ask_channel_ids=discord_settings.ask_channel_ids,
                    thread_channel_ids=discord_settings.thread_channel_ids, memory=memory, writer=services.writer),
        FollowsCog(follows, matcher, run, managers),
        StatusCog(lambda: status_report(services, registry, follows.count_all()), run),
        SourcesCog(registry, fetch_policy(settings.sources), run, poll_minutes=settings.sources.poll_minutes,
                   changed=partial(bot.dispatch, "sources_changed"), manager_role_ids=managers),
    ])
    return AssembledBot(bot, poller, digest, alerter)
