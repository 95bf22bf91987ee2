"""Undoing a response's Content-Encoding in bounded steps, so the byte cap and the deadline hold.

A 1.9 KB response labelled `Content-Encoding: gzip, gzip` can hold a gigabyte:
an HTTP client that inflates each network read in one call produces the whole
expansion before any cap is checked, and does so without returning to the
event loop, so no deadline can interrupt it. Here every layer inflates at most
`PIECE_BYTES` per step (zlib's `max_length`), each piece is handed on at once,
and the caller counts and checks between pieces. At most
`MAX_ENCODING_LAYERS` layers are accepted, and only gzip and deflate (the
encodings newsbot asks for).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from index.errors import FetchError

__all__ = ["BodyDecoder", "MAX_ENCODING_LAYERS", "PIECE_BYTES"]

MAX_ENCODING_LAYERS = 2
"""One layer is what servers send; two is the most any proxy chain explains. More is an attack."""
PIECE_BYTES = 64 * 1024
_GZIP = ("gzip", "x-gzip")
_DEFLATE = ("deflate",)


class _Inflater:
    """One gzip or deflate layer, inflating at most PIECE_BYTES per step."""

    def __init__(self, name: str, shown: str) -> None:
        self.name = name
        self.shown = shown
        self.gzip = name in _GZIP
        self._started = False
        self._engine = self._new_engine(raw_deflate=False)

    def _new_engine(self, *, raw_deflate: bool) -> zlib._Decompress:
        if self.gzip:
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        return zlib.decompressobj(-zlib.MAX_WBITS if raw_deflate else zlib.MAX_WBITS)

    def inflate(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                piece = self._engine.decompress(data, PIECE_BYTES)
            except zlib.error as exc:
                if not self.gzip and not self._started:
                    # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
                    self._started = True
                    self._engine = self._new_engine(raw_deflate=True)
                    continue
                raise FetchError(self.shown, f"the body is not valid {self.name} ({exc})") from None
            self._started = True
            data = self._engine.unconsumed_tail
            if piece:
                yield piece
            if self._engine.eof:
                rest = self._engine.unused_data + data
                if not self.gzip or not rest.strip(b"\x00"):
                    return  # trailing bytes after a deflate stream (or gzip padding) carry nothing
                self._engine = self._new_engine(raw_deflate=False)  # the next member of a multi-member gzip
                data = rest

    def flush(self) -> Iterator[bytes]:
        while True:
            piece = self._engine.decompress(self._engine.unconsumed_tail, PIECE_BYTES)
            if not piece:
                return
            yield piece


class BodyDecoder:
    """Raw body chunks in, decoded pieces of at most PIECE_BYTES out, through every declared layer."""

    def __init__(self, content_encoding: str | None, shown: str) -> None:
        names = [n.strip().lower() for n in (content_encoding or "").split(",")]
        names = [n for n in names if n and n != "identity"]
        if len(names) > MAX_ENCODING_LAYERS:
            raise FetchError(shown, f"{len(names)} content encodings ({content_encoding}); "
                                    f"at most {MAX_ENCODING_LAYERS} are accepted")
        for name in names:
            if name not in _GZIP + _DEFLATE:
                raise FetchError(shown, f"unsupported content encoding {name!r}")
        # The last encoding listed was applied last, so it is undone first.
        self._layers = [_Inflater(name, shown) for name in reversed(names)]

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        if not self._layers:
            for start in range(0, len(chunk), PIECE_BYTES):
                yield chunk[start:start + PIECE_BYTES]
            return
        yield from self._through(0, self._layers[0].inflate(chunk))

    def finish(self) -> Iterator[bytes]:
        for level, layer in enumerate(self._layers):
            yield from self._through(level, layer.flush())

    def _through(self, level: int, pieces: Iterator[bytes]) -> Iterator[bytes]:
        """Pieces that left layer `level`, passed through the layers after it."""
        for piece in pieces:
            if level + 1 == len(self._layers):
                yield piece
            else:
                yield from self._through(level + 1, self._layers[level + 1].inflate(piece))
