"""HTML fragments of feeds (summaries, content, titles) to plain text with their paragraphs kept."""

from __future__ import annotations

import re
from collections.abc import Iterable

import lxml.etree
import lxml.html

from index.input.chunking import normalise_whitespace
from index.input.text_cleaning import without_non_xml

__all__ = ["html_to_text", "text_paragraphs"]

_BLOCK_TAGS = frozenset(
    "address article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr li "
    "main nav ol p pre section table td th tr ul".split()
)
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object"})
_BLANK_LINE = re.compile(r"\n\s*\n")


def text_paragraphs(text: str) -> str:
    """Plain text with its paragraphs (blank-line separated) kept and their whitespace normalised."""
    return _join_paragraphs(_BLANK_LINE.split(text))


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment, a blank line between block elements (so paragraphs survive)."""
    html = without_non_xml(html)
    if "<" not in html and "&" not in html:
        return text_paragraphs(html)
    try:
        root = lxml.html.fromstring(f"<div>{html}</div>")
    except (lxml.etree.ParserError, ValueError):
        return _join_paragraphs([html])
    lxml.etree.strip_elements(
        root, lxml.etree.Comment, lxml.etree.ProcessingInstruction, *_SKIPPED_TAGS, with_tail=False
    )
    pieces: list[str] = []
    for event, element in lxml.etree.iterwalk(root, events=("start", "end")):
        block = element.tag in _BLOCK_TAGS
        if event == "start":
            pieces.append("\n\n" if block else "\n" if element.tag == "br" else "")
            pieces.append(element.text or "")
        else:
            pieces.append("\n\n" if block else "")
            if element is not root:
                pieces.append(element.tail or "")
    return text_paragraphs("".join(pieces))


def _join_paragraphs(blocks: Iterable[str]) -> str:
    return "\n\n".join(p for p in (normalise_whitespace(b) for b in blocks) if p)
