"""Search on Milvus for cluster mode: the dense vectors, the analysed terms as a sparse vector, the filter fields.

One collection per archive (`search.milvus_collection`), one row per
paragraph, keyed by paragraph id:

* `dense`: the paragraph's vector (FLAT index, inner product = cosine, exact
  like FAISS's exact layout; Milvus shards and replicates it across query nodes);
* `terms`: the analysed terms and adjacent pairs of terms (for phrases such as
  "lachin corridor"), each weighted as BM25 weighs a term in a paragraph, keyed
  by a 32-bit hash of the term. A question's concepts become a sparse query of
  every form (glossary spellings, translations, transliterations) weighted by
  its idf and its form's weight, so the lexical candidates follow the same
  concept BM25 as FTS5 finds them in the SQLite archive;
* `article_id`, `published_first`, `published_last` (yyyymmdd, 0 when unknown),
  `language`, `outlet` (lower case), `side`, and `days` (the days a paragraph
  names): the fields searches filter on.

Candidates come from here; every candidate then gets every score in
`index.search.hybrid` exactly as in the default mode (the cosine of a
candidate is computed from the archive's own vector), so the fusion is the
same. Milvus's own `hybrid_search` with a `WeightedRanker` fuses only the
scores each half returned and would give a passage found by one half no
score from the other.

Milvus is written only from the archive's outbox (`index.storage.postgres.
search_outbox`), after the article's transaction committed; `newsbot reindex`
rebuilds the collection from PostgreSQL.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
import zlib
from collections import Counter, OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from index.errors import StoreError
from index.search.approximate import EXACT_FILTER_MAX
from index.search.dense import IndexHealth
from index.storage.protocols import EmbeddingRepository
from index.storage.records import IndexedArticle, IndexedParagraph, SearchFilters

try:
    from pymilvus import DataType, MilvusClient
except ImportError:  # pragma: no cover - the cluster extra is not installed
    MilvusClient = None

__all__ = ["MilvusIndex", "term_key"]

log = logging.getLogger(__name__)

K1 = 1.2
B = 0.75
TYPICAL_TERMS = 45.0
"""Length (in terms) that BM25's length normalisation of the stored weights takes as average: the final
lexical score is computed from the stored terms with the archive's real mean, this only ranks candidates."""
MAX_DAYS = 64
MAX_TOPK = 16_384
COUNT_SECONDS = 1.0
"""How long a paragraph count read from Milvus is reused (every question asks for the archive's size)."""
DRAIN_BATCH = 64
CACHED_VECTORS = 32_768
"""Vectors kept in the process (64 MB at 512 dimensions) for exact searches over a few thousand paragraphs."""
KEEPALIVE_MS = 60_000
"""How often the client pings the server during a call. pymilvus pings every 10 s; a gRPC server at its defaults
(Milvus Lite's) takes a ping sooner than five minutes after the last, while it has sent nothing, as a strike and
ends the connection after two ("too many pings"): a flush that took half a minute on a busy machine did that."""
FLUSH_EVERY = 256
"""Rows written between flushes (the writing process flushes; see `MilvusIndex.save_if_due`). Milvus Lite searches
unflushed rows without an index: 1,500 of them cost 175 ms a search here, flushed 10 ms, and a flush about 0.25 s."""


def term_key(term: str) -> int:
    """The sparse dimension of a term or a pair of terms ("lachin corridor")."""
    return zlib.crc32(term.encode("utf-8"))


def _yyyymmdd(day: Any) -> int:
    return int(day.strftime("%Y%m%d")) if day is not None else 0


def sparse_terms(terms: str) -> dict[int, float]:
    """A paragraph's terms and adjacent pairs, each weighted by BM25's saturated term frequency."""
    words = terms.split()
    counts: Counter[str] = Counter(words)
    counts.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    norm = K1 * (1 - B + B * len(words) / TYPICAL_TERMS)
    out: dict[int, float] = {}
    for term, tf in counts.items():
        key = term_key(term)
        out[key] = max(out.get(key, 0.0), tf * (K1 + 1) / (tf + norm))
    return out or {0: 1e-6}


def _literal(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def filter_expression(filters: SearchFilters | None) -> str:
    """SearchFilters as a Milvus boolean expression (the same rule as `SearchFilters.sql`)."""
    if filters is None:
        return ""
    clauses: list[str] = []
    if filters.since is not None:
        clauses.append(f"published_last >= {_yyyymmdd(filters.since)}")
    if filters.until is not None:
        clauses.append(f"(published_first > 0 and published_first <= {_yyyymmdd(filters.until)})")
    if filters.language:
        clauses.append(f"language == {_literal(filters.language.lower())}")
    if filters.outlet:
        clauses.append(f"outlet == {_literal(filters.outlet.lower())}")
    return " and ".join(clauses)


def _joined(*parts: str) -> str:
    return " and ".join(f"({p})" for p in parts if p)


class MilvusIndex:
    """Dense and sparse search over one Milvus collection, fed from the archive's outbox. Thread-safe."""

    layout = "milvus"
    filters_natively = True
    """Filters go to Milvus as an expression instead of a list of allowed paragraph ids."""

    def __init__(self, uri: str, collection: str, dimension: int, model_id: str, *,
                 embeddings: EmbeddingRepository, outbox: Any) -> None:
        if MilvusClient is None:
            raise StoreError("cluster mode needs the `cluster` extra (PostgreSQL and Milvus clients): "
                             "pip install 'newsbot[cluster]'")
        self.uri = uri
        self.collection = collection
        self.dimension = dimension
        self.model_id = model_id
        self.embeddings = embeddings
        self.outbox = outbox
        self.last_health: IndexHealth | None = None
        self._lock = threading.RLock()
        self._count: tuple[float, int] = (0.0, -1)
        self._unflushed = 0
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()
        """Rows written since the last flush: Milvus searches unflushed (growing) segments by brute force."""
        try:
            self.client = MilvusClient(uri=uri, timeout=30.0, dedicated=True,
                                       grpc_options={"grpc.keepalive_time_ms": KEEPALIVE_MS})
        except Exception as exc:
            raise StoreError(f"cannot reach Milvus at {uri} ({exc})") from None

    # -- the collection ---------------------------------------------------------------------------------

    def _description(self) -> str:
        return json.dumps({"model_id": self.model_id, "dimension": self.dimension})

    def _create(self) -> None:
        schema = self.client.create_schema(auto_id=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("article_id", DataType.INT64)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=self.dimension)
        schema.add_field("terms", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("published_first", DataType.INT64)
        schema.add_field("published_last", DataType.INT64)
        schema.add_field("precision", DataType.VARCHAR, max_length=16)
        schema.add_field("language", DataType.VARCHAR, max_length=16)
        schema.add_field("outlet", DataType.VARCHAR, max_length=512)
        schema.add_field("side", DataType.VARCHAR, max_length=32)
        schema.add_field("days", DataType.ARRAY, element_type=DataType.INT64, max_capacity=MAX_DAYS)
        params = self.client.prepare_index_params()
        params.add_index("dense", index_type="FLAT", metric_type="IP")
        params.add_index("terms", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
        try:
            self.client.create_collection(self.collection, schema=schema, index_params=params,
                                          consistency_level="Strong")
        except Exception:
            if not self.client.has_collection(self.collection):  # another process did not create it meanwhile
                raise

    def _open(self) -> bool:
        """Make sure the collection exists for this model; True when it was (re)created empty.

        Which model a collection was made for is kept in the archive's `meta` (Milvus Lite does not keep a
        collection's description), next to the vectors it was made from."""
        key = f"milvus_collection:{self.collection}"
        if self.client.has_collection(self.collection):
            made_for = self.outbox.db.meta(key)
            if made_for == self._description():
                self.client.load_collection(self.collection)
                return False
            log.warning("Milvus collection %s was made for %s; rebuilding it", self.collection, made_for)
            self.client.drop_collection(self.collection)
        self._create()
        self.client.load_collection(self.collection)
        self.outbox.set_meta(key, self._description())
        return True

    def __len__(self) -> int:
        at, count = self._count
        if count < 0 or time.monotonic() - at > COUNT_SECONDS:
            rows = self.client.query(self.collection, filter="", output_fields=["count(*)"])
            count = int(rows[0]["count(*)"])
            self._count = (time.monotonic(), count)
        return count

    def ids(self) -> np.ndarray:
        found: list[int] = []
        iterator = self.client.query_iterator(self.collection, batch_size=8192, filter="", output_fields=["id"])
        try:
            while batch := iterator.next():
                found.extend(int(row["id"]) for row in batch)
        finally:
            iterator.close()
        return np.array(sorted(found), dtype=np.int64)

    # -- keeping in step with the archive ---------------------------------------------------------------

    def _apply(self, articles: list[IndexedArticle]) -> None:
        """Replace these articles' rows with what the archive holds now (none for a removed article)."""
        stale = [a.article_id for a in articles if not a.fresh]
        if stale:
            self.client.delete(self.collection, filter=f"article_id in {stale}")
        rows = [self._row(p) for a in articles for p in a.paragraphs]
        for start in range(0, len(rows), 2048):
            self.client.insert(self.collection, rows[start:start + 2048])
        self._count = (0.0, -1)
        self._unflushed += len(rows) + len(stale)

    @staticmethod
    def _row(paragraph: IndexedParagraph) -> dict[str, object]:
        return {
            "id": paragraph.id, "article_id": paragraph.article_id,
            "dense": np.asarray(paragraph.vector, dtype=np.float32).tolist(),
            "terms": sparse_terms(paragraph.terms),
            "published_first": _yyyymmdd(paragraph.published_first),
            "published_last": _yyyymmdd(paragraph.published_last),
            "precision": paragraph.precision, "language": paragraph.language,
            "outlet": paragraph.outlet.lower()[:512], "side": paragraph.side,
            "days": [_yyyymmdd(d) for d in paragraph.days[:MAX_DAYS]],
        }

    def drain(self) -> int:
        """Take in everything queued in the outbox (by any process); how many articles."""
        done = 0
        while taken := self.outbox.drain(self._apply, DRAIN_BATCH):
            done += taken
        return done

    def load(self, store: EmbeddingRepository) -> IndexHealth:
        store.check_model(self.model_id)
        with self._lock:
            created = self._open()
            if created:
                self.outbox.enqueue_all()
            if self.drain():
                self.save()
            return self.sync(store, rebuilt=created)

    def sync(self, store: EmbeddingRepository, *, rebuilt: bool = False) -> IndexHealth:
        """Compare Milvus with the archive by id: queue the articles of missing paragraphs, drop extra rows."""
        stored = store.paragraph_ids()
        present = self.ids()
        missing = np.setdiff1d(stored, present, assume_unique=True)
        extra = np.setdiff1d(present, stored, assume_unique=True)
        if len(extra):
            for start in range(0, len(extra), 4096):
                self.client.delete(self.collection, ids=[int(i) for i in extra[start:start + 4096]])
        if len(missing):
            rows = self._archive_articles_of(missing)
            self.outbox.enqueue(rows)
            self.drain()
        if len(missing) or len(extra):
            log.info("Milvus synced with the archive: +%d −%d", len(missing), len(extra))
        self._count = (0.0, -1)
        health = IndexHealth(vectors=len(self), stored=int(store.vector_count()), model_id=self.model_id,
                             dimension=self.dimension, rebuilt=rebuilt, added=0 if rebuilt else int(len(missing)),
                             removed=int(len(extra)), layout=self.layout)
        self.last_health = health
        return health

    def _archive_articles_of(self, paragraph_ids: np.ndarray) -> list[int]:
        rows = self.outbox.db.read("SELECT DISTINCT article_id FROM paragraphs WHERE id = ANY(%s)",
                                   ([int(i) for i in paragraph_ids],))
        return [int(r["article_id"]) for r in rows]

    def rebuild(self, store: EmbeddingRepository) -> IndexHealth:
        """Drop the collection and take every stored article in again (`newsbot reindex`)."""
        with self._lock:
            self._cache.clear()  # the vectors may be a new model's
            if self.client.has_collection(self.collection):
                self.client.drop_collection(self.collection)
            self._create()
            self.client.load_collection(self.collection)
            self.outbox.set_meta(f"milvus_collection:{self.collection}", self._description())
            if not self.outbox.pending():  # `reindex` queued every article with the new vectors already
                self.outbox.enqueue_all()
            self.drain()
            return self.sync(store, rebuilt=True)

    def rebuild_if_due(self, store: EmbeddingRepository) -> bool:
        return False  # Milvus keeps its own index layout

    def holds(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """A mask: which of these paragraph ids the collection holds. Every process reads the same collection,
        so what another process stored is held as soon as its outbox rows were taken in; no process keeps a
        copy to bring up to date (see `index.search.shared_refresh`)."""
        wanted = np.asarray(ids, dtype=np.int64)
        held: set[int] = set()
        for start in range(0, len(wanted), 4096):
            part = [int(i) for i in wanted[start:start + 4096]]
            held.update(int(row["id"]) for row in self.client.query(self.collection, filter=f"id in {part}",
                                                                    output_fields=["id"]))
        return np.fromiter((int(i) in held for i in wanted), dtype=bool, count=len(wanted))

    def update(self, added_ids: Sequence[int] | np.ndarray, vectors: np.ndarray,
               removed_ids: Sequence[int] | np.ndarray = ()) -> None:
        """After an article's transaction: take in whatever the outbox holds (this write and any other's)."""
        with self._lock:
            for pid in removed_ids:
                self._cache.pop(int(pid), None)
            self._remember(added_ids, vectors)
        self.drain()

    def _remember(self, ids: Sequence[int] | np.ndarray, vectors: np.ndarray) -> None:
        for pid, vector in zip(ids, vectors, strict=True):
            self._cache[int(pid)] = np.asarray(vector, dtype=np.float32)
            self._cache.move_to_end(int(pid))
        while len(self._cache) > CACHED_VECTORS:
            self._cache.popitem(last=False)

    def _vectors(self, ids: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(ids still in the archive, their vectors): from this process's cache, the rest from the archive."""
        with self._lock:
            missing = [int(i) for i in ids if int(i) not in self._cache]
        if missing:
            fetched = self.embeddings.vectors_for(missing, self.dimension)
            present = np.any(fetched != 0, axis=1)  # a paragraph no longer in the archive has no vector
            with self._lock:
                self._remember([i for i, kept in zip(missing, present, strict=True) if kept], fetched[present])
        with self._lock:
            found = [int(i) for i in ids if int(i) in self._cache]
            matrix = (np.stack([self._cache[i] for i in found]) if found
                      else np.zeros((0, self.dimension), dtype=np.float32))
        return np.array(found, dtype=np.int64), matrix

    def _exact(self, queries: np.ndarray, k: int, ids: Sequence[int] | np.ndarray) -> list[list[tuple[int, float]]]:
        """Exact search over a few thousand paragraphs (a day's reports, a date window), as FAISS does for
        small filters: cheaper than Milvus evaluating an id list, and it sees every committed paragraph."""
        found, matrix = self._vectors(ids)
        scores = np.atleast_2d(queries).astype(np.float32) @ matrix.T
        out: list[list[tuple[int, float]]] = []
        for row in scores:
            best = np.argsort(-row, kind="stable")[:k]
            out.append([(int(found[i]), float(row[i])) for i in best])
        return out

    def save(self) -> None:
        """Seal what was written into indexed segments (Milvus persists every write by itself)."""
        with self._lock:
            self.client.flush(self.collection)
            self._unflushed = 0

    def save_if_due(self) -> bool:
        """Flush once `FLUSH_EVERY` rows were written: growing segments are searched without their index."""
        if self._unflushed < FLUSH_EVERY:
            return False
        self.save()
        return True

    def save_if_changed(self) -> bool:
        if not self._unflushed:
            return False
        self.save()
        return True

    def forget_count(self) -> None:
        """Count the collection again at the next ask: another process wrote (`index.search.shared_refresh`)."""
        self._count = (0.0, -1)

    def close(self) -> None:
        """Let go of this index's connection to Milvus (its own, `dedicated`: closing it ends no other's)."""
        self.client.close()

    def describe(self) -> dict[str, object]:
        return {"engine": "milvus", "uri": self.uri, "collection": self.collection, "vectors": len(self),
                "pending": int(self.outbox.pending())}

    # -- search -----------------------------------------------------------------------------------------

    def _search(self, field: str, data: list[Any], k: int, expression: str) -> list[list[tuple[int, float]]]:
        if k <= 0 or not data:
            return [[] for _ in data]
        results = self.client.search(self.collection, data=data, anns_field=field, limit=min(k, MAX_TOPK),
                                     filter=expression, output_fields=["id"], search_params={"metric_type": "IP"})
        return [[(int(hit["id"]), float(hit["distance"])) for hit in hits] for hits in results]

    def search_many(self, queries: np.ndarray, k: int, allowed: Sequence[int] | np.ndarray | None = None,
                    filters: SearchFilters | None = None) -> list[list[tuple[int, float]]]:
        expression = filter_expression(filters)
        if allowed is not None:
            if len(allowed) == 0:
                return [[] for _ in range(len(np.atleast_2d(queries)))]
            if len(allowed) <= EXACT_FILTER_MAX and not expression:
                return self._exact(queries, k, allowed)
            expression = _joined(f"id in {[int(i) for i in allowed]}", expression)
            k = min(k, len(allowed))
        data = [np.asarray(q, dtype=np.float32).tolist() for q in np.atleast_2d(queries)]
        return self._search("dense", data, k, expression)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None,
               filters: SearchFilters | None = None) -> list[tuple[int, float]]:
        return self.search_many(query.reshape(1, -1), k, allowed, filters)[0]

    def scores(self, query: np.ndarray, ids: Sequence[int]) -> dict[int, float]:
        """The cosine of the query with each of these paragraphs, from the archive's own vectors."""
        if not len(ids):
            return {}
        found, matrix = self._vectors(ids)
        values = matrix @ np.asarray(query, dtype=np.float32)
        return {int(i): float(v) for i, v in zip(found, values, strict=True)}

    def concept_candidates(self, weights: dict[tuple[str, ...], float], limit: int,
                           filters: SearchFilters | None) -> list[int]:
        """Paragraphs holding the most concept weight (a form's weight × the stored BM25 weight of the form)."""
        query: dict[int, float] = {}
        for phrase, weight in weights.items():
            if weight <= 0 or not phrase:
                continue
            parts = list(phrase) if len(phrase) == 1 else [f"{a} {b}" for a, b in zip(phrase, phrase[1:],
                                                                                       strict=False)]
            share = weight / len(parts)
            for part in parts:
                key = term_key(part)
                query[key] = max(query.get(key, 0.0), share)
        if not query or not math.isfinite(sum(query.values())):
            return []
        return [pid for pid, _ in self._search("terms", [query], limit, filter_expression(filters))[0]]
