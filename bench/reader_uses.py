"""Where the reader replaced score floors besides answers: follow-ups, /perspectives, /timeline, /follow alerts.

    python bench/reader_uses.py [--devset ../shared/devset] [--json]

The development corpus is ingested once; each use is scored with the reader
and with the score floors it replaced (the fallback when the reader cannot be
loaded), per half of the development set:

- follow-ups: the ten two-turn conversations of bench/conversations.jsonl (does
  the completed follow-up cite a gold paragraph; are the five unanswerable ones
  declined);
- perspectives: the sixteen contrast questions (both sides' gold paragraphs
  shown, each under its side);
- follow alerts and timelines: the twenty topics of bench/follow_topics.jsonl,
  labelled with the articles about them (precision and recall of the articles
  an alert would be sent for, and of the articles a timeline lists).

For each reader use the probability floor is swept and the one that does best
on half a is printed with both halves' figures; the floors in the code are
those.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.devset import CONVERSATIONS, DEVSET, both_sides_gold_shown, load_jsonl, score_conversations  # noqa: E402

TOPICS = ROOT / "bench" / "follow_topics.jsonl"
OUTLETS = ROOT / "bench" / "devset_outlets.toml"
FLOORS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)


class RememberingReader:
    """The reader with each (question, passage) reading kept: the floor sweeps read the same pairs eight times."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._readings: dict[tuple[str, str], Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)

    def score(self, question: str, passages: Sequence[str]) -> list[Any]:
        missing = list(dict.fromkeys(p for p in passages if (question, p) not in self._readings))
        for passage, reading in zip(missing, self._reader.score(question, missing), strict=True):
            self._readings[(question, passage)] = reading
        return [self._readings[(question, p)] for p in passages]


def _prefix(source: str) -> str:
    return Path(source).name[:3]


def perspectives_both_sides(services: Any, questions: list[dict[str, Any]], reader: Any, floor: float
                            ) -> dict[str, str]:
    from bot.core.perspectives import PerspectiveFinder

    finder = PerspectiveFinder(services.searcher, services.topic, services.side_of, reader, floor)
    out: dict[str, list[bool]] = {"a": [], "b": []}
    for q in questions:
        if q["kind"] == "contrast":
            out[q["id"][0]].append(both_sides_gold_shown(services, finder.find(q["question"]), q["gold"]))
    return {half: f"{sum(v)}/{len(v)}" for half, v in out.items()}


def _precision_recall(pairs: Iterable[tuple[set[str], set[str]]]) -> dict[str, float]:
    tp = fp = fn = 0
    for got, wanted in pairs:
        tp += len(got & wanted)
        fp += len(got - wanted)
        fn += len(wanted - got)
    return {"precision": round(tp / max(tp + fp, 1), 3), "recall": round(tp / max(tp + fn, 1), 3)}


def follow_alerts(services: Any, topics: list[dict[str, Any]], reader: Any, floor: float) -> dict[str, Any]:
    """Which articles of the archive would alert a follower of each topic."""
    from bot.core.following import Follow, FollowMatcher

    matcher = FollowMatcher(services.searcher, services.topic, reader=reader, reader_floor=floor)
    articles = services.store.db.read("SELECT id FROM articles")
    by_article = [(services.store.articles.article(row[0]), [p.id for p in services.store.articles.article_passages(
        row[0])]) for row in articles]
    out: dict[str, list[tuple[set[str], set[str]]]] = {"a": [], "b": []}
    for n, topic in enumerate(topics):
        follow = Follow(id=n, guild_id=1, channel_id=1, topic=topic["topic"], created_by=1,
                        vector=matcher.topic_vector(topic["topic"]))
        got = {_prefix(a.source) for a, ids in by_article if matcher.match(follow, a, ids) is not None}
        out[topic["half"]].append((got, set(topic["articles"])))
    return {half: _precision_recall(v) for half, v in out.items()}


def timelines(services: Any, topics: list[dict[str, Any]], reader: Any, floor: float) -> dict[str, Any]:
    """Which articles each topic's timeline lists."""
    from bot.core.timeline import TimelineBuilder

    builder = TimelineBuilder(services.searcher, services.store.articles, services.topic, services.side_of,
                              reader, floor)
    out: dict[str, list[tuple[set[str], set[str]]]] = {"a": [], "b": []}
    for topic in topics:
        timeline = builder.build(topic["topic"])
        got = {_prefix(a.source) for e in timeline.entries for a, _side in e.sources}
        out[topic["half"]].append((got, set(topic["articles"])))
    return {half: _precision_recall(v) for half, v in out.items()}


def _f1(row: dict[str, float]) -> float:
    p, r = row["precision"], row["recall"]
    return 2 * p * r / (p + r) if p + r else 0.0


def sweep(measure: Callable[[float], dict[str, Any]], goodness: Callable[[Any], float]) -> dict[str, Any]:
    """Every floor's figures, and the floor that does best on half a (the lower of equals)."""
    rows = {floor: measure(floor) for floor in FLOORS}
    chosen = max(FLOORS, key=lambda f: (goodness(rows[f]["a"]), -f))
    return {"chosen": chosen, "with_reader": rows[chosen], "every_floor": {str(k): v for k, v in rows.items()}}


def run(devset: Path) -> dict[str, Any]:
    from bot.core.answer_decision import SignalDecider
    from bot.core.answerability import load_answerability_model
    from bot.core.services import open_services
    from config.settings import load_settings

    questions = load_jsonl(devset / "questions.jsonl")
    topics = load_jsonl(TOPICS)
    with tempfile.TemporaryDirectory(prefix="newsbot-uses-") as folder:
        settings = load_settings(data_dir=Path(folder), sides={"outlets_file": OUTLETS})
        with open_services(settings) as services:
            services.ingestor.ingest_paths([devset / "corpus"])
            if services.reader is None:
                raise SystemExit("the reader did not load: nothing to compare")
            reader = RememberingReader(services.reader)
            report: dict[str, Any] = {}
            conversations = load_jsonl(CONVERSATIONS)
            with_reader = score_conversations(services, questions, conversations)
            services.answerer = replace_decider(services.answerer, SignalDecider(load_answerability_model()))
            report["follow_ups"] = {"with_reader": with_reader,
                                    "score_floors": score_conversations(services, questions, conversations)}
            report["perspectives"] = {
                **sweep(lambda f: perspectives_both_sides(services, questions, reader, f),
                        lambda half: int(half.split("/")[0])),
                "score_floors": perspectives_both_sides(services, questions, None, 0.0)}
            report["follow_alerts"] = {**sweep(lambda f: follow_alerts(services, topics, reader, f), _f1),
                                       "score_floors": follow_alerts(services, topics, None, 0.0)}
            report["timelines"] = {**sweep(lambda f: timelines(services, topics, reader, f), _f1),
                                   "score_floors": timelines(services, topics, None, 0.0)}
            return report


def replace_decider(answerer: Any, decider: Any) -> Any:
    from bot.core.answering import Answerer

    return Answerer(answerer.searcher, answerer.topic, decider, answerer.policy)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = run(args.devset)
    if args.json:
        print(json.dumps(report))
        return 0
    talk = report["follow_ups"]
    for name in ("with_reader", "score_floors"):
        row = talk[name]
        print(f"follow-ups, {name.replace('_', ' ')}: {row['cited_gold']}/{row['follow_ups']} cite gold "
              f"({row['gold_in_search_top5']} in search's first five), {row['declined']}/{row['unanswerable']} "
              "unanswerable declined")
    for use in ("perspectives", "follow_alerts", "timelines"):
        row = report[use]
        print(f"{use}: reader floor {row['chosen']}: a {row['with_reader']['a']}, b {row['with_reader']['b']}; "
              f"score floors: a {row['score_floors']['a']}, b {row['score_floors']['b']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
