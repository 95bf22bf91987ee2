"""The repository contract, run against both backends: the SQLite archive and PostgreSQL (a real server).

Every repository the core uses (`index.storage.protocols`) must behave the same
on both: what is written reads back, replacing and removing keep the term counts
and day index exact, filters honour date precision, the same content is stored
once, leases and the leader lock let one process at a time through.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from index.errors import ModelMismatchError
from index.input.dates import PublishedDate
from index.models import Article, IngestStatus
from index.search.analysis import paragraph_terms
from index.sides import Side
from index.storage.protocols import Archive
from index.storage.records import Removal, SearchFilters, content_hash
from index.storage.source_records import Source

BACKENDS = ["sqlite", "postgresql"]


def _open(kind: str, where: Path, request: pytest.FixtureRequest) -> Archive:
    if kind == "sqlite":
        from index.storage.sqlite.store import open_store

        return open_store(where / "newsbot.sqlite3")
    from index.storage.postgres.store import open_postgres_store

    url, _, _ = request.getfixturevalue("cluster_urls")
    return open_postgres_store(url)


@pytest.fixture(params=BACKENDS)
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Archive]:
    opened = _open(request.param, tmp_path, request)
    yield opened
    opened.close()


@pytest.fixture(params=BACKENDS)
def two_handles(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Archive, Archive]]:
    """Two handles on one archive, as two processes would hold."""
    if request.param == "sqlite":
        from index.storage.sqlite.store import open_store

        first, second = open_store(tmp_path / "a.sqlite3"), open_store(tmp_path / "a.sqlite3")
    else:
        from index.storage.postgres.store import open_postgres_store

        url, _, _ = request.getfixturevalue("cluster_urls")
        first, second = open_postgres_store(url), open_postgres_store(url)
    yield first, second
    first.close()
    second.close()


def _article(source: str, *paragraphs: str, published: PublishedDate | None = None, outlet: str = "Outlet",
             language: str = "en") -> Article:
    return Article(title=f"Title {source}", outlet=outlet, source=source,
                   published=published or PublishedDate.day(date(2020, 10, 4)), language=language,
                   paragraphs=paragraphs or (f"Report {source}.",))


def _vectors(count: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((count, 8)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _write(archive: Archive, article: Article, seed: int = 0) -> tuple[int, tuple[int, ...], IngestStatus]:
    outcome = archive.articles.write_article(article, _vectors(len(article.paragraphs), seed), model_id="m",
                                             digest=content_hash(article))
    return outcome.article_id, outcome.added_ids, outcome.status


def _expected_counts(archive: Archive, ids: list[int]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for terms in archive.terms.paragraph_terms(ids).values():
        counts.update(set(terms.split()))
    return counts


def test_an_article_reads_back_with_its_paragraphs_vectors_terms_and_days(archive: Archive) -> None:
    article = _article("a.txt", "Shelling hit Ganja on Sunday.", "Stepanakert was quiet.")
    article_id, ids, status = _write(archive, article)
    assert status is IngestStatus.ADDED and len(ids) == 2
    stored = archive.articles.article(article_id)
    assert (stored.title, stored.outlet, stored.published.iso()) == ("Title a.txt", "Outlet", "2020-10-04")
    assert [p.text for p in archive.articles.article_passages(article_id)] == list(article.paragraphs)
    assert archive.articles.find_source("a.txt") == (article_id, content_hash(article))
    assert archive.articles.find_hash(content_hash(article)) == article_id
    assert np.allclose(archive.embeddings.vectors_for(list(ids), 8), _vectors(2))
    assert archive.embeddings.vector_count() == 2
    assert archive.terms.paragraph_terms([ids[0]])[ids[0]] == paragraph_terms(article.paragraphs[0], "en")
    assert archive.terms.term_document_counts(["ganja", "quiet", "absent"]) == {"ganja": 1, "quiet": 1}
    assert archive.articles.days_mentioned(list(ids)) == {ids[0]: [date(2020, 10, 4)]}
    assert archive.articles.paragraph_ids_mentioning([date(2020, 10, 4)]) == [ids[0]]
    assert archive.articles.paragraph_ids_published_on(date(2020, 10, 4)) == list(ids)
    stats = archive.articles.stats()
    assert (stats.articles, stats.paragraphs, stats.embeddings, stats.model_id) == (1, 2, 2, "m")


def test_the_same_content_is_stored_once_and_new_content_replaces(archive: Archive) -> None:
    first = _article("a.txt", "Shelling hit Ganja.", "Barda too.")
    article_id, old_ids, _ = _write(archive, first)
    again = archive.articles.write_article(first, _vectors(2), model_id="m", digest=content_hash(first))
    assert (again.status, again.article_id, again.added_ids) == (IngestStatus.UNCHANGED, article_id, ())
    copy = archive.articles.write_article(_article("b.txt", "Shelling hit Ganja.", "Barda too."), _vectors(2),
                                          model_id="m", digest=content_hash(first))
    assert (copy.status, copy.duplicate_of) == (IngestStatus.UNCHANGED, article_id)
    changed = _article("a.txt", "Shelling hit Ganja again.")
    outcome = archive.articles.write_article(changed, _vectors(1, 1), model_id="m", digest=content_hash(changed))
    assert (outcome.status, outcome.article_id, outcome.removed_ids) == (IngestStatus.REPLACED, article_id, old_ids)
    assert [p.text for p in archive.articles.article_passages(article_id)] == ["Shelling hit Ganja again."]
    assert archive.terms.term_document_counts(["barda", "ganja", "again"]) == {"ganja": 1, "again": 1}
    assert archive.embeddings.vector_count() == 1
    with pytest.raises(ModelMismatchError):
        archive.articles.write_article(_article("c.txt"), _vectors(1), model_id="other", digest="x")
    with pytest.raises(ModelMismatchError):
        archive.embeddings.check_model("other")


def test_removal_takes_paragraphs_vectors_and_term_counts_with_it(archive: Archive) -> None:
    kept, _, _ = _write(archive, _article("keep.txt", "Ganja and Barda.", outlet="Keep"))
    gone, gone_ids, _ = _write(archive, _article("gone.txt", "Ganja shelled.", outlet="Gone"), seed=2)
    removal = Removal(outlet="gone")
    assert [a.id for a in archive.articles.chosen(removal)] == [gone]
    removed, paragraph_ids = archive.articles.remove(removal)
    assert [a.id for a in removed] == [gone] and paragraph_ids == gone_ids
    assert archive.articles.passages(list(gone_ids)) == {}
    assert archive.embeddings.paragraph_ids().tolist() == [p.id for p in archive.articles.article_passages(kept)]
    ids = archive.embeddings.paragraph_ids().tolist()
    assert archive.terms.term_document_counts(_expected_counts(archive, ids)) == _expected_counts(archive, ids)
    assert archive.terms.term_document_counts(["shell"]) == {}


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        (date(2020, 10, 20), None, {"month"}),  # a month-dated report may be from the 20th on
        (None, date(2020, 10, 1), {"month"}),  # … or from the 1st
        (date(2020, 11, 1), None, set()),
        (date(2020, 10, 4), date(2020, 10, 4), {"month", "day"}),
        (date(2020, 1, 1), None, {"month", "day"}),  # an unknown date never matches a date filter
    ],
)
def test_date_filters_honour_precision_and_skip_unknown_dates(archive: Archive, since: date | None,
                                                             until: date | None, expected: set[str]) -> None:
    ids = {
        "month": _write(archive, _article("month.txt", published=PublishedDate.month(2020, 10)))[1][0],
        "day": _write(archive, _article("day.txt", published=PublishedDate.day(date(2020, 10, 4))))[1][0],
        "unknown": _write(archive, _article("unknown.txt", published=PublishedDate.unknown()))[1][0],
    }
    found = set(archive.articles.filtered_paragraph_ids(SearchFilters(since=since, until=until)).tolist())
    assert found == {ids[name] for name in expected}


def test_language_outlet_and_window_queries(archive: Archive) -> None:
    nl = _write(archive, _article("nl.txt", "Sjoesja is gevallen.", language="nl", outlet="Krant"))[1]
    en = _write(archive, _article("en.txt", "Shusha fell.", published=PublishedDate.day(date(2020, 10, 20))))[1]
    assert archive.articles.filtered_paragraph_ids(SearchFilters(language="nl")).tolist() == list(nl)
    assert archive.articles.filtered_paragraph_ids(SearchFilters(outlet="krant")).tolist() == list(nl)
    near = archive.articles.paragraph_ids_near(date(2020, 10, 1), date(2020, 10, 7))
    assert near.tolist() == list(nl)
    assert archive.articles.article_ids_of([*nl, *en]) == {nl[0]: archive.articles.find_source("nl.txt")[0],
                                                           en[0]: archive.articles.find_source("en.txt")[0]}
    assert archive.articles.publication_years() == [2020] == archive.articles.years()


def test_the_same_article_written_by_four_writers_at_once_is_stored_once(archive: Archive) -> None:
    article = _article("race.txt", "One report.", "Two paragraphs.")
    outcomes: list[IngestStatus] = []
    start = threading.Barrier(4)

    def write() -> None:
        start.wait()
        outcomes.append(_write(archive, article)[2])

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == sorted([IngestStatus.ADDED] + [IngestStatus.UNCHANGED] * 3)
    assert archive.articles.stats().paragraphs == 2
    assert archive.terms.term_document_counts(["one", "two"]) == {"one": 1, "two": 1}


def test_sources_state_entries_and_leases(two_handles: tuple[Archive, Archive]) -> None:
    first, second = two_handles
    source = Source(name="wire", url="https://example.org/feed", outlet="Wire", side=Side.INTERNATIONAL)
    first.sources.upsert(source)
    first.sources.upsert(Source(name="off", url="https://example.org/off", outlet="Off", enabled=False))
    assert [s.source.name for s in second.sources.all()] == ["off", "wire"]
    assert second.sources.get("wire").source == source  # type: ignore[union-attr]
    lease = timedelta(minutes=5)
    [claimed] = first.sources.claim_due("worker-1", lease, limit=5)
    assert claimed.source.name == "wire"
    assert second.sources.claim_due("worker-2", lease) == []
    assert not second.sources.claim("wire", "worker-2", lease)
    first.sources.record_success("wire", etag="e1", last_modified=None, interval=timedelta(minutes=15))
    first.sources.release("wire", "worker-1")
    assert second.sources.claim_due("worker-2", lease) == []  # polled: not due for another 15 minutes
    assert second.sources.claim("wire", "worker-2", lease)  # a bot's own poll job may still take it
    second.sources.release("wire", "worker-2")
    state = first.sources.record_failure("wire", "timed out", interval=timedelta(minutes=15))
    assert state is not None and state.failures == 1
    assert second.sources.get("wire").etag == "e1"  # type: ignore[union-attr]
    assert first.sources.claim_entry("https://example.org/a", source)
    assert not second.sources.claim_entry("https://example.org/a", Source(name="other", url="https://x.org/f",
                                                                           outlet="Other"))
    second.sources.remember_entry("https://example.org/a", "digest")
    assert first.sources.entry_digest("https://example.org/a") == "digest"
    assert second.sources.remove("off") and not second.sources.remove("off")


def test_an_expired_lease_is_claimed_by_another_process(two_handles: tuple[Archive, Archive]) -> None:
    first, second = two_handles
    first.sources.upsert(Source(name="wire", url="https://example.org/feed", outlet="Wire"))
    assert first.sources.claim_due("dead-worker", timedelta(seconds=-1))  # a lease that has run out already
    assert [s.source.name for s in second.sources.claim_due("worker-2", timedelta(minutes=5))] == ["wire"]


def test_digest_posts_and_follows(two_handles: tuple[Archive, Archive]) -> None:
    first, second = two_handles
    day = date(2020, 10, 4)
    assert not first.posts.posted(42, day)
    first.posts.record(42, day, [1, 2])
    second.posts.record(42, day, [3])  # a second record of the same post changes nothing
    assert second.posts.posted(42, day)
    vector = _vectors(1)[0]
    follow = first.follows.add(1, 10, "Lachin corridor", 7, vector)
    assert follow is not None and np.allclose(follow.vector, vector)
    assert second.follows.add(1, 10, "Lachin corridor", 8, vector) is None
    assert [f.topic for f in second.follows.in_guild(1)] == ["Lachin corridor"]
    assert (second.follows.count(1), second.follows.count_all()) == (1, 1)
    at = datetime(2020, 10, 4, 8, tzinfo=UTC)
    first.follows.record_alert(follow.id, 5, 6, at)
    second.follows.record_alert(follow.id, 5, 6, at)
    assert second.follows.alerted_roots(follow.id) == {5}
    assert second.follows.last_alert(follow.id) == at
    assert first.follows.unchecked_article_ids() == []  # the first check starts from now
    article_id = _write(first, _article("new.txt"))[0]
    assert second.follows.unchecked_article_ids() == [article_id]
    second.follows.mark_checked(article_id)
    assert first.follows.unchecked_article_ids() == []
    assert first.follows.remove(1, "lachin CORRIDOR") == 1


def test_a_digest_channel_remembers_its_first_start_once(two_handles: tuple[Archive, Archive]) -> None:
    first, second = two_handles
    assert first.posts.first_start(42) is None
    at = datetime(2020, 10, 4, 7, 30, tzinfo=UTC)
    first.posts.remember_first_start(42, at)
    second.posts.remember_first_start(42, at + timedelta(days=1))  # a later start keeps the first
    assert second.posts.first_start(42) == at
    assert second.posts.first_start(43) is None


def test_sources_are_stored_cleaned_and_count_what_they_stored_today(two_handles: tuple[Archive, Archive]) -> None:
    first, second = two_handles
    first.sources.upsert(Source(name="wire\u202e", url="https://example.org/feed", outlet=" Wire\x07 ",
                                include=(" Lachin ", "", "\u200bcorridor")))
    state = second.sources.get("wire")
    assert state is not None
    assert (state.source.outlet, state.source.include) == ("Wire", ("Lachin", "corridor"))
    now = datetime.now(UTC)
    assert first.sources.claim_entry("https://example.org/a", state.source)  # a poll claims, then stores
    _write(first, _article("https://example.org/a", outlet="Wire"))
    _write(first, _article("https://example.org/b", "Another report."))  # stored, but no source claimed it
    assert second.sources.stored_today("wire", now) == 1
    assert second.sources.stored_today("wire", now + timedelta(days=1)) == 0
    assert second.sources.stored_today("other", now) == 0


def test_paragraph_count_and_a_cache_another_process_made_stale(two_handles: tuple[Archive, Archive]) -> None:
    first, second = two_handles
    article_id = _write(first, _article("a.txt", "One report.", "Two paragraphs."))[0]
    assert second.articles.paragraph_count() == 2
    assert second.articles.article(article_id).title == "Title a.txt"
    replaced = Article(title="A new title", outlet="Outlet", source="a.txt", published=PublishedDate.day(
        date(2020, 10, 4)), language="en", paragraphs=("One report, corrected.",))
    assert _write(first, replaced)[0] == article_id  # replacing keeps the article's id
    assert second.articles.paragraph_count() == 1
    second.articles.forget_cached()
    assert second.articles.article(article_id).title == "A new title"


def test_one_leader_at_a_time(two_handles: tuple[Archive, Archive]) -> None:
    first, second = two_handles
    leading, waiting = first.leader_lock("jobs"), second.leader_lock("jobs")
    assert leading.acquire() and leading.acquire()
    assert not waiting.acquire()
    leading.release()
    assert waiting.acquire()
    waiting.release()
