"""End to end: the real discord.py client, our bot, the real core, against the Discord emulator on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.discord_emulator import DiscordEmulator, connected, patched_discord

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"


@dataclass
class Harness:
    emulator: DiscordEmulator
    bot: Any
    services: Any
    channel: int
    user: int
    admin: int


@pytest.fixture
async def harness(tmp_path: Path, embedder, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:  # type: ignore[no-untyped-def]
    from bot.assembly import assemble_bot
    from bot.core.monitoring import fetch_policy, open_registry
    from bot.core.services import open_services
    from config.settings import load_settings
    from index.sources.fetch import Fetcher

    for name in ("NEWSBOT_CONFIG", "DISCORD_TOKEN", "NEWSBOT_DISCORD__TOKEN"):
        monkeypatch.delenv(name, raising=False)
    async with DiscordEmulator() as emulator:
        channel = emulator.add_channel("news")
        emulator.add_channel("off-topic")
        user = emulator.add_user("reader")
        admin = emulator.add_user("admin", manage_guild=True)
        settings = load_settings(data_dir=tmp_path / "data", discord={"guild_id": emulator.guild_id})
        # The Discord mechanics are what is tested here, on answers decided by search's signals so they do not
        # move with the reader's weights (answers with the reader: test_e2e_reader.py, test_quality.py).
        services = await asyncio.to_thread(open_services, settings, embedder=embedder, reader=None)
        await asyncio.to_thread(services.ingestor.ingest_paths, [SAMPLE])
        registry = await asyncio.to_thread(open_registry, services)
        try:
            async with Fetcher(fetch_policy(settings.sources)) as fetcher:
                bot = assemble_bot(services, registry, fetcher).bot
                async with connected(emulator, bot):
                    yield Harness(emulator, bot, services, channel, user, admin)
        finally:
            services.close()


def _embed(message: dict) -> dict:
    assert message["embeds"], message
    return message["embeds"][0]


async def test_login_and_guild_command_sync(harness: Harness) -> None:
    emulator = harness.emulator
    assert {"ask", "search", "status"} <= set(emulator.commands)
    sync = [r for r in emulator.requests if r.method == "PUT" and r.path.endswith("/commands")]
    assert sync and f"/guilds/{emulator.guild_id}/" in sync[-1].path
    assert emulator.identify is not None
    assert not int(emulator.identify["intents"]) & (1 << 15), "no privileged message-content intent"


async def test_ask_defers_then_answers_with_valid_citations(harness: Harness) -> None:
    emulator = harness.emulator
    record = await emulator.invoke(harness.channel, harness.user, "ask",
                                   question="Hoeveel mensen vluchtten in september 2023 uit Karabach?")
    await emulator.wait_for(lambda: record.followups, what="the /ask followup")
    assert record.callbacks[0]["type"] == 5, "the command must defer first"
    embed = _embed(record.followups[0])
    numbers = {int(f["name"].split("]")[0].lstrip("[")) for f in embed["fields"]}
    cited = {int(n) for n in __import__("re").findall(r"\[(\d+)\]", embed["description"])}
    assert cited and cited <= numbers, "every citation number in the text must exist"
    assert 3 <= len(embed["fields"]) <= 5
    assert "100.000" in embed["description"]
    assert all("**" in f["value"] for f in embed["fields"]), "the best sentence is marked"
    assert "<https://" in embed["fields"][0]["value"], "links are wrapped so they do not unfurl"
    assert "articles" in embed["footer"]["text"]
    assert record.followups[0]["allowed_mentions"] == {"parse": []} or \
        record.followups[0]["allowed_mentions"].get("parse") == []
    assert emulator.violations == []


async def test_ask_abstains_honestly(harness: Harness) -> None:
    record = await harness.emulator.invoke(harness.channel, harness.user, "ask",
                                           question="Hoeveel kost een treinkaartje van Utrecht naar Amsterdam?")
    await harness.emulator.wait_for(lambda: record.followups, what="the /ask followup")
    embed = _embed(record.followups[0])
    assert embed.get("fields") in (None, [])
    assert "niets" in embed["description"]


async def test_ask_with_bad_date_is_an_ephemeral_error(harness: Harness) -> None:
    record = await harness.emulator.invoke(harness.channel, harness.user, "ask", question="Lachin", since="gisteren")
    await harness.emulator.wait_for(lambda: record.callbacks, what="the error response")
    assert record.callbacks[0]["type"] == 4 and record.callbacks[0]["flags"] & 64
    assert "2020-09-27" in record.callbacks[0]["data"]["content"]


async def test_search_pages_only_for_the_asker(harness: Harness) -> None:
    emulator = harness.emulator
    record = await emulator.invoke(harness.channel, harness.user, "search", query="Lachin corridor", limit=7)
    await emulator.wait_for(lambda: record.followups, what="the /search followup")
    message = record.followups[0]
    first = _embed(message)
    assert first["footer"]["text"].startswith("page 1/3")
    buttons = [c for row in message["components"] for c in row["components"]]
    next_id = next(b["custom_id"] for b in buttons if "next" in b["custom_id"])
    stranger = await emulator.click(message, next_id, harness.admin)
    await emulator.wait_for(lambda: stranger.callbacks, what="the refusal")
    assert stranger.callbacks[0]["flags"] & 64
    click = await emulator.click(message, next_id, harness.user)
    await emulator.wait_for(lambda: click.callbacks, what="the page turn")
    assert click.callbacks[0]["type"] == 7
    assert click.callbacks[0]["data"]["embeds"][0]["footer"]["text"].startswith("page 2/3")


async def test_status(harness: Harness) -> None:
    record = await harness.emulator.invoke(harness.channel, harness.user, "status")
    await harness.emulator.wait_for(lambda: record.followups, what="the /status followup")
    fields = {f["name"]: f["value"] for f in _embed(record.followups[0])["fields"]}
    assert fields["Articles"].startswith("20 from")
    assert fields["Index"].startswith("ok")


async def test_mentions_in_dutch_and_english_get_replies(harness: Harness) -> None:
    emulator = harness.emulator
    dutch = await emulator.send_message(harness.channel, harness.user, "wat zei Aliyev over Sjoesja?", mention_bot=True)
    english = await emulator.send_message(harness.channel, harness.user, "what happened to the Lachin corridor in "
                                          "December 2022?", mention_bot=True)
    replies = await emulator.wait_for(lambda: len(emulator.channel_messages(harness.channel)) >= 2 and
                                      emulator.channel_messages(harness.channel), what="two replies")
    by_reference = {str(m["message_reference"]["message_id"]): m for m in replies}
    assert set(by_reference) == {dutch["id"], english["id"]}
    assert "Sjoesja" in _embed(by_reference[dutch["id"]])["description"]
    assert _embed(by_reference[english["id"]])["fields"]
    assert all(m["allowed_mentions"]["parse"] == [] for m in replies)


async def test_plain_messages_are_ignored_and_empty_mentions_get_a_hint(harness: Harness) -> None:
    emulator = harness.emulator
    await emulator.send_message(harness.channel, harness.user, "wat zei Aliyev over Sjoesja?")
    await emulator.send_message(harness.channel, harness.user, "", mention_bot=True)
    [hint] = await emulator.wait_for(lambda: emulator.channel_messages(harness.channel), what="the usage hint")
    assert "/ask" in hint["content"]
    await asyncio.sleep(0.5)
    assert len(emulator.channel_messages(harness.channel)) == 1, "a message without a mention got an answer"


async def test_article_with_everyone_pings_nobody(harness: Harness) -> None:
    emulator = harness.emulator
    record = await emulator.invoke(harness.channel, harness.user, "search", query="shelters now sirens again", limit=3)
    await emulator.wait_for(lambda: record.followups, what="the /search followup")
    message = record.followups[0]
    text = str(message["embeds"])
    assert "sirens" in text and "@everyone" not in text
    assert message["allowed_mentions"]["parse"] == []


async def test_twenty_concurrent_asks_are_all_answered_during_an_ingest(harness: Harness, tmp_path: Path) -> None:
    import re

    emulator = harness.emulator
    folder = tmp_path / "more"
    folder.mkdir()
    for path in sorted(SAMPLE.glob("*.txt")):
        text = re.sub(r"^date \S+", "date 2022-05-01", path.read_text(), count=1, flags=re.MULTILINE)
        (folder / f"again-{path.name}").write_text(text)
    services = harness.services
    ingest = asyncio.create_task(asyncio.to_thread(services.ingestor.ingest_paths, [folder]))
    records = [await emulator.invoke(harness.channel, harness.user, "ask", question=f"What happened to the Lachin corridor in December 2022? ({i + 10})")
               for i in range(20)]
    await emulator.wait_for(lambda: all(r.followups for r in records), timeout=180, what="20 answers")
    results = await ingest
    assert all(r.status == "added" for r in results)
    assert all(r.callbacks[0]["type"] == 5 for r in records)
    # Every ask got its own answer embed (cited or declined: the archive changes under it), none an error.
    assert all(r.followups[0]["embeds"][0].get("description") for r in records)
    assert not any(r.followups[0].get("flags", 0) & 64 for r in records)
    assert emulator.violations == []


async def test_overlong_answer_stays_inside_discord_limits(harness: Harness, tmp_path: Path) -> None:
    sentence = "The convoy with flour, medicine and fuel for Karabakh waited at the Hakari bridge checkpoint for another day. "
    long_article = tmp_path / "long--convoy.txt"
    paragraphs = [sentence * 14 for _ in range(6)]
    long_article.write_text("date 2023-08-01 " + "\n\n".join(paragraphs))
    services = harness.services
    await asyncio.to_thread(services.ingestor.ingest_paths, [long_article])
    record = await harness.emulator.invoke(harness.channel, harness.user, "ask",
                                           question="How long did the convoy with flour wait at the Hakari bridge?")
    await harness.emulator.wait_for(lambda: record.followups, what="the /ask followup")
    embed = _embed(record.followups[0])
    assert harness.emulator.violations == []
    assert any("…" in f["value"] for f in embed["fields"]), "long passages are visibly cut"


async def test_an_exception_becomes_a_short_ephemeral_error(harness: Harness, caplog) -> None:  # type: ignore[no-untyped-def]
    harness.services.store.close()
    record = await harness.emulator.invoke(harness.channel, harness.user, "status")
    await harness.emulator.wait_for(lambda: record.followups, what="the error message")
    [error] = record.followups
    assert error["flags"] & 64, "errors are ephemeral"
    assert "went wrong" in error["content"]
    assert record.original_deleted, "the public 'thinking…' message is removed"
    assert any(str(record.id) in r.getMessage() for r in caplog.records), "the log names the interaction"
    assert harness.emulator.token not in caplog.text


async def test_rejected_token_exits_with_code_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.runner import _serve
    from config.settings import load_settings

    for name in ("NEWSBOT_CONFIG", "DISCORD_TOKEN", "NEWSBOT_DISCORD__TOKEN"):
        monkeypatch.delenv(name, raising=False)
    async with DiscordEmulator() as emulator:
        with patched_discord(emulator):
            code = await _serve(load_settings(data_dir=tmp_path), "not-the-token")
    assert code == 2


def test_missing_token_exits_with_code_2(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "NEWSBOT_DISCORD__TOKEN")}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "--data-dir", str(tmp_path), "run"], env=env,
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 2
    assert "DISCORD_TOKEN" in done.stderr and len(done.stderr.strip().splitlines()) == 1


async def test_digest_command_posts_a_dated_digest(harness: Harness) -> None:
    record = await harness.emulator.invoke(harness.channel, harness.user, "digest", date="2020-10-04")
    await harness.emulator.wait_for(lambda: record.followups, what="the digest")
    embed = _embed(record.followups[0])
    assert embed["title"] == "Digest — Sunday 4 October 2020"
    assert "2 articles from 2 outlets" in embed["description"]
    assert "Highland Post" in embed["fields"][0]["value"] and "Eurasia Ledger" in embed["fields"][0]["value"]


async def test_scheduled_digest_is_posted_once_split_and_without_pings(harness: Harness, tmp_path: Path) -> None:
    import re
    from datetime import UTC, datetime
    from functools import partial
    from zoneinfo import ZoneInfo

    from bot.core.digest import build_digest
    from bot.digest_job import DigestPoster, send_digest
    from config.settings import DigestSettings
    from index.storage.portable.post_log import PostLog

    # The sample's twenty reports, re-dated to one day: a long digest of many stories.
    folder = tmp_path / "day"
    folder.mkdir()
    for path in sorted(SAMPLE.glob("*.txt")):
        text = re.sub(r"^date \S+", "date 2021-03-15", path.read_text(), count=1, flags=re.MULTILINE)
        (folder / f"replay-{path.name}").write_text(text)
    services = harness.services
    await asyncio.to_thread(services.ingestor.ingest_paths, [folder])
    digest_channel = harness.channel
    settings = DigestSettings(channel_id=digest_channel)
    now = datetime(2021, 3, 16, 8, 0, tzinfo=ZoneInfo("Europe/Amsterdam")).astimezone(UTC)
    build = partial(build_digest, services.store.articles, services.store.embeddings, services.embedder,
                    topic=services.topic, side_of=services.side_of)
    poster = DigestPoster(build, PostLog(services.store.db), settings, partial(send_digest, harness.bot),
                          harness.bot.threads.run, clock=lambda: now)
    await poster.scheduled_run()
    await poster.scheduled_run()  # a second firing (or a restart) posts nothing new
    messages = harness.emulator.channel_messages(digest_channel)
    assert len(messages) >= 2, "a long digest is split over several messages"
    assert messages[0]["embeds"][0]["title"] == "Digest — Monday 15 March 2021"
    assert [m["nonce"] for m in messages] == [f"digest-20210315-{i:03d}" for i in range(len(messages))]
    assert all(m["allowed_mentions"]["parse"] == [] for m in messages)
    assert "@everyone" not in str(messages)
    assert harness.emulator.violations == []
    story_numbers = [int(f["name"].split(".")[0]) for m in messages for f in m["embeds"][0].get("fields", [])]
    assert story_numbers == list(range(1, len(story_numbers) + 1)), "stories stay in order across messages"
    assert len(story_numbers) >= 10


async def test_mentions_are_only_answered_in_the_configured_channels(harness: Harness) -> None:
    emulator = harness.emulator
    other = next(cid for cid, name in emulator.channels.items() if name == "off-topic")
    harness.bot.get_cog("MentionsCog").ask_channel_ids = [harness.channel]
    await emulator.send_message(other, harness.user, "wat zei Aliyev over Sjoesja?", mention_bot=True)
    await emulator.send_message(harness.channel, harness.user, "wat zei Aliyev over Sjoesja?", mention_bot=True)
    await emulator.wait_for(lambda: emulator.channel_messages(harness.channel), what="the reply in the ask channel")
    await asyncio.sleep(0.5)
    assert emulator.channel_messages(other) == []


async def test_perspectives_shows_both_sides_side_by_side_on_one_page(harness: Harness) -> None:
    emulator = harness.emulator
    record = await emulator.invoke(harness.channel, harness.user, "perspectives",
                                   question="How do Baku and Stepanakert describe the shelling of 4 October 2020?")
    await emulator.wait_for(lambda: record.followups, what="the /perspectives followup")
    assert record.callbacks[0]["type"] == 5
    message = record.followups[0]
    assert not message.get("components"), "one page: nothing to turn"
    columns = {f["name"]: f for f in _embed(message)["fields"]}
    assert {"Armenian side", "Azerbaijani side"} <= set(columns)
    assert columns["Armenian side"]["inline"] and columns["Azerbaijani side"]["inline"], "side by side"
    assert all("[" in f["value"] and "\u201c" in f["value"] for f in columns.values()), "quoted and cited"
    assert emulator.violations == []


async def test_timeline_pages_in_date_order_within_limits(harness: Harness, tmp_path: Path) -> None:
    emulator = harness.emulator
    folder = tmp_path / "lachin"
    folder.mkdir()
    reports = [
        "A Red Cross convoy carrying insulin and baby food crossed the Lachin corridor after a week of waiting.",
        "Protesters who call themselves environmentalists pitched new tents where the Lachin corridor meets Shusha.",
        "Gas stopped flowing through the pipeline along the Lachin corridor and schools in Stepanakert closed.",
        "Russian peacekeepers escorted a bus of university students from Goris through the Lachin corridor.",
        "Azerbaijan set up a checkpoint at the Hakari bridge, at the Armenian end of the Lachin corridor.",
        "Farmers from villages near Berdzor said soldiers turned their tractors back on the Lachin corridor.",
        "An ambulance with two patients waited six hours at the Lachin corridor before being let through.",
        "The only power line to Karabakh, which runs beside the Lachin corridor, was cut during a storm.",
        "Foreign journalists were refused entry to the Lachin corridor by border guards citing new rules.",
        "A convoy of forty trucks with flour was stopped on the Lachin corridor, Armenian officials said.",
        "Pupils walked along the Lachin corridor to reach a school that still had heating in Stepanakert.",
        "Deliveries of flour to Karabakh resumed on the Lachin corridor after talks with Baku in Yevlakh.",
    ]
    for day, text in enumerate(reports, start=1):  # a dozen different dated reports: more than one page
        (folder / f"wire--lachin-{day}.txt").write_text(
            f"title: Lachin corridor report {day}\noutlet: Test Wire\ndate 2023-{1 + day % 9:02d}-{day:02d} {text}\n",
            encoding="utf-8")
    await asyncio.to_thread(harness.services.ingestor.ingest_paths, [folder])
    record = await emulator.invoke(harness.channel, harness.user, "timeline", topic="Lachin corridor",
                                   since="2023-01", until="2023-12")
    await emulator.wait_for(lambda: record.followups, what="the /timeline followup")
    message = record.followups[0]
    first = _embed(message)
    assert first["footer"]["text"].startswith("1/")
    dates = __import__("re").findall(r"\*\*(\d{1,2} \w+ 2023)", first["description"])
    from datetime import datetime as _dt
    parsed = [_dt.strptime(d, "%d %B %Y") for d in dates]
    assert parsed and parsed == sorted(parsed)
    assert message["components"], "more than one page: paging buttons"
    bad = await emulator.invoke(harness.channel, harness.user, "timeline", topic="Lachin", since="last year")
    await emulator.wait_for(lambda: bad.callbacks, what="the error")
    assert bad.callbacks[0]["flags"] & 64
    assert emulator.violations == []


async def test_digest_command_shows_both_sides_labelled(harness: Harness) -> None:
    emulator = harness.emulator
    record = await emulator.invoke(harness.channel, harness.user, "digest", date="2020-10-04")
    await emulator.wait_for(lambda: record.followups, what="the /digest followup")
    embed = _embed(record.followups[0])
    value = " ".join(f["value"] for f in embed["fields"])
    assert "Armenian side:" in value and "Azerbaijani side:" in value
    assert "2 outlets (en)" in value
    assert emulator.violations == []
