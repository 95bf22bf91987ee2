"""Near-duplicates are looked for in a date window: what is compared does not grow with the archive.

The window rules run on real SQLite with random vectors; the wire-copy tests use the real model; the
development-set test checks that exactly its wire pairs are linked, nothing else.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from index.input.dates import PublishedDate, parse_date
from index.models import Article
from index.near_duplicates import DateWindow, NearDuplicateFinder
from index.search.vectors import VectorIndex
from index.storage.sqlite.article_store import content_hash
from index.storage.sqlite.store import Store, open_store
from tests.conftest import write_articles

DEVSET = Path(__file__).resolve().parent.parent.parent / "shared" / "devset"


def _store_article(store: Store, name: str, published: PublishedDate, rng: np.random.Generator, *,
                   first_seen: datetime | None = None, paragraphs: int = 3) -> tuple[int, ...]:
    article = Article(title=name, outlet="Wire", source=f"{name}.txt", published=published, language="en",
                      paragraphs=tuple(f"{name}, paragraph {i}." for i in range(paragraphs)))
    vectors = rng.standard_normal((paragraphs, 512)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return store.articles.write_article(article, vectors, model_id="m", digest=content_hash(article),
                               first_seen=first_seen).added_ids


def _new(published: PublishedDate, name: str = "new") -> Article:
    return Article(title=name, outlet="Other", source=f"{name}.txt", published=published, language="en",
                   paragraphs=("x",))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = open_store(tmp_path / "archive.sqlite3")
    yield opened
    opened.close()


def test_window_of_an_article() -> None:
    day = DateWindow.around(PublishedDate.day(date(2020, 10, 11)), date(2024, 1, 1), 3)
    assert day == DateWindow(date(2020, 10, 8), date(2020, 10, 14))
    month = DateWindow.around(PublishedDate.month(2020, 10), date(2024, 1, 1), 3)
    assert month == DateWindow(date(2020, 9, 28), date(2020, 11, 3))
    assert DateWindow.around(PublishedDate.unknown(), date(2024, 1, 1), 3) == DateWindow(date(2023, 12, 29),
                                                                                          date(2024, 1, 4))
    assert DateWindow.around(parse_date("2020"), date(2024, 1, 1), 3) is None


def test_only_articles_in_the_window_are_compared(store: Store, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    day_before = _store_article(store, "day-before", PublishedDate.day(date(2020, 10, 10)), rng)
    two_after = _store_article(store, "two-after", PublishedDate.day(date(2020, 10, 13)), rng)
    _store_article(store, "nine-after", PublishedDate.day(date(2020, 10, 20)), rng)
    month = _store_article(store, "october", PublishedDate.month(2020, 10), rng)
    undated = _store_article(store, "undated", PublishedDate.unknown(), rng, first_seen=datetime(2020, 10, 12, tzinfo=UTC))
    _store_article(store, "undated-later", PublishedDate.unknown(), rng, first_seen=datetime(2021, 5, 1, tzinfo=UTC))
    _store_article(store, "year-only", parse_date("2020"), rng)
    _store_article(store, "a-year-later", PublishedDate.day(date(2021, 10, 11)), rng)
    finder = NearDuplicateFinder(store.articles, VectorIndex(tmp_path / "v.faiss", 512, "m"), threshold=0.8, window_days=3)

    compared = set(finder.candidates(_new(PublishedDate.day(date(2020, 10, 11)))).tolist())
    assert compared == set(day_before + two_after + month + undated)
    far = set(finder.candidates(_new(PublishedDate.day(date(2023, 6, 1)))).tolist())
    assert far == set(), "an article far outside the window was compared"
    seen_then = set(finder.candidates(_new(PublishedDate.unknown()), datetime(2020, 10, 12, tzinfo=UTC)).tolist())
    assert seen_then == set(day_before + two_after + month + undated)
    assert len(finder.candidates(_new(parse_date("2020")))) == 0
    replaced = set(finder.candidates(_new(PublishedDate.day(date(2020, 10, 11)), name="day-before")).tolist())
    assert replaced == set(two_after + month + undated), "the article being replaced was compared with itself"


def test_what_is_compared_does_not_grow_with_the_archive(store: Store, tmp_path: Path) -> None:
    """The work of a near-duplicate check is bounded by the window's reporting, not by the archive's size."""
    rng = np.random.default_rng(2)
    for n in range(5):
        _store_article(store, f"same-week-{n}", PublishedDate.day(date(2022, 3, 1) + timedelta(days=n % 3)), rng)
    finder = NearDuplicateFinder(store.articles, VectorIndex(tmp_path / "v.faiss", 512, "m"), threshold=0.8, window_days=3)
    article = _new(PublishedDate.day(date(2022, 3, 2)))
    before = len(finder.candidates(article))
    for n in range(300):  # a year and more of other reporting
        _store_article(store, f"other-{n}", PublishedDate.day(date(2021, 1, 1) + timedelta(days=n * 3 % 420)), rng)
    assert len(finder.candidates(article)) == before == 15


@pytest.mark.slow
def test_wire_copy_in_the_window_is_linked_and_a_later_reprint_is_not(services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    original = """
        title: Ceasefire collapses within hours
        outlet: Wire One
        date {day} A humanitarian truce between Armenia and Azerbaijan agreed in Moscow broke down within hours as both sides reported new shelling.

        The truce was meant to allow the exchange of prisoners and of the bodies of soldiers killed in the Karabakh fighting.
        """
    copy = """
        title: Truce collapses within hours
        outlet: {outlet}
        date {day} A humanitarian truce between Armenia and Azerbaijan agreed in Moscow collapsed within hours as both sides reported fresh shelling.

        The truce was supposed to allow the exchange of prisoners and of the bodies of soldiers killed in the Karabakh fighting.
        """
    folder = write_articles(tmp_path / "wire", {
        "one--a.txt": original.format(day="2020-10-11"),
        "two--b.txt": copy.format(day="2020-10-12", outlet="Wire Two"),
        "three--c.txt": copy.format(day="2020-11-30", outlet="Wire Three"),
    })
    results = {r.source: r for r in services.ingestor.ingest_paths([folder])}
    first, second, later = results["one--a.txt"], results["two--b.txt"], results["three--c.txt"]
    assert second.duplicate_of == first.article_id
    assert later.status == "added" and later.duplicate_of is None


@pytest.mark.slow
def test_development_set_links_exactly_its_wire_pairs(settings, embedder) -> None:  # type: ignore[no-untyped-def]
    from bot.core.services import open_services

    if not (DEVSET / "corpus").is_dir():
        pytest.skip("the development set is not beside the project")
    with open_services(settings, embedder=embedder) as services:
        services.ingestor.ingest_paths([DEVSET / "corpus"])
        rows = services.store.db.read(
            "SELECT a.source, b.source FROM articles a JOIN articles b ON b.id = a.duplicate_of")
    links = {(Path(copy).name[:3], Path(original).name[:3]) for copy, original in rows}
    assert links == {("a06", "a05"), ("a15", "a14"), ("b15", "b14"), ("b19", "b18")}
