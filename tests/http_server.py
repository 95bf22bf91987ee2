"""A loopback HTTP server for fetch and model-server tests: routes set per test, every request recorded.

It runs `http.server` in a background thread, so it keeps serving while the
test's event loop is blocked in the client, and it has nothing to do with the
code under test. Slow routes stop by themselves: no test can hang on it, and a
client that gives up closes the socket, which ends the handler at its next write.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

__all__ = [
    "LoopbackServer",
    "RecordedRequest",
    "Reply",
    "Handler",
    "static",
    "redirect",
    "with_etag",
    "trickle",
    "huge",
    "delayed",
]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    """Header names lower-cased."""
    body: bytes = b""
    """What a POST sent (at most 1 MB is read)."""


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Iterable[bytes] = b""
    """Bytes, or an iterable of chunks written (and flushed) one by one: how slow and endless bodies are made."""


Handler = Callable[[RecordedRequest], Reply]


def static(body: bytes | str, content_type: str = "text/html; charset=utf-8", status: int = 200,
           headers: dict[str, str] | None = None) -> Handler:
    data = body.encode("utf-8") if isinstance(body, str) else body
    all_headers = {"Content-Type": content_type, "Content-Length": str(len(data)), **(headers or {})}
    return lambda _request: Reply(status, all_headers, data)


def redirect(location: str, status: int = 302) -> Handler:
    return lambda _request: Reply(status, {"Location": location, "Content-Length": "0"})


def with_etag(body: bytes, etag: str, content_type: str = "application/rss+xml") -> Handler:
    """200 with an ETag, or 304 when the request's If-None-Match carries it."""

    def handle(request: RecordedRequest) -> Reply:
        if etag in request.headers.get("if-none-match", ""):
            return Reply(304, {"ETag": etag})
        return Reply(200, {"ETag": etag, "Content-Type": content_type, "Content-Length": str(len(body))}, body)

    return handle


def trickle(interval_s: float = 0.2, stop_after_s: float = 5.0) -> Handler:
    """A 200 that sends one byte per interval, with no Content-Length, until `stop_after_s` passes."""

    def chunks() -> Iterator[bytes]:
        end = time.monotonic() + stop_after_s
        while time.monotonic() < end:
            yield b"x"
            time.sleep(interval_s)

    return lambda _request: Reply(200, {"Content-Type": "text/plain"}, chunks())


def huge(total_bytes: int, *, declare_length: bool, chunk: int = 64 * 1024) -> Handler:
    """A body of `total_bytes` generated on the fly, with or without an honest Content-Length."""

    def chunks() -> Iterator[bytes]:
        sent = 0
        block = b"a" * chunk
        while sent < total_bytes:
            piece = block[: min(chunk, total_bytes - sent)]
            sent += len(piece)
            yield piece

    def handle(_request: RecordedRequest) -> Reply:
        headers = {"Content-Type": "application/octet-stream"}
        if declare_length:
            headers["Content-Length"] = str(total_bytes)
        return Reply(200, headers, chunks())

    return handle


def delayed(handler: Handler, seconds: float) -> Handler:
    """`handler`, answering only after `seconds`: a slow server, whose slowness only ever grows on a busy machine."""

    def handle(request: RecordedRequest) -> Reply:
        time.sleep(seconds)
        return handler(request)

    return handle


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve("GET", b"")

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = min(int(self.headers.get("Content-Length") or 0), 1 << 20)
        self._serve("POST", self.rfile.read(length) if length else b"")

    def _serve(self, method: str, body: bytes) -> None:
        request = RecordedRequest(method, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        self.server.owner.record(request)
        handler = self.server.owner.routes.get(self.path.split("?", 1)[0])
        reply = handler(request) if handler else Reply(404, {"Content-Length": "9"}, b"not found")
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Connection", "close")
            self.end_headers()
            if isinstance(reply.body, bytes):
                self.wfile.write(reply.body)
            else:
                for piece in reply.body:
                    self.wfile.write(piece)
                    self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, which is what the slow routes are for

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (signature of the base class)
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: LoopbackServer


class LoopbackServer:
    """`with LoopbackServer() as server:` serves on 127.0.0.1 at an OS-chosen port.

    With `tls`, it speaks HTTPS with that context and records the SNI names clients sent.
    """

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Handler] = {}
        self.sni_names: list[str | None] = []
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _RequestHandler)
        self._httpd.owner = self
        self._scheme = "http"
        if tls is not None:
            tls.sni_callback = self._record_sni
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
            self._scheme = "https"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self._scheme}://{host}:{self.port}{path}"

    def route(self, path: str, handler: Handler) -> str:
        """Serve `path` with `handler` and return its full URL."""
        self.routes[path] = handler
        return self.url(path)

    def _record_sni(self, _sock: ssl.SSLObject | ssl.SSLSocket, name: str | None, _ctx: ssl.SSLContext) -> None:
        with self._lock:
            self.sni_names.append(name)

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
