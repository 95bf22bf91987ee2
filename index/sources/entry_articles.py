"""Feed entries and watched pages to `Article`s: the best text available, the most trustworthy date."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from index.errors import InputError
from index.input.article_building import build_article, latest_plausible_date
from index.input.chunking import split_paragraphs
from index.input.dates import PublishedDate
from index.input.pages import ExtractedPage
from index.models import Article
from index.sources.feeds import FeedEntry

__all__ = ["entry_to_article", "page_to_article"]


def entry_to_article(
    entry: FeedEntry,
    *,
    outlet: str,
    language: str | None,
    page: ExtractedPage | None,
    first_seen_date: date | None = None,
) -> Article:
    """The article a feed entry stands for: the best text available, the most trustworthy date.

    Text: the feed's full content, else the fetched page, else the summary.
    Date: the entry's, else the page's, else unknown. A date after
    `first_seen_date` (today when not given; plus a day for time zones) is a
    feed error, not news from the future, and is skipped.
    """
    paragraphs: list[str] = []
    if entry.content_text:
        paragraphs = split_paragraphs(entry.content_text)
    if not paragraphs and page is not None:
        paragraphs = list(page.paragraphs)
    if not paragraphs:
        paragraphs = split_paragraphs(entry.summary_text)
    if not paragraphs:
        raise InputError(entry.url, "no text in the feed entry nor on its page")
    return build_article(
        where=entry.url,
        title=entry.title or (page.title if page is not None else ""),
        outlet=outlet,
        source=entry.url,
        published=_best_date((entry.published, page.published if page else None), first_seen_date),
        language=language or (page.language if page else None) or "",
        paragraphs=paragraphs,
        url=entry.url,
        today=first_seen_date,
    )


def page_to_article(
    page: ExtractedPage, *, url: str, outlet: str, language: str | None, first_seen_date: date | None = None
) -> Article:
    """The article a watched page holds, stored under the page's canonical URL."""
    return build_article(
        where=url,
        title=page.title,
        outlet=outlet,
        source=url,
        published=_best_date((page.published,), first_seen_date),
        language=language or page.language or "",
        paragraphs=page.paragraphs,
        url=url,
        today=first_seen_date,
    )


def _best_date(candidates: Iterable[PublishedDate | None], first_seen: date | None) -> PublishedDate:
    latest = latest_plausible_date(first_seen)
    for candidate in candidates:
        if candidate is None or candidate.value is None:
            continue
        if candidate.value > latest:
            continue
        return candidate
    return PublishedDate.unknown()
