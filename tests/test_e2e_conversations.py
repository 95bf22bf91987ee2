"""End to end through the Discord emulator: follow-up questions, thread mode, /follow alerts, per-source routing.

The real discord.py client and the real core (SQLite, FAISS, the bundled model) on the sample archive. Timed
jobs are not scheduled here: a test runs the follow job's body itself, as the scheduler would.
"""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.discord_emulator import DiscordEmulator, connected

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"


@dataclass
class World:
    emulator: DiscordEmulator
    assembled: Any
    services: Any
    registry: Any
    fetcher: Any
    news: int
    busy: int
    alerts: int
    reader: int
    admin: int


@pytest.fixture
async def world(tmp_path: Path, embedder, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[World]:  # type: ignore[no-untyped-def]
    from bot.assembly import assemble_bot
    from bot.core.monitoring import fetch_policy, open_registry
    from bot.core.services import open_services
    from config.settings import load_settings
    from index.sources.fetch import Fetcher

    for name in ("NEWSBOT_CONFIG", "DISCORD_TOKEN", "NEWSBOT_DISCORD__TOKEN"):
        monkeypatch.delenv(name, raising=False)
    async with DiscordEmulator() as emulator:
        news = emulator.add_channel("news")
        busy = emulator.add_channel("busy")
        alerts = emulator.add_channel("alerts")
        reader = emulator.add_user("reader")
        admin = emulator.add_user("admin", manage_guild=True)
        settings = load_settings(data_dir=tmp_path / "data", discord={
            "guild_id": emulator.guild_id, "thread_channel_ids": [busy]}, alerts={"follow_cooldown_minutes": 0})
        services = await asyncio.to_thread(open_services, settings, embedder=embedder)
        await asyncio.to_thread(services.ingestor.ingest_paths, [SAMPLE])
        registry = await asyncio.to_thread(open_registry, services)
        try:
            async with Fetcher(fetch_policy(settings.sources)) as fetcher:
                assembled = assemble_bot(services, registry, fetcher)
                async with connected(emulator, assembled.bot):
                    yield World(emulator, assembled, services, registry, fetcher, news, busy, alerts, reader, admin)
        finally:
            services.close()


def _embed(message: dict) -> dict:
    assert message["embeds"], message
    return message["embeds"][0]


def _cited_text(message: dict) -> str:
    embed = _embed(message)
    return embed.get("description", "") + " ".join(f"{f['name']} {f['value']}" for f in embed.get("fields", []))


async def test_a_reply_to_an_answer_asks_a_follow_up_about_it(world: World) -> None:
    emulator = world.emulator
    await emulator.send_message(world.news, world.reader, "Wat werd er op 10 november 2020 afgesproken?",
                                mention_bot=True)
    answer = await emulator.wait_for(lambda: emulator.sent.get(world.news, [None])[0], what="the first answer")
    assert "10 November 2020" in _cited_text(answer)
    await emulator.send_message(world.news, world.reader, "En wat zei Pasjinjan zelf over dat akkoord?",
                                reply_to=answer)
    follow_up = await emulator.wait_for(lambda: (emulator.sent.get(world.news) or [])[1:2], what="the follow-up")
    text = _cited_text(follow_up[0])
    assert "10 November 2020" in text, "answered about the agreement of the earlier question"
    assert "Pashinyan" in text or "Pasjinjan" in text
    assert emulator.violations == []


async def test_a_reply_without_the_ping_is_not_read(world: World) -> None:
    emulator = world.emulator
    await emulator.send_message(world.news, world.reader, "What happened to the Lachin corridor in December 2022?",
                                mention_bot=True)
    answer = await emulator.wait_for(lambda: emulator.sent.get(world.news, [None])[0], what="the answer")
    message = await emulator.send_message(world.news, world.reader, "and who blocked it?", reply_to=answer,
                                          ping_reply=False)
    assert message["content"] == "", "without the message-content intent Discord hides the text"
    await asyncio.sleep(0.5)
    assert len(emulator.sent.get(world.news, [])) == 1


async def test_thread_mode_answers_in_a_thread_and_follow_ups_stay_there(world: World) -> None:
    emulator = world.emulator
    await emulator.send_message(world.busy, world.reader, "Wie tekende het decreet over de ontbinding van de "
                                "republiek Nagorno-Karabach?", mention_bot=True)
    thread_id = await emulator.wait_for(lambda: next(iter(emulator.threads), None), what="the thread")
    assert emulator.threads[thread_id]["parent_id"] == str(world.busy)
    first = await emulator.wait_for(lambda: (emulator.sent.get(thread_id) or [None])[0], what="answer in the thread")
    assert emulator.sent.get(world.busy) is None, "nothing is posted in the busy channel itself"
    assert "[1]" in _cited_text(first)
    record = await emulator.invoke(thread_id, world.reader, "ask", question="Wat staat er in dat decreet?")
    await emulator.wait_for(lambda: record.followups, what="the /ask follow-up in the thread")
    answer = _cited_text(record.followups[0])
    assert "décret" in answer or "decreet" in answer or "Dekret" in answer, "answered about the decree"
    assert "Chahramanian" in answer or "Sjahramanjan" in answer or "Shahramanyan" in answer
    assert emulator.violations == []


WIRE = """
    title: Red Cross convoy reaches Stepanakert through the Lachin corridor
    outlet: {outlet}
    date 2023-07-{day} A Red Cross convoy with medicine and flour reached Stepanakert through the Lachin corridor on
    {weekday}, the first to pass the Hakari bridge checkpoint in weeks, Karabakh officials said.

    The trucks had waited at the Armenian side of the corridor while Azerbaijan and Armenia traded accusations.
    """


async def test_follow_alerts_once_per_story_and_survives_a_restart(world: World, tmp_path: Path) -> None:
    emulator = world.emulator
    refused = await emulator.invoke(world.news, world.reader, "follow", topic="Lachin corridor")
    await emulator.wait_for(lambda: refused.callbacks, what="the refusal")
    assert refused.callbacks[0]["flags"] & 64 and "Manage Server" in refused.callbacks[0]["data"]["content"]
    record = await emulator.invoke(world.alerts, world.admin, "follow", topic="Lachin corridor")
    await emulator.wait_for(lambda: record.followups, what="/follow")
    assert "Following" in record.followups[0]["content"]
    alerter = world.assembled.follows
    assert await alerter.check() == 0, "what was stored before is not alerted"

    folder = tmp_path / "wire"
    folder.mkdir()
    (folder / "one.txt").write_text(textwrap.dedent(WIRE.format(outlet="Wire One", day="14", weekday="Friday")))
    await asyncio.to_thread(world.services.ingestor.ingest_paths, [folder / "one.txt"])
    assert await alerter.check() == 1
    alert = emulator.sent[world.alerts][-1]
    assert "Lachin" in _embed(alert)["description"] and "Followed: Lachin corridor" == _embed(alert)["title"]

    copy = WIRE.replace("reached", "arrived in").format(outlet="Wire Two", day="14", weekday="Friday")
    (folder / "two.txt").write_text(textwrap.dedent(copy))
    results = await asyncio.to_thread(world.services.ingestor.ingest_paths, [folder / "two.txt"])
    assert results[0].duplicate_of is not None, "the second outlet carries the same wire story"
    assert await alerter.check() == 0, "a wire copy of an alerted story does not alert again"

    from bot.assembly import assemble_bot

    restarted = assemble_bot(world.services, world.registry, world.fetcher)  # a new process, same database
    listed = await emulator.invoke(world.news, world.reader, "following")
    await emulator.wait_for(lambda: listed.callbacks, what="/following")
    assert "Lachin corridor" in listed.callbacks[0]["data"]["content"]
    assert await restarted.follows.check() == 0
    gone = await emulator.invoke(world.news, world.admin, "unfollow", topic="Lachin corridor")
    await emulator.wait_for(lambda: gone.callbacks, what="/unfollow")
    assert "Stopped" in gone.callbacks[0]["data"]["content"]
    assert emulator.violations == []


async def test_digest_is_public_only_for_managers(world: World) -> None:
    emulator = world.emulator
    reader = await emulator.invoke(world.news, world.reader, "digest", date="2020-10-04")
    admin = await emulator.invoke(world.news, world.admin, "digest", date="2020-10-04")
    await emulator.wait_for(lambda: reader.followups and admin.followups, what="both digests")
    assert reader.callbacks[0]["data"]["flags"] & 64, "ephemeral for a member without Manage Server"
    assert not (admin.callbacks[0].get("data") or {}).get("flags", 0) & 64


async def test_a_digest_already_posted_in_a_channel_is_not_posted_there_again(world: World) -> None:
    emulator = world.emulator
    first = await emulator.invoke(world.news, world.admin, "digest", date="2020-10-04")
    await emulator.wait_for(lambda: first.followups, what="the first /digest")
    assert not first.followups[0].get("flags", 0) & 64, "posted for everyone"
    again = await emulator.invoke(world.news, world.admin, "digest", date="2020-10-04")
    await emulator.wait_for(lambda: len(again.followups) >= 2, what="the second /digest")
    assert again.callbacks[0]["data"]["flags"] & 64, "the second one is shown to the asker only"
    assert "posted in this channel already" in again.followups[0]["content"]
    assert all(m.get("flags", 0) & 64 for m in again.followups)
    elsewhere = await emulator.invoke(world.alerts, world.admin, "digest", date="2020-10-04")
    await emulator.wait_for(lambda: elsewhere.followups, what="/digest in another channel")
    assert not elsewhere.followups[0].get("flags", 0) & 64, "another channel has not had it yet"


async def test_a_source_posts_its_new_articles_to_its_own_channel_when_they_pass_its_words(world: World) -> None:
    from bot.polling import SourcePoller
    from index.sources.registry import Source

    source = Source(name="wire", url="https://example.org/wire.xml", outlet="Wire", channel_id=world.news,
                    include=("Lachin",), exclude=("football",))
    world.registry.upsert(source)
    articles = world.services.store.articles
    lachin = next(a for a in map(articles.article, range(1, 21)) if "Lachin" in a.title or "Latschin" in a.title)
    other = articles.article(1)
    poller: SourcePoller = world.assembled.poller
    from index.sources.monitor import routed

    def wanted(text: str) -> bool:
        return routed(world.registry.get("wire").source, text)

    through_threads = []
    run_blocking = poller.run_blocking

    async def recorded(func, *args, **kwargs):  # type: ignore[no-untyped-def]
        through_threads.append(func)
        return await run_blocking(func, *args, **kwargs)

    poller.run_blocking = recorded
    await poller.post_alerts([lachin, other], world.news, wanted)
    posted = world.emulator.sent.get(world.news, [])
    assert [_embed(m)["title"] for m in posted] == [lachin.title]
    assert through_threads.count(wanted) == 2, "matching an article's words runs on the core threads"
