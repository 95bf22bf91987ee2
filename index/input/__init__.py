"""Everything that turns outside bytes into an `Article`: files and folders, seed text, JSON Lines and HTML
pages, charsets, dates with their precision, paragraphs and sentences, language, URLs, and the cleaning every
label and paragraph goes through on the way in. Pure functions on bytes and text: no store, no model."""

__all__ = [
    "article_building",
    "charset_decoding",
    "chunking",
    "dates",
    "input_files",
    "language",
    "pages",
    "parsing",
    "text_cleaning",
    "urls",
]
