"""Finding passages: text analysis and dictionaries, what a question asks, concept BM25 over the stored terms,
dense search (`dense` says what it needs) over FAISS (exact, or HNSW past a size) or Milvus in cluster mode,
the topic gate, and the fusion of it all (`hybrid`); keeping a running process's dense index in step with what
others store (`vector_refresh` for FAISS, `shared_refresh` for Milvus)."""

__all__ = [
    "analysis",
    "approximate",
    "dense",
    "glossary",
    "hybrid",
    "id_bitmap",
    "lexical",
    "lexicon",
    "milvus",
    "query",
    "shared_refresh",
    "stopwords",
    "topic",
    "vector_refresh",
    "vectors",
]
