"""Quality on the independent development set, in one process, scored the way its own evaluate.py scores.

    python bench/devset.py [--devset ../shared/devset] [--json]

The development set (50 articles, 160 questions, written by people who did not
write newsbot) lives outside the project and is read from there, never copied.
Its evaluate.py drives the command line; this module asks the same questions
through the same `Answerer.answer` in-process, so tests can assert floors
without starting a process per question. Printed per half (a = 2020–2021,
b = 2022–2025): Recall@5 of the answer's citations per kind (a declined
answerable question counts as not found), Recall@5 of search alone, balanced
abstention accuracy, "shown" Recall@5 (a gold paragraph among the passages a reply shows,
whether it answers or declines with the closest passages), the share of answers whose opening
sentence holds the reference answer's numbers and names, and how the off-topic questions of
bench/offtopic.jsonl were declined.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEVSET = ROOT.parent / "shared" / "devset"
OFFTOPIC = ROOT / "bench" / "offtopic.jsonl"
_FACT = re.compile(r"[\w'’-]+")


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def both_sides_gold_shown(services: Any, perspectives: Any, gold: Iterable[tuple[str, int]]) -> bool:
    """Whether /perspectives shows one of each reporting side's gold paragraphs under that side.

    Gold by both warring sides asks for both of them; gold by only one (or only by others) asks for that one.
    """
    from index.sides import Side

    outlets = {Path(s).name: o for s, o in services.store.db.read("SELECT source, outlet FROM articles")}
    shown = {a.side: {(Path(c.passage.article.source).name, c.passage.position) for c in a.citations}
             for a in perspectives.accounts}
    by_side: dict[Any, set[tuple[str, int]]] = defaultdict(set)
    for name, paragraph in gold:
        by_side[services.sides.side_of(outlets[name])].add((name, paragraph))
    needed = set(by_side) & {Side.ARMENIAN, Side.AZERBAIJANI} or set(by_side)
    return all(shown.get(side, set()) & by_side[side] for side in needed)


def key_facts(reference: str) -> list[str]:
    """Numbers and names of a reference answer: what an answering sentence should contain."""
    from index.search.analysis import fold

    words = _FACT.findall(reference)
    facts = [w for w in words if any(c.isdigit() for c in w)]
    facts += [w for i, w in enumerate(words) if i > 0 and w[:1].isupper() and len(w) > 2]
    return [fold(f) for f in dict.fromkeys(facts)]


def score(services: Any, questions: Iterable[dict[str, Any]], offtopic: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Scores per half and overall; `services` already holds the development corpus."""
    from index.search.analysis import fold

    found: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    searched: dict[str, list[bool]] = defaultdict(list)
    shown: dict[str, list[bool]] = defaultdict(list)
    answered: dict[str, list[bool]] = defaultdict(list)
    declined: dict[str, list[bool]] = defaultdict(list)
    facts: dict[str, list[bool]] = defaultdict(list)
    for q in questions:
        halves = (q["id"][0], "all")
        gold = {(name, paragraph) for name, paragraph in q["gold"]}
        answer = services.answerer.answer(q["question"])
        cited = [(Path(c.passage.article.source).name, c.passage.position) for c in answer.citations[:5]]
        if not gold:
            for half in halves:
                declined[half].append(answer.abstained)
            continue
        hits = services.searcher.search(q["question"], limit=5).hits
        in_search = any((Path(h.passage.article.source).name, h.passage.position) in gold for h in hits)
        hit = not answer.abstained and any(c in gold for c in cited)
        in_shown = any(c in gold for c in cited)
        wanted = key_facts(q["answer"])
        for half in halves:
            found[half][q["kind"]].append(hit)
            found[half]["all"].append(hit)
            searched[half].append(in_search)
            shown[half].append(in_shown)
            answered[half].append(not answer.abstained)
            if wanted and not answer.abstained:
                lead = fold(answer.citations[0].marked)
                facts[half].append(sum(f in lead for f in wanted) >= len(wanted) / 2)
    off = [services.answerer.answer(q["question"]) for q in offtopic]

    def share(values: list[bool]) -> float:
        return round(sum(values) / len(values), 3) if values else 0.0

    out: dict[str, Any] = {}
    for half in sorted(found):
        out[half] = {
            "recall@5": {kind: share(v) for kind, v in sorted(found[half].items())},
            "search_recall@5": share(searched[half]),
            "shown_recall@5": share(shown[half]),
            "answered": f"{sum(answered[half])}/{len(answered[half])}",
            "declined": f"{sum(declined[half])}/{len(declined[half])}",
            "balanced_abstention": round((share(answered[half]) + share(declined[half])) / 2, 3),
            "lead_holds_reference_facts": share(facts[half]),
        }
    out["offtopic"] = {
        "declined": sum(a.abstained for a in off),
        "with_topic_reply": sum(a.off_topic for a in off),
        "of": len(off),
    }
    return out


CONVERSATIONS = ROOT / "bench" / "conversations.jsonl"


def score_conversations(services: Any, questions: Iterable[dict[str, Any]],
                        conversations: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Two-turn conversations (bench/conversations.jsonl): does the elliptic follow-up, completed with the
    first question, cite a gold paragraph of the development-set question it stands for? Follow-ups the
    archive cannot answer (`gold_of` null) should be declined."""
    gold = {q["id"]: {(name, paragraph) for name, paragraph in q["gold"]} for q in questions}
    counts = {"follow_ups": 0, "cited_gold": 0, "gold_in_search_top5": 0, "unanswerable": 0, "declined": 0}
    for conversation in conversations:
        answer = services.answerer.answer(conversation["follow_up"], context=conversation["first"])
        if conversation["gold_of"] is None:
            counts["unanswerable"] += 1
            counts["declined"] += answer.abstained
            continue
        counts["follow_ups"] += 1
        wanted = gold[conversation["gold_of"]]
        cited = {(Path(c.passage.article.source).name, c.passage.position) for c in answer.citations[:5]}
        counts["cited_gold"] += bool(cited & wanted)
        hits = services.searcher.search(conversation["follow_up"], limit=5, context=conversation["first"]).hits
        counts["gold_in_search_top5"] += any(
            (Path(h.passage.article.source).name, h.passage.position) in wanted for h in hits)
    return counts


def run(devset: Path = DEVSET) -> dict[str, Any]:
    from bot.core.services import open_services
    from config.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="newsbot-devset-") as folder:
        with open_services(load_settings(data_dir=Path(folder))) as services:
            services.ingestor.ingest_paths([devset / "corpus"])
            questions = load_jsonl(devset / "questions.jsonl")
            result = score(services, questions, load_jsonl(OFFTOPIC))
            result["conversations"] = score_conversations(services, questions, load_jsonl(CONVERSATIONS))
            return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.devset)
    if args.json:
        print(json.dumps(result))
        return 0
    for half in ("a", "b", "all"):
        row = result[half]
        kinds = "  ".join(f"{k} {v:.2f}" for k, v in row["recall@5"].items())
        print(f"half {half}: R@5 {kinds}")
        print(f"        search R@5 {row['search_recall@5']:.3f}, shown R@5 {row['shown_recall@5']:.3f}; "
              f"answered {row['answered']} answerable, declined "
              f"{row['declined']} unanswerable, balanced {row['balanced_abstention']:.3f}; opening sentence holds "
              f"the reference facts in {row['lead_holds_reference_facts']:.0%} of answers")
    off = result["offtopic"]
    print(f"off-topic: {off['declined']}/{off['of']} declined, {off['with_topic_reply']} with the topic reply")
    talk = result["conversations"]
    print(f"follow-ups: {talk['cited_gold']}/{talk['follow_ups']} cite a gold paragraph of their completed question "
          f"({talk['gold_in_search_top5']} with one in search's first five); {talk['declined']}/{talk['unanswerable']} "
          "unanswerable follow-ups declined")
    return 0


if __name__ == "__main__":
    sys.exit(main())
