"""End to end: the running bot sees what `newsbot ingest` stores in another process, without a restart.

The bot runs against the Discord emulator with its timed jobs (the vector
refresh and the followed-topic check); a real `newsbot ingest` child process
writes a new article to the same data folder. Then `/ask` is answered from
that article and a `/follow` made before it arrived alerts once.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from tests.conftest import write_articles
from tests.discord_emulator import DiscordEmulator, connected
from tests.test_vector_refresh import RAILWAY

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


async def test_an_article_ingested_from_the_command_line_is_answered_and_alerted(
        tmp_path: Path, embedder, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from bot.assembly import assemble_bot
    from bot.core.monitoring import fetch_policy, open_registry
    from bot.core.services import open_services
    from config.settings import load_settings
    from index.sources.fetch import Fetcher

    for name in ("NEWSBOT_CONFIG", "DISCORD_TOKEN", "NEWSBOT_DISCORD__TOKEN"):
        monkeypatch.delenv(name, raising=False)
    data = tmp_path / "data"
    async with DiscordEmulator() as emulator:
        channel = emulator.add_channel("news")
        alerts = emulator.add_channel("railway")
        admin = emulator.add_user("admin", manage_guild=True)
        settings = load_settings(data_dir=data, discord={"guild_id": emulator.guild_id},
                                 alerts={"follow_check_seconds": 1, "follow_cooldown_minutes": 0})
        services = await asyncio.to_thread(open_services, settings, embedder=embedder)
        await asyncio.to_thread(services.ingestor.ingest_paths, [write_articles(tmp_path / "corpus")])
        registry = await asyncio.to_thread(open_registry, services)
        try:
            async with Fetcher(fetch_policy(settings.sources)) as fetcher:
                assembled = assemble_bot(services, registry, fetcher)
                assembled.bot.install(jobs=[assembled.refresh.attach, assembled.follows.attach])
                async with connected(emulator, assembled.bot):
                    follow = await emulator.invoke(alerts, admin, "follow", topic="Meghri railway")
                    await emulator.wait_for(lambda: follow.followups, what="the /follow confirmation")
                    assert "Following" in follow.followups[0]["content"]
                    before = len(services.vectors)

                    child = await asyncio.create_subprocess_exec(
                        sys.executable, "-m", "bot.cli", "--data-dir", str(data), "ingest",
                        str(write_articles(tmp_path / "new", RAILWAY)), cwd=ROOT,
                        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
                    out, err = await asyncio.wait_for(child.communicate(), timeout=300)
                    assert child.returncode == 0, err.decode()
                    assert out.decode().startswith("1 added")

                    ask = await emulator.invoke(channel, admin, "ask",
                                                question="When will freight trains run through Meghri again?")
                    await emulator.wait_for(lambda: ask.followups, what="the /ask answer")
                    embed = ask.followups[0]["embeds"][0]
                    assert "June" in embed["description"], embed
                    assert "Rail Wire" in embed["fields"][0]["name"]
                    assert len(services.vectors) == before + 2

                    [alert] = await emulator.wait_for(lambda: emulator.channel_messages(alerts), timeout=60,
                                                      what="the follow alert, within a minute")
                    assert "Meghri railway" in alert["embeds"][0]["title"]
                    assert "Rail Wire" in alert["embeds"][0]["description"]
                    # A few more follow checks go by (one a second): still that one alert.
                    await asyncio.sleep(3)
                    assert len(emulator.channel_messages(alerts)) == 1

                    status = await emulator.invoke(channel, admin, "status")
                    await emulator.wait_for(lambda: status.followups, what="/status")
                    fields = {f["name"]: f["value"] for f in status.followups[0]["embeds"][0]["fields"]}
                    assert fields["Index"] == f"ok: {before + 2} vectors in use for {before + 2} stored paragraphs"
                    assert emulator.violations == []
        finally:
            services.close()
