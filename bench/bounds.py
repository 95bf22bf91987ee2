"""Timings of the work the hostile-input bounds keep small: what the tests bound by CPU limits, measured.

    python bench/bounds.py [--json]

The test suite never times anything (it runs on a busy shared machine); it
shows these operations are linear and bounded by running them in child
processes under CPU and memory limits. This script measures them on this
machine, for the README:

1. Sentence splitting of 'A. ' * n for doubling n: linear means the time per
   character stays flat (it grew ×2.5-3.6 per doubling before).
2. DOCTYPE stripping of 2 MB of each pathological unit.
3. Splitting 1 MB of text without sentence ends into bounded paragraphs.
4. Inflating a 1 GB double-gzip bomb (1.8 KB) up to the 5 MB cap.
5. Parsing a 10,000-item (about 2 MB) feed in the sandboxed parser child.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from index.errors import TooLargeError  # noqa: E402
from index.input.chunking import split_paragraphs, split_sentences  # noqa: E402
from index.sources.content_decoding import BodyDecoder  # noqa: E402
from index.sources.dtd import strip_dtd  # noqa: E402
from index.sources.feeds import parse_feed  # noqa: E402

CAP = 5_000_000


def _seconds(work: Callable[[], object], repeat: int = 3) -> float:
    """Best of `repeat` runs, in CPU seconds of this process (other processes do not inflate it)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def _bomb() -> bytes:
    inner = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    data = b"".join(inner.compress(block) for _ in range(1024)) + inner.flush()
    outer = zlib.compressobj(9, zlib.DEFLATED, 31)
    return outer.compress(data) + outer.flush()


def _inflate_to_cap(bomb: bytes) -> int:
    total = 0
    try:
        for piece in BodyDecoder("gzip, gzip", "bench").feed(bomb):
            total += len(piece)
            if total > CAP:
                raise TooLargeError("bench", "cap")
    except TooLargeError:
        pass
    return total


def _feed(items: int) -> bytes:
    body = "".join(
        f"<item><title>Report {n}</title><link>https://wire.example/{n}</link>"
        f"<pubDate>Sun, 04 Oct 2020 09:00:00 GMT</pubDate><description>Shelling near Martuni, report {n}."
        "</description></item>" for n in range(items)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}</channel></rss>'.encode()


def measure() -> dict[str, object]:
    splitting = {}
    for n in (80_000, 160_000, 320_000, 640_000):
        text = "A. " * n
        splitting[str(n)] = round(_seconds(lambda t=text: split_sentences(t)), 4)
    stripping = {unit: round(_seconds(lambda u=unit: strip_dtd(u * (2_000_000 // len(u)))), 4)
                 for unit in ("<!DOCTYPE x [", "<!DOCTYPE x [<!--", '<!DOCTYPE x ["', "<!ENTITY a ")}
    run_on = "the convoy waited at the checkpoint while the shelling went on " * 16_000
    bomb = _bomb()
    feed = _feed(10_000)
    started = time.monotonic()
    parsed = parse_feed(feed, base_url="https://wire.example/feed.xml")
    parse_wall = time.monotonic() - started
    return {
        "split_sentences_cpu_s": splitting,
        "strip_dtd_2mb_cpu_s": stripping,
        "run_on_1mb": {"cpu_s": round(_seconds(lambda: split_paragraphs(run_on)), 4),
                       "paragraphs": len(split_paragraphs(run_on))},
        "gzip_gzip_bomb": {"compressed_bytes": len(bomb), "cpu_s_to_cap": round(_seconds(lambda: _inflate_to_cap(bomb)),
                                                                                4)},
        "feed_10000_items": {"bytes": len(feed), "entries_kept": len(parsed.entries), "wall_s": round(parse_wall, 2)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    report = measure()
    if parser.parse_args().json:
        print(json.dumps(report))
        return
    sizes = report["split_sentences_cpu_s"]
    assert isinstance(sizes, dict)
    print("split_sentences('A. ' * n), CPU s: " + ", ".join(f"{n}: {s:.3f}" for n, s in sizes.items()))
    for name in ("strip_dtd_2mb_cpu_s", "run_on_1mb", "gzip_gzip_bomb", "feed_10000_items"):
        print(f"{name}: {report[name]}")


if __name__ == "__main__":
    main()
