"""A numbered source quoted in an answer, a digest, a timeline or a side's account.

The quote is always the whole passage (`passage.text`); renderers cut it to
fit, around the `marked` sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.models import Passage, StoredArticle

__all__ = ["Citation"]


@dataclass(frozen=True)
class Citation:

    n: int
    passage: Passage
    score: float
    marked: str
    """The sentence of the passage that best answers the question (or best sums up the story)."""
    also_in: tuple[StoredArticle, ...] = ()
    """Other outlets that carried the same passage (near-duplicates folded into this citation)."""

    def to_dict(self) -> dict[str, object]:
        """The JSON shape promised by `newsbot ask --json`."""
        article = self.passage.article
        return {
            "n": self.n,
            "article_id": article.id,
            "title": article.title,
            "outlet": article.outlet,
            "url": article.url,
            "source": article.source,
            "published": article.published.iso(),
            "date_precision": article.published.precision.value,
            "language": article.language,
            "paragraph": self.passage.position,
            "text": self.passage.text,
            "marked": self.marked,
            "score": round(self.score, 4),
            "also_in": [
                {"article_id": a.id, "outlet": a.outlet, "url": a.url, "source": a.source}
                for a in self.also_in
            ],
        }
