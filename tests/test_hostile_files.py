"""Hostile input, files: one bad file, line or link never costs the batch, and costs bounded memory.

One folder in tmp_path holds every hostile case found so far next to good
files. Three checks over it:

1. The parse stage (finding, reading and parsing every file: where the
   hostile bytes are handled) runs in a child process whose address space is
   limited to 1 GiB and whose CPU time is limited too, and must name every bad
   input with its reason and return every good article.
2. The whole `newsbot ingest` runs as a child process and must exit 1 with one
   line per bad input, no traceback, and every good article stored. Its
   memory is measured, not limited: torch and the embedding model reserve more
   than 1 GiB of address space they never touch, so an address-space limit
   would fail the model rather than the input. Its peak resident memory
   (`wait4`'s ru_maxrss: the model alone accounts for about 770 MB) must stay
   under 1 GiB, with every hostile case in the batch.
3. Small in-process tests pin each reason and rule.

The wall-clock timeouts here are hang guards (a FIFO once hung ingest
forever), never assertions about speed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.bounded_child import GIB, run_bounded, run_measured

DEEP_LEVELS = 1100
GOOD_TEXT = "date 2020-10-04 Rockets hit residential streets of Ganja on Sunday morning, officials said.\n\n" \
            "Armenia denied firing at the city.\n"


@dataclass(frozen=True)
class HostileBatch:
    folder: Path
    failures: dict[str, str]
    """A fragment of the name each error line must carry → a fragment of its reason."""
    stored: set[str]
    """Sources that must be in the archive afterwards."""


def _jsonl_line(**fields: object) -> str:
    return json.dumps({"published": "2020-10-05", "language": "en", **fields})


def _make_deep(folder: Path, levels: int) -> Path:
    folder.mkdir()
    current = folder
    for _ in range(levels):
        current = current / "d"
        current.mkdir()
    return current


def _remove_deep(folder: Path) -> None:
    """Bottom-up, without recursion: shutil.rmtree recurses once per level and would fail here."""
    chain = [folder]
    while (chain[-1] / "d").is_dir():
        chain.append(chain[-1] / "d")
    for level in reversed(chain):
        for child in level.iterdir():
            if not child.is_dir() or child.is_symlink():
                child.unlink()
        level.rmdir()


def build_hostile_batch(root: Path) -> HostileBatch:
    folder = root / "batch"
    folder.mkdir()
    failures: dict[str, str] = {}
    stored: set[str] = set()

    def good(name: str, text: str = GOOD_TEXT) -> None:
        (folder / name).write_text(text, encoding="utf-8")
        stored.add(name)

    good("good-one.txt")
    good("good-two.txt", GOOD_TEXT.replace("Ganja", "Barda"))
    # a file name that is not UTF-8: stored under a printable spelling of its bytes
    with open(os.path.join(os.fsencode(folder), b"caf\xe9--bytes.txt"), "wb") as handle:
        handle.write(GOOD_TEXT.replace("Ganja", "Tartar").encode())
    stored.add("caf\\xe9--bytes.txt")
    # a folder 1,100 levels deep, with a good file at the bottom
    (_make_deep(folder / "deep", DEEP_LEVELS) / "bottom.txt").write_text(GOOD_TEXT.replace("Ganja", "Goris"))
    stored.add("bottom.txt")
    # files that are not regular files
    os.mkfifo(folder / "fifo.txt")
    failures["fifo.txt"] = "not a regular file (a FIFO)"
    os.symlink("/dev/zero", folder / "zero.txt")
    failures["zero.txt"] = "not a regular file (a character device)"
    # links: a loop, a folder leading back to its parent, a broken one, and a second name for a good file
    os.symlink("loop.txt", folder / "loop.txt")
    failures["loop.txt"] = "symbolic link loop"
    (folder / "cycle").mkdir()
    os.symlink("..", folder / "cycle" / "back")
    failures["cycle/back"] = "symbolic link loop (leads back to"
    os.symlink("nowhere.txt", folder / "dangling.txt")
    failures["dangling.txt"] = "broken symbolic link"
    (folder / "same.txt").write_text(GOOD_TEXT.replace("Ganja", "Shusha"))
    os.symlink("same.txt", folder / "same-link.txt")  # identical content: stored once, under the first name read
    stored.add("same-link.txt")
    # hostile seed files
    (folder / "future.txt").write_text("date 9999-12-31 A report from the end of time.\n")
    failures["future.txt"] = "date 9999-12-31 lies in the future"
    (folder / "escape.txt").write_text(
        "title: \x1b[2J\x1b[31mRed\x1b[0m alert\x07\u202e\noutlet: Evil\x1b]0;pwned\x07 Wire\n" + GOOD_TEXT.replace(
            "Ganja", "Fuzuli"))
    stored.add("escape.txt")
    (folder / "breakout.txt").write_text("url: https://example.org/a>[Reuters](https://evil.example)\n" + GOOD_TEXT)
    failures["breakout.txt"] = "is not a usable web link (contains '>')"
    (folder / "spaces.txt").write_text("title: a" + " " * 1_000_000 + "b\n" + GOOD_TEXT.replace("Ganja", "Lachin"))
    stored.add("spaces.txt")
    (folder / "run-on.txt").write_text("date 2020-10-06 " + "the convoy waited at the checkpoint and " * 2_500)
    stored.add("run-on.txt")
    (folder / "endless.txt").write_text("date 2020-10-06 " + "x" * 4_000_000)
    failures["endless.txt"] = "more than one article may have (2000"
    (folder / "empty-page.html").write_text("<html><body><nav>Home | World</nav></body></html>")
    failures["empty-page.html"] = "no main text found"
    (folder / "nested.html").write_text("<html><body>" + "<div>" * 50_000 + "x" + "</div>" * 50_000 + "</body></html>")
    failures["nested.html"] = "no main text found"
    # JSON Lines: good lines survive their bad neighbours
    lines = [
        _jsonl_line(url="https://example.org/good-1", title="Good one", outlet="Wire", text="Talks resumed in Moscow."),
        '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"url": "https://example.org/nul", "text": "raw NUL bytes \x00\x00 in the line"}',
        _jsonl_line(url=5, text="A number for a URL."),
        '{"text": "big", "title": ' + "9" * 5000 + "}",
        _jsonl_line(url="https://example.org/good-2", text="Half \ud800 a surrogate pair, still a good line."),
        _jsonl_line(url="https://example.org/good-3", text="An escaped \x00 NUL and \x1b[31m colour: cleaned."),
    ]
    (folder / "lines.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    stored.update({"https://example.org/good-1", "https://example.org/good-2", "https://example.org/good-3"})
    failures["lines.jsonl line 2"] = "nested too deeply"
    failures["lines.jsonl line 3"] = "contains NUL bytes"
    failures["lines.jsonl line 4"] = "field 'url' must be a string, not a number"
    failures["lines.jsonl line 5"] = "invalid JSON"
    (folder / "binary.jsonl").write_bytes(b"\xff\xfe\x00\x01 not text")
    failures["binary.jsonl"] = "not valid UTF-8"
    return HostileBatch(folder, failures, stored)


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[HostileBatch]:
    try:
        yield build_hostile_batch(tmp_path)
    finally:
        if (tmp_path / "batch" / "deep").is_dir():
            _remove_deep(tmp_path / "batch" / "deep")


PARSE_STAGE = """
import json, sys
from pathlib import Path
from index.input.article_building import ArticleLimits, admit_article
from index.errors import InputError
from index.input.input_files import collect_files
from index.input.parsing import parse_file
out = []
for item in collect_files([Path(sys.argv[1])]):
    if isinstance(item, InputError):
        out.append(["error", str(item)])
        continue
    for result in parse_file(item):
        try:
            if isinstance(result, InputError):
                raise result
            article = admit_article(result, ArticleLimits())
        except InputError as exc:
            out.append(["error", str(exc)])
            continue
        out.append(["article", article.source, len(article.paragraphs), max(map(len, article.paragraphs))])
print(json.dumps(out))
"""


@pytest.mark.slow
def test_parse_stage_names_every_bad_input_within_1_gib(hostile: HostileBatch) -> None:
    source = PARSE_STAGE.replace("sys.argv[1]", repr(str(hostile.folder)))
    done = run_bounded(source, cpu_seconds=120, address_space=GIB, hang_guard_s=600)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    results = json.loads(done.stdout)
    errors = [r[1] for r in results if r[0] == "error"]
    articles = {r[1]: r for r in results if r[0] == "article"}
    for name, reason in hostile.failures.items():
        matching = [e for e in errors if name in e.split(": ")[0] and reason in e]
        assert len(matching) == 1, (name, reason, errors)
    assert len(errors) == len(hostile.failures), errors
    assert hostile.stored <= set(articles)
    assert all(r[3] <= 1500 for r in articles.values())
    assert articles["run-on.txt"][2] > 50


@pytest.mark.slow
def test_ingest_of_a_hostile_batch_reports_each_once_stores_the_rest_and_stays_under_1_gb(
    hostile: HostileBatch, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_") and k != "DISCORD_TOKEN"}
    command = [sys.executable, "-m", "bot.cli", "--data-dir", str(data_dir), "ingest", "--json", str(hostile.folder)]
    done = run_measured(command, env=env)
    out, err = done.stdout, done.stderr
    assert done.peak_rss_bytes < GIB, done.peak_rss_bytes
    stderr = err.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr[-3000:]
    assert done.returncode == 1, stderr[-3000:]
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert all(line.startswith("error: ") for line in lines), lines
    for name, reason in hostile.failures.items():
        matching = [line for line in lines if name in line and reason in line]
        assert len(matching) == 1, (name, reason, lines)
    assert len(lines) == len(hostile.failures), lines
    summary = json.loads(out)
    assert summary["failed"] == len(hostile.failures)
    with sqlite3.connect(f"file:{data_dir / 'newsbot.sqlite3'}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT source, title, outlet FROM articles").fetchall()
    sources = {row[0] for row in rows}
    assert sources == hostile.stored, sources ^ hostile.stored
    titles = {row[0]: (row[1], row[2]) for row in rows}
    assert titles["escape.txt"] == ("Red alert", "Evil Wire")
    assert titles["spaces.txt"][0] == "a b"
