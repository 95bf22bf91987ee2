"""Crash-loop back-off and the container health check."""

from __future__ import annotations

import os
from pathlib import Path

from bot.runner import check_health, record_start, start_delay, write_heartbeat


def test_quick_restarts_wait_longer_and_longer_up_to_a_cap(tmp_path: Path) -> None:
    starts = [len(record_start(tmp_path, now=1000.0 + i)) for i in range(8)]
    assert starts == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [start_delay(n) for n in (1, 3, 4, 5, 6)] == [0.0, 0.0, 5.0, 10.0, 20.0]
    assert start_delay(40) == 300.0
    assert len(record_start(tmp_path, now=1000.0 + 3600)) == 1, "starts older than ten minutes are forgotten"


def test_health_needs_a_fresh_heartbeat_a_live_process_and_a_synced_index(tmp_path: Path) -> None:
    assert check_health(tmp_path) == (False, "no heartbeat yet")
    write_heartbeat(tmp_path, connected=True, index_ok=True)
    ok, detail = check_health(tmp_path)
    assert ok and "connected=True" in detail
    write_heartbeat(tmp_path, connected=True, index_ok=False)
    assert not check_health(tmp_path)[0]
    write_heartbeat(tmp_path, connected=True, index_ok=True)
    old = tmp_path / "heartbeat.json"
    os.utime(old)
    assert not check_health(tmp_path, max_age=-1)[0]
