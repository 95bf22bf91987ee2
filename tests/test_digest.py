"""The daily digest: content on the real store and model, posting with a controllable clock (no real waiting)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.core.digest import Digest, build_digest
from bot.digest_job import DigestPoster
from bot.digest_posts import PostLog
from config.settings import DigestSettings
from index.input.dates import PublishedDate
from index.models import Article

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def filled(services):  # type: ignore[no-untyped-def]
    services.ingestor.ingest_paths([ROOT / "data" / "sample"])
    return services


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class RecordingSender:
    """Stands in for the Discord channel: records what would be posted."""

    def __init__(self) -> None:
        self.posts: list[tuple[int, Digest]] = []

    async def __call__(self, channel_id: int, digest: Digest) -> list[int]:
        self.posts.append((channel_id, digest))
        return [len(self.posts)]


async def _inline(func: Any, *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


def _poster(services: Any, clock: Clock, sender: RecordingSender, **settings: Any) -> DigestPoster:
    config = DigestSettings(channel_id=42, **settings)
    build = partial(build_digest, services.store.articles, services.store.embeddings, services.embedder,
                    topic=services.topic, side_of=services.side_of)
    return DigestPoster(build, PostLog(services.store.db), config, sender, _inline, clock=clock)


def test_cron_fires_at_eight_local_time_across_the_october_dst_change(services) -> None:  # type: ignore[no-untyped-def]
    trigger = _poster(services, Clock(datetime.now(UTC)), RecordingSender()).trigger()
    before = trigger.get_next_fire_time(None, datetime(2020, 10, 24, 0, 0, tzinfo=AMSTERDAM))
    after = trigger.get_next_fire_time(None, datetime(2020, 10, 25, 0, 0, tzinfo=AMSTERDAM))
    assert before.astimezone(UTC).hour == 6 and before.astimezone(AMSTERDAM).hour == 8  # CEST, UTC+2
    assert after.astimezone(UTC).hour == 7 and after.astimezone(AMSTERDAM).hour == 8  # CET, UTC+1
    spring = trigger.get_next_fire_time(None, datetime(2021, 3, 28, 0, 0, tzinfo=AMSTERDAM))
    assert spring.astimezone(UTC).hour == 6


def test_near_duplicates_form_one_story_with_both_outlets(filled) -> None:  # type: ignore[no-untyped-def]
    digest = build_digest(filled.store.articles, filled.store.embeddings, filled.embedder, date(2020, 11, 10), AMSTERDAM)
    assert digest.title() == "Digest — Tuesday 10 November 2020"
    assert digest.article_count == 2 and digest.outlet_count == 2
    [story] = digest.stories
    assert set(story.outlets) == {"Caucasus Wire", "Eurasia Ledger"}
    assert {c.passage.article.outlet for c in story.citations} == {"Caucasus Wire"}, "the copy is not quoted"
    assert all(any(o.outlet == "Eurasia Ledger" for o in c.also_in) for c in story.citations), "…but listed"


def test_both_sides_of_one_event_are_quoted_under_their_labels(filled) -> None:  # type: ignore[no-untyped-def]
    digest = build_digest(filled.store.articles, filled.store.embeddings, filled.embedder, date(2020, 10, 4), AMSTERDAM, topic=filled.topic,
                          side_of=filled.side_of)
    [story] = digest.stories
    assert {c.passage.article.outlet for c in story.citations} == {"Eurasia Ledger", "Highland Post"}
    assert story.several_sides and {"armenian", "azerbaijani"} <= {s.value for s in story.sides}
    assert [c.n for c in story.citations] == list(range(1, len(story.citations) + 1))
    data = digest.to_dict()
    assert data["stories"][0]["citations"][0]["date_precision"] == "day"


def test_backfill_and_month_precision_reports_stay_out_of_the_daily_digest(services) -> None:  # type: ignore[no-untyped-def]
    """A bulk import or a new source's first poll must not flood the next digest with old reports."""
    month_only = Article(title="Mines survey", outlet="Field Notes", source="mines.txt",
                         published=PublishedDate.month(2021, 6), language="en",
                         paragraphs=("Deminers cleared another field near Agdam in Karabakh this month, "
                                     "Azerbaijani officials in Baku said.",))
    old_report = Article(title="Shelling in Stepanakert", outlet="Field Notes", source="old.txt",
                         published=PublishedDate.day(date(2020, 10, 4)), language="en",
                         paragraphs=("Stepanakert in Karabakh was shelled overnight, Armenian officials in "
                                     "Yerevan said.",))
    ingested = datetime(2021, 6, 17, 22, 30, tzinfo=UTC)  # 18 June, 00:30 in Amsterdam
    list(services.ingestor.ingest_articles([month_only, old_report], first_seen=ingested))
    zone = AMSTERDAM
    for day in (date(2021, 6, 18), date(2021, 6, 17), date(2021, 6, 1)):
        assert build_digest(services.store.articles, services.store.embeddings, services.embedder, day, zone).article_count == 0
    replay = build_digest(services.store.articles, services.store.embeddings, services.embedder, date(2020, 10, 4), zone, topic=services.topic)
    assert replay.article_count == 1, "digest --date still replays the day the report was published"


def test_headlines_are_never_cut_and_never_the_first_quote_again(filled) -> None:  # type: ignore[no-untyped-def]
    for day in (date(2020, 10, 4), date(2020, 11, 10), date(2023, 9, 20)):
        digest = build_digest(filled.store.articles, filled.store.embeddings, filled.embedder, day, AMSTERDAM, topic=filled.topic,
                              side_of=filled.side_of)
        for story in digest.stories:
            assert story.headline and not story.headline.endswith("…")
            assert story.headline in {a.title for a in story.articles}, "the sample's articles have titles"
            assert not story.citations[0].marked.startswith(story.headline.rstrip("…"))
            assert 1 <= len(story.citations) <= 3
            assert story.reported_by.startswith(f"{len(story.outlets)} outlet")


def test_empty_day_gives_a_short_note_or_nothing(filled) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(datetime(2020, 9, 29, 8, 0, tzinfo=AMSTERDAM))
    sender = RecordingSender()
    assert asyncio.run(_poster(filled, clock, sender).post(date(2020, 9, 28), 42))
    assert sender.posts[0][1].empty
    quiet = RecordingSender()
    assert not asyncio.run(_poster(filled, clock, quiet, skip_empty=True).post(date(2020, 9, 30), 42))
    assert quiet.posts == []


def test_restart_after_posting_posts_nothing_new(filled) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(datetime(2020, 11, 11, 8, 0, tzinfo=AMSTERDAM))
    sender = RecordingSender()
    asyncio.run(_poster(filled, clock, sender).scheduled_run())
    clock.now = datetime(2020, 11, 11, 9, 30, tzinfo=AMSTERDAM)
    restarted = _poster(filled, clock, sender)  # a new process, same database
    asyncio.run(restarted.catch_up())
    asyncio.run(restarted.scheduled_run())
    assert [d.day for _, d in sender.posts] == [date(2020, 11, 10)]


def _ran_before(services: Any, since: datetime) -> None:
    """The bot first ran with this digest channel at `since` (a catch-up is owed only for later digests)."""
    PostLog(services.store.db).remember_first_start(42, since)


def test_the_very_first_start_posts_no_catch_up_and_the_next_digest_on_time(filled) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(datetime(2020, 10, 5, 10, 0, tzinfo=AMSTERDAM))  # installed at ten, two hours after eight
    sender = RecordingSender()
    poster = _poster(filled, clock, sender)
    assert not asyncio.run(poster.catch_up())
    assert sender.posts == [], "no digest of the day before the bot was installed"
    clock.now = datetime(2020, 10, 5, 12, 0, tzinfo=AMSTERDAM)
    assert not asyncio.run(_poster(filled, clock, sender).catch_up()), "a restart the same morning neither"
    clock.now = datetime(2020, 10, 6, 8, 0, tzinfo=AMSTERDAM)
    asyncio.run(poster.scheduled_run())
    assert [d.day for _, d in sender.posts] == [date(2020, 10, 5)]


def test_down_across_eight_up_at_ten_posts_one_catch_up(filled) -> None:  # type: ignore[no-untyped-def]
    _ran_before(filled, datetime(2020, 10, 1, tzinfo=UTC))
    clock = Clock(datetime(2020, 10, 5, 10, 0, tzinfo=AMSTERDAM))
    sender = RecordingSender()
    poster = _poster(filled, clock, sender)
    assert asyncio.run(poster.catch_up())
    assert not asyncio.run(poster.catch_up())
    assert [d.day for _, d in sender.posts] == [date(2020, 10, 4)]


def test_down_three_days_posts_only_the_latest_and_never_stale_ones(filled) -> None:  # type: ignore[no-untyped-def]
    _ran_before(filled, datetime(2020, 11, 1, tzinfo=UTC))
    clock = Clock(datetime(2020, 11, 11, 10, 0, tzinfo=AMSTERDAM))  # missed 9, 10 and 11 November
    sender = RecordingSender()
    asyncio.run(_poster(filled, clock, sender).catch_up())
    assert [d.day for _, d in sender.posts] == [date(2020, 11, 10)]
    late = RecordingSender()
    clock.now = datetime(2020, 11, 12, 21, 0, tzinfo=AMSTERDAM)  # 13 h after 08:00: outside the 12 h window
    asyncio.run(_poster(filled, clock, late).catch_up())
    assert late.posts == []


def test_scheduler_job_has_deliberate_misfire_grace(filled) -> None:  # type: ignore[no-untyped-def]
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    scheduler = AsyncIOScheduler(timezone="UTC")
    _poster(filled, Clock(datetime.now(UTC)), RecordingSender()).attach(scheduler)
    job = scheduler.get_job("digest")
    assert job.misfire_grace_time == 12 * 3600 and job.coalesce and job.max_instances == 1
    assert scheduler.get_job("digest:catch-up") is not None
