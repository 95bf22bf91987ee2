"""Article pages to their main text, title, date and language: pure functions on bytes, no network.

An `.html` file handed to `newsbot ingest` and a page fetched for a feed
entry or a watched source are read by the same `extract_page`, with
trafilatura kept offline (it is only ever given an already-parsed tree).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.etree
import lxml.html

from index.errors import InputError
from index.input.charset_decoding import decode_markup, html_declared_charset
from index.input.chunking import normalise_whitespace
from index.input.dates import PublishedDate, parse_date
from index.input.text_cleaning import without_non_xml

__all__ = ["ExtractedPage", "extract_page", "MIN_PAGE_TEXT_CHARS"]

MIN_PAGE_TEXT_CHARS = 80
"""Less main text than this is a navigation stub, cookie wall or paywall teaser, not an article."""


@dataclass(frozen=True)
class ExtractedPage:
    title: str
    paragraphs: tuple[str, ...]
    published: PublishedDate
    language: str | None


def extract_page(html: bytes | str, *, url: str | None, http_charset: str | None = None) -> ExtractedPage:
    """Main text, title, date and language of an article page, with trafilatura kept offline.

    trafilatura only ever sees an already-parsed tree, so it neither guesses the
    encoding (it ignores <meta charset>) nor fetches anything; `fast` skips its
    slower fallback extractors, which news article pages rarely need.
    """
    import trafilatura  # heavy import, only paid by callers that extract pages

    where = url or "(html page)"
    if isinstance(html, bytes):
        html = decode_markup(html, (http_charset, html_declared_charset(html)))
    html = without_non_xml(html)
    if not html.strip():
        raise InputError(where, "empty page")
    try:
        tree = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise InputError(where, f"not parseable as HTML ({exc})") from None
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        fast=True,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = getattr(document, "text", None) or ""
    title = normalise_whitespace(getattr(document, "title", None) or "")
    paragraphs = [p for p in (normalise_whitespace(line) for line in text.split("\n")) if p]
    while paragraphs and paragraphs[0].casefold() == title.casefold():
        paragraphs.pop(0)  # the headline, kept as the title, is not the lead
    if sum(len(p) for p in paragraphs) < MIN_PAGE_TEXT_CHARS:
        raise InputError(where, "no main text found in the page")
    return ExtractedPage(
        title=title,
        paragraphs=tuple(paragraphs),
        published=_page_date(getattr(document, "date", None)),
        language=_page_language(tree),
    )


def _page_date(value: object) -> PublishedDate:
    if not isinstance(value, str) or not value.strip():
        return PublishedDate.unknown()
    try:
        return parse_date(value.strip()[:10])
    except ValueError:
        return PublishedDate.unknown()


_LANGUAGE_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*$")


def _page_language(tree: lxml.html.HtmlElement) -> str | None:
    """The primary language subtag the page declares (`<html lang>`, Content-Language meta, og:locale)."""
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    candidates += tree.xpath("//meta[translate(@http-equiv,'CONTENT-LANGUAGE','content-language')"
                             "='content-language']/@content")
    candidates += tree.xpath("//meta[@property='og:locale']/@content")
    for candidate in candidates:
        match = _LANGUAGE_TAG.match(str(candidate or "").strip().split(",")[0].strip())
        if match:
            return match.group(1).lower()
    return None
