"""Hostile ids, names, keywords and feeds: a clear error naming the field, or bounded work, never a traceback.

Ids ("²", "١٢٣", 2^70, negative) in the environment, a sources file and command-line options; control, bidi
and invisible characters in an outlet, a source's name and a followed topic; topic keywords too short to mark
any article (lists empty once trimmed are in test_hostile_settings.py); a feed that changes every link on every
poll; include/exclude words that matched inside other words; 12,000 topic keywords; `sources add` over an
existing name; a reader that closes the pipe early.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from config.identifiers import parse_id
from index.errors import InputError
from index.sources.registry import Source, checked_source, load_sources_file
from tests.bounded_child import run_bounded
from tests.conftest import write_articles
from tests.http_server import LoopbackServer, RecordedRequest, Reply, static
from tests.test_monitor import _rss

ROOT = Path(__file__).resolve().parent.parent
HOSTILE_IDS = ["²", "١٢٣", str(2**70), "-5", "0", "1e3", "0x10"]
HOSTILE_LABEL = "\x1b]0;owned\x07Caucasus\u202e Wire\u200b\x1b[2J\nNews\u2066"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NEWSBOT_CONFIG", "DISCORD_TOKEN", "NEWSBOT_DISCORD__TOKEN"):
        monkeypatch.delenv(name, raising=False)


def _refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Exit 2 and what was said on stderr: no traceback (argparse's own usage line may come first)."""
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse refusing an option value
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and err.strip(), err
    return err.strip().splitlines()[-1]


# --- ids --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", HOSTILE_IDS)
def test_an_id_is_digits_positive_and_below_2_63(value: str) -> None:
    with pytest.raises(ValueError, match="channel id"):
        parse_id(value, "Discord channel id")
    assert parse_id(" 1234567890 ", "id") == 1234567890 and parse_id(2**63 - 1) == 2**63 - 1


@pytest.mark.parametrize("value", HOSTILE_IDS)
@pytest.mark.parametrize(("name", "field"), [
    ("NEWSBOT_DISCORD__ASK_CHANNEL_IDS", "discord.ask_channel_ids"),
    ("NEWSBOT_DISCORD__MANAGER_ROLE_IDS", "discord.manager_role_ids"),
    ("NEWSBOT_DISCORD__GUILD_ID", "discord.guild_id"),
    ("NEWSBOT_DIGEST__CHANNEL_ID", "digest.channel_id"),
    ("NEWSBOT_ALERTS__CHANNEL_ID", "alerts.channel_id"),
])
def test_ids_in_the_environment_are_refused_naming_the_setting(
        value: str, name: str, field: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(name, f"111,{value}" if name.endswith("_IDS") else value)
    line = _refused(capsys, "--data-dir", str(tmp_path), "status")
    assert line.startswith("newsbot: invalid setting ") and field in line


@pytest.mark.parametrize("value", ['"²"', '"١٢٣"', str(2**70), "-5", "1.5", "true"])
def test_ids_in_a_sources_file_are_refused_naming_the_file_and_field(value: str, tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(f'[[source]]\nname = "wire"\nurl = "https://example.org/feed.xml"\nchannel_id = {value}\n',
                    encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_sources_file(path)
    assert str(path) in str(refused.value) and "channel_id" in str(refused.value)


@pytest.mark.slow
@pytest.mark.parametrize("command", [["sources", "list"], ["poll"]])
def test_commands_reading_a_bad_sources_file_exit_2_with_one_line(
        command: list[str], tmp_path: Path, embedder, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "sources.toml"
    path.write_text('[[source]]\nname = "wire"\nurl = "https://example.org/feed.xml"\nchannel_id = "²"\n',
                    encoding="utf-8")
    monkeypatch.setenv("NEWSBOT_SOURCES__FILE", str(path))
    line = _refused(capsys, "--data-dir", str(tmp_path / "data"), *command)
    assert line.startswith("newsbot: ") and str(path) in line and "channel_id" in line


@pytest.mark.parametrize("value", HOSTILE_IDS)
@pytest.mark.parametrize(("command", "option"), [
    (["sources", "add", "wire", "https://example.org/feed.xml", "--channel"], "--channel"),
    (["remove", "--id"], "--id"),
])
def test_ids_on_the_command_line_are_refused_naming_the_option(
        value: str, command: list[str], option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _refused(capsys, "--data-dir", str(tmp_path), *command, value)
    assert f"argument {option}:" in line and ("0-9" in line or "2^63" in line)


# --- names, outlets, topics -------------------------------------------------------------------------------------

def _printable(text: str) -> bool:
    return text.isprintable() and not any(c in text for c in "\u200b\u202e\u2066")


@pytest.mark.slow
def test_ingest_outlet_is_cleaned_like_a_header(tmp_path: Path, embedder, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    from bot.core.services import open_services
    from config.settings import load_settings

    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "ingest", "--outlet", HOSTILE_LABEL, str(write_articles(tmp_path / "c"))]) == 0
    with open_services(load_settings(data_dir=data), embedder=embedder) as services:
        outlets = {row[0] for row in services.store.db.read("SELECT DISTINCT outlet FROM articles")}
    assert outlets == {"Caucasus Wire News"}
    line = _refused(capsys, "--data-dir", str(data), "ingest", "--outlet", "\x1b[2J\u200b\u202e", str(tmp_path / "c"))
    assert "argument --outlet:" in line


def test_source_names_outlets_and_words_are_cleaned_wherever_they_enter(tmp_path: Path) -> None:
    source = checked_source(Source(name=HOSTILE_LABEL, url="https://example.org/f.xml", outlet=HOSTILE_LABEL,
                                   include=("Lachin\u200b", "\x1b[31m", " "), exclude=("foot\u202eball",)), "test")
    assert source.name == source.outlet == "Caucasus Wire News" and _printable(source.name)
    assert source.include == ("Lachin",) and source.exclude == ("football",)
    assert len(checked_source(Source(name="n" * 500, url="https://example.org/f.xml", outlet=""), "t").name) <= 60
    with pytest.raises(InputError, match="needs a name"):
        checked_source(Source(name="\u200b\x07", url="https://example.org/f.xml", outlet="x"), "test")
    path = tmp_path / "sources.toml"
    path.write_text(f'[[source]]\nname = {json.dumps(HOSTILE_LABEL)}\nurl = "https://example.org/feed.xml"\n',
                    encoding="utf-8")
    assert [s.name for s in load_sources_file(path)] == ["Caucasus Wire News"]


def test_a_followed_topic_is_cleaned_and_an_empty_one_refused() -> None:
    from bot.cogs.follows import _topic
    from bot.errors import UserFacingError

    assert _topic("  Lachin\u200b \x1b[2Jcorridor\u202e\n") == "Lachin corridor"
    with pytest.raises(UserFacingError):
        _topic("\u200b\u2066\x1b[2J")


# --- keywords ---------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_keywords_too_short_to_mark_any_article_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NEWSBOT_TOPIC__KEYWORDS", "Gaza,UN")
    line = _refused(capsys, "--data-dir", str(tmp_path), "status")
    assert line.startswith("newsbot: topic.keywords: none of these words")


def test_include_and_exclude_words_match_whole_words_in_any_spelling() -> None:
    from index.sources.monitor import routed

    source = Source(name="w", url="https://example.org/f.xml", outlet="W", channel_id=1, include=("war", "Shusha"),
                    exclude=("football",))
    assert not routed(source, "The award went to a software company.")
    assert routed(source, "The War resumed on Sunday.")
    assert routed(source, "Fighting near Şuşa and Sjoesja continued.")
    assert not routed(source, "The war and the football match.")
    assert routed(source, "The war and the footballer.")


def test_topic_keyword_matching_is_linear_in_the_text_not_in_text_times_keywords() -> None:
    done = run_bounded(
        """
        import random
        from index.sources.word_matching import WordMatcher
        rng = random.Random(7)
        letters = "abcdefghijklmnopqrstuvwxyz"
        keywords = ["".join(rng.choice(letters) for _ in range(8)) for _ in range(12_000)]
        keywords += [" ".join(rng.choice(keywords) for _ in range(rng.randint(2, 40))) for _ in range(500)]
        matcher = WordMatcher(keywords)
        text = " ".join("".join(rng.choice(letters) for _ in range(7)) for _ in range(10_000))
        assert not any(matcher.matches(text) for _ in range(100))
        assert matcher.matches(text + " " + keywords[11_999].upper())
        print("ok")
        """,
        cpu_seconds=30,
    )
    assert done.returncode == 0 and done.stdout.strip() == b"ok", done.stderr.decode()[-2000:]


# --- a feed that rotates its links --------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_feed_rotating_its_links_is_capped_per_poll_and_per_day(tmp_path: Path, embedder,
                                                                  caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    from bot.core.monitoring import open_registry, poll_sources
    from bot.core.services import open_services
    from config.settings import load_settings

    polls = 0

    def rotating(request: RecordedRequest) -> Reply:
        nonlocal polls
        polls += 1
        items = [(server.url(f"/a/{polls}-{n}"), f"Report {polls}-{n} from Stepanakert",
                  "Sun, 04 Oct 2020 09:00:00 GMT",
                  f"Shelling of Stepanakert and Ganja continued, report {polls} number {n} said.")
                 for n in range(40)]
        body = _rss(items).encode()
        return Reply(200, {"Content-Type": "application/rss+xml", "Content-Length": str(len(body))}, body)

    with LoopbackServer() as server:
        server.route("/feed.xml", rotating)
        sources = tmp_path / "sources.toml"
        sources.write_text(f'[[source]]\nname = "spin"\nurl = "{server.url("/feed.xml")}"\n', encoding="utf-8")
        settings = load_settings(data_dir=tmp_path / "data", sources={
            "file": sources, "allow_private_networks": True, "max_new_per_poll": 10, "max_new_per_day": 35})
        with open_services(settings, embedder=embedder) as services:
            registry = open_registry(services)
            added = []
            with caplog.at_level("WARNING", logger="index.sources.monitor"):
                for _ in range(4):
                    [result] = asyncio.run(poll_sources(services, registry))
                    assert result.error == "", result.error
                    added.append(result.added)
            assert added == [35, 0, 0, 0], "the first poll takes the backlog up to the daily cap, then nothing"
            assert services.store.articles.stats().articles == 35
            assert any("left for later polls" in r.getMessage() for r in caplog.records)

        settings = load_settings(data_dir=tmp_path / "more", sources={
            "file": sources, "allow_private_networks": True, "max_new_per_poll": 10, "max_new_per_day": 25})
        with open_services(settings, embedder=embedder) as services:
            registry = open_registry(services)
            registry.record_success("spin", etag=None, last_modified=None,
                                    interval=__import__("datetime").timedelta(minutes=15))  # seeded already
            results = [asyncio.run(poll_sources(services, registry))[0] for _ in range(4)]
            assert [r.added for r in results] == [10, 10, 5, 0]
            assert [r.capped for r in results] == [30, 30, 35, 40]
            assert "left for later (cap reached)" in results[0].line()


# --- sources add over an existing name, and a closed pipe ---------------------------------------------------------

@pytest.mark.slow
def test_sources_add_with_an_existing_name_asks_for_replace(tmp_path: Path, embedder,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NEWSBOT_SOURCES__ALLOW_PRIVATE_NETWORKS", "true")
    data = str(tmp_path / "data")
    with LoopbackServer() as server:
        feed = _rss([(server.url("/a/1"), "Fuzuli", "Sun, 04 Oct 2020 09:00:00 GMT", "Villages near Fuzuli.")])
        server.route("/one.xml", static(feed, "application/rss+xml"))
        server.route("/two.xml", static(feed, "application/rss+xml"))
        assert main(["--data-dir", data, "sources", "add", "wire", server.url("/one.xml")]) == 0
        capsys.readouterr()
        line = _refused(capsys, "--data-dir", data, "sources", "add", "wire", server.url("/two.xml"))
        assert "exists already" in line and "--replace" in line
        assert main(["--data-dir", data, "sources", "list", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)[0]["url"] == server.url("/one.xml")
        assert main(["--data-dir", data, "sources", "add", "wire", server.url("/two.xml"), "--replace"]) == 0
        assert capsys.readouterr().out.startswith("replaced wire")
        assert main(["--data-dir", data, "sources", "list", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)[0]["url"] == server.url("/two.xml")


@pytest.mark.slow
def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # `newsbot status --json | head -c 0`: the reader is gone before anything is written
    try:
        done = subprocess.run([sys.executable, "-m", "bot.cli", "--data-dir", str(tmp_path), "status", "--json"],
                              stdout=write_end, stderr=subprocess.PIPE, cwd=ROOT, timeout=300)
    finally:
        os.close(write_end)
    assert done.stderr == b"", done.stderr.decode()
    assert done.returncode in (0, 1)
