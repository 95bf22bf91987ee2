"""Question–passage groups for training and scoring the reader, drawn from newsbot's own search.

    python bench/reader_data.py [--trainset ../shared/trainset] [--devset ../shared/devset] [--cache DIR]

A set's corpus is ingested into a throw-away folder through the product's own
services, and every question is searched the way `newsbot ask` searches, so the
reader learns on the passages it will be shown. For each question a group holds:

- its gold paragraphs (answering, with the index of the evidence sentence where
  the set gives one), whether or not search found them;
- search's first passages that are not gold (hard negatives; for a question
  the corpus cannot answer, these are all the negatives it has);
- for training, a few paragraphs of other articles published on a gold
  article's day (same day, same names, other events).

Groups are written as JSON Lines to the cache folder, one file per set, and
reused while the corpus, the questions and this file are unchanged.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TRAINSET = ROOT.parent / "shared" / "trainset"
DEVSET = ROOT.parent / "shared" / "devset"
CACHE = ROOT / ".cache" / "reader"
SEARCHED = 30
"""Search's first passages kept per question (production reads the first 20)."""
SAME_DAY = 2


@dataclass(frozen=True)
class Candidate:
    source: str
    position: int
    text: str
    language: str
    rank: int
    """Place in search's ranking (0 = first); -1 when search did not bring it back."""
    score: float
    gold: bool
    evidence: int = -1
    """Index of the answering sentence (in `split_sentences` of the text), -1 when unknown or not gold."""


@dataclass(frozen=True)
class Group:
    id: str
    question: str
    kind: str
    lang: str
    answer: str
    candidates: tuple[Candidate, ...]

    @property
    def answerable(self) -> bool:
        return any(c.gold for c in self.candidates)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Group:
        return cls(data["id"], data["question"], data["kind"], data["lang"], data["answer"],
                   tuple(Candidate(**c) for c in data["candidates"]))


def load_questions(folder: Path) -> list[dict[str, Any]]:
    files = [folder / "questions.jsonl"] if (folder / "questions.jsonl").is_file() else sorted(
        (folder / "parts").glob("questions_t*.jsonl"), key=lambda p: int(p.stem.rpartition("t")[2]))
    return [json.loads(line) for path in files for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _fingerprint(folder: Path) -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in (".txt", ".jsonl"):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _evidence_index(text: str, sentence: str) -> int:
    """Which of the paragraph's sentences the set's evidence sentence is (the best word overlap)."""
    from index.input.chunking import split_sentences

    wanted = set(sentence.lower().split())
    sentences = split_sentences(text) or [text]
    overlaps = [len(wanted & set(s.lower().split())) / max(len(wanted), 1) for s in sentences]
    best = max(range(len(sentences)), key=overlaps.__getitem__)
    return best if overlaps[best] >= 0.5 else -1


def collect(folder: Path, *, same_day: bool, seed: int = 13) -> Iterator[Group]:
    """Ingest the set's corpus and search every question with the product's services."""
    from bot.core.services import open_services
    from config.settings import load_settings
    from index.input.chunking import split_sentences  # noqa: F401  (loaded once, before the loop)

    rng = random.Random(seed)
    questions = load_questions(folder)
    with tempfile.TemporaryDirectory(prefix="newsbot-reader-") as data:
        with open_services(load_settings(data_dir=Path(data))) as services:
            services.ingestor.ingest_paths([folder / "corpus"])
            articles = services.store.articles
            by_key: dict[tuple[str, int], Any] = {}
            by_day: dict[Any, list[Any]] = {}
            for batch in articles.iter_paragraph_texts():
                ids = [row[0] for row in batch]
                for passage in articles.passages(ids).values():
                    key = (Path(passage.article.source).name, passage.position)
                    by_key[key] = passage
                    by_day.setdefault(passage.article.published.value, []).append(passage)
            for q in questions:
                gold = {(name, paragraph) for name, paragraph in q["gold"]}
                evidence = {(e[0], e[1]): e[2] for e in q.get("evidence", [])}
                hits = services.searcher.search(q["question"], limit=SEARCHED).hits
                found: dict[tuple[str, int], Candidate] = {}
                for rank, hit in enumerate(hits):
                    key = (Path(hit.passage.article.source).name, hit.passage.position)
                    found[key] = Candidate(key[0], key[1], hit.passage.text, hit.passage.article.language, rank,
                                           round(hit.score, 5), key in gold)
                for key in gold:
                    passage = by_key.get(key)
                    if passage is None:
                        continue
                    sentence = evidence.get(key)
                    index = _evidence_index(passage.text, sentence) if sentence else -1
                    old = found.get(key)
                    found[key] = Candidate(key[0], key[1], passage.text, passage.article.language,
                                           old.rank if old else -1, old.score if old else 0.0, True, index)
                if same_day:
                    gold_articles = {by_key[k].article.id for k in gold if k in by_key}
                    days = {by_key[k].article.published.value for k in gold if k in by_key}
                    pool = [p for day in days if day is not None for p in by_day.get(day, [])
                            if p.article.id not in gold_articles
                            and (Path(p.article.source).name, p.position) not in found]
                    for passage in rng.sample(pool, min(SAME_DAY, len(pool))):
                        key = (Path(passage.article.source).name, passage.position)
                        found[key] = Candidate(key[0], key[1], passage.text, passage.article.language, -1, 0.0,
                                               False)
                yield Group(q["id"], q["question"], q["kind"], q["lang"], q.get("answer", ""),
                            tuple(found.values()))


def groups(folder: Path, cache: Path = CACHE, *, same_day: bool) -> list[Group]:
    """The set's groups, from the cache when it is current."""
    path = cache / f"{folder.name}-{_fingerprint(folder)}{'-sameday' if same_day else ''}.jsonl"
    if path.is_file():
        return [Group.from_dict(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines()]
    cache.mkdir(parents=True, exist_ok=True)
    collected = list(collect(folder, same_day=same_day))
    temporary = path.with_suffix(".tmp")
    temporary.write_text("".join(json.dumps(asdict(g), ensure_ascii=False) + "\n" for g in collected),
                         encoding="utf-8")
    temporary.replace(path)
    return collected


def summary(sets: Iterable[tuple[str, list[Group]]]) -> list[str]:
    lines = []
    for name, found in sets:
        answerable = [g for g in found if g.answerable]
        for depth in (5, 20, SEARCHED):
            hit = sum(any(c.gold and 0 <= c.rank < depth for c in g.candidates) for g in answerable)
            lines.append(f"{name}: gold in search's first {depth}: {hit}/{len(answerable)}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainset", type=Path, default=TRAINSET)
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args()
    train = groups(args.trainset, args.cache, same_day=True)
    dev = groups(args.devset, args.cache, same_day=False)
    print("\n".join(summary([("trainset", train), ("devset", dev)])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
