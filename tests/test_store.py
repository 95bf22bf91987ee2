"""The SQLite archive on its own: the date-filter rule, schema versions and upgrades of older archives."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from index.dates import PublishedDate
from index.models import Article
from index.store import SearchFilters, Store, content_hash


def _write(store: Store, source: str, published: PublishedDate) -> int:
    article = Article(title=source, outlet="Outlet", source=source, published=published, language="en",
                      paragraphs=(f"Report {source}.",))
    vectors = np.ones((1, 4), dtype=np.float32) / 2
    return store.write_article(article, vectors, model_id="test-model", digest=content_hash(article)).added_ids[0]


@pytest.fixture
def dated(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = Store(tmp_path / "newsbot.sqlite3")
    ids = {
        "month": _write(store, "month.txt", PublishedDate.month(2020, 10)),
        "day": _write(store, "day.txt", PublishedDate.day(date(2020, 10, 4))),
        "unknown": _write(store, "unknown.txt", PublishedDate.unknown()),
    }
    yield store, ids
    store.close()


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
def test_date_filter_honours_precision_and_skips_unknown_dates(dated, since, until, expected) -> None:  # type: ignore[no-untyped-def]
    store, ids = dated
    found = set(store.filtered_paragraph_ids(SearchFilters(since=since, until=until)).tolist())
    assert found == {ids[name] for name in expected}
