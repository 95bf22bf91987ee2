"""Fetching news sources over HTTP without letting a source hurt the bot.

Every URL newsbot fetches comes from outside: a feed list edited in Discord, a
link inside a feed, a redirect chosen by a server. So a fetch must not be able
to reach the bot's own network (SSRF: cloud metadata, admin panels on
localhost), hang the poll loop (a server trickling one byte per second never
trips a per-read timeout), or fill memory (a "feed" of several gigabytes).

The rules, all in `Fetcher.fetch`:
- only http and https;
- the host is resolved once per hop, every resolved address must be globally
  routable, and the connection goes to the very address that was checked (the
  URL is rewritten to the IP, with the Host header and the TLS SNI / certificate
  check set to the real host name), so DNS cannot answer differently between
  check and connect;
- redirects are followed here, hop by hop, each hop checked like the first;
- one wall-clock deadline covers resolution, connects, redirects and the body;
- the body is read raw as a stream and inflated in bounded pieces (at most two
  Content-Encoding layers, see `index.sources.content_decoding`), so the byte cap and
  the deadline interrupt a decompression bomb too;
- requests to one host are spaced by a politeness interval.

Which addresses may be reached is `index.sources.addresses`; the spacing of
requests to one host is `index.sources.host_pacing`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from importlib import metadata

import httpx

from index.errors import BlockedAddressError, FetchError, FetchTimeoutError, TooLargeError
from index.sources.addresses import IPAddress, address_refusal
from index.sources.content_decoding import BodyDecoder
from index.sources.host_pacing import HostPacer

__all__ = ["FetchPolicy", "FetchResult", "Fetcher", "charset_from_content_type", "DEFAULT_USER_AGENT"]

log = logging.getLogger(__name__)


def _version() -> str:
    try:
        return metadata.version("newsbot")
    except metadata.PackageNotFoundError:  # running from a bare checkout
        return "dev"


DEFAULT_USER_AGENT = f"newsbot/{_version()} (+news monitoring bot)"

_ALLOWED_SCHEMES = ("http", "https")
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one fetch; the defaults suit polling public news sites."""

    deadline_s: float = 20.0
    """Wall-clock limit for the whole fetch: resolution, every redirect hop and the body."""
    max_bytes: int = 5_000_000
    """Largest (decoded) body accepted; more raises TooLargeError."""
    max_redirects: int = 5
    user_agent: str = DEFAULT_USER_AGENT
    allow_private_networks: bool = False
    """Lift the address rule (tests on loopback, a self-hosted feed on the LAN); schemes, caps and deadline stay."""
    per_host_interval_s: float = 1.0
    """Minimum gap between the starts of two requests to the same host name."""
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 10.0
    """Longest silence between two reads; the deadline bounds the total."""
    tls_context: ssl.SSLContext | None = field(default=None, compare=False)
    """Certificate verification settings (an extra CA, say); None verifies against the system's CA bundle."""
    address_filter: Callable[[IPAddress], bool] | None = field(default=None, compare=False)
    """Replaces the public-address rule when set (True = may connect). For tests that need one loopback hop
    to pass and the next to be refused; production code leaves it None."""


@dataclass(frozen=True)
class FetchResult:
    """A completed fetch: the body, or `not_modified` for a 304 answer to a conditional GET."""

    url: str
    """Where the body came from after redirects; relative links in it resolve against this."""
    status: int
    body: bytes
    content_type: str | None
    etag: str | None
    """The validator to send next time (for a 304 without one: the one that was sent)."""
    last_modified: str | None
    encoding: str | None
    """The charset from Content-Type, if the server named one; a hint, never verified."""
    not_modified: bool
    elapsed_s: float
    redirects: tuple[str, ...] = ()
    """The URLs that answered with a redirect, in order."""


def charset_from_content_type(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, parsed the way mail and HTTP quote it."""
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    if isinstance(charset, str) and charset.strip():
        return charset.strip().strip('"').lower()
    return None


@dataclass(frozen=True)
class _Target:
    """One hop's URL, split into what the connection needs."""

    url: httpx.URL
    host: str
    """ASCII (IDNA) host name, lower case: what DNS, the Host header and SNI get."""
    port: int

    @property
    def host_header(self) -> str:
        default = 443 if self.url.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def host_is_ip(self) -> bool:
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            return False
        return True


def _target(url: str | httpx.URL, shown: str) -> _Target:
    """Parse and check the scheme before anything touches the network."""
    try:
        parsed = httpx.URL(url) if isinstance(url, str) else url
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchError(shown, f"invalid URL ({exc})") from None
    if parsed.scheme not in _ALLOWED_SCHEMES:
        raise FetchError(shown, f"scheme {parsed.scheme or '(none)'!r} is not allowed; only http and https")
    host = parsed.raw_host.decode("ascii").lower()
    if not host:
        raise FetchError(shown, "URL has no host")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return _Target(url=parsed.copy_with(fragment=None), host=host, port=port)


class Fetcher:
    """One HTTP client for all polls, with the safety rules of `FetchPolicy`.

    Use as `async with Fetcher(policy) as f: await f.fetch(url)`, or keep one
    open for the life of the bot and call `aclose()` at shutdown.
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """`clock` and `sleep` pace requests to one host; tests hand in a fake clock to see the waits."""
        self.policy = policy or FetchPolicy()
        self._pacer = HostPacer(self.policy.per_host_interval_s, clock, sleep)
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            verify=self.policy.tls_context if self.policy.tls_context is not None else True,
            # No proxies or .netrc from the environment: a proxy would resolve the host itself,
            # undoing the address check.
            trust_env=False,
            # No keep-alive: connections are pooled by IP, and a pooled TLS connection verified for one
            # host name must not carry a request for another name that resolves to the same IP.
            limits=httpx.Limits(max_keepalive_connections=0),
            headers={
                "User-Agent": self.policy.user_agent,
                # Only what index.sources.content_decoding inflates in bounded steps; the cap counts decoded bytes.
                "Accept-Encoding": "gzip, deflate",
            },
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """GET `url` under the policy; conditional when `etag` / `last_modified` are given.

        The politeness wait before the first hop is not part of the deadline: the
        deadline is about what the remote side can make us spend.
        """
        first = _target(url, url)
        await self._pacer.wait(first.host)
        started = time.monotonic()
        deadline = self.policy.deadline_s
        try:
            async with asyncio.timeout(deadline):
                return await self._follow(first, url, started, etag=etag, last_modified=last_modified)
        except TimeoutError:
            raise FetchTimeoutError(url, f"no complete response within the {deadline:g} s deadline") from None

    async def _follow(
        self, target: _Target, original: str, started: float, *, etag: str | None, last_modified: str | None
    ) -> FetchResult:
        redirects: list[str] = []
        while True:
            response = await self._request(target, started, etag=etag, last_modified=last_modified)
            shown = str(target.url)
            try:
                status = response.status_code
                if status in _REDIRECT_STATUSES:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(shown, f"HTTP {status} redirect without a Location header")
                    if len(redirects) >= self.policy.max_redirects:
                        raise FetchError(original, f"more than {self.policy.max_redirects} redirects")
                    redirects.append(shown)
                    next_url = _join(target.url, location, shown)
                    log.debug("%s redirects (%d) to %s", shown, status, next_url)
                    target = _target(next_url, str(next_url))
                    await self._pacer.wait(target.host)
                    continue
                if status == 304:
                    return self._result(target, response, b"", started, redirects, etag=etag,
                                        last_modified=last_modified)
                if not 200 <= status < 300:
                    raise FetchError(shown, f"HTTP {status}")
                body = await self._read_capped(response, shown, started)
                return self._result(target, response, body, started, redirects, etag=None, last_modified=None)
            finally:
                await response.aclose()

    def _result(
        self,
        target: _Target,
        response: httpx.Response,
        body: bytes,
        started: float,
        redirects: list[str],
        *,
        etag: str | None,
        last_modified: str | None,
    ) -> FetchResult:
        content_type = response.headers.get("content-type")
        return FetchResult(
            url=str(target.url),
            status=response.status_code,
            body=body,
            content_type=content_type,
            etag=response.headers.get("etag") or etag,
            last_modified=response.headers.get("last-modified") or last_modified,
            encoding=charset_from_content_type(content_type),
            not_modified=response.status_code == 304,
            elapsed_s=time.monotonic() - started,
            redirects=tuple(redirects),
        )

    async def _request(
        self, target: _Target, started: float, *, etag: str | None, last_modified: str | None
    ) -> httpx.Response:
        """Send one hop to a checked address and return the response with its body still unread."""
        shown = str(target.url)
        addresses = await self._checked_addresses(target, shown)
        headers = {"Host": target.host_header}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        extensions: dict[str, object] = {}
        if target.url.scheme == "https" and not target.host_is_ip:
            extensions["sni_hostname"] = target.host
        last_error: Exception | None = None
        for address in addresses:
            remaining = max(0.001, self.policy.deadline_s - (time.monotonic() - started))
            timeout = httpx.Timeout(
                connect=min(self.policy.connect_timeout_s, remaining),
                read=min(self.policy.read_timeout_s, remaining),
                write=min(self.policy.read_timeout_s, remaining),
                pool=min(self.policy.connect_timeout_s, remaining),
            )
            request = self._client.build_request(
                "GET", target.url.copy_with(host=str(address)), headers=headers, extensions=extensions,
                timeout=timeout,
            )
            try:
                response = await self._client.send(request, stream=True)
            except httpx.ConnectError as exc:
                log.debug("%s: connecting to %s failed: %s", shown, address, exc)
                last_error = exc
                continue
            except httpx.TimeoutException as exc:
                raise FetchTimeoutError(shown, f"timed out ({type(exc).__name__})") from None
            except httpx.HTTPError as exc:
                raise FetchError(shown, f"{type(exc).__name__}: {exc}") from None
            finally:
                # Cookies are not wanted, and the client would file them under the IP.
                self._client.cookies.clear()
            return response
        raise FetchError(shown, f"cannot connect ({last_error})")

    async def _checked_addresses(self, target: _Target, shown: str) -> list[IPAddress]:
        """All addresses the host resolves to, refusing the hop if any one is off limits.

        Refusing on any (not just the first) closes the DNS answer that mixes a
        public address with 127.0.0.1 and lets connection fallback pick the latter.
        """
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchError(shown, f"cannot resolve host {target.host!r} ({exc})") from None
        addresses: list[IPAddress] = []
        for _family, _type, _proto, _canon, sockaddr in infos:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise FetchError(shown, f"host {target.host!r} has no address")
        for address in addresses:
            reason = self._refusal(address)
            if reason is not None:
                where = f"{address}" if target.host_is_ip else f"{target.host} resolves to {address}"
                log.info("refusing %s: %s (%s)", shown, where, reason)
                raise BlockedAddressError(shown, f"{where}: {reason}")
        return addresses

    def _refusal(self, address: IPAddress) -> str | None:
        if self.policy.allow_private_networks:
            return None
        if self.policy.address_filter is not None:
            if self.policy.address_filter(address):
                return None
            return f"refused by the address filter ({address_refusal(address) or 'public address'})"
        return address_refusal(address)

    async def _read_capped(self, response: httpx.Response, shown: str, started: float) -> bytes:
        """The decoded body, read raw and inflated in bounded pieces (see `index.sources.content_decoding`).

        Both the raw and the decoded byte counts are capped, and the deadline is
        checked, and the event loop given a turn, after every piece: a
        decompression bomb stops at the cap, and a slow one at the deadline.
        """
        cap = self.policy.max_bytes
        declared = response.headers.get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > cap:
            raise TooLargeError(shown, f"Content-Length {int(declared)} exceeds the cap of {cap} bytes")
        decoder = BodyDecoder(response.headers.get("content-encoding"), shown)
        chunks: list[bytes] = []
        raw_total = 0
        total = 0

        async def take(pieces: Iterator[bytes]) -> None:
            nonlocal total
            for piece in pieces:
                total += len(piece)
                if total > cap:
                    raise TooLargeError(shown, f"body exceeds the cap of {cap} bytes")
                chunks.append(piece)
                if time.monotonic() - started > self.policy.deadline_s:
                    raise FetchTimeoutError(shown, f"no complete body within the {self.policy.deadline_s:g} s deadline")
                await asyncio.sleep(0)

        try:
            async for raw in response.aiter_raw():
                raw_total += len(raw)
                if raw_total > cap:
                    raise TooLargeError(shown, f"body exceeds the cap of {cap} bytes")
                await take(decoder.feed(raw))
            await take(decoder.finish())
        except httpx.TimeoutException as exc:
            raise FetchTimeoutError(shown, f"timed out reading the body ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise FetchError(shown, f"reading the body failed ({type(exc).__name__}: {exc})") from None
        return b"".join(chunks)


def _join(base: httpx.URL, location: str, shown: str) -> httpx.URL:
    try:
        return base.join(location.strip()).copy_with(fragment=None)
    except (httpx.InvalidURL, ValueError) as exc:
        raise FetchError(shown, f"invalid redirect Location {location!r} ({exc})") from None
