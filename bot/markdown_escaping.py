"""Text from articles made inert for Discord: no markup, no mentions, links only from checked URLs.

Everything an article carries (text, title, outlet, URL) was written by
someone else. In an embed, `[Reuters](https://evil.example/x)` becomes a
link that shows one name and opens another, `<#channel>` and `</ban:1>`
render as clickable channel and command chips, `# text` as a heading and
`@everyone` as a highlighted mention. So:
- markdown characters are escaped with a backslash wherever they stand, and
  headings, quotes and lists wherever a line starts;
- every `<` and `@everyone` / `@here` gets a zero-width space after it, which
  no mention, channel, command, emoji or timestamp syntax survives;
- a link is written as `<url>` only for a URL that `index.urls` accepts (http
  or https, a host, no whitespace, quotes or angle brackets), so nothing can
  leave the wrapper; any other source is shown as inert code.

Text we write ourselves (labels, dates, citation numbers) is not escaped.
"""

from __future__ import annotations

import re

from index.input.urls import web_url_problem

__all__ = ["escape_markdown", "inert", "neutralise_mentions", "link_or_code", "cut_escaped", "MAX_LINK_CHARS"]

_ZERO_WIDTH = "\u200b"
MAX_LINK_CHARS = 512
"""Longer URLs would crowd a 1,024-character field; their source is shown as code instead."""

_INLINE = re.compile(r"([\\*_~|`\[\]])")
_LINE_START = re.compile(r"(^|\n)([ \t]*)([#>+-]|\d+(?=\.))")


def escape_markdown(text: str, *, line_start: bool = True) -> str:
    """`text` with every markdown character escaped; `line_start=False` when it continues a line."""
    escaped = _INLINE.sub(r"\\\1", text)

    def block(match: re.Match[str]) -> str:
        starts_text = match.start() == 0 and not match.group(1)
        if starts_text and not line_start:
            return match.group(0)
        marker = match.group(3)
        if marker[0].isdigit():
            return f"{match.group(1)}{match.group(2)}{marker}\\"  # "1." becomes "1\." (the dot follows)
        return f"{match.group(1)}{match.group(2)}\\{marker}"

    return _LINE_START.sub(block, escaped)


def neutralise_mentions(text: str) -> str:
    """Break @everyone, @here and every `<…>` token (user, role, channel, command, emoji, timestamp)."""
    text = text.replace("@everyone", f"@{_ZERO_WIDTH}everyone").replace("@here", f"@{_ZERO_WIDTH}here")
    return text.replace("<", f"<{_ZERO_WIDTH}")


def inert(text: str, *, line_start: bool = True) -> str:
    """Article text as Discord shows it literally."""
    return neutralise_mentions(escape_markdown(text, line_start=line_start))


def cut_escaped(text: str, limit: int) -> str:
    """`text[:limit]` without a dangling escape backslash at the end."""
    cut = text[:limit]
    trailing = len(cut) - len(cut.rstrip("\\"))
    return cut[:-1] if trailing % 2 else cut


def link_or_code(url: str | None, fallback: str) -> str:
    """`<url>` (no preview) for a checked URL, else `fallback` (a file name, a refused URL) as inline code."""
    if url and len(url) <= MAX_LINK_CHARS and web_url_problem(url) is None:
        return f"<{url}>"
    shown = " ".join(fallback.replace("`", "'").split())
    if len(shown) > 200:
        shown = shown[:199] + "…"
    return f"`{shown}`"
