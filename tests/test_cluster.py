"""Cluster mode on real servers: PostgreSQL as the archive, Milvus for search, several processes at once.

The servers start once per session (`cluster_servers` in conftest); each test
gets a fresh database and collection. Processes are the real `newsbot`
command line, started as children and, where the test says so, killed with
SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings, SettingsError, load_settings
from index.storage.records import Removal, SearchFilters
from tests.conftest import ARTICLES, write_articles
from tests.http_server import LoopbackServer, static
from tests.test_monitor import FULL_TEXT, _rss

pytestmark = pytest.mark.slow

NEWSBOT = Path(sys.executable).with_name("newsbot")
QUESTIONS = (
    "Wat gebeurde er op 10 november 2020?",
    "Who captured Shusha?",
    "Hoeveel Armeniërs vluchtten uit Karabach?",
    "What did Pashinyan call the deal?",
)


def _env(settings: Settings, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_") and k != "DISCORD_TOKEN"}
    assert settings.store.url is not None
    env.update(NEWSBOT_DATA_DIR=str(data_dir), NEWSBOT_STORE__URL=settings.store.url.get_secret_value(),
               NEWSBOT_SEARCH__MILVUS_URI=settings.search.milvus_uri or "",
               NEWSBOT_SEARCH__MILVUS_COLLECTION=settings.search.milvus_collection, HF_HUB_OFFLINE="1")
    return env


def _many_articles(folder: Path, count: int) -> Path:
    """`count` small dated reports, each its own content."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        day = 1 + n % 28
        (folder / f"wire--report-{n:03d}.txt").write_text(
            f"title: Report {n} from the front\nlanguage: en\n"
            f"date 2020-10-{day:02d} Report {n}: shelling near Ganja and Barda damaged {n + 3} houses overnight.\n\n"
            f"Officials in Stepanakert counted {n * 7 + 1} people in shelters on day {day}.\n\n"
            f"Mediators in Moscow called for a pause for the {n}th time.\n", encoding="utf-8")
    return folder


def _compare_archive_and_search(settings: Settings) -> tuple[set[int], set[int], int]:
    """(paragraph ids with a vector in PostgreSQL, ids in Milvus, articles still queued for Milvus)."""
    import psycopg
    from pymilvus import MilvusClient

    assert settings.store.url is not None
    with psycopg.connect(settings.store.url.get_secret_value()) as conn:
        stored = {r[0] for r in conn.execute("SELECT paragraph_id FROM embeddings")}
        pending = conn.execute("SELECT COUNT(*) FROM search_outbox").fetchone()[0]  # type: ignore[index]
    client = MilvusClient(uri=settings.search.milvus_uri or "", dedicated=True)  # closed after: no idle connection
    try:
        rows = client.query(settings.search.milvus_collection, filter="id >= 0", output_fields=["id"], limit=16384)
    finally:
        client.close()
    return stored, {int(r["id"]) for r in rows}, int(pending)


def test_cluster_mode_answers_as_the_default_mode(services: Any, cluster_settings: Settings, corpus_dir: Path,
                                                  embedder: Any) -> None:
    from bot.core.services import open_services

    services.ingestor.ingest_paths([corpus_dir])
    with open_services(cluster_settings, embedder=embedder) as cluster:
        results = cluster.ingestor.ingest_paths([corpus_dir])
        assert len(results) == len(ARTICLES)
        assert cluster.vectors.describe()["vectors"] == services.vectors.describe()["vectors"] == 8
        for question in QUESTIONS:
            single = services.answerer.answer(question).to_dict()
            shared = cluster.answerer.answer(question).to_dict()
            assert shared["answer"] == single["answer"] and shared["abstained"] == single["abstained"]
            assert [(c["source"], c["paragraph"]) for c in shared["citations"]] == \
                   [(c["source"], c["paragraph"]) for c in single["citations"]]
            assert [c["score"] for c in shared["citations"]] == pytest.approx(
                [c["score"] for c in single["citations"]], abs=1e-4)
        for query in ("Lachin corridor", "Sjoesja"):
            for chosen in (SearchFilters(), SearchFilters(language="nl"), SearchFilters(since=date(2023, 1, 1)),
                           SearchFilters(until=date(2020, 11, 9), outlet="testkrant")):
                single_hits = [h.passage.text for h in services.searcher.search(query, filters=chosen).hits]
                assert [h.passage.text for h in cluster.searcher.search(query, filters=chosen).hits] == single_hits
        removed = cluster.remove_articles(Removal(outlet="Testkrant"))
        assert [a.source for a in removed] == ["krant--sjoesja.txt"]
        stored, searchable, pending = _compare_archive_and_search(cluster_settings)
        assert stored == searchable and len(stored) == 5 and pending == 0


def test_two_ingest_processes_on_one_folder_store_each_article_once(cluster_settings: Settings,
                                                                    tmp_path: Path) -> None:
    folder = _many_articles(tmp_path / "wire", 24)
    write_articles(folder)
    env = _env(cluster_settings, tmp_path / "data")
    children = [subprocess.Popen([str(NEWSBOT), "ingest", str(folder), "--json"], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(2)]
    summaries = []
    for child in children:
        out, err = child.communicate(timeout=600)
        assert child.returncode == 0, err
        summaries.append(json.loads(out))
    files = 24 + len(ARTICLES)
    assert sum(s["added"] + s["replaced"] for s in summaries) == files
    assert all(s["added"] + s["unchanged"] == files for s in summaries)
    status = subprocess.run([str(NEWSBOT), "status", "--json"], env=env, capture_output=True, text=True, timeout=300)
    report = json.loads(status.stdout)
    assert report["articles"] == files and report["index_ok"]
    assert report["archive"] == {"backend": "postgresql", "database": cluster_settings.store.url.get_secret_value(),
                                 "articles": files, "paragraphs": 24 * 3 + 8}  # type: ignore[union-attr]
    assert report["search_index"] == {"engine": "milvus", "uri": cluster_settings.search.milvus_uri,
                                      "collection": cluster_settings.search.milvus_collection,
                                      "vectors": 24 * 3 + 8, "pending": 0}
    stored, searchable, _ = _compare_archive_and_search(cluster_settings)
    assert stored == searchable


def test_kill_9_mid_ingest_loses_nothing_committed_and_leaves_nothing_half_indexed(cluster_settings: Settings,
                                                                                   tmp_path: Path) -> None:
    import psycopg

    folder = _many_articles(tmp_path / "wire", 150)
    env = _env(cluster_settings, tmp_path / "data")
    child = subprocess.Popen([str(NEWSBOT), "ingest", str(folder)], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    url = cluster_settings.store.url.get_secret_value()  # type: ignore[union-attr]
    stored_before = 0
    with psycopg.connect(url, autocommit=True) as conn:
        for _ in range(1200):  # a hang guard: ten minutes at most
            try:
                stored_before = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]  # type: ignore[index]
            except psycopg.errors.UndefinedTable:  # the child has not created the schema yet
                stored_before = 0
            if stored_before >= 10 or child.poll() is not None:
                break
            time.sleep(0.5)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        assert 10 <= stored_before < 150, "killed mid-ingest"
        # Every committed article is whole: three paragraphs, each with its vector and its terms counted.
        whole = conn.execute(
            """SELECT a.id, COUNT(p.id), COUNT(e.paragraph_id) FROM articles a JOIN paragraphs p ON p.article_id = a.id
               LEFT JOIN embeddings e ON e.paragraph_id = p.id GROUP BY a.id""").fetchall()
        assert whole and all(paragraphs == vectors == 3 for _, paragraphs, vectors in whole)
        stored_after_kill = len(whole)
    stored, searchable, pending = _compare_archive_and_search(cluster_settings)
    assert searchable <= stored, "search never shows a paragraph the archive lacks"
    assert len(stored) == 3 * stored_after_kill
    # The next start drains what the dead process left queued and compares the two by id.
    status = subprocess.run([str(NEWSBOT), "status", "--json"], env=env, capture_output=True, text=True, timeout=300)
    assert json.loads(status.stdout)["index_ok"], status.stderr
    stored, searchable, pending = _compare_archive_and_search(cluster_settings)
    assert stored == searchable and pending == 0 and len(stored) == 3 * stored_after_kill
    again = subprocess.run([str(NEWSBOT), "ingest", str(folder), "--json"], env=env, capture_output=True, text=True,
                           timeout=600)
    summary = json.loads(again.stdout)
    assert summary["added"] == 150 - stored_after_kill and summary["unchanged"] == stored_after_kill
    # `newsbot reindex` rebuilds Milvus from PostgreSQL alone.
    from pymilvus import MilvusClient

    client = MilvusClient(uri=cluster_settings.search.milvus_uri or "", dedicated=True)
    client.drop_collection(cluster_settings.search.milvus_collection)
    client.close()
    rebuilt = subprocess.run([str(NEWSBOT), "reindex"], env=env, capture_output=True, text=True, timeout=600)
    assert rebuilt.returncode == 0, rebuilt.stderr
    stored, searchable, pending = _compare_archive_and_search(cluster_settings)
    assert stored == searchable and len(stored) == 450 and pending == 0


def test_two_workers_poll_each_feed_once(cluster_settings: Settings, tmp_path: Path) -> None:
    with LoopbackServer() as server:
        items = [(server.url(f"/a/{n}"), f"Villages near Fuzuli, part {n}", f"Sun, {4 + n:02d} Oct 2020 09:00:00 GMT",
                  f"{FULL_TEXT} Report number {n}.") for n in range(6)]
        for feed in ("one", "two", "three"):
            server.route(f"/{feed}.xml", static(_rss(items[:2] if feed == "one" else items[2:4] if feed == "two"
                                                     else items[4:]), "application/rss+xml"))
        sources = tmp_path / "sources.toml"
        sources.write_text("".join(textwrap.dedent(f"""
            [[source]]
            name = "{feed}"
            url = "{server.url(f'/{feed}.xml')}"
            outlet = "Wire {feed}"
            poll_minutes = 60
            """) for feed in ("one", "two", "three")), encoding="utf-8")
        env = _env(cluster_settings, tmp_path / "data") | {"NEWSBOT_SOURCES__FILE": str(sources),
                                                           "NEWSBOT_SOURCES__ALLOW_PRIVATE_NETWORKS": "true"}
        workers = [subprocess.Popen([str(NEWSBOT), "worker", "--once", "--json"], env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True) for _ in range(2)]
        polls: list[dict[str, Any]] = []
        for worker in workers:
            out, err = worker.communicate(timeout=600)
            assert worker.returncode == 0, err
            polls += json.loads(out)
        assert sorted(p["source"] for p in polls) == ["one", "three", "two"], "each source polled once"
        assert sum(p["added"] for p in polls) == 6
        feed_requests = [p for p in server.paths() if p.endswith(".xml")]
        assert sorted(feed_requests) == ["/one.xml", "/three.xml", "/two.xml"]
        again = subprocess.run([str(NEWSBOT), "worker", "--once", "--json"], env=env, capture_output=True, text=True,
                               timeout=600)
        assert json.loads(again.stdout) == [], "nothing is due within the poll interval"


def test_a_cluster_setting_without_the_extra_gets_one_clear_error(cluster_settings: Settings, tmp_path: Path) -> None:
    blocked = ("import sys; sys.modules['psycopg'] = sys.modules['psycopg_pool'] = sys.modules['pymilvus'] = None; "
               "from bot.cli import main; sys.exit(main(['status']))")
    done = subprocess.run([sys.executable, "-c", blocked], env=_env(cluster_settings, tmp_path / "data"),
                          capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "newsbot: cluster mode needs the `cluster` extra (PostgreSQL and Milvus clients): pip install 'newsbot[cluster]'"]


def test_cluster_mode_needs_both_servers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="needs both NEWSBOT_STORE__URL"):
        load_settings(data_dir=tmp_path, store={"url": "postgresql://db/newsbot"})
    with pytest.raises(SettingsError, match="postgresql://"):
        load_settings(data_dir=tmp_path, store={"url": "mysql://db"}, search={"milvus_uri": "http://m:19530"})
    shown = load_settings(data_dir=tmp_path, store={"url": "postgresql://bot:s3cret@db:5432/newsbot"},
                          search={"milvus_uri": "http://m:19530"})
    assert "s3cret" not in repr(shown)
    from index.storage.postgres.db import redacted_url

    assert redacted_url("postgresql://bot:s3cret@db:5432/newsbot") == "postgresql://bot@db:5432/newsbot"


def test_a_dead_leader_hands_over(cluster_settings: Settings) -> None:
    from index.storage.postgres.store import open_postgres_store

    url = cluster_settings.store.url.get_secret_value()  # type: ignore[union-attr]
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from index.storage.postgres.store import open_postgres_store; "
         f"lock = open_postgres_store({url!r}).leader_lock('jobs'); print(lock.acquire(), flush=True); "
         "time.sleep(600)"], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "True"
        archive = open_postgres_store(url)
        lock = archive.leader_lock("jobs")
        assert not lock.acquire()
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=60)
        for _ in range(600):  # the server notices the dropped connection within moments; a hang guard
            if lock.acquire():
                break
            time.sleep(0.1)
        assert lock.acquire()
        archive.close()
    finally:
        holder.kill()


def test_a_bot_sees_what_another_process_stores_at_once(cluster_settings: Settings, embedder: Any,
                                                         tmp_path: Path) -> None:
    """The default mode's bot brings another process's writes into its own FAISS copy (test_vector_refresh.py);
    in cluster mode every process searches the one Milvus collection, so there is nothing to bring in and the
    refresh only forgets the articles the bot cached."""
    from bot.core.following import FollowMatcher
    from bot.core.services import open_services
    from bot.core.status import status_report
    from bot.follow_job import FollowAlerter
    from tests.test_vector_refresh import RAILWAY

    folder = write_articles(tmp_path / "new", RAILWAY)
    with open_services(cluster_settings, embedder=embedder, reader=None) as bot_side:
        matcher = FollowMatcher(bot_side.searcher, bot_side.topic)
        follows = bot_side.store.follows
        follows.add(1, 2, "Meghri railway", 3, matcher.topic_vector("Meghri railway"))
        follows.unchecked_article_ids()  # the first check starts from now
        assert bot_side.refresher.refresh().changed is False
        with open_services(cluster_settings, embedder=embedder, reader=None) as other:
            [stored] = other.ingestor.ingest_paths([folder])
        ids = [p.id for p in bot_side.store.articles.article_passages(stored.article_id)]
        assert bot_side.refresher.refresh().changed  # what the bot's timer, /status and health check do first
        assert bot_side.vectors.holds(ids).all() and bot_side.index_in_sync()
        assert status_report(bot_side, bot_side.store.sources).index_ok
        hit = bot_side.searcher.search("Meghri railway trains Syunik").hits[0]  # refreshes first
        assert hit.passage.article.title == "Trains to run through Meghri again"
        alerter = FollowAlerter(None, follows, matcher, bot_side.store.articles, None,  # type: ignore[arg-type]
                                searchable=bot_side.vectors.holds, refresh=bot_side.refresher.refresh)
        alerts, newest = alerter._due()
        assert newest == stored.article_id and [a.article.id for a in alerts] == [stored.article_id]
        changed = (folder / "wire--meghri-railway.txt").read_text().replace("Trains to run", "Freight trains run") \
            .replace("43 kilometres", "45 kilometres")
        (folder / "wire--meghri-railway.txt").write_text(changed)
        with open_services(cluster_settings, embedder=embedder, reader=None) as other:
            [replaced] = other.ingestor.ingest_paths([folder])
        assert replaced.status == "replaced" and replaced.article_id == stored.article_id
        hit = bot_side.searcher.search("Meghri railway trains Syunik").hits[0]
        assert hit.passage.article.title == "Freight trains run through Meghri again", "the cached title is gone"
        assert bot_side.refresher.refresh().changed is False, "the search before already refreshed"
        assert not bot_side.vectors.holds(ids).any() and bot_side.index_in_sync()
