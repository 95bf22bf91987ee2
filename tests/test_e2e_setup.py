"""The README's setup path, end to end: `newsbot run` as an admin configures it, against the Discord emulator.

Settings come the way README says: the token from DISCORD_TOKEN, a copy of config/newsbot.example.toml with the
server's IDs filled in, a comma-separated channel list in the environment. The bot is the real runner
(`bot.runner`), logging in to the emulator on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from tests.discord_emulator import DiscordEmulator, patched_discord

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


async def test_a_server_configured_from_the_readme_comes_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    from bot import runner
    from config.settings import load_settings

    async with DiscordEmulator() as emulator:
        news = emulator.add_channel("news")
        other = emulator.add_channel("other")
        reader = emulator.add_user("reader")
        example = (ROOT / "config" / "newsbot.example.toml").read_text(encoding="utf-8")
        config = (example.replace("# guild_id = 123456789012345678", f"guild_id = {emulator.guild_id}")
                  .replace('file = "/config/sources.toml"', "")
                  .replace("345678901234567890", str(news)))
        (tmp_path / "newsbot.toml").write_text(config, encoding="utf-8")
        monkeypatch.setenv("DISCORD_TOKEN", emulator.token)
        monkeypatch.setenv("NEWSBOT_CONFIG", str(tmp_path / "newsbot.toml"))
        monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("NEWSBOT_DISCORD__ASK_CHANNEL_IDS", f"{news},{other}")
        settings = load_settings()
        assert settings.discord.ask_channel_ids == [news, other]
        with patched_discord(emulator), caplog.at_level(logging.INFO, logger="bot.runner"):
            serving = asyncio.create_task(runner._serve(settings, emulator.token))
            try:
                await emulator.wait_for(lambda: "status" in emulator.commands, timeout=120, what="command sync")
                await emulator.wait_ready(timeout=60)
                record = await emulator.invoke(news, reader, "status")
                await emulator.wait_for(lambda: record.followups, timeout=60, what="/status")
                fields = {f["name"]: f["value"] for f in record.followups[0]["embeds"][0]["fields"]}
                assert f"<#{news}>" in fields["Scheduled"], "the digest is scheduled where the admin said"
                assert {"ask", "follow", "perspectives", "timeline", "digest", "sources"} <= set(emulator.commands)
                assert any("scheduled: daily digest: 08:00" in r.getMessage() for r in caplog.records)
                assert emulator.violations == []
            finally:
                serving.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await serving
