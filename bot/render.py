"""Core results → Discord messages, always inside Discord's limits.

Discord rejects a whole message when one part is too long, so every piece is
fitted here before sending: passages are cut at sentence boundaries with a
visible "…", fields and embeds are counted against the per-message total.
Links are written as `<url>` so a citation never unfurls a preview.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.core.digest import Digest, Story
from bot.core.formatting import citation_line
from index.chunking import split_sentences
from index.models import Answer, Citation, Hit, Passage

__all__ = [
    "Limits",
    "LIMITS",
    "fit_text",
    "neutralise_mentions",
    "answer_embed",
    "hits_embed",
    "status_embed",
    "embed_size",
    "IndexFooter",
    "digest_embeds",
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
_ZERO_WIDTH = "\u200b"


def neutralise_mentions(text: str) -> str:
    """Break @everyone, @here and <@…> so quoted article text can never look like a ping.

    Allowed-mentions "none" already stops the ping; this also stops the
    highlighted mention from being rendered at all.
    """
    text = text.replace("@everyone", f"@{_ZERO_WIDTH}everyone").replace("@here", f"@{_ZERO_WIDTH}here")
    return text.replace("<@", f"<@{_ZERO_WIDTH}")


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


def _quote(citation: Citation, budget: int) -> str:
    """The passage with its best sentence in bold, cut around that sentence if too long."""
    text = neutralise_mentions(citation.quote)
    marked = neutralise_mentions(citation.marked)
    sentences = split_sentences(text) or [text]
    if len(text) + 4 > budget and marked in sentences:
        # Keep the marked sentence and as much context after it as fits.
        start = sentences.index(marked)
        text = " ".join(sentences[start:])
        if start > 0:
            text = f"{ELLIPSIS} {text}"
    text = fit_text(text, budget - 4)
    if marked and marked in text:
        return text.replace(marked, f"**{marked}**", 1)
    return text


def _link(passage: Passage) -> str:
    article = passage.article
    return f"<{article.url}>" if article.url else f"`{article.source}`"


def _citation_field(citation: Citation) -> tuple[str, str]:
    article = citation.passage.article
    name = fit_text(
        f"[{citation.n}] {article.outlet} · {article.published.display()} · ¶{citation.passage.position + 1}",
        LIMITS.field_name,
    )
    tail_lines = [f"{fit_text(neutralise_mentions(article.title), 200)} — {_link(citation.passage)}"]
    for other in citation.also_in[:3]:
        where = f"<{other.url}>" if other.url else f"`{other.source}`"
        tail_lines.append(f"also: {other.outlet} — {where}")
    tail = "\n".join(tail_lines)
    budget = LIMITS.field_value - len(tail) - 1
    value = f"{_quote(citation, budget)}\n{tail}"
    return name, value[: LIMITS.field_value]


@dataclass(frozen=True)
class IndexFooter:
    articles: int
    paragraphs: int
    newest: str

    def text(self) -> str:
        newest = f" · newest article {self.newest}" if self.newest else ""
        return f"{self.articles} articles, {self.paragraphs} paragraphs indexed{newest}"


def embed_size(embed: discord.Embed) -> int:
    """Characters Discord counts towards the 6000 limit (title, description, fields, footer, author)."""
    return len(embed)


def answer_embed(answer: Answer, footer: IndexFooter | None = None) -> discord.Embed:
    colour = discord.Colour.light_grey() if answer.abstained else discord.Colour.blurple()
    embed = discord.Embed(
        title=fit_text(neutralise_mentions(answer.question), LIMITS.title),
        description=fit_text(neutralise_mentions(answer.text), 1500),
        colour=colour,
    )
    if footer is not None:
        embed.set_footer(text=fit_text(footer.text(), LIMITS.footer))
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
        title=fit_text(f"Search: {neutralise_mentions(query)}", LIMITS.title),
        description=None if shown else "No passages found.",
        colour=discord.Colour.dark_teal(),
    )
    for rank, hit in enumerate(shown, start=page * per_page + 1):
        passage = hit.passage
        name = fit_text(f"{rank}. {citation_line(passage).split(' — ')[0]} · score {hit.score:.2f}", LIMITS.field_name)
        tail = f"{passage.article.published.display()} · ¶{passage.position + 1} — {_link(passage)}"
        value = f"{fit_text(neutralise_mentions(passage.text), LIMITS.field_value - len(tail) - 1)}\n{tail}"
        if embed_size(embed) + len(name) + len(value) > LIMITS.total - 200:
            break
        embed.add_field(name=name, value=value[: LIMITS.field_value], inline=False)
    footer_text = f"page {page + 1}/{pages}"
    if footer is not None:
        footer_text += f" · {footer.text()}"
    embed.set_footer(text=fit_text(footer_text, LIMITS.footer))
    return embed


def status_embed(report: dict[str, object]) -> discord.Embed:
    languages = report.get("languages") or {}
    assert isinstance(languages, dict)
    embed = discord.Embed(title="newsbot status", colour=discord.Colour.green() if report.get("index_ok") else
                          discord.Colour.orange())
    embed.add_field(name="Articles", value=f"{report['articles']} from {report['outlets']} outlets")
    embed.add_field(name="Paragraphs", value=str(report["paragraphs"]))
    embed.add_field(name="Languages", value=", ".join(f"{k} {v}" for k, v in languages.items()) or "none")
    embed.add_field(name="Dates", value=f"{report['oldest'] or '-'} … {report['newest'] or '-'}")
    embed.add_field(name="Last ingest", value=str(report["last_ingest"] or "never"))
    embed.add_field(name="Model", value=fit_text(str(report["model"]), LIMITS.field_value))
    embed.add_field(name="Index", value=fit_text(str(report["index"]), LIMITS.field_value), inline=False)
    sources = report.get("sources")
    if isinstance(sources, list) and sources:
        lines = [fit_text(str(s), 200) for s in sources[:10]]
        embed.add_field(name="Sources", value=fit_text("\n".join(lines), LIMITS.field_value), inline=False)
    return embed


def _story_field(number: int, story: Story) -> tuple[str, str]:
    name = fit_text(neutralise_mentions(f"{number}. {story.headline}"), LIMITS.field_name)
    quotes = [f"“{neutralise_mentions(c.marked)}” [{c.n}]" for c in story.citations]
    sources = [
        f"[{c.n}] {c.passage.article.outlet} · {c.passage.article.published.display()} · "
        f"¶{c.passage.position + 1} — {_link(c.passage)}"
        + "".join(f" · also {o.outlet}" for o in c.also_in)
        for c in story.citations
    ]
    tail = "\n".join(sources + [f"Outlets: {', '.join(story.outlets)}"])
    body = fit_text("\n".join(quotes), max(100, LIMITS.field_value - len(tail) - 1))
    return name, f"{body}\n{tail}"[: LIMITS.field_value]


STORIES_PER_MESSAGE = 8
"""Well under Discord's 25 fields: a digest message should be readable at a glance on a phone."""


def digest_embeds(digest: Digest) -> list[discord.Embed]:
    """The digest as embeds, one per message, in order; a new one starts before any limit would be passed."""
    title = fit_text(digest.title(), LIMITS.title)
    if digest.empty:
        return [discord.Embed(title=title, description=f"No new reports on {digest.day.isoformat()}.",
                              colour=discord.Colour.light_grey())]
    summary = f"{digest.article_count} articles from {digest.outlet_count} outlets, {len(digest.stories)} stories"
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
