"""How the daily digest reads, on the days of the independent development set.

    python bench/briefing.py [--devset ../shared/devset] [--show]

The development corpus is ingested into a throw-away folder (read from beside
the project, never copied) and the digest of every day one of its articles is
dated is built, as `newsbot digest --date` builds it. Printed:

- stories per day, and how many of the set's same-event pairs (NOTES_a/b:
  each side's report of one event, one event in two languages) share a story;
- headlines: how many are the article's own title, how many a complete main
  clause of the lead (not cut with "…", not opening with a subordinate clause);
- quotes: how many of the stories' first quoted sentences, and of all their
  quoted sentences, report the day's news rather than background. Judged by
  hand per sentence (article, paragraph, sentence of `split_sentences`) in
  bench/briefing_news.json: "news" where the sentence tells what happened on
  or just before the report's day (the event, its toll, the day's statements
  about it), "background" where it tells what happened before (earlier years,
  how a conflict began, what "has long" been so). A sentence not judged yet is
  counted apart, so a change that quotes new sentences says so.

`--show` prints every story: day, headline, quotes and where they are from.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEVSET = ROOT.parent / "shared" / "devset"
LABELS = ROOT / "bench" / "briefing_news.json"
PAIRS = {  # the development set's notes: one event, told by both sides or in two languages, on one day
    date(2020, 9, 27): ("a01", "a02"), date(2020, 10, 28): ("a10", "a11"), date(2020, 11, 8): ("a12", "a13"),
    date(2021, 5, 28): ("a20", "a21"), date(2022, 9, 14): ("b01", "b02"), date(2022, 12, 14): ("b05", "b04"),
    date(2023, 9, 20): ("b09", "b10"), date(2025, 3, 14): ("b23", "b24"),
}
SUBORDINATE = re.compile(
    r"^(kort nadat|nadat|toen|terwijl|hoewel|omdat|als|zodra|na|after|when|while|although|as|since|once|"
    r"nachdem|als|während|obwohl|weil|sobald|après|alors que|lorsque|bien que|quand|depuis)\b", re.IGNORECASE)


def _prefix(source: str) -> str:
    return Path(source).name[:3]


def sentence_key(citation: Any) -> str:
    """"a02:0:1": the article's prefix, the paragraph, the sentence's place in it (by `split_sentences`)."""
    from index.input.chunking import split_sentences

    sentences = split_sentences(citation.passage.text) or [citation.passage.text]
    place = sentences.index(citation.marked) if citation.marked in sentences else -1
    return f"{_prefix(citation.passage.article.source)}:{citation.passage.position}:{place}"


def headline_kind(headline: str, titles: set[str], leads: list[str]) -> str:
    """"title" (an article's own title, whole), "clause" (a lead's whole first sentence, or the main clause
    ending it), "cut" (shortened with "…", or a sentence cut short) or "subordinate" (a subordinate clause)."""
    from index.input.chunking import split_sentences

    if headline in titles:
        return "title"
    if headline.endswith("…"):
        return "cut"
    if SUBORDINATE.match(headline.strip()):
        return "subordinate"
    for lead in leads:
        first = (split_sentences(lead) or [lead])[0]
        sentence = re.sub(r"^[A-ZÀ-ÖØ-ÞА-Я][A-ZÀ-ÖØ-ÞА-Я ./'’-]{1,40}\s[–—-]\s", "", first).strip().rstrip(".")
        if sentence.lower().endswith(headline.lower()):
            return "clause"
        if sentence.startswith(headline):
            return "cut"
    return "clause"


def measure(services: Any, labels: dict[str, str], show: bool) -> dict[str, Any]:
    from bot.core.digest import build_digest

    zone = ZoneInfo("UTC")
    days = sorted({date.fromisoformat(row[0]) for row in services.store.db.read(
        "SELECT published_first FROM articles WHERE date_precision = 'day'")})
    stories = reported = 0
    headlines: dict[str, int] = {}
    quotes = {"news": 0, "background": 0, "unjudged": 0}
    others = dict(quotes)
    halves = {half: dict(quotes) for half in "ab"}
    unjudged: list[str] = []
    pairs_joined = 0
    for day in days:
        digest = build_digest(services.store.articles, services.store.embeddings, services.embedder, day, zone,
                              topic=services.topic, side_of=services.side_of)
        stories += len(digest.stories)
        reported += bool(digest.stories)
        if day in PAIRS:
            wanted = set(PAIRS[day])
            pairs_joined += any(wanted <= {_prefix(a.source) for a in s.articles} for s in digest.stories)
        for story in digest.stories:
            leads = [services.store.articles.article_passages(a.id)[0].text for a in story.articles]
            kind = headline_kind(story.headline, {a.title for a in story.articles}, leads)
            headlines[kind] = headlines.get(kind, 0) + 1
            if show:
                print(f"{day} [{kind}] {story.headline}")
            for n, citation in enumerate(story.citations):
                key = sentence_key(citation)
                judged = labels.get(key)
                (quotes if n == 0 else others)[judged or "unjudged"] += 1
                halves[key[0]][judged or "unjudged"] += 1
                if judged is None:
                    unjudged.append(key)
                if show:
                    print(f"    ({judged or 'unjudged'} {key}) {citation.marked}")
    return {"days": len(days), "days_with_stories": reported, "stories": stories,
            "stories_per_day_with_stories": round(stories / max(1, reported), 2),
            "pairs_in_one_story": f"{pairs_joined}/{len(PAIRS)}", "headlines": headlines,
            "title_or_clause": f"{headlines.get('title', 0) + headlines.get('clause', 0)}/{stories}",
            "first_quote": quotes, "first_quote_news": f"{quotes['news']}/{stories}",
            "all_quotes_news": f"{quotes['news'] + others['news']}/{sum(quotes.values()) + sum(others.values())}",
            "all_quotes_news_by_half": {half: f"{n['news']}/{sum(n.values())}" for half, n in halves.items()},
            "unjudged": unjudged}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--show", action="store_true", help="print every story")
    args = parser.parse_args()
    from bot.core.services import open_services
    from config.settings import load_settings

    labels: dict[str, str] = json.loads(LABELS.read_text(encoding="utf-8")) if LABELS.exists() else {}
    with tempfile.TemporaryDirectory(prefix="newsbot-briefing-") as folder:
        settings = load_settings(data_dir=Path(folder), sides={"outlets_file": ROOT / "bench" / "devset_outlets.toml"})
        with open_services(settings) as services:
            services.ingestor.ingest_paths([args.devset / "corpus"])
            result = measure(services, labels, args.show)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
