"""Polling end to end on loopback: feeds → pages → ingest, with the real store, index and model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from config.settings import load_settings
from tests.http_server import LoopbackServer, static

pytestmark = pytest.mark.slow


def _rss(items: list[tuple[str, str, str, str]]) -> str:
    """(link, title, pubDate, description) → an RSS 2.0 document."""
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><pubDate>{d}</pubDate><description>{desc}</description></item>"
        for link, t, d, desc in items
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title>{body}</channel></rss>'


FULL_TEXT = (
    "Azerbaijani forces said on Sunday they had taken several villages near Fuzuli after heavy shelling overnight, "
    "while officials in Stepanakert reported damage to homes and a school. Both sides blamed each other. "
    "International mediators urged an immediate return to talks and a humanitarian pause."
)


def _page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title><meta property='article:published_time' content='2020-10-04'>"
            f"</head><body><article><h1>{title}</h1>{body}</article></body></html>")


@pytest.fixture
def monitored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    for name in ("NEWSBOT_CONFIG", "DISCORD_TOKEN", "NEWSBOT_DISCORD__TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with LoopbackServer() as server:
        items = [
            (server.url("/a/1"), "Villages taken near Fuzuli", "Sun, 04 Oct 2020 09:00:00 GMT", FULL_TEXT),
            (server.url("/a/2?utm_source=rss"), "Shelling of Ganja", "Sun, 04 Oct 2020 12:00:00 GMT",
             "Rockets hit Ganja…"),
        ]
        server.route("/feed.xml", static(_rss(items), "application/rss+xml"))
        server.route("/a/1", static(_page("Villages taken near Fuzuli", [FULL_TEXT])))
        server.route("/a/2", static(_page("Shelling of Ganja", [
            "Rockets struck residential streets of Ganja on Sunday morning, Azerbaijani officials said, "
            "killing one civilian and injuring more than thirty.",
            "Armenia denied firing at the city and said Azerbaijan had shelled Stepanakert overnight.",
        ])))
        sources = tmp_path / "sources.toml"
        sources.write_text(f'[[source]]\nname = "wire"\nurl = "{server.url("/feed.xml")}"\noutlet = "Loopback Wire"\n')
        settings = load_settings(data_dir=tmp_path / "data", sources={"file": sources, "allow_private_networks": True})
        yield server, settings


def test_poll_twice_ingests_once(monitored, embedder) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    from bot.core.monitoring import open_registry, poll_sources
    from bot.core.services import open_services

    server, settings = monitored
    services = open_services(settings, embedder=embedder)
    try:
        registry = open_registry(services)
        [first] = asyncio.run(poll_sources(services, registry))
        assert first.error == "" and first.entries == 2 and first.added == 2
        assert first.alerts == [], "the first poll of a new source must not alert"
        stored = {a.source for a in services.store.articles.articles_published_on(__import__("datetime").date(2020, 10, 4))}
        assert stored == {server.url("/a/1"), server.url("/a/2")}, "tracking parameters must be dropped"
        ganja = services.store.articles.find_source(server.url("/a/2"))
        assert ganja is not None
        assert len(services.store.articles.article_passages(ganja[0])) == 2, "summary-only entry: text from the page"
        [second] = asyncio.run(poll_sources(services, registry))
        assert second.added == 0 and second.unchanged == 2
        assert server.paths().count("/a/2") == 1, "a known summary-only entry is not fetched again"
        assert registry.get("wire").failures == 0  # type: ignore[union-attr]
    finally:
        services.close()


def test_updated_entry_replaces_and_new_entry_alerts(monitored, embedder) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    from bot.core.monitoring import open_registry, poll_sources
    from bot.core.services import open_services

    server, settings = monitored
    services = open_services(settings, embedder=embedder)
    try:
        registry = open_registry(services)
        asyncio.run(poll_sources(services, registry))
        updated = FULL_TEXT + " Later on Sunday the defence ministry in Baku published a video of the villages."
        items = [
            (server.url("/a/1"), "Villages taken near Fuzuli", "Sun, 04 Oct 2020 09:00:00 GMT", updated),
            (server.url("/a/3"), "Ceasefire talks in Moscow", "Fri, 09 Oct 2020 18:00:00 GMT",
             "Foreign ministers of Armenia and Azerbaijan met in Moscow on Friday for talks hosted by Sergei "
             "Lavrov about a humanitarian ceasefire and the exchange of prisoners and bodies, diplomats said. "
             "The talks went on late into the night without a statement."),
        ]
        server.route("/feed.xml", static(_rss(items), "application/rss+xml"))
        server.route("/a/1", static(_page("Villages taken near Fuzuli", [updated])))
        [result] = asyncio.run(poll_sources(services, registry))
        assert result.replaced == 1 and result.added == 1
        assert [a.title for a in result.alerts] == ["Ceasefire talks in Moscow"]
    finally:
        services.close()


def test_failing_source_backs_off_and_reports(monitored, embedder) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    from bot.core.monitoring import open_registry, poll_sources
    from bot.core.services import open_services

    server, settings = monitored
    server.route("/feed.xml", static("<html>not a feed</html>", status=503))
    services = open_services(settings, embedder=embedder)
    try:
        registry = open_registry(services)
        [result] = asyncio.run(poll_sources(services, registry))
        assert "503" in result.error
        asyncio.run(poll_sources(services, registry))
        state = registry.get("wire")
        assert state is not None and state.failures == 2 and "503" in (state.last_error or "")
        assert state.next_poll is not None
    finally:
        services.close()


def test_topic_filter_skips_and_counts(monitored, embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    from bot.core.monitoring import open_registry, poll_sources
    from bot.core.services import open_services

    server, settings = monitored
    settings = settings.model_copy(update={"sources": settings.sources.model_copy(
        update={"topic_keywords": ["Fuzuli"]})})
    services = open_services(settings, embedder=embedder)
    try:
        [result] = asyncio.run(poll_sources(services, open_registry(services)))
        assert result.added == 1 and result.off_topic == 1
    finally:
        services.close()


def test_cli_poll_json_and_sources_list(monitored, capsys) -> None:  # type: ignore[no-untyped-def]
    from bot.cli import main

    server, settings = monitored
    env_args = ["--data-dir", str(settings.data_dir)]
    import os

    os.environ["NEWSBOT_SOURCES__FILE"] = str(settings.sources.file)
    os.environ["NEWSBOT_SOURCES__ALLOW_PRIVATE_NETWORKS"] = "true"
    try:
        assert main([*env_args, "poll", "--json"]) == 0
        [row] = json.loads(capsys.readouterr().out)
        assert row["added"] == 2
        assert main([*env_args, "poll"]) == 0
        assert "0 articles added" in capsys.readouterr().out
        assert main([*env_args, "sources", "list"]) == 0
        assert "wire: " in capsys.readouterr().out
    finally:
        del os.environ["NEWSBOT_SOURCES__FILE"]
        del os.environ["NEWSBOT_SOURCES__ALLOW_PRIVATE_NETWORKS"]
