"""The web half: monitored sources, fetched safely, their feeds and pages turned into articles.

It imports the core (`index.*`) and the core never imports it: local files are
parsed without it (`index.parsing`, `index.pages`). Import from the modules:
this file imports none of them, so the feed parser's child process
(`python -I -m index.sources.feed_worker`) loads feedparser and nothing else.
"""

__all__ = [
    "addresses",
    "content_decoding",
    "dtd",
    "entry_articles",
    "feed_worker",
    "feeds",
    "fetch",
    "host_pacing",
    "html_text",
    "monitor",
    "registry",
    "word_matching",
]
