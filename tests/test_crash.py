"""Kill an ingest mid-batch: SQLite keeps every committed article and the index catches up on restart."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config.settings import Settings

pytestmark = pytest.mark.slow

PLACES = ["Stepanakert", "Ganja", "Shusha", "Hadrut", "Martuni", "Lachin", "Agdam", "Kalbajar", "Goris", "Barda"]


def _write_many(folder: Path, count: int) -> None:
    folder.mkdir()
    for i in range(count):
        place = PLACES[i % len(PLACES)]
        paragraphs = [
            f"date 2020-10-{1 + i % 28:02d} Report {i}: shelling was heard near {place} on day {i} of the fighting.",
            f"Officials in {place} counted {i + 3} damaged houses and asked residents to stay in shelters.",
            f"Aid workers said roads to {place} were closed for the {i}th time this month.",
        ]
        (folder / f"report-{i:04d}.txt").write_text("\n\n".join(paragraphs) + "\n")


def _count(db: Path, table: str) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_kill_mid_batch_then_restart(settings: Settings, embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "many"
    _write_many(folder, 400)
    command = [sys.executable, "-m", "bot.cli", "--data-dir", str(settings.data_dir), "ingest", str(folder)]
    env = {**os.environ, "NEWSBOT_EMBEDDING__THREADS": "1"}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if _count(settings.db_path, "articles") >= 20:
                break
            time.sleep(0.05)
        assert process.poll() is None, "ingest finished before it could be interrupted"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)

    committed = _count(settings.db_path, "articles")
    assert 20 <= committed < 400
    with sqlite3.connect(settings.db_path) as conn:
        orphans = conn.execute(
            "SELECT COUNT(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM paragraphs p WHERE p.article_id = a.id)"
        ).fetchone()[0]
        missing_vectors = conn.execute(
            "SELECT COUNT(*) FROM paragraphs p WHERE NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.paragraph_id = p.id)"
        ).fetchone()[0]
    assert orphans == 0 and missing_vectors == 0, "a half-written article survived the kill"

    from bot.core.services import open_services

    services = open_services(settings, embedder=embedder)
    try:
        assert services.health is not None and services.health.ok
        assert len(services.vectors) == services.store.articles.stats().paragraphs == committed * 3
        assert set(services.vectors.ids().tolist()) == set(services.store.embeddings.paragraph_ids().tolist())
        results = services.ingestor.ingest_paths([folder])
        statuses = [r.status for r in results]
        assert statuses.count("unchanged") == committed and statuses.count("added") == 400 - committed
        assert len(services.vectors) == 1200
    finally:
        services.close()
