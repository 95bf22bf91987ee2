"""Cluster mode end to end: two bot processes and two workers on one PostgreSQL and one Milvus, one Discord.

Every process is the real `newsbot` command line in a child process; the bots
log in to the Discord emulator, each running one of its two gateway shards.
What must hold: each feed entry is ingested once, the digest is posted once
(also after the leading bot is killed with SIGKILL and started again), and an
answer on Discord is the one the single-machine mode gives for the same
archive.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from tests.discord_emulator import DiscordEmulator
from tests.http_server import LoopbackServer, static
from tests.test_cluster import _env
from tests.test_monitor import FULL_TEXT, _rss

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
NEWSBOT = Path(sys.executable).with_name("newsbot")
QUESTION = "Wat gebeurde er op 10 november 2020?"


def _count_added(logs: list[Path]) -> int:
    """Articles the processes' polls say they added (`SOURCE: N entries, M added, …` lines)."""
    return sum(int(m.group(1)) for log in logs for m in re.finditer(r": \d+ entries, (\d+) added",
                                                                      log.read_text(errors="replace")))


async def test_two_bots_two_workers_one_archive(cluster_settings: Settings, services: Any, corpus_dir: Path,
                                               embedder: Any, tmp_path: Path) -> None:
    import psycopg

    from bot.core.services import open_services
    from bot.render import IndexFooter, answer_embed
    from index.storage.postgres.store import open_postgres_store

    services.ingestor.ingest_paths([corpus_dir])
    with open_services(cluster_settings, embedder=embedder) as cluster:
        cluster.ingestor.ingest_paths([corpus_dir])
    stats = services.store.articles.stats()
    # Storage is what is compared here, so the decision is search's on both sides: with the reader, a passage
    # Milvus ranks 18th where FAISS ranks 21st may be read into the answer on one side only.
    with open_services(services.settings, embedder=embedder, reader=None) as single:
        expected = answer_embed(single.answerer.answer(QUESTION),
                                IndexFooter(stats.articles, stats.paragraphs, stats.newest_display)).to_dict()
    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%a, %d %b %Y 09:00:00 GMT")
    children: dict[str, subprocess.Popen[bytes]] = {}
    logs: list[Path] = []
    async with DiscordEmulator(shards=2) as emulator:
        news, digest_channel = emulator.add_channel("news"), emulator.add_channel("digest")
        user = emulator.add_user("reader")
        # The bots ran with this digest channel before, so yesterday's digest is owed (a very first start owes none).
        archive = open_postgres_store(cluster_settings.store.url.get_secret_value())  # type: ignore[union-attr]
        archive.posts.remember_first_start(digest_channel, datetime.now(UTC) - timedelta(days=2))
        archive.close()
        with LoopbackServer() as server:
            server.route("/feed.xml", static(_rss([
                (server.url(f"/a/{n}"), f"Villages near Fuzuli, part {n}", yesterday, f"{FULL_TEXT} Report {n}.")
                for n in range(2)]), "application/rss+xml"))
            sources = tmp_path / "sources.toml"
            sources.write_text(textwrap.dedent(f"""
                [[source]]
                name = "wire"
                url = "{server.url('/feed.xml')}"
                outlet = "Loopback Wire"
                poll_minutes = 60
                """), encoding="utf-8")
            base = _env(cluster_settings, tmp_path / "unused") | {
                "NEWSBOT_SOURCES__FILE": str(sources), "NEWSBOT_SOURCES__ALLOW_PRIVATE_NETWORKS": "true",
                "NEWSBOT_READER__ENABLED": "false",
                "DISCORD_TOKEN": emulator.token, "NEWSBOT_DISCORD__GUILD_ID": str(emulator.guild_id),
                "NEWSBOT_DIGEST__CHANNEL_ID": str(digest_channel), "NEWSBOT_DIGEST__TIME": "00:00",
                "NEWSBOT_DIGEST__TIMEZONE": "UTC", "NEWSBOT_DIGEST__CATCHUP_HOURS": "24",
                "NEWSBOT_DISCORD__SHARD_COUNT": "2", "NEWSBOT_WORKER__IDLE_SECONDS": "1",
            }

            def start(name: str, command: list[str], extra: dict[str, str] | None = None) -> None:
                log = tmp_path / f"{name}.log"
                logs.append(log)
                env = base | {"NEWSBOT_DATA_DIR": str(tmp_path / name)} | (extra or {})
                with open(log, "ab") as out:
                    children[name] = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                                      cwd=ROOT)

            def bot(name: str, shard: int) -> None:
                start(name, [sys.executable, "-m", "tests.bot_process", emulator.base_url],
                      {"NEWSBOT_DISCORD__SHARD_IDS": str(shard)})

            try:
                for n in range(2):
                    start(f"worker-{n}", [str(NEWSBOT), "worker"])
                    bot(f"bot-{n}", n)
                await emulator.wait_for(lambda: len(emulator.identifies) >= 2, timeout=300, what="both shards")
                assert sorted(i["shard"][0] for i in emulator.identifies) == [0, 1]
                digest = await emulator.wait_for(lambda: emulator.channel_messages(digest_channel), timeout=300,
                                                 what="the digest")
                assert "Digest" in digest[0]["embeds"][0]["title"]
                with psycopg.connect(cluster_settings.store.url.get_secret_value()) as conn:  # type: ignore[union-attr]
                    for _ in range(600):  # a hang guard
                        polled = conn.execute("SELECT COUNT(*) FROM articles WHERE outlet = 'Loopback Wire'"
                                              ).fetchone()[0]  # type: ignore[index]
                        if polled >= 2:
                            break
                        await asyncio.sleep(0.5)
                assert polled == 2

                record = await emulator.invoke(news, user, "ask", question=QUESTION)
                await emulator.wait_for(lambda: record.followups, timeout=120, what="the /ask answer")
                shown = record.followups[0]["embeds"][0]
                assert shown["description"] == expected["description"]
                assert shown["fields"] == expected["fields"]

                # The bot that carries the guild dies mid-flight and comes back: no second digest.
                carrier = f"bot-{emulator.guild_shard}"
                children[carrier].send_signal(signal.SIGKILL)
                children[carrier].wait(timeout=60)
                bot(carrier, emulator.guild_shard)
                await emulator.wait_for(lambda: len(emulator.identifies) >= 3, timeout=300, what="the restart")
                again = await emulator.invoke(news, user, "ask", question=QUESTION)
                await emulator.wait_for(lambda: again.followups, timeout=120, what="the restarted bot's answer")
                await asyncio.sleep(2)  # its start-up catch-up has run before it answered; let any late send land
                posts = [m for m in emulator.channel_messages(digest_channel)
                         if str(m.get("nonce", "")).endswith("-000")]
                assert len(posts) == 1, "the digest is posted once"
                assert _count_added(sorted(set(logs))) == 2, "each feed entry is ingested once"
                assert emulator.violations == []
            finally:
                for child in children.values():
                    if child.poll() is None:
                        child.send_signal(signal.SIGTERM)
                for child in children.values():
                    try:
                        child.wait(timeout=60)
                    except subprocess.TimeoutExpired:
                        child.kill()
                        child.wait(timeout=30)
                if os.environ.get("NEWSBOT_SHOW_CHILD_LOGS"):
                    for log in sorted(set(logs)):
                        print(log.read_text(errors="replace"))
