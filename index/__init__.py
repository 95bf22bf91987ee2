"""The core: ingest → paragraphs → store → vectors → search. Knows nothing of Discord.

Import from the modules: this file imports none of them, so a child process
that runs one module of the package (the feed parser of the web half) does
not load numpy, FAISS and the language models along with it.
"""

__all__ = [
    "analysis",
    "approximate",
    "archive_file",
    "article_building",
    "article_store",
    "charset_decoding",
    "chunking",
    "dates",
    "db",
    "embedder",
    "embedding_batches",
    "embedding_store",
    "errors",
    "glossary",
    "ingest",
    "input_files",
    "language",
    "lexical",
    "lexicon",
    "models",
    "near_duplicates",
    "pages",
    "parsing",
    "query",
    "reindex",
    "search",
    "sides",
    "sources",
    "stopwords",
    "store",
    "term_store",
    "text_cleaning",
    "topic",
    "urls",
    "vectors",
]
