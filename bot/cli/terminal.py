"""How one-shot commands talk to the terminal: log levels and the progress bar."""

from __future__ import annotations

import logging
import sys
from typing import Any

__all__ = ["configure_logging", "progress"]


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("sentence_transformers", "httpx", "faiss"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Page extraction reports on every odd page it meets; newsbot reports the outcome itself, naming the input.
    for chatty in ("trafilatura", "htmldate", "courlan"):
        logging.getLogger(chatty).setLevel(logging.ERROR)


def progress(total: int, desc: str, unit: str = "file") -> Any:
    """A tqdm bar on stderr, shown only when stderr is a terminal."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=not sys.stderr.isatty())
