"""Core results → Discord messages, always inside Discord's limits, with article text inert.

Discord rejects a whole message when one part is too long, so every piece is
fitted here before sending: passages are cut at sentence boundaries with a
visible "…", fields and embeds are counted against the per-message total.
Everything that comes from an article is escaped (`bot.markdown_escaping`)
before it is counted, and links are written as `<url>` only for checked URLs,
so a citation never unfurls a preview and no article can add markup.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial

import discord

from bot.core.answering import Answer
from bot.core.citations import Citation
from bot.core.digest import Digest, Story
from bot.core.following import FollowAlert
from bot.core.formatting import side_note, timeline_date
from bot.core.perspectives import Perspectives
from bot.core.status import StatusReport
from bot.core.timeline import Timeline, TimelineEntry
from bot.markdown_escaping import cut_escaped, inert, link_or_code, neutralise_mentions
from index.input.chunking import split_sentences
from index.models import Hit, StoredArticle
from index.sides import SIDE_LABELS

__all__ = [
    "Limits",
    "LIMITS",
    "fit_text",
    "fit_inert",
    "neutralise_mentions",
    "answer_embed",
    "alert_embed",
    "hits_embed",
    "status_embed",
    "channel_mention",
    "embed_size",
    "IndexFooter",
    "IndexFooterSource",
    "digest_embeds",
    "perspectives_embeds",
    "timeline_embeds",
    "follow_alert_embed",
]


@dataclass(frozen=True)
class Limits:
    content: int = 2000
    title: int = 256
    description: int = 4096
    fields: int = 25
    field_name: int = 256
    field_value: int = 1024
    footer: int = 2048
    total: int = 6000
    embeds: int = 10


LIMITS = Limits()
ELLIPSIS = "…"
def fit_text(text: str, limit: int) -> str:
    """`text` if it fits, else as many whole sentences as fit followed by "…" (hard cut as a last resort)."""
    if len(text) <= limit:
        return text
    budget = limit - len(ELLIPSIS) - 1
    kept = ""
    for sentence in split_sentences(text):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > budget:
            break
        kept = candidate
    if not kept:
        words = text[:budget].rsplit(" ", 1)[0] if " " in text[:budget] else text[:budget]
        return words + ELLIPSIS
    return f"{kept} {ELLIPSIS}"


def fit_rendered(text: str, limit: int, render: Callable[[str], str]) -> str:
    """The longest sentence-aligned cut of `text` (as `fit_text` makes it) whose rendering fits `limit`.

    Escaping lengthens text, so the raw text is cut, rendered and measured,
    and cut shorter while the rendering overflows; rendered text is never cut,
    so no escape is ever split from the character it protects.
    """
    budget = limit
    while budget > 0:
        rendered = render(fit_text(text, budget))
        if len(rendered) <= limit:
            return rendered
        budget -= len(rendered) - limit
    return ""


def fit_inert(text: str, limit: int, *, line_start: bool = True) -> str:
    """Article text, inert and within `limit` characters."""
    return fit_rendered(text, limit, partial(inert, line_start=line_start))


_MARK = "**"
_CITATION_MARK = re.compile(r"\[(\d{1,2})\](?=\s|$)")


def _inert_with_citation_marks(text: str, numbers: frozenset[int]) -> str:
    """Answer text inert, except the `[n]` marks of its own citations (never one followed by "(")."""
    pieces: list[str] = []
    last = 0
    for match in _CITATION_MARK.finditer(text):
        if int(match.group(1)) in numbers:
            pieces += [inert(text[last:match.start()], line_start=last == 0), match.group()]
            last = match.end()
    pieces.append(inert(text[last:], line_start=last == 0))
    return "".join(pieces)


def _bold(text: str, marked: str) -> str:
    """`text` inert, with the first occurrence of `marked` in bold."""
    at = text.find(marked) if marked else -1
    if at < 0:
        return inert(text)
    end = at + len(marked)
    return (inert(text[:at]) + _MARK + inert(marked, line_start=at == 0) + _MARK
            + inert(text[end:], line_start=False))


def _quote(citation: Citation, budget: int) -> str:
    """The passage with its best sentence in bold, cut around that sentence if too long."""
    text = citation.passage.text
    marked = citation.marked
    sentences = split_sentences(text) or [text]
    if len(text) + 4 > budget and marked in sentences:
        # Keep the marked sentence and as much context after it as fits.
        start = sentences.index(marked)
        text = " ".join(sentences[start:])
        if start > 0:
            text = f"{ELLIPSIS} {text}"
    return fit_rendered(text, budget, partial(_bold, marked=marked))


def _linked(text: str, article: StoredArticle) -> str:
    """`text — <url>` for an article with a web address, else `text` alone: a file-ingested article is cited by
    its title and outlet, never by the name of the file it came from (that means nothing to a reader)."""
    return f"{text} — {link_or_code(article.url, article.url)}" if article.url else text


def _citation_field(citation: Citation) -> tuple[str, str]:
    article = citation.passage.article
    name = cut_escaped(
        f"[{citation.n}] {fit_inert(article.outlet, 120)} · {article.published.display()} · "
        f"¶{citation.passage.position + 1}",
        LIMITS.field_name,
    )
    tail_lines = [_linked(fit_inert(article.title, 200), article)]
    for other in citation.also_in[:3]:
        tail_lines.append(_linked(f"also: {fit_inert(other.outlet, 120)}", other))
    tail = "\n".join(tail_lines)
    budget = LIMITS.field_value - len(tail) - 1
    value = f"{_quote(citation, budget)}\n{tail}"
    return name, cut_escaped(value, LIMITS.field_value)


@dataclass(frozen=True)
class IndexFooter:
    articles: int
    paragraphs: int
    newest: str

    def text(self) -> str:
        newest = f" · newest article {self.newest}" if self.newest else ""
        return f"{self.articles} articles, {self.paragraphs} paragraphs indexed{newest}"


IndexFooterSource = Callable[[], Awaitable[IndexFooter]]
"""The archive's size and newest article for an embed's footer, read off the event loop."""


def embed_size(embed: discord.Embed) -> int:
    """Characters Discord counts towards the 6000 limit (title, description, fields, footer, author)."""
    return len(embed)


def answer_embed(answer: Answer, footer: IndexFooter | None = None, *, note: str | None = None) -> discord.Embed:
    """`note` goes first in the footer (a written answer says so there)."""
    colour = discord.Colour.light_grey() if answer.abstained else discord.Colour.blurple()
    embed = discord.Embed(
        title=fit_inert(answer.question, LIMITS.title),
        description=fit_rendered(answer.text, 1500, partial(
            _inert_with_citation_marks, numbers=frozenset(c.n for c in answer.citations))),
        colour=colour,
    )
    footer_parts = [part for part in (note, footer.text() if footer is not None else None) if part]
    if footer_parts:
        embed.set_footer(text=fit_text(" · ".join(footer_parts), LIMITS.footer))
    for citation in answer.citations[: LIMITS.fields]:
        name, value = _citation_field(citation)
        if embed_size(embed) + len(name) + len(value) > LIMITS.total:
            break
        embed.add_field(name=name, value=value, inline=False)
    return embed


def hits_embed(query: str, hits: Sequence[Hit], page: int, per_page: int, footer: IndexFooter | None) -> discord.Embed:
    pages = max(1, -(-len(hits) // per_page))
    shown = hits[page * per_page:(page + 1) * per_page]
    embed = discord.Embed(
        title=f"Search: {fit_inert(query, LIMITS.title - 8, line_start=False)}",
        description=None if shown else "No passages found.",
        colour=discord.Colour.dark_teal(),
    )
    for rank, hit in enumerate(shown, start=page * per_page + 1):
        passage = hit.passage
        name = f"{rank}. {fit_inert(passage.article.outlet, 120, line_start=False)} · score {hit.score:.2f}"
        tail = _linked(f"{fit_inert(passage.article.title, 150)} · "
                       f"{passage.article.published.display()} · ¶{passage.position + 1}", passage.article)
        value = f"{fit_inert(passage.text, LIMITS.field_value - len(tail) - 1)}\n{tail}"
        if embed_size(embed) + len(name) + len(value) > LIMITS.total - 200:
            break
        embed.add_field(name=cut_escaped(name, LIMITS.field_name), value=cut_escaped(value, LIMITS.field_value),
                        inline=False)
    footer_text = f"page {page + 1}/{pages}"
    if footer is not None:
        footer_text += f" · {footer.text()}"
    embed.set_footer(text=fit_text(footer_text, LIMITS.footer))
    return embed


def channel_mention(channel_id: int) -> str:
    """A channel as Discord shows it to people: its name, clickable (never a bare id)."""
    return f"<#{channel_id}>"


def _escaped_lines(lines: Sequence[str], limit: int) -> str:
    """Lines already made inert (with our own mentions in them), joined and fitted without breaking an escape."""
    return cut_escaped(fit_text("\n".join(lines), limit), limit)


def status_embed(report: StatusReport) -> discord.Embed:
    """`report` with its source and schedule lines already written for Discord (inert, channels as mentions)."""
    healthy = report.index_ok and not report.unseen
    embed = discord.Embed(title="newsbot status", colour=discord.Colour.green() if healthy else
                          discord.Colour.orange())
    outlets = f"{report.outlets} outlet{'' if report.outlets == 1 else 's'}"
    embed.add_field(name="Articles", value=f"{report.articles} from {outlets}")
    embed.add_field(name="Paragraphs", value=str(report.paragraphs))
    embed.add_field(name="Languages", value=", ".join(f"{k} {v}" for k, v in report.languages.items()) or "none")
    embed.add_field(name="Dates", value=f"{report.oldest or '-'} … {report.newest or '-'}")
    embed.add_field(name="Last ingest", value=report.last_ingest or "never")
    embed.add_field(name="Model", value=fit_inert(report.model, LIMITS.field_value))
    embed.add_field(name="Index", value=fit_text(report.index, LIMITS.field_value), inline=False)
    if report.sources:
        lines = [cut_escaped(fit_text(s, 300), 300) for s in report.sources[:10]]
        embed.add_field(name="Sources", value=_escaped_lines(lines, LIMITS.field_value), inline=False)
    if report.schedule:
        embed.add_field(name="Scheduled", value=_escaped_lines(report.schedule, LIMITS.field_value), inline=False)
    if report.unseen:
        embed.add_field(name="Check the settings", value=_escaped_lines(report.unseen, LIMITS.field_value),
                        inline=False)
    return embed


def _story_field(number: int, story: Story) -> tuple[str, str]:
    name = f"{number}. {fit_inert(story.headline, LIMITS.field_name - 8, line_start=False)}"
    sources = [
        _linked(f"[{c.n}] {fit_inert(c.passage.article.outlet, 120, line_start=False)} · "
                f"{fit_inert(c.passage.article.title, 120, line_start=False)} · "
                f"{c.passage.article.published.display()} · ¶{c.passage.position + 1}", c.passage.article)
        + "".join(f" · also {fit_inert(o.outlet, 120, line_start=False)}" for o in c.also_in)
        for c in story.citations
    ]
    outlets = ", ".join(fit_inert(o, 120, line_start=False) for o in story.outlets)
    tail = "\n".join(sources + [f"{story.reported_by}: {outlets}"])
    budget = max(100, LIMITS.field_value - len(tail) - 1) // max(1, len(story.citations))
    labels = [f"{SIDE_LABELS['en'][side]}: " if story.several_sides else "" for side in story.sides] or \
        [""] * len(story.citations)
    quotes = [f"{label}“{fit_inert(c.marked, budget - 8 - len(label), line_start=False)}” [{c.n}]"
              for label, c in zip(labels, story.citations, strict=False)]
    return name, cut_escaped(f"{chr(10).join(quotes)}\n{tail}", LIMITS.field_value)


STORIES_PER_MESSAGE = 8
"""Well under Discord's 25 fields: a digest message should be readable at a glance on a phone."""


def digest_embeds(digest: Digest) -> list[discord.Embed]:
    """The digest as embeds, one per message, in order; a new one starts before any limit would be passed."""
    title = fit_text(digest.title(), LIMITS.title)
    if digest.empty:
        return [discord.Embed(title=title, description=f"No new reports on {digest.day.isoformat()}.",
                              colour=discord.Colour.light_grey())]
    summary = digest.summary()
    embeds = [discord.Embed(title=title, description=summary, colour=discord.Colour.blue())]
    for number, story in enumerate(digest.stories, start=1):
        name, value = _story_field(number, story)
        current = embeds[-1]
        too_big = embed_size(current) + len(name) + len(value) > LIMITS.total - 100
        if len(current.fields) >= STORIES_PER_MESSAGE or too_big:
            current = discord.Embed(title=fit_text(f"{digest.title()} (continued)", LIMITS.title),
                                    colour=discord.Colour.blue())
            embeds.append(current)
        current.add_field(name=name, value=value, inline=False)
    return embeds


def alert_embed(article: StoredArticle, first_paragraph: str) -> discord.Embed:
    """A short post for a newly stored article: title, lead and link, all from the article and all inert.

    The footer is plain text in Discord (no markdown, no mentions), so it is not escaped.
    """
    link = link_or_code(article.url, article.source) if article.url else ""
    description = fit_inert(first_paragraph, 600)
    embed = discord.Embed(
        title=fit_inert(article.title, LIMITS.title),
        description=f"{description}\n{link}" if link else description,
        colour=discord.Colour.gold(),
    )
    embed.set_footer(text=fit_text(f"{article.outlet} · {article.published.display()}", LIMITS.footer))
    return embed


def _account_field(citations: Sequence[Citation]) -> str:
    """A side's passages in one column: each quoted sentence, then where it is from."""
    budget = LIMITS.field_value // max(1, len(citations)) - 4
    parts = []
    for citation in citations:
        article = citation.passage.article
        source = _linked(f"[{citation.n}] {fit_inert(article.outlet, 80, line_start=False)} · "
                         f"{fit_inert(article.title, 120, line_start=False)} · {article.published.display()} · "
                         f"¶{citation.passage.position + 1}", article)
        quote = fit_inert(citation.marked, max(80, budget - len(source) - 8), line_start=False)
        parts.append(f"\u201c{quote}\u201d [{citation.n}]\n{source}")
    return cut_escaped("\n\n".join(parts), LIMITS.field_value)


def perspectives_embeds(found: Perspectives) -> list[discord.Embed]:
    """Every side's passages on one page, side by side: one column (an inline field) per side, under its label."""
    labels = SIDE_LABELS.get(found.language, SIDE_LABELS["en"])
    title = fit_inert(found.question, LIMITS.title)
    if not found.found:
        none = "Ik vond hier niets over in het archief." if found.language == "nl" else \
            "I found nothing on this in the archive."
        return [discord.Embed(title=title, description=none, colour=discord.Colour.light_grey())]
    embed = discord.Embed(title=title, colour=discord.Colour.purple())
    for account in found.accounts:
        embed.add_field(name=labels[account.side], value=_account_field(account.citations), inline=True)
    if found.missing:
        names = ", ".join(labels[side] for side in found.missing)
        line = f"Geen berichtgeving van: {names}" if found.language == "nl" else f"No reporting from: {names}"
        embed.set_footer(text=fit_text(line, LIMITS.footer))
    return [embed]


TIMELINE_LINES_PER_PAGE = 8


def _timeline_line(entry: TimelineEntry, language: str) -> str:
    """One dated line: the sentence, then every report of it with its side (two sides' reports of one event on
    one day share the line)."""
    outlets = ", ".join(fit_inert(a.outlet, 60, line_start=False) + side_note(side, language)
                        for a, side in entry.sources[:4])
    return (f"**{timeline_date(entry, language)}** — \u201c{fit_inert(entry.citation.marked, 280, line_start=False)}"
            + _linked(f"\u201d [{entry.citation.n}] {outlets}", entry.citation.passage.article))


def timeline_embeds(timeline: Timeline) -> list[discord.Embed]:
    """The timeline as pages of at most TIMELINE_LINES_PER_PAGE lines, each page within the description limit."""
    period = " – ".join(d.isoformat() if d else "…" for d in (timeline.since, timeline.until)) \
        if timeline.since or timeline.until else ""
    title = fit_inert(f"Timeline: {timeline.topic}" + (f" ({period})" if period else ""), LIMITS.title)
    if not timeline.entries:
        empty = "Geen gedateerde berichten over dit onderwerp." if timeline.language == "nl" else \
            "No dated reports on this topic."
        return [discord.Embed(title=title, description=empty, colour=discord.Colour.light_grey())]
    pages: list[list[str]] = [[]]
    for entry in timeline.entries:
        line = cut_escaped(_timeline_line(entry, timeline.language), 900)
        page = pages[-1]
        if len(page) >= TIMELINE_LINES_PER_PAGE or sum(len(x) + 1 for x in page) + len(line) > LIMITS.description:
            pages.append([line])
        else:
            page.append(line)
    embeds = []
    for number, page in enumerate(pages, start=1):
        embed = discord.Embed(title=title, description="\n".join(page), colour=discord.Colour.dark_gold())
        embed.set_footer(text=f"{number}/{len(pages)} · {len(timeline.entries)} dated lines")
        embeds.append(embed)
    return embeds


def follow_alert_embed(alert: FollowAlert) -> discord.Embed:
    """A followed topic matched a new article: the matching sentence, quoted and cited."""
    article = alert.article
    passage = alert.hit.passage
    embed = discord.Embed(
        title=fit_inert(f"Followed: {alert.follow.topic}", LIMITS.title),
        description=(f"\u201c{fit_inert(alert.sentence, 900, line_start=False)}\u201d [1]\n"
                     f"[1] {fit_inert(article.outlet, 120)} · {fit_inert(article.title, 200)} · "
                     + _linked(f"{article.published.display()} · ¶{passage.position + 1}", article)),
        colour=discord.Colour.gold(),
    )
    embed.set_footer(text="/unfollow to stop these alerts")
    return embed
