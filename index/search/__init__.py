"""Finding passages: text analysis and dictionaries, what a question asks, concept BM25 over the stored terms,
dense search (`dense` says what it needs) over FAISS (exact, or HNSW past a size) or Milvus in cluster mode,
the topic gate, and the fusion of it all (`hybrid`)."""

__all__ = [
    "analysis",
    "approximate",
    "dense",
    "glossary",
    "hybrid",
    "lexical",
    "lexicon",
    "milvus",
    "query",
    "stopwords",
    "topic",
    "vectors",
]
