"""Answers and search hits as plain text, for the terminal.

Discord rendering (embeds, limits) lives in bot/render.py; both quote the same
way: the passage with its best sentence marked, and a citation line naming
outlet, title, date at its real precision, paragraph number and link or file.
"""

from __future__ import annotations

from bot.core.answering import Answer
from bot.core.citations import Citation
from bot.core.digest import Digest
from bot.core.perspectives import Perspectives
from bot.core.timeline import Timeline, TimelineEntry
from index.models import Hit, Passage
from index.sides import SIDE_LABELS, Side

__all__ = ["citation_line", "mark_sentence", "format_answer_text", "format_hits_text", "format_digest_text",
           "format_perspectives_text", "format_timeline_text", "timeline_date", "side_note"]


def citation_line(passage: Passage) -> str:
    """`Outlet — "Title", 27 September 2020, ¶3 — link-or-file` (paragraphs counted from 1 for people)."""
    article = passage.article
    where = article.url or article.source
    return (
        f"{article.outlet} — \u201c{article.title}\u201d, {article.published.display()}, "
        f"\u00b6{passage.position + 1} — {where}"
    )


def mark_sentence(text: str, sentence: str, left: str = "**", right: str = "**") -> str:
    if sentence and sentence in text:
        return text.replace(sentence, f"{left}{sentence}{right}", 1)
    return text


def _citation_block(citation: Citation) -> str:
    quote = mark_sentence(citation.passage.text, citation.marked, ">>", "<<")
    lines = [f"[{citation.n}] {citation_line(citation.passage)}", f"    {quote}"]
    for other in citation.also_in:
        lines.append(f"    also reported by {other.outlet}: {other.url or other.source}")
    return "\n".join(lines)


def format_answer_text(answer: Answer) -> str:
    if not answer.citations:
        return answer.text
    blocks = [answer.text, ""]
    blocks.extend(_citation_block(c) for c in answer.citations)
    return "\n".join(blocks)


def format_hits_text(hits: tuple[Hit, ...] | list[Hit]) -> str:
    if not hits:
        return "no passages found"
    lines = []
    for rank, hit in enumerate(hits, start=1):
        lines.append(
            f"{rank:>2}. {hit.score:.3f} (dense {hit.dense:.3f}, lexical {hit.lexical:.2f}) "
            f"{citation_line(hit.passage)}"
        )
        lines.append(f"    {hit.passage.text}")
    return "\n".join(lines)


def format_digest_text(digest: Digest) -> str:
    """The digest for the terminal: header, then each story with its quotes and numbered citations."""
    if digest.empty:
        return f"{digest.title()}\nNo new reports on {digest.day.isoformat()}."
    lines = [digest.title(), digest.summary(), ""]
    for number, story in enumerate(digest.stories, start=1):
        lines.append(f"{number}. {story.headline} — {story.reported_by}: {', '.join(story.outlets)}")
        labels = [f"{SIDE_LABELS['en'][side]}: " if story.several_sides else "" for side in story.sides]
        for citation, label in zip(story.citations, labels or [""] * len(story.citations), strict=False):
            lines.append(f"   {label}\u201c{citation.marked}\u201d [{citation.n}]")
        for citation in story.citations:
            lines.append(f"   [{citation.n}] {citation_line(citation.passage)}")
        lines.append("")
    return "\n".join(lines).rstrip()


def format_perspectives_text(found: Perspectives) -> str:
    """Each side's passages under its label, then the sides that did not report."""
    labels = SIDE_LABELS.get(found.language, SIDE_LABELS["en"])
    if not found.found:
        return "Ik vond hier niets over in het archief." if found.language == "nl" else \
            "I found nothing on this in the archive."
    lines: list[str] = []
    for account in found.accounts:
        lines.append(f"{labels[account.side]}:")
        for citation in account.citations:
            lines.append(f"  \u201c{citation.marked}\u201d [{citation.n}] {citation_line(citation.passage)}")
    if found.missing:
        names = ", ".join(labels[s] for s in found.missing)
        lines.append(f"Geen berichtgeving van: {names}" if found.language == "nl" else f"No reporting from: {names}")
    return "\n".join(lines)


def timeline_date(entry: TimelineEntry, language: str = "en") -> str:
    """"12 December 2022" for a day the text names, with the report's own date when that differs."""
    when = entry.when.display(language)
    if entry.named and entry.reported != entry.when:
        reported = entry.reported.display(language)
        return f"{when} (gemeld {reported})" if language == "nl" else f"{when} (reported {reported})"
    return when


def side_note(side: Side, language: str = "en") -> str:
    """" (Armenian side)" to follow an outlet's name; nothing for an outlet whose side is unknown."""
    return "" if side is Side.UNKNOWN else f" ({SIDE_LABELS.get(language, SIDE_LABELS['en'])[side]})"


def format_timeline_text(timeline: Timeline) -> str:
    if not timeline.entries:
        return "Geen gedateerde berichten over dit onderwerp." if timeline.language == "nl" else \
            "No dated reports on this topic."
    lines = []
    for entry in timeline.entries:
        outlets = ", ".join(f"{a.outlet}{side_note(side, timeline.language)}" for a, side in entry.sources)
        lines.append(f"{timeline_date(entry, timeline.language)} — \u201c{entry.citation.marked}\u201d "
                     f"[{entry.citation.n}] ({outlets})")
    return "\n".join(lines)
