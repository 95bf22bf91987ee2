"""Safe fetching: address rules, redirects hop by hop, deadlines, byte caps, conditional GET.

Network tests talk to a loopback server only; nothing here leaves the machine.
Since nothing public is reachable, the "public first hop" of a redirect attack
is simulated with `FetchPolicy.address_filter` letting exactly one hop through.
"""

from __future__ import annotations

import gzip
import ipaddress
import shutil
import ssl
import subprocess
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.errors import BlockedAddressError, FetchError, FetchTimeoutError, TooLargeError
from index.sources.addresses import IPAddress, address_refusal, is_public_address
from index.sources.content_decoding import PIECE_BYTES, BodyDecoder
from index.sources.fetch import DEFAULT_USER_AGENT, Fetcher, FetchPolicy, charset_from_content_type
from tests.http_server import LoopbackServer, Reply, delayed, huge, redirect, static, trickle, with_etag

LOOPBACK = FetchPolicy(allow_private_networks=True, per_host_interval_s=0.0, deadline_s=5.0)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


def _first_hop_only() -> FetchPolicy:
    """A policy under which the first address check passes and every later one fails."""
    calls: list[IPAddress] = []

    def allow(address: IPAddress) -> bool:
        calls.append(address)
        return len(calls) == 1

    return FetchPolicy(address_filter=allow, per_host_interval_s=0.0, deadline_s=5.0)


# --- address classification -------------------------------------------------------------------------------------

REFUSED = [
    "10.0.0.1", "172.16.0.1", "192.168.1.1", "127.0.0.1", "169.254.169.254", "100.64.0.1", "::1", "fe80::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "fd00:ec2::254", "0.0.0.0",
    "::", "224.0.0.1", "ff02::1", "240.0.0.1", "255.255.255.255", "198.18.0.1", "192.0.0.170", "fec0::1",
    "168.63.129.16",  # Azure wire server: looks public
    "2002:a00:1::",  # 6to4 carrying 10.0.0.1
    "2002:7f00:1::",  # 6to4 carrying 127.0.0.1
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo carrying 127.0.0.1
    "64:ff9b::a00:1",  # NAT64 carrying 10.0.0.1
    "::7f00:1",  # IPv4-compatible 127.0.0.1
    "::5db8:d822",  # IPv4-compatible, deprecated even when public
]
ALLOWED = ["93.184.216.34", "2606:4700::1111", "1.1.1.1", "2a00:1450:4001:80b::200e", "64:ff9b::5db8:d822"]


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert not is_public_address(ip)
    assert address_refusal(ip)


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_refusal(ipaddress.ip_address(address)) is None


def test_refusal_names_the_embedded_address() -> None:
    reason = address_refusal(ipaddress.ip_address("::ffff:10.0.0.1"))
    assert reason is not None and "10.0.0.1" in reason and "private" in reason
    assert address_refusal(ipaddress.ip_address("169.254.169.254")) == "cloud metadata endpoint"


@pytest.mark.parametrize(
    ("header", "charset"),
    [
        ("text/xml; charset=ISO-8859-1", "iso-8859-1"),
        ('application/rss+xml; charset="windows-1252"', "windows-1252"),
        ("text/html", None),
        (None, None),
    ],
)
def test_charset_from_content_type(header: str | None, charset: str | None) -> None:
    assert charset_from_content_type(header) == charset


def test_user_agent_names_the_bot() -> None:
    assert DEFAULT_USER_AGENT.startswith("newsbot/") and "news monitoring bot" in DEFAULT_USER_AGENT


# --- schemes and addresses on the wire ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.org/feed.xml", "gopher://example.org/1", "javascript:alert(1)",
     "data:text/plain,hello", "feed://example.org/rss", "http:///no-host", "not a url"],
)
async def test_only_http_and_https_are_fetched(url: str) -> None:
    async with Fetcher(LOOPBACK) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch(url)
    assert not isinstance(caught.value, BlockedAddressError)
    assert url in str(caught.value)


async def test_loopback_is_refused_by_default(server: LoopbackServer) -> None:
    url = server.route("/feed", static("secret"))
    async with Fetcher(FetchPolicy(per_host_interval_s=0.0)) as fetcher:
        with pytest.raises(BlockedAddressError, match="loopback"):
            await fetcher.fetch(url)
        with pytest.raises(BlockedAddressError):
            await fetcher.fetch(server.url("/feed", host="localhost"))
    assert server.requests == []


@pytest.mark.parametrize(
    "host", ["2130706433", "0x7f.0.0.1", "127.1", "[::ffff:127.0.0.1]", "[::1]", "169.254.169.254", "10.1.2.3"]
)
async def test_loopback_and_private_spellings_are_refused(server: LoopbackServer, host: str) -> None:
    async with Fetcher(FetchPolicy(per_host_interval_s=0.0)) as fetcher:
        with pytest.raises(BlockedAddressError):
            await fetcher.fetch(f"http://{host}:{server.port}/feed")
    assert server.requests == []


async def test_fetch_connects_to_the_checked_address_with_the_host_header(server: LoopbackServer) -> None:
    server.route("/page", static("<p>hello</p>"))
    async with Fetcher(LOOPBACK) as fetcher:
        result = await fetcher.fetch(server.url("/page#section", host="localhost"))
    assert result.status == 200 and result.body == b"<p>hello</p>"
    assert result.url == server.url("/page", host="localhost")
    assert result.encoding == "utf-8" and result.content_type == "text/html; charset=utf-8"
    assert not result.not_modified
    (request,) = server.requests
    assert request.headers["host"] == f"localhost:{server.port}"
    assert request.headers["user-agent"] == DEFAULT_USER_AGENT
    assert request.path == "/page"


async def test_redirects_are_followed_and_reported(server: LoopbackServer) -> None:
    server.route("/final", static("done"))
    server.route("/moved", redirect("/final", status=301))
    start = server.route("/start", redirect(server.url("/moved", host="localhost")))
    async with Fetcher(LOOPBACK) as fetcher:
        result = await fetcher.fetch(start)
    assert result.body == b"done"
    assert result.url == server.url("/final", host="localhost")
    assert result.redirects == (start, server.url("/moved", host="localhost"))
    assert server.paths() == ["/start", "/moved", "/final"]


async def test_redirect_to_a_private_address_is_refused_before_connecting(server: LoopbackServer) -> None:
    server.route("/secret", static("internal admin page"))
    start = server.route("/start", redirect(server.url("/secret", host="localhost")))
    async with Fetcher(_first_hop_only()) as fetcher:
        with pytest.raises(BlockedAddressError) as caught:
            await fetcher.fetch(start)
    assert "/secret" in str(caught.value)
    assert server.paths() == ["/start"]


async def test_redirect_to_cloud_metadata_is_refused(server: LoopbackServer) -> None:
    start = server.route("/start", redirect("http://169.254.169.254/latest/meta-data/"))
    policy = FetchPolicy(address_filter=lambda ip: ip.is_loopback or is_public_address(ip), per_host_interval_s=0.0)
    async with Fetcher(policy) as fetcher:
        with pytest.raises(BlockedAddressError, match="metadata"):
            await fetcher.fetch(start)
    assert server.paths() == ["/start"]


@pytest.mark.parametrize("location", ["file:///etc/passwd", "gopher://127.0.0.1:70/", "ftp://127.0.0.1/x"])
async def test_redirect_to_another_scheme_is_refused(server: LoopbackServer, location: str) -> None:
    start = server.route("/start", redirect(location))
    async with Fetcher(LOOPBACK) as fetcher:
        with pytest.raises(FetchError, match="only http and https"):
            await fetcher.fetch(start)
    assert server.paths() == ["/start"]


async def test_redirect_loops_stop_at_the_limit(server: LoopbackServer) -> None:
    url = server.route("/loop", redirect("/loop"))
    async with Fetcher(FetchPolicy(allow_private_networks=True, per_host_interval_s=0.0, max_redirects=3)) as f:
        with pytest.raises(FetchError, match="more than 3 redirects"):
            await f.fetch(url)
    assert server.paths() == ["/loop"] * 4


@pytest.mark.parametrize("status", [404, 500, 403])
async def test_error_statuses_raise_with_the_status(server: LoopbackServer, status: int) -> None:
    url = server.route("/gone", static("nope", status=status))
    async with Fetcher(LOOPBACK) as fetcher:
        with pytest.raises(FetchError, match=f"HTTP {status}"):
            await fetcher.fetch(url)


async def test_nothing_listening_is_a_fetch_error() -> None:
    with LoopbackServer() as stopped:
        url = stopped.url("/x")
    async with Fetcher(LOOPBACK) as fetcher:
        with pytest.raises(FetchError, match="cannot connect"):
            await fetcher.fetch(url)


# --- conditional GET --------------------------------------------------------------------------------------------

async def test_second_fetch_with_the_etag_is_not_modified(server: LoopbackServer) -> None:
    url = server.route("/feed", with_etag(b"<rss/>", '"v1"'))
    async with Fetcher(LOOPBACK) as fetcher:
        first = await fetcher.fetch(url)
        second = await fetcher.fetch(url, etag=first.etag, last_modified="Tue, 10 Nov 2020 08:00:00 GMT")
    assert first.body == b"<rss/>" and first.etag == '"v1"' and not first.not_modified
    assert second.not_modified and second.status == 304 and second.body == b""
    assert second.etag == '"v1"'
    assert second.last_modified == "Tue, 10 Nov 2020 08:00:00 GMT"
    sent = server.requests[1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Tue, 10 Nov 2020 08:00:00 GMT"
    assert "if-none-match" not in server.requests[0].headers


async def test_304_without_validators_keeps_the_ones_sent(server: LoopbackServer) -> None:
    url = server.route("/feed", lambda _request: Reply(304, {}))
    async with Fetcher(LOOPBACK) as fetcher:
        result = await fetcher.fetch(url, etag='"old"')
    assert result.not_modified and result.etag == '"old"' and result.last_modified is None


# --- deadline and caps ------------------------------------------------------------------------------------------

async def test_a_trickling_server_hits_the_total_deadline(server: LoopbackServer) -> None:
    # The body would complete (20 bytes) after 4 s; each byte arrives well within the read timeout,
    # so only the total deadline can turn this into an error.
    url = server.route("/slow", trickle(interval_s=0.2, stop_after_s=4.0))
    policy = FetchPolicy(allow_private_networks=True, per_host_interval_s=0.0, deadline_s=1.0, read_timeout_s=5.0)
    async with Fetcher(policy) as fetcher:
        with pytest.raises(FetchTimeoutError, match="deadline"):
            await fetcher.fetch(url)


async def test_the_deadline_covers_redirect_hops(server: LoopbackServer) -> None:
    # Each hop alone fits in the deadline, both together do not: a deadline per hop would let this pass.
    server.route("/final", delayed(static("done"), 0.4))
    url = server.route("/start", delayed(redirect("/final"), 0.4))
    policy = FetchPolicy(allow_private_networks=True, per_host_interval_s=0.0, deadline_s=0.6)
    async with Fetcher(policy) as fetcher:
        with pytest.raises(FetchTimeoutError):
            await fetcher.fetch(url)


async def test_declared_oversized_body_is_refused_before_reading(server: LoopbackServer) -> None:
    url = server.route("/big", huge(50_000_000, declare_length=True))
    policy = FetchPolicy(allow_private_networks=True, per_host_interval_s=0.0, max_bytes=1_000_000)
    async with Fetcher(policy) as fetcher:
        with pytest.raises(TooLargeError, match="Content-Length 50000000"):
            await fetcher.fetch(url)


async def test_undeclared_oversized_body_stops_at_the_cap(server: LoopbackServer) -> None:
    url = server.route("/big", huge(50_000_000, declare_length=False))
    policy = FetchPolicy(allow_private_networks=True, per_host_interval_s=0.0, max_bytes=1_000_000)
    async with Fetcher(policy) as fetcher:
        with pytest.raises(TooLargeError, match="cap of 1000000"):
            await fetcher.fetch(url)


async def test_a_body_of_exactly_the_cap_is_accepted(server: LoopbackServer) -> None:
    url = server.route("/edge", huge(100_000, declare_length=False))
    policy = FetchPolicy(allow_private_networks=True, per_host_interval_s=0.0, max_bytes=100_000)
    async with Fetcher(policy) as fetcher:
        assert len((await fetcher.fetch(url)).body) == 100_000


async def test_the_cap_counts_decompressed_bytes(server: LoopbackServer) -> None:
    bomb = gzip.compress(b"\0" * 20_000_000)
    url = server.route("/bomb", static(bomb, content_type="application/xml", headers={"Content-Encoding": "gzip"}))
    policy = FetchPolicy(allow_private_networks=True, per_host_interval_s=0.0, max_bytes=1_000_000)
    async with Fetcher(policy) as fetcher:
        with pytest.raises(TooLargeError):
            await fetcher.fetch(url)
    assert len(bomb) < 1_000_000


def _layered(data: bytes, *encodings: str) -> bytes:
    """`data` compressed once per encoding, in the order a server would apply them."""
    for encoding in encodings:
        wbits = {"gzip": 31, "deflate": 15, "raw-deflate": -15}[encoding]
        compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
        data = compressor.compress(data) + compressor.flush()
    return data


@pytest.mark.parametrize(
    ("encodings", "header"),
    [(("gzip",), "gzip"), (("deflate",), "deflate"), (("raw-deflate",), "deflate"),
     (("gzip", "gzip"), "gzip, gzip"), (("deflate", "gzip"), "deflate, gzip"), ((), "identity")],
)
async def test_content_encodings_are_decoded(server: LoopbackServer, encodings: tuple[str, ...],
                                             header: str) -> None:
    text = b"<rss>" + b"Stepanakert " * 20_000 + b"</rss>"
    url = server.route("/feed", static(_layered(text, *encodings), content_type="application/xml",
                                       headers={"Content-Encoding": header}))
    async with Fetcher(LOOPBACK) as fetcher:
        assert (await fetcher.fetch(url)).body == text


async def test_layered_gzip_bomb_stops_at_the_cap(server: LoopbackServer) -> None:
    bomb = _layered(b"\0" * 50_000_000, "gzip", "gzip")
    url = server.route("/bomb", static(bomb, content_type="application/xml", headers={"Content-Encoding": "gzip, gzip"}))
    policy = FetchPolicy(allow_private_networks=True, per_host_interval_s=0.0, max_bytes=1_000_000)
    async with Fetcher(policy) as fetcher:
        with pytest.raises(TooLargeError, match="cap of 1000000"):
            await fetcher.fetch(url)
    assert len(bomb) < 10_000


def test_decoding_hands_back_control_every_piece() -> None:
    """The fetch loop checks cap and deadline and yields to the event loop between pieces, so each piece
    must be small and cheap: taking the first piece of a 1 GB double-gzip bomb allocates almost nothing."""
    bomb = _layered(b"\0" * 200_000_000, "gzip", "gzip")
    tracemalloc.start()
    try:
        pieces = BodyDecoder("gzip, gzip", "https://bomb.example/").feed(bomb)
        first = next(pieces)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert 0 < len(first) <= PIECE_BYTES
    assert peak < 4 * 2**20, peak


@pytest.mark.parametrize(("header", "reason"), [("gzip, gzip, gzip", "at most 2"), ("br", "unsupported content encoding")])
async def test_too_many_or_unknown_encodings_are_refused(server: LoopbackServer, header: str, reason: str) -> None:
    url = server.route("/feed", static(_layered(b"<rss/>", "gzip", "gzip", "gzip"), headers={"Content-Encoding": header}))
    async with Fetcher(LOOPBACK) as fetcher:
        with pytest.raises(FetchError, match=reason):
            await fetcher.fetch(url)


# --- politeness -------------------------------------------------------------------------------------------------

async def test_requests_to_one_host_are_spaced(server: LoopbackServer) -> None:
    """A fake clock that stands still: the pacer must ask to sleep the whole interval, once, for the same host."""
    url = server.route("/a", static("a"))
    policy = FetchPolicy(allow_private_networks=True, per_host_interval_s=0.3)
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    async with Fetcher(policy, clock=lambda: 1000.0, sleep=record) as fetcher:
        await fetcher.fetch(url)
        await fetcher.fetch(url)
        await fetcher.fetch(server.url("/a", host="localhost"))  # another host name: no wait
    assert waits == [pytest.approx(0.3)]


# --- TLS to the checked IP --------------------------------------------------------------------------------------

def _self_signed(folder: Path, name: str) -> tuple[Path, Path]:
    cert, key = folder / f"{name}.crt", folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", f"/CN={name}",
         "-addext", f"subjectAltName=DNS:{name}"],
        check=True, capture_output=True, timeout=30,
    )
    return cert, key


def _tls_server(cert: Path, key: Path) -> LoopbackServer:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return LoopbackServer(tls=context)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
async def test_https_to_the_ip_sends_sni_and_verifies_the_host_name(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path, "localhost")
    policy = FetchPolicy(allow_private_networks=True, per_host_interval_s=0.0,
                         tls_context=ssl.create_default_context(cafile=str(cert)))
    with _tls_server(cert, key) as tls_server:
        url = tls_server.route("/feed", static("over tls"))
        async with Fetcher(policy) as fetcher:
            result = await fetcher.fetch(tls_server.url("/feed", host="localhost"))
            # the certificate names "localhost", not 127.0.0.1: verification must use the host name
            with pytest.raises(FetchError):
                await fetcher.fetch(url)
    assert result.body == b"over tls"
    assert result.url == f"https://localhost:{tls_server.port}/feed"
    assert tls_server.sni_names[0] == "localhost"
    assert tls_server.requests[0].headers["host"] == f"localhost:{tls_server.port}"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
async def test_https_with_a_certificate_for_another_name_fails(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path, "other.example")
    policy = FetchPolicy(allow_private_networks=True, per_host_interval_s=0.0,
                         tls_context=ssl.create_default_context(cafile=str(cert)))
    with _tls_server(cert, key) as tls_server:
        tls_server.route("/feed", static("should not be read"))
        async with Fetcher(policy) as fetcher:
            with pytest.raises(FetchError):
                await fetcher.fetch(tls_server.url("/feed", host="localhost"))
    assert tls_server.requests == []
