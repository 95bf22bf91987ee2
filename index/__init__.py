"""The core: ingest → paragraphs → store → vectors → search. Knows nothing of Discord.

Packages by responsibility: `input` (files, pages and feed entries to `Article`s),
`storage` (the archive of record and its repositories), `search` (analysis,
dictionaries, query understanding, lexical and dense retrieval, fusion),
`reading` (the trained reader that judges a passage against a question), and
`sources` (the web half, above the core). Ingest, embedding and re-embedding,
which tie these together, sit at this level.

Import from the modules: no `__init__` of this package imports any of them, so a
child process that runs one module (the feed parser of the web half) does not
load numpy, FAISS and the language models along with it.
"""

__all__ = [
    "embedder",
    "embedding_batches",
    "errors",
    "ingest",
    "input",
    "models",
    "near_duplicates",
    "reading",
    "reindex",
    "search",
    "sides",
    "sources",
    "storage",
]
