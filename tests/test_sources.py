from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from index.errors import InputError
from index.sides import Side
from index.sources.registry import Source, backoff_delay, load_sources_file
from index.storage.portable.source_store import SourceStore
from index.storage.sqlite.db import Database

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_example_parses() -> None:
    sources = load_sources_file(ROOT / "config" / "sources.toml")
    assert {s.side for s in sources} == {Side.INTERNATIONAL, Side.ARMENIAN, Side.AZERBAIJANI}
    assert all(s.url.startswith("https://") for s in sources)


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ('name = "x"\nurl = "ftp://example.org/feed"', "http"),
        ('name = "x"\nurl = "https://example.org/feed"\nside = "neutral"', "side must be one of"),
        ('name = ""\nurl = "https://example.org/feed"', "needs a name"),
    ],
)
def test_bad_source_entries_name_file_and_reason(tmp_path: Path, entry: str, reason: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(f"[[source]]\n{entry}\n")
    with pytest.raises(InputError, match=reason) as caught:
        load_sources_file(path)
    assert str(path) in str(caught.value)


def test_registry_upsert_remove_and_failure_backoff(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite3")
    registry = SourceStore(db)
    registry.upsert(Source(name="wire", url="https://example.org/feed", outlet="Wire"))
    registry.upsert(Source(name="wire", url="https://example.org/feed2", outlet="Wire", side=Side.ARMENIAN))
    [state] = registry.all()
    assert state.source.url == "https://example.org/feed2" and state.source.side is Side.ARMENIAN
    registry.record_failure("wire", "timed out", interval=timedelta(minutes=15))
    failed = registry.record_failure("wire", "HTTP 503", interval=timedelta(minutes=15))
    assert failed is not None and failed.failures == 2
    assert "2 failures in a row, last error: HTTP 503" in registry.get("wire").describe()  # type: ignore[union-attr]
    registry.record_success("wire", etag='"abc"', last_modified=None, interval=timedelta(minutes=15))
    ok = registry.get("wire")
    assert ok is not None and ok.failures == 0 and ok.etag == '"abc"' and ok.seeded
    assert registry.remove("wire") and not registry.remove("wire")
    db.close()


def test_backoff_grows_and_is_capped() -> None:
    interval = timedelta(minutes=15)
    assert backoff_delay(0, interval) == interval
    assert backoff_delay(1, interval) == timedelta(minutes=30)
    assert backoff_delay(3, interval) == timedelta(hours=2)
    assert backoff_delay(50, interval) == timedelta(hours=6)
