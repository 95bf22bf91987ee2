"""The feed parser's child process: feedparser on stdin's bytes, its findings as JSON on stdout.

Run by `index.sources.feeds` as `python -I -m index.sources.feed_worker MEMORY CPU_SECONDS BASE_URL`
under the address-space and CPU limits it is given, which are set before feedparser is imported.
It imports nothing else: neither this project's core (numpy, FAISS) nor anything the
environment could slip in (`-I`), so a parser blow-up costs this process, never the bot.
The packages above it (`index`, `index.sources`) import nothing either, for the same reason.
"""

from __future__ import annotations

import io
import json
import sys
from typing import Any

__all__ = ["main"]


def _limit(memory: int, cpu_seconds: int) -> None:
    try:
        import resource
    except ImportError:  # not POSIX: only the parent's timeout applies
        return
    for which, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, cpu_seconds)):
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, hard))


def _day(parsed: Any) -> list[int] | None:
    return list(parsed[:3]) if parsed else None


def _detail(entry: Any, key: str) -> dict[str, str]:
    value = entry.get(key + "_detail") or {}
    return {"value": value.get("value") or "", "type": value.get("type") or ""}


def main(argv: list[str]) -> None:
    _limit(int(argv[0]), int(argv[1]))
    import feedparser

    parsed = feedparser.parse(
        io.BytesIO(sys.stdin.buffer.read()),
        response_headers={"content-type": "application/xml; charset=utf-8", "content-location": argv[2]},
    )
    entries = []
    for entry in parsed.entries:
        entries.append({
            "link": entry.get("link") or "",
            "id": entry.get("id") or "",
            "title": _detail(entry, "title"),
            "summary": _detail(entry, "summary"),
            "content": [
                {"value": c.get("value") or "", "type": c.get("type") or ""} for c in entry.get("content") or []
            ],
            "published": entry.get("published") or "",
            "published_day": _day(entry.get("published_parsed")),
            "updated": entry.get("updated") or "",
            "updated_day": _day(entry.get("updated_parsed")),
        })
    problem = ""
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        problem = f"{type(exc).__name__}: {exc}" if exc is not None else "malformed feed"
    json.dump({"title": _detail(parsed.feed, "title"), "entries": entries, "problem": problem}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
