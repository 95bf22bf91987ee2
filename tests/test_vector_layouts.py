"""Exact search below the size threshold, an approximate (IVF) index from it, and rebuilds swapped in atomically.

Real SQLite and FAISS on small archives whose vectors are random unit vectors written through the store (the
model plays no part in how the index is laid out); the threshold is set low so a few hundred paragraphs cross it.
Nothing here is timed: the tests bound what is compared, held and written.
"""

from __future__ import annotations

import json
import threading
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from index.input.dates import PublishedDate
from index.models import Article
from index.search.approximate import ApproximateIndex
from index.search.vectors import VectorIndex
from index.storage.sqlite.article_store import content_hash
from index.storage.sqlite.embedding_store import EmbeddingStore
from index.storage.sqlite.store import Store, open_store

DIMENSION = 512
MODEL = "test-model"


def _articles(store: Store, start: int, count: int, rng: np.random.Generator, per_article: int = 5) -> np.ndarray:
    """Write `count` articles of random unit vectors; returns every vector written, in paragraph id order."""
    written = []
    for n in range(start, start + count):
        article = Article(title=f"Report {n}", outlet="Wire", source=f"report-{n}.txt",
                          published=PublishedDate.day(date(2021, 1, 1) + timedelta(days=n % 300)), language="en",
                          paragraphs=tuple(f"Paragraph {i} of report {n} about Stepanakert." for i in range(per_article)))
        vectors = rng.standard_normal((per_article, DIMENSION)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.articles.write_article(article, vectors, model_id=MODEL, digest=content_hash(article))
        written.append(vectors)
    return np.concatenate(written)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = open_store(tmp_path / "archive.sqlite3")
    yield opened
    opened.close()


def _index(tmp_path: Path, threshold: int) -> VectorIndex:
    return VectorIndex(tmp_path / "paragraphs.faiss", DIMENSION, MODEL, approximate_above=threshold)


def _manifest(tmp_path: Path) -> dict[str, object]:
    return json.loads((tmp_path / "paragraphs.faiss.json").read_text())


def test_exact_below_the_threshold_approximate_from_it(store: Store, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    _articles(store, 0, 60, rng)  # 300 paragraphs
    vectors = _index(tmp_path, threshold=400)
    health = vectors.load(store.embeddings)
    assert vectors.layout == "exact" and health.layout == "exact" and len(vectors) == 300
    assert _manifest(tmp_path)["layout"] == "exact"

    _articles(store, 60, 30, rng)  # 450 paragraphs: past the threshold
    vectors.sync(store.embeddings)
    assert vectors.rebuild_if_due(store.embeddings)
    assert vectors.layout == "approximate" and len(vectors) == 450
    manifest = _manifest(tmp_path)
    assert manifest["layout"] == "approximate" and manifest["count"] == 450 and manifest["tombstones"] == 0
    assert sorted(vectors.ids().tolist()) == store.embeddings.paragraph_ids().tolist()
    assert not vectors.rebuild_due()

    reopened = _index(tmp_path, threshold=400)
    health = reopened.load(store.embeddings)
    assert reopened.layout == "approximate" and not health.rebuilt and health.ok


def test_approximate_search_finds_stored_vectors_and_filters_exactly(store: Store, tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    written = _articles(store, 0, 100, rng)  # 500 paragraphs
    ids = store.embeddings.paragraph_ids()
    vectors = _index(tmp_path, threshold=100)
    vectors.load(store.embeddings)
    assert vectors.layout == "approximate"
    for row in (0, 137, 499):  # a stored vector's nearest paragraph is itself
        assert vectors.search(written[row], 1)[0][0] == ids[row]

    query = rng.standard_normal(DIMENSION).astype(np.float32)
    allowed = ids[::7]
    expected = allowed[np.argsort(-(written[::7] @ query))[:10]]
    found = vectors.search(query, 10, allowed)
    assert [i for i, _ in found] == expected.tolist()
    chosen = [int(ids[3]), int(ids[40])]
    scores = vectors.scores(query, chosen)
    assert scores.keys() == set(chosen)
    assert abs(scores[chosen[0]] - float(written[3] @ query)) < 1e-3


def test_large_filter_probes_more_clusters_and_keeps_to_the_filter(store: Store, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import index.search.approximate as approximate

    monkeypatch.setattr(approximate, "EXACT_FILTER_MAX", 50)
    rng = np.random.default_rng(3)
    _articles(store, 0, 100, rng)
    ids = store.embeddings.paragraph_ids()
    vectors = _index(tmp_path, threshold=100)
    vectors.load(store.embeddings)
    allowed = ids[ids % 2 == 0]
    assert len(allowed) > 50
    found = vectors.search(rng.standard_normal(DIMENSION).astype(np.float32), 20, allowed)
    assert len(found) == 20 and {i for i, _ in found} <= set(allowed.tolist())


def test_updates_and_removals_on_the_approximate_index(store: Store, tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    _articles(store, 0, 50, rng)
    vectors = _index(tmp_path, threshold=100)
    vectors.load(store.embeddings)
    first = store.articles.find_source("report-0.txt")
    assert first is not None
    replacement = Article(title="Report 0", outlet="Wire", source="report-0.txt",
                          published=PublishedDate.day(date(2021, 1, 1)), language="en",
                          paragraphs=("Rewritten.", "Rewritten again."))
    new_vectors = rng.standard_normal((2, DIMENSION)).astype(np.float32)
    new_vectors /= np.linalg.norm(new_vectors, axis=1, keepdims=True)
    outcome = store.articles.write_article(replacement, new_vectors, model_id=MODEL, digest=content_hash(replacement))
    vectors.update(outcome.added_ids, new_vectors, outcome.removed_ids)
    held = set(vectors.ids().tolist())
    assert not held & set(outcome.removed_ids) and set(outcome.added_ids) <= held
    assert held == set(store.embeddings.paragraph_ids().tolist()) and len(vectors) == 247
    assert vectors.search(new_vectors[1], 1)[0][0] == outcome.added_ids[1]
    assert vectors.scores(new_vectors[0], list(outcome.removed_ids)) == {}


def test_tombstones_are_rebuilt_away_and_a_shrunk_index_turns_exact(store: Store, tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    _articles(store, 0, 40, rng)  # 200
    vectors = _index(tmp_path, threshold=150)
    vectors.load(store.embeddings)
    assert vectors.layout == "approximate"
    for n in range(4):  # four replaced articles: 20 paragraphs removed, a tenth of the graph
        old = store.articles.find_source(f"report-{n}.txt")
        assert old is not None
        outcome = store.articles.write_article(
            Article(title="r", outlet="Wire", source=f"report-{n}.txt", published=PublishedDate.day(date(2021, 1, 1)),
                    language="en", paragraphs=("Rewritten.",)),
            rng.standard_normal((1, DIMENSION)).astype(np.float32), model_id=MODEL, digest=f"new-{n}")
        vectors.update(outcome.added_ids, store.embeddings.vectors_for(outcome.added_ids, DIMENSION), outcome.removed_ids)
    assert len(vectors) == 184 and not vectors.rebuild_due()
    removed = store.articles.find_source("report-4.txt")
    assert removed is not None
    with store.db.transaction() as db:
        db.execute("DELETE FROM articles WHERE id = ?", (removed[0],))
    vectors.sync(store.embeddings)
    assert vectors.rebuild_if_due(store.embeddings)  # 25 tombstones in 204: more than a tenth
    assert len(vectors) == 179 and _manifest(tmp_path)["tombstones"] == 0

    exact_again = _index(tmp_path, threshold=0)  # threshold switched off: the saved graph is of the wrong layout
    health = exact_again.load(store.embeddings)
    assert exact_again.layout == "exact" and health.rebuilt and health.ok
    assert _manifest(tmp_path)["layout"] == "exact"


def test_rebuild_swaps_atomically_while_searches_and_writes_go_on(store: Store, tmp_path: Path) -> None:
    """The build runs outside the lock: searches answer from the old index meanwhile, and what is stored
    during the build is in the new index after the swap."""
    rng = np.random.default_rng(6)
    _articles(store, 0, 60, rng)
    vectors = _index(tmp_path, threshold=250)
    vectors.load(store.embeddings)
    assert vectors.layout == "approximate"

    building = threading.Event()
    release = threading.Event()
    real_build = vectors._build

    def slow_build(store_: EmbeddingStore):  # type: ignore[no-untyped-def]
        fresh = real_build(store_)
        building.set()
        assert release.wait(60)
        return fresh

    vectors._build = slow_build  # type: ignore[method-assign]
    worker = threading.Thread(target=vectors.rebuild, args=(store.embeddings,))
    worker.start()
    try:
        assert building.wait(60)
        query = rng.standard_normal(DIMENSION).astype(np.float32)
        assert len(vectors.search(query, 5)) == 5  # the old index answers during the build
        before_swap = store.embeddings.paragraph_ids().max()
        _articles(store, 60, 2, rng)  # written while the new index is being built
        late = [int(i) for i in store.embeddings.paragraph_ids() if i > before_swap]
        assert len(late) == 10
    finally:
        release.set()
        worker.join(60)
    assert set(late) <= set(vectors.ids().tolist())
    assert vectors.last_health is not None and vectors.last_health.ok and len(vectors) == 310
    assert _manifest(tmp_path)["count"] == 310


def test_a_second_thread_finding_a_rebuild_due_does_not_rebuild_again(store: Store, tmp_path: Path) -> None:
    rng = np.random.default_rng(10)
    _articles(store, 0, 40, rng)
    vectors = _index(tmp_path, threshold=300)
    vectors.load(store.embeddings)
    _articles(store, 40, 30, rng)  # 350: due
    vectors.sync(store.embeddings)
    building = threading.Event()
    release = threading.Event()
    builds = []
    real_build = vectors._build

    def held_build(store_: EmbeddingStore):  # type: ignore[no-untyped-def]
        builds.append(threading.current_thread().name)
        building.set()
        assert release.wait(60)
        return real_build(store_)

    vectors._build = held_build  # type: ignore[method-assign]
    first = threading.Thread(target=vectors.rebuild_if_due, args=(store.embeddings,), name="first")
    first.start()
    try:
        assert building.wait(60)
        assert not vectors.rebuild_if_due(store.embeddings), "a second rebuild started while one was under way"
    finally:
        release.set()
        first.join(60)
    assert builds == ["first"] and vectors.layout == "approximate" and not vectors.rebuild_due()


def test_an_index_build_streams_the_vectors(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No step holds every vector as Python objects: the build reads SQLite in chunks."""
    import index.search.vectors as module

    rng = np.random.default_rng(7)
    _articles(store, 0, 800, rng)  # 4,000 vectors, 8 MB
    monkeypatch.setattr(module, "BUILD_CHUNK", 200)
    vectors = _index(tmp_path, threshold=100)
    total = 4000 * DIMENSION * 4
    tracemalloc.start()
    try:
        vectors.rebuild(store.embeddings)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert vectors.layout == "approximate" and len(vectors) == 4000
    assert peak < total / 4, f"the build held {peak} bytes of Python objects for {total} bytes of vectors"


def test_saves_are_spaced_by_what_changed(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each save rewrites the whole file: ingest saves after a share of the index changed, not after every batch."""
    import index.search.vectors as module

    monkeypatch.setattr(module, "SAVE_EVERY", 100)
    rng = np.random.default_rng(8)
    vectors = _index(tmp_path, threshold=0)
    vectors.load(store.embeddings)
    writes = []
    real_save = vectors.save

    def counted_save() -> None:
        writes.append(len(vectors))
        real_save()

    vectors.save = counted_save  # type: ignore[method-assign]
    for n in range(100):
        vectors_before = store.embeddings.paragraph_ids()
        _articles(store, n, 1, rng)
        added = np.setdiff1d(store.embeddings.paragraph_ids(), vectors_before)
        vectors.update(tuple(int(i) for i in added), store.embeddings.vectors_for(added, DIMENSION))
        vectors.save_if_due()
    assert writes == [100, 200, 300, 400, 500]
    assert not vectors.save_if_changed()
    _articles(store, 100, 1, rng)
    vectors.sync(store.embeddings)
    assert vectors.save_if_changed() and writes[-1] == 505


def test_approximate_file_that_fails_its_checksum_is_rebuilt(store: Store, tmp_path: Path) -> None:
    rng = np.random.default_rng(9)
    _articles(store, 0, 60, rng)
    vectors = _index(tmp_path, threshold=100)
    vectors.load(store.embeddings)
    path = tmp_path / "paragraphs.faiss"
    data = bytearray(path.read_bytes())
    data[len(data) // 2:len(data) // 2 + 512] = bytes(512)
    path.write_bytes(bytes(data))
    reopened = _index(tmp_path, threshold=100)
    health = reopened.load(store.embeddings)
    assert health.rebuilt and health.ok and reopened.layout == "approximate"
    assert isinstance(reopened._index, ApproximateIndex)
