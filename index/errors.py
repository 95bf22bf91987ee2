"""The one exception tree of newsbot.

    NewsbotError                 anything newsbot raises on purpose
    ├── InputError               an input (file, feed entry, page) that cannot become an article
    ├── ModelMismatchError       the stored vectors were made by another model than the configured one
    ├── ModelLoadError           the configured embedding model cannot be loaded
    ├── StoreError               the database is unusable (wrong schema, locked, corrupt)
    └── FetchError               a source could not be fetched safely
        ├── BlockedAddressError  the URL resolves to an address we refuse to contact
        ├── FetchTimeoutError    the total deadline for one fetch passed
        └── TooLargeError        the body exceeded the byte cap

Callers catch NewsbotError to report a clear one-line message and go on; any
other exception is a bug and is logged with its traceback.
"""

from __future__ import annotations

__all__ = [
    "NewsbotError",
    "InputError",
    "ModelMismatchError",
    "ModelLoadError",
    "StoreError",
    "FetchError",
    "BlockedAddressError",
    "FetchTimeoutError",
    "TooLargeError",
]


class NewsbotError(Exception):
    """Base of every error newsbot raises deliberately."""


class InputError(NewsbotError):
    """An input cannot become an article; the message names the input and the reason."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class ModelMismatchError(NewsbotError):
    """Vectors on disk come from another embedding model (or dimension) than configured."""


class ModelLoadError(NewsbotError):
    """The configured sentence-transformers model is missing or cannot be read (offline, wrong path)."""


class StoreError(NewsbotError):
    """The SQLite store cannot be used as it is."""


class FetchError(NewsbotError):
    """A URL could not be fetched within the safety rules."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class BlockedAddressError(FetchError):
    """The host resolves to a private, loopback or otherwise non-public address."""


class FetchTimeoutError(FetchError):
    """The whole fetch took longer than its deadline."""


class TooLargeError(FetchError):
    """The response body is larger than the configured cap."""
