"""End to end: /sources through the Discord emulator, and alerts for new articles from a loopback feed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.discord_emulator import DiscordEmulator, connected
from tests.http_server import LoopbackServer, static
from tests.test_monitor import _page, _rss

pytestmark = pytest.mark.slow

STORY = (
    "Foreign ministers of Armenia and Azerbaijan met in Moscow on Friday for talks hosted by Sergei Lavrov about "
    "a humanitarian ceasefire and the exchange of prisoners and bodies, diplomats said. @everyone should read it."
)


@pytest.fixture
async def setup(tmp_path: Path, embedder, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[dict]:  # type: ignore[no-untyped-def]
    from bot.assembly import assemble_bot
    from bot.core.monitoring import fetch_policy, open_registry
    from bot.core.services import open_services
    from config.settings import load_settings
    from index.sources.fetch import Fetcher

    for name in ("NEWSBOT_CONFIG", "DISCORD_TOKEN", "NEWSBOT_DISCORD__TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with LoopbackServer() as server:
        server.route("/feed.xml", static(_rss([(server.url("/a/1"), "Fuzuli villages", "Sun, 04 Oct 2020 09:00:00 GMT",
                                                 "Villages near Fuzuli changed hands, officials said.")]),
                                         "application/rss+xml"))
        server.route("/a/1", static(_page("Fuzuli villages", [
            "Azerbaijani officials said on Sunday that the army had taken several villages near Fuzuli after a "
            "night of heavy shelling, while Karabakh officials reported damage to homes in Stepanakert."])))
        async with DiscordEmulator() as emulator:
            channel = emulator.add_channel("news")
            alerts = emulator.add_channel("alerts")
            user = emulator.add_user("reader")
            admin = emulator.add_user("admin", manage_guild=True)
            settings = load_settings(
                data_dir=tmp_path / "data", discord={"guild_id": emulator.guild_id},
                sources={"allow_private_networks": True}, alerts={"channel_id": alerts, "max_per_poll": 2},
            )
            services = await asyncio.to_thread(open_services, settings, embedder=embedder)
            registry = await asyncio.to_thread(open_registry, services)
            try:
                async with Fetcher(fetch_policy(settings.sources)) as fetcher:
                    assembled = assemble_bot(services, registry, fetcher)
                    async with connected(emulator, assembled.bot):
                        yield {"emulator": emulator, "server": server, "channel": channel, "alerts": alerts,
                               "user": user, "admin": admin, "poller": assembled.poller, "registry": registry,
                               "bot": assembled.bot}
            finally:
                services.close()


async def test_sources_add_is_refused_for_members_without_manage_server(setup: dict) -> None:
    emulator = setup["emulator"]
    record = await emulator.invoke(setup["channel"], setup["user"], "sources add",
                                   url=setup["server"].url("/feed.xml"), name="wire")
    await emulator.wait_for(lambda: record.callbacks, what="the refusal")
    assert record.callbacks[0]["flags"] & 64
    assert "Manage Server" in record.callbacks[0]["data"]["content"]
    assert setup["registry"].all() == []


async def test_admin_adds_lists_and_removes_a_source(setup: dict) -> None:
    emulator = setup["emulator"]
    add = await emulator.invoke(setup["channel"], setup["admin"], "sources add",
                                url=setup["server"].url("/feed.xml"), name="wire", language="en", side="international")
    await emulator.wait_for(lambda: add.followups, what="the add confirmation")
    assert add.callbacks[0]["flags"] & 64 and "feed with 1 entries" in add.followups[0]["content"]
    again = await emulator.invoke(setup["channel"], setup["admin"], "sources add",
                                  url=setup["server"].url("/feed.xml") + "?v=2", name="wire", outlet="Wire \u202eTwo")
    await emulator.wait_for(lambda: again.followups, what="the refusal to replace")
    assert "exists already" in again.followups[-1]["content"] and "replace" in again.followups[-1]["content"]
    assert setup["registry"].get("wire").source.url == setup["server"].url("/feed.xml")
    replaced = await emulator.invoke(setup["channel"], setup["admin"], "sources add", url=setup["server"].url(
        "/feed.xml") + "?v=2", name="wire", outlet="Wire \u202eTwo", side="armenian", replace=True)
    await emulator.wait_for(lambda: replaced.followups, what="the replacement")
    assert replaced.followups[-1]["content"].startswith("Replaced")
    stored = setup["registry"].get("wire").source
    assert (stored.outlet, stored.side.value) == ("Wire Two", "armenian"), "outlet cleaned, side as given"
    listing = await emulator.invoke(setup["channel"], setup["user"], "sources list")
    await emulator.wait_for(lambda: listing.callbacks, what="the list")
    assert "wire: http://127.0.0.1" in listing.callbacks[0]["data"]["embeds"][0]["description"]
    bad = await emulator.invoke(setup["channel"], setup["admin"], "sources add", url="file:///etc/passwd", name="x")
    await emulator.wait_for(lambda: bad.callbacks, what="the validation error, before any fetch")
    assert bad.callbacks[0]["flags"] & 64 and "url must start with http" in bad.callbacks[0]["data"]["content"]
    remove = await emulator.invoke(setup["channel"], setup["admin"], "sources remove", name="wire")
    await emulator.wait_for(lambda: remove.callbacks, what="the removal")
    assert "Removed" in remove.callbacks[0]["data"]["content"]


async def test_alert_is_posted_once_per_new_article(setup: dict) -> None:
    from index.sources.registry import Source

    emulator, server, registry, poller = setup["emulator"], setup["server"], setup["registry"], setup["poller"]
    registry.upsert(Source(name="wire", url=server.url("/feed.xml"), outlet="Loopback Wire"))
    await poller.poll("wire")  # first poll: stores the feed's backlog without alerting
    assert emulator.channel_messages(setup["alerts"]) == []
    server.route("/feed.xml", static(_rss([
        (server.url("/a/1"), "Fuzuli villages", "Sun, 04 Oct 2020 09:00:00 GMT",
         "Villages near Fuzuli changed hands, officials said."),
        (server.url("/a/2"), "Talks in Moscow", "Fri, 09 Oct 2020 18:00:00 GMT", STORY * 3),
    ]), "application/rss+xml"))
    await poller.poll("wire")
    await poller.poll("wire")
    [alert] = await emulator.wait_for(lambda: emulator.channel_messages(setup["alerts"]), what="the alert")
    embed = alert["embeds"][0]
    assert embed["title"] == "Talks in Moscow" and "<http://127.0.0.1" in embed["description"]
    assert "@everyone" not in embed["description"] and alert["allowed_mentions"]["parse"] == []
    assert "9 October 2020" in embed["footer"]["text"]
    status = await emulator.invoke(setup["channel"], setup["user"], "status")
    await emulator.wait_for(lambda: status.followups, what="the status")
    fields = {f["name"]: f["value"] for f in status.followups[0]["embeds"][0]["fields"]}
    assert "wire: http://127.0.0.1" in fields["Sources"] and "last success 20" in fields["Sources"]


async def test_one_poll_job_per_enabled_source(setup: dict) -> None:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from index.sources.registry import Source

    registry, poller = setup["registry"], setup["poller"]
    registry.upsert(Source(name="a", url="https://example.org/a.xml", outlet="A", poll_minutes=15))
    registry.upsert(Source(name="b", url="https://example.org/b.xml", outlet="B", poll_minutes=30))
    registry.upsert(Source(name="c", url="https://example.org/c.xml", outlet="C", enabled=False))
    scheduler = AsyncIOScheduler(timezone="UTC")
    poller.attach(scheduler)
    await poller.sync_jobs()
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"poll:resync", "poll:a", "poll:b"}
    assert jobs["poll:b"].trigger.interval.total_seconds() == 1800 and jobs["poll:b"].trigger.jitter
    assert jobs["poll:a"].max_instances == 1 and jobs["poll:a"].coalesce
    registry.remove("a")
    await poller.sync_jobs()
    assert {job.id for job in scheduler.get_jobs()} == {"poll:resync", "poll:b"}
