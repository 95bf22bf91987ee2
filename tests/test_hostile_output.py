"""Hostile input, Discord output: nothing an article carries becomes markup, a mention or a forged link.

An article is written to carry every trick at once (masked links, channel and
command mentions, role pings, headings, quotes, spoilers, code) in its text,
title and outlet. Each rendering (answer, search results, digest, alert) is
checked for markup that Discord would still act on, first on the rendering
functions and then end to end through the Discord emulator and a loopback feed.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.core.answering import Answer
from bot.core.citations import Citation
from bot.markdown_escaping import escape_markdown, inert, link_or_code
from bot.render import LIMITS, alert_embed, answer_embed, digest_embeds, hits_embed
from index.input.dates import PublishedDate
from index.input.urls import web_url_problem
from index.models import Hit, Passage, StoredArticle
from tests.discord_emulator import DiscordEmulator, connected
from tests.http_server import LoopbackServer, static

TRICKS = (
    "Read [Reuters](https://evil.example/x) now, join <#123456789012345678> and run </ban:987654321098765432>; "
    "<@&42> and <@99> and @everyone and @here, see <t:1700000000:R> and <:flag:1234>. "
    "||spoiler|| **bold** __under__ ~~strike~~ `code` ```block``` [1](https://evil.example/1)"
)
TITLE = "# Breaking: [Official statement](https://evil.example/statement) <#1>"
OUTLET = "> [Reuters](https://evil.example/r)"
BAD_URL = "https://example.org/a>[Reuters](https://evil.example/x)"

_MASKED_LINK = re.compile(r"(?<!\\)\[[^\]\n]*(?<!\\)\]\(")
_TOKEN = re.compile(r"<(?:#|@|/|a?:|t:)")
_BLOCK = re.compile(r"(?m)^[ \t]*(?:#|>|-#)")
_WRAPPED = re.compile(r"<(https?://[^\s]*?)>")
_OWN_CODE_SPAN = re.compile(r"(?m)(?:— |^)`[^`\n]*`(?= ·|$)")


def active_markup(text: str) -> list[str]:
    """What Discord would still act on in rendered text: masked links, mention tokens, pings, block markup,
    unescaped inline markup, and `<…>` links whose URL did not pass the URL check. The code spans the
    renderer itself writes for sources without a usable link (after "— ") are ours, not the article's."""
    text = _OWN_CODE_SPAN.sub("— ", text)
    found = [m.group() for m in _MASKED_LINK.finditer(text)]
    found += [m.group() for m in _TOKEN.finditer(text)]
    found += [w for w in ("@everyone", "@here") if w in text]
    found += [m.group() for m in _BLOCK.finditer(text)]
    found += [m.group() for m in re.finditer(r"(?<!\\)(\|\||~~|__|```|`)", text)]
    found += [u for u in _WRAPPED.findall(text) if web_url_problem(u) is not None]
    return found


def _embed_texts(embed: dict[str, object]) -> list[str]:
    texts = [str(embed.get("title") or ""), str(embed.get("description") or "")]
    for field in embed.get("fields") or []:  # type: ignore[attr-defined]
        texts += [field["name"], field["value"]]
    return texts


def _article(url: str | None = BAD_URL) -> StoredArticle:
    return StoredArticle(id=1, title=TITLE, outlet=OUTLET, source="https://example.org/a", url=url,
                         published=PublishedDate.day(date(2020, 10, 4)), language="en",
                         first_seen=datetime(2020, 10, 4, tzinfo=UTC), content_hash="h")


def _citation(n: int = 1) -> Citation:
    passage = Passage(id=n, article=_article(), position=0, text=TRICKS)
    return Citation(n=n, passage=passage, score=0.9, marked=TRICKS.split("; ")[0] + ";",
                    also_in=(_article(url="https://example.org/b"),))


def test_escaping_leaves_nothing_active_and_text_readable() -> None:
    for text in (TRICKS, TITLE, OUTLET, "1. first\n- item\n> quote\n# heading\n-# small"):
        assert active_markup(inert(text)) == [], text
    assert escape_markdown("a_b *c* [d](e)") == "a\\_b \\*c\\* \\[d\\](e)"
    assert escape_markdown("# x", line_start=False) == "# x" and escape_markdown("# x") == "\\# x"


def test_links_only_from_checked_urls() -> None:
    assert link_or_code("https://example.org/a", "a.txt") == "<https://example.org/a>"
    for url in (BAD_URL, "javascript:alert(1)", "https://reuters.com@evil.example/", "https://x.example/a b", None):
        rendered = link_or_code(url, url or "file`name`.txt")
        assert rendered.startswith("`") and rendered.endswith("`") and rendered.count("`") == 2, rendered


def test_answer_search_digest_and_alert_renderings_are_inert() -> None:
    from bot.core.digest import Digest, Story

    citation = _citation()
    # the article's own "[1](https://…)" must not pass for the answer's citation mark [1]
    answer = Answer("What did [they](https://evil.example) say?", f"{TRICKS} [1]", False, (citation,))
    hits = [Hit(citation.passage, score=0.8)]
    digest = Digest(date(2020, 10, 4), "Europe/Amsterdam", 1, 1,
                    (Story(headline=TITLE, citations=(citation,), outlets=(OUTLET,), articles=(_article(),)),))
    embeds = [answer_embed(answer), hits_embed("[q](https://evil.example)", hits, 0, 3, None),
              *digest_embeds(digest), alert_embed(_article(), TRICKS)]
    for embed in embeds:
        for text in _embed_texts(embed.to_dict()):  # type: ignore[arg-type]
            assert active_markup(text) == [], text
        assert len(embed) <= LIMITS.total
    assert "**" in answer_embed(answer).fields[0].value, "the best sentence is still marked"
    assert (answer_embed(answer).description or "").endswith(" [1]"), "citation marks stay readable"


@pytest.fixture
async def bot_with_hostile_articles(tmp_path: Path, embedder, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[dict]:  # type: ignore[no-untyped-def]
    """The real bot on the emulator, over an archive holding the hostile article twice: once ingested
    (its URL checked on the way in) and once written as an older archive may hold it, with a breaking URL."""
    import json

    from bot.assembly import assemble_bot
    from bot.core.monitoring import fetch_policy, open_registry
    from bot.core.services import open_services
    from config.settings import load_settings
    from index.models import Article
    from index.sources.fetch import Fetcher
    from index.storage.sqlite.article_store import content_hash

    for name in ("NEWSBOT_CONFIG", "DISCORD_TOKEN", "NEWSBOT_DISCORD__TOKEN"):
        monkeypatch.delenv(name, raising=False)
    lines = tmp_path / "hostile.jsonl"
    lines.write_text(json.dumps({"title": TITLE, "outlet": OUTLET, "url": "https://example.org/hostile",
                                 "published": "2020-10-04", "language": "en",
                                 "text": f"Shelling of Ganja on Sunday. {TRICKS}"}) + "\n")
    with LoopbackServer() as server:
        feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title><item><title>{TITLE}</title>'
                f"<link>{server.url('/a/1')}</link><pubDate>Sun, 04 Oct 2020 09:00:00 GMT</pubDate>"
                f"<description>Ganja shelled. {TRICKS.replace('&', '&amp;').replace('<', '&lt;')}"
                "</description></item></channel></rss>")
        server.route("/feed.xml", static(feed, "application/rss+xml"))
        server.route("/a/1", static("<html><body><p>no article here</p></body></html>"))
        async with DiscordEmulator() as emulator:
            channel = emulator.add_channel("news")
            alerts = emulator.add_channel("alerts")
            user = emulator.add_user("reader")
            settings = load_settings(data_dir=tmp_path / "data", discord={"guild_id": emulator.guild_id},
                                     sources={"allow_private_networks": True}, alerts={"channel_id": alerts})
            services = await asyncio.to_thread(open_services, settings, embedder=embedder)
            results = await asyncio.to_thread(services.ingestor.ingest_paths, [lines])
            assert [r.status for r in results] == ["added"]
            legacy = Article(title=TITLE, outlet=OUTLET, source="legacy.txt", url=BAD_URL,
                             published=PublishedDate.day(date(2020, 10, 4)), language="en",
                             paragraphs=(f"Ganja was shelled again on Sunday night. {TRICKS}",))
            vectors = embedder.encode_passages(list(legacy.paragraphs))
            await asyncio.to_thread(services.store.articles.write_article, legacy, vectors, model_id=embedder.model_id,
                                    digest=content_hash(legacy))
            await asyncio.to_thread(services.vectors.sync, services.store.embeddings)
            registry = await asyncio.to_thread(open_registry, services)
            try:
                async with Fetcher(fetch_policy(settings.sources)) as fetcher:
                    assembled = assemble_bot(services, registry, fetcher)
                    async with connected(emulator, assembled.bot):
                        yield {"emulator": emulator, "channel": channel, "alerts": alerts, "user": user,
                               "poller": assembled.poller, "registry": registry, "server": server}
            finally:
                services.close()


@pytest.mark.slow
async def test_ask_search_digest_and_alerts_stay_inert_end_to_end(bot_with_hostile_articles: dict) -> None:
    from index.sources.registry import Source

    setup = bot_with_hostile_articles
    emulator, channel, user = setup["emulator"], setup["channel"], setup["user"]
    ask = await emulator.invoke(channel, user, "ask", question="What happened in Ganja on Sunday?")
    search = await emulator.invoke(channel, user, "search", query="Ganja shelling")
    digest = await emulator.invoke(channel, user, "digest", date="2020-10-04")
    for record, what in ((ask, "/ask"), (search, "/search"), (digest, "/digest")):
        await emulator.wait_for(lambda r=record: r.followups, what=what)
    registry, poller = setup["registry"], setup["poller"]
    registry.upsert(Source(name="wire", url=setup["server"].url("/feed.xml"), outlet=OUTLET))
    await poller.poll("wire")  # the backlog: stored without alerting
    state = registry.get("wire")
    assert state is not None and state.seeded
    # a new entry appears: alerted
    setup["server"].route("/feed.xml", static(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title><item><title>{TITLE}</title>'
        f"<link>{setup['server'].url('/a/2')}</link><pubDate>Mon, 05 Oct 2020 09:00:00 GMT</pubDate>"
        f"<description>Barda shelled. {TRICKS.replace('&', '&amp;').replace('<', '&lt;')} " + "More. " * 120 +
        "</description></item></channel></rss>", "application/rss+xml"))
    await poller.poll("wire")
    alerts = await emulator.wait_for(lambda: emulator.channel_messages(setup["alerts"]), what="the alert")
    messages = [*ask.followups, *search.followups, *digest.followups, *alerts]
    texts = [t for m in messages for e in m.get("embeds") or [] for t in _embed_texts(e)]
    assert any("Reuters" in t for t in texts), "the hostile article was cited"
    for text in texts:
        assert active_markup(text) == [], text
    assert all("evil.example/x>" not in t for t in texts)
    assert emulator.violations == []
