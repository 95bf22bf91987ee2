"""The core: ingest → paragraphs → store → vectors → search. Knows nothing of Discord."""

from index.dates import DatePrecision, PublishedDate, parse_date
from index.errors import InputError, ModelMismatchError, NewsbotError, StoreError
from index.models import Answer, Article, Citation, Hit, IngestResult, Passage, StoredArticle
from index.store import SearchFilters, Store

__all__ = [
    "Answer",
    "Article",
    "Citation",
    "DatePrecision",
    "Hit",
    "IngestResult",
    "InputError",
    "ModelMismatchError",
    "NewsbotError",
    "Passage",
    "PublishedDate",
    "SearchFilters",
    "Store",
    "StoreError",
    "StoredArticle",
    "parse_date",
]
