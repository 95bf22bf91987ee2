"""A running process sees what another process stores: new, replaced and removed articles (real SQLite, FAISS, model).

Two `Services` on one data folder stand for the bot and `newsbot ingest`: each
has its own SQLite connection, which is all `PRAGMA data_version` tells apart.
The child-process version of this, through the Discord emulator, is
tests/test_e2e_live_archive.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from bot.core.following import FollowMatcher
from bot.core.status import status_report
from bot.follow_job import FollowAlerter
from bot.follow_store import FollowStore
from config.settings import Settings
from index.search.vector_refresh import VectorRefresher
from index.sources.registry import SourceRegistry
from index.storage.sqlite.article_store import Removal
from tests.conftest import write_articles

pytestmark = pytest.mark.slow

RAILWAY = {
    "wire--meghri-railway.txt": """
        title: Trains to run through Meghri again
        outlet: Rail Wire
        language: en
        date 2024-03-02 Armenia and Azerbaijan agreed that freight trains will run on the Meghri railway line through Syunik from June, for the first time since 1991.

        Engineers from both countries will rebuild 43 kilometres of track along the Araxes river, the transport ministries in Yerevan and Baku said.
        """,
}


def _other_process(settings: Settings, embedder):  # type: ignore[no-untyped-def]
    """What `newsbot ingest` or `remove` opens: its own connection to the same archive."""
    from bot.core.services import open_services

    return open_services(settings, embedder=embedder)


@pytest.fixture
def bot_side(settings: Settings, embedder, corpus_dir: Path):  # type: ignore[no-untyped-def]
    """The long-running process: an archive with the three conftest articles, its index loaded."""
    from bot.core.services import open_services

    with open_services(settings, embedder=embedder) as first:
        first.ingestor.ingest_paths([corpus_dir])
    services = open_services(settings, embedder=embedder)
    yield services
    services.close()


def _sources(services) -> set[str]:  # type: ignore[no-untyped-def]
    return {h.passage.article.source for h in services.searcher.search("Meghri railway trains Syunik").hits}


def test_an_article_stored_elsewhere_is_searched_without_a_restart(bot_side, settings, embedder,
                                                                   tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = len(bot_side.vectors)
    assert "wire--meghri-railway.txt" not in _sources(bot_side)
    with _other_process(settings, embedder) as other:
        other.ingestor.ingest_paths([write_articles(tmp_path / "new", RAILWAY)])
    report = status_report(bot_side, SourceRegistry(bot_side.store.db))
    assert not report.index_ok
    assert report.index == f"out of sync: {before} vectors in use for {before + 2} stored paragraphs " \
                           "(2 stored paragraphs not searchable yet)"
    hits = bot_side.searcher.search("Meghri railway trains Syunik").hits  # a search refreshes first
    assert hits[0].passage.article.source == "wire--meghri-railway.txt"
    assert len(bot_side.vectors) == before + 2
    assert status_report(bot_side, SourceRegistry(bot_side.store.db)).index.startswith("ok: ")
    assert bot_side.refresher.refresh().changed is False, "nothing new: one pragma, no reads"


def test_replaced_and_removed_articles_leave_the_running_index(bot_side, settings, embedder,
                                                               tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = write_articles(tmp_path / "new", RAILWAY)
    with _other_process(settings, embedder) as other:
        other.ingestor.ingest_paths([folder])
    bot_side.refresher.refresh()
    old_ids = [p.id for p in bot_side.store.articles.article_passages(
        bot_side.store.articles.find_source("wire--meghri-railway.txt")[0])]  # type: ignore[index]
    assert bot_side.vectors.holds(old_ids).all()
    changed = (folder / "wire--meghri-railway.txt").read_text().replace("43 kilometres", "45 kilometres")
    (folder / "wire--meghri-railway.txt").write_text(changed)
    with _other_process(settings, embedder) as other:
        [result] = other.ingestor.ingest_paths([folder])
        assert result.status == "replaced"
    refreshed = bot_side.refresher.refresh()
    assert (refreshed.added, refreshed.removed) == (2, 2)
    assert not bot_side.vectors.holds(old_ids).any()
    hit = bot_side.searcher.search("How many kilometres of track along the Araxes?").hits[0]
    assert "45 kilometres" in hit.passage.text
    with _other_process(settings, embedder) as other:
        other.remove_articles(Removal(sources=("wire--meghri-railway.txt",)))
    assert bot_side.refresher.refresh().removed == 2
    assert "wire--meghri-railway.txt" not in _sources(bot_side)
    assert bot_side.index_in_sync()


def test_a_reader_behind_the_pruned_removal_log_compares_every_id(bot_side, settings, embedder,
                                                                  tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with _other_process(settings, embedder) as other:
        other.ingestor.ingest_paths([write_articles(tmp_path / "new", RAILWAY)])
        other.remove_articles(Removal(sources=("wire--meghri-railway.txt", "krant--sjoesja.txt")))
        assert other.store.embeddings.prune_removals(keep=1) > 0
    refreshed = bot_side.refresher.refresh()
    assert refreshed.compared and bot_side.index_in_sync()
    assert "krant--sjoesja.txt" not in {h.passage.article.source for h in
                                        bot_side.searcher.search("Sjoesja veroverd").hits}


def test_a_search_brings_in_a_bounded_number_of_vectors_and_the_next_refresh_the_rest(
        bot_side, settings, embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    refresher = VectorRefresher(bot_side.store.db, bot_side.store.embeddings, bot_side.vectors)
    refresher.start()
    with _other_process(settings, embedder) as other:
        other.ingestor.ingest_paths([write_articles(tmp_path / "new", RAILWAY)])
    first = refresher.refresh(budget=0)
    assert first.changed and not first.complete and first.added == 0
    second = refresher.refresh()  # nobody wrote since, but work was left over
    assert second.added == 2 and second.complete


def test_ids_already_held_are_not_added_twice(bot_side) -> None:  # type: ignore[no-untyped-def]
    vectors = bot_side.vectors
    ids = vectors.ids()[:2]
    before = len(vectors)
    vectors.update(ids, bot_side.store.embeddings.vectors_for(ids, vectors.dimension))
    assert len(vectors) == before == bot_side.store.articles.paragraph_count()


def test_a_follow_is_decided_only_once_its_article_is_searchable(bot_side, settings, embedder,
                                                                 tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    follows = FollowStore(bot_side.store.db)
    matcher = FollowMatcher(bot_side.searcher, bot_side.topic)
    follows.add(1, 2, "Meghri railway", 3, matcher.topic_vector("Meghri railway"))
    follows.unchecked_article_ids()  # the first check starts from now
    stalled = FollowAlerter(None, follows, matcher, bot_side.store.articles, None,  # type: ignore[arg-type]
                            searchable=bot_side.vectors.holds)  # no refresh: the vectors stay behind
    with _other_process(settings, embedder) as other:
        [stored] = other.ingestor.ingest_paths([write_articles(tmp_path / "new", RAILWAY)])
    assert stalled._due() == ([], None), "not searchable here yet: neither alerted nor passed over"
    assert follows.unchecked_article_ids() == [stored.article_id]
    live = FollowAlerter(None, follows, matcher, bot_side.store.articles, None,  # type: ignore[arg-type]
                         searchable=bot_side.vectors.holds, refresh=bot_side.refresher.refresh)
    alerts, newest = live._due()
    assert newest == stored.article_id
    assert [a.article.source for a in alerts] == ["wire--meghri-railway.txt"]
    follows.record_alert(alerts[0].follow.id, stored.article_id, stored.article_id, datetime.now(UTC))
    follows.mark_checked(newest)
    assert live._due() == ([], None)


def test_the_archive_keeps_no_more_removals_than_it_needs(bot_side) -> None:  # type: ignore[no-untyped-def]
    embeddings = bot_side.store.embeddings
    with bot_side.store.db.transaction() as db:
        db.executemany("INSERT INTO vector_removals(paragraph_id) VALUES (?)", [(i,) for i in range(1000, 1050)])
    assert embeddings.prune_removals(keep=100) == 0
    assert embeddings.prune_removals(keep=10) == 40
    removed = embeddings.removed_since(0)
    assert removed is None, "a reader from the start is behind the pruned log"
    mark = embeddings.mark()
    assert embeddings.removed_since(mark.removal - 10) is not None
    assert np.array_equal(embeddings.removed_since(mark.removal - 2)[0], [1048, 1049])  # type: ignore[index]
