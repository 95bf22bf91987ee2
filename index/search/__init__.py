"""Finding passages: text analysis and dictionaries, what a question asks, concept BM25 over the stored terms,
dense search over FAISS (exact, or HNSW past a size), the topic gate, and the fusion of it all (`hybrid`)."""

__all__ = [
    "analysis",
    "approximate",
    "glossary",
    "hybrid",
    "id_bitmap",
    "lexical",
    "lexicon",
    "query",
    "stopwords",
    "topic",
    "vector_refresh",
    "vectors",
]
