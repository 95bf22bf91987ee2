"""Feed and page parsing: formats, encodings, canonical URLs, hostile feeds, and the summary-only pipeline."""

from __future__ import annotations

import io
import resource
import socket
import tracemalloc
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import feedparser
import pytest

from index.errors import InputError
from index.input.charset_decoding import decode_markup
from index.input.dates import DatePrecision, PublishedDate
from index.input.pages import ExtractedPage, extract_page
from index.input.urls import canonical_url
from index.sources.dtd import strip_dtd
from index.sources.entry_articles import entry_to_article
from index.sources.feeds import FeedEntry, FeedParseLimits, needs_page, parse_feed
from index.sources.fetch import Fetcher, FetchPolicy
from index.sources.html_text import html_to_text
from tests.bounded_child import run_bounded
from tests.http_server import LoopbackServer, static

FEEDS = Path(__file__).parent / "data" / "feeds"
BASE = "https://wire.example/feed.xml"


def _rss(items: str, *, prolog: str = '<?xml version="1.0" encoding="utf-8"?>', title: str = "T") -> bytes:
    return f"{prolog}\n<rss version=\"2.0\"><channel><title>{title}</title>{items}</channel></rss>".encode()


def _item(n: int, *, description: str = "d", extra: str = "") -> str:
    return f"<item><title>t{n}</title><link>https://wire.example/{n}</link><description>{description}</description>{extra}</item>"


def _entry(**fields: object) -> FeedEntry:
    values: dict[str, object] = {
        "url": "https://wire.example/a", "title": "A title", "published": PublishedDate.unknown(),
        "summary_text": "", "content_text": "", "guid": "g",
    }
    values.update(fields)
    return FeedEntry(**values)  # type: ignore[arg-type]


# --- RSS and Atom -----------------------------------------------------------------------------------------------

def test_rss2_entries() -> None:
    feed = parse_feed((FEEDS / "rss2.xml").read_bytes(), base_url=BASE)
    assert feed.title == "Test Wire – Caucasus"
    assert feed.problem == ""
    assert [e.url for e in feed.entries] == [
        "https://wire.example/2020/11/10/ceasefire",
        "https://wire.example/2020/11/08/shusha?id=42&page=2",
        "https://wire.example/analysis/corridor",
    ]
    ceasefire, shusha, analysis = feed.entries
    assert ceasefire.title == "Moscow-brokered deal halts the fighting"
    assert ceasefire.guid == "wire-ceasefire-20201110"
    assert ceasefire.summary_text == "Armenia and Azerbaijan signed a deal overnight."
    paragraphs = ceasefire.content_text.split("\n\n")
    assert len(paragraphs) == 3 and paragraphs[2].endswith("called the deal painful but unavoidable.")
    assert "track(" not in ceasefire.content_text
    # 01:30 in Yerevan is still 10 November there, though 9 November in UTC
    assert ceasefire.published == PublishedDate.day(date(2020, 11, 10))
    assert shusha.published == PublishedDate.day(date(2020, 11, 8))
    assert shusha.content_text == "" and "\u2014 a short teaser" in shusha.summary_text
    assert analysis.summary_text == "A look at the Lachin corridor."


def test_missing_dates_are_unknown() -> None:
    feed = parse_feed((FEEDS / "rss2.xml").read_bytes(), base_url=BASE)
    undated = feed.entries[2]
    assert undated.published == PublishedDate.unknown()
    assert undated.published.precision is DatePrecision.UNKNOWN


def test_duplicate_entries_with_tracking_parameters_become_one() -> None:
    feed = parse_feed((FEEDS / "rss2.xml").read_bytes(), base_url=BASE)
    urls = [e.url for e in feed.entries]
    assert urls.count("https://wire.example/2020/11/10/ceasefire") == 1
    assert feed.entries[0].title == "Moscow-brokered deal halts the fighting"  # the first one is kept


def test_atom_entries() -> None:
    feed = parse_feed((FEEDS / "atom.xml").read_bytes(), base_url="https://blatt.example/feeds/kaukasus.atom")
    exodus, offensive = feed.entries
    assert exodus.url == "https://blatt.example/2023/09/26/exodus"
    assert exodus.title == "Exodus from Nagorno-Karabakh & the Lachin corridor"
    assert exodus.published == PublishedDate.day(date(2023, 9, 26))
    assert exodus.guid == "urn:uuid:exodus"
    assert len(exodus.content_text.split("\n\n")) == 3
    assert not needs_page(exodus)
    assert offensive.url == "https://blatt.example/2023/09/20/offensive"
    assert offensive.published == PublishedDate.day(date(2023, 9, 20))
    assert offensive.summary_text == "Azerbaijan launched what it called anti-terrorist measures."
    assert needs_page(offensive)


def test_max_entries() -> None:
    body = _rss("".join(_item(n) for n in range(30)))
    assert [e.title for e in parse_feed(body, base_url=BASE, max_entries=5).entries] == [f"t{n}" for n in range(5)]


def test_content_only_entries_carry_the_full_text() -> None:
    long_text = "<p>" + "Word " * 120 + "</p><p>Second paragraph.</p>"
    body = _rss(
        f'<item><title>x</title><link>https://w.example/x</link><content:encoded><![CDATA[{long_text}]]></content:encoded></item>'
    ).replace(b'<rss version="2.0">', b'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">')
    (entry,) = parse_feed(body, base_url=BASE).entries
    assert entry.content_text.endswith("Second paragraph.")
    assert not needs_page(entry)


def test_content_no_longer_than_the_summary_is_not_full_text() -> None:
    items = ('<item><title>x</title><link>https://w.example/x</link><description>The same teaser.</description>'
             '<content:encoded>The same teaser, a bit longer.</content:encoded></item>')
    body = _rss(items).replace(b'<rss version="2.0">',
                               b'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">')
    (entry,) = parse_feed(body, base_url=BASE).entries
    assert entry.content_text == "" and needs_page(entry)


# --- encodings --------------------------------------------------------------------------------------------------

def test_latin1_declared_feed_with_windows_1252_bytes() -> None:
    (entry,) = parse_feed((FEEDS / "latin1-declared.xml").read_bytes(), base_url=BASE).entries
    assert entry.title == "Café in Stepanakert heropend"
    assert entry.summary_text == "De eigenaar noemt het „een teken van hoop“; koffie kost er nu 2 € en de ruïnes worden geruimd."


def test_windows_1252_from_the_http_charset() -> None:
    text = "Ein „Waffenstillstand“ für 5 € – Zoë’s Bericht, café"
    body = _rss(_item(1, description=text), prolog="").replace(b"d</desc", b"</desc")
    body = body.decode("utf-8").encode("cp1252")
    (entry,) = parse_feed(body, base_url=BASE, http_charset="windows-1252").entries
    assert entry.summary_text == text
    # the same bytes with no charset anywhere: not UTF-8, so windows-1252
    (guessed,) = parse_feed(body, base_url=BASE).entries
    assert guessed.summary_text == text


def test_utf8_labelled_latin1_by_the_server_stays_utf8() -> None:
    body = _rss(_item(1, description="Zoë in Stepanakert – „quoted“"))
    (entry,) = parse_feed(body, base_url=BASE, http_charset="ISO-8859-1").entries
    assert entry.summary_text == "Zoë in Stepanakert – „quoted“"


@pytest.mark.parametrize(
    ("data", "declared", "expected"),
    [
        ("é€„“".encode("cp1252"), ("iso-8859-1",), "é€„“"),
        ("é€".encode("cp1252"), (), "é€"),
        (b"\x81\x8d", ("windows-1252",), "\x81\x8d"),  # undefined in windows-1252: C1 controls, never an error
        ("é".encode("utf-16-le"), ("utf-16-le",), "é"),
        (b"\xef\xbb\xbfhello", ("iso-8859-1",), "hello"),
        (b"ok", ("no-such-charset",), "ok"),
    ],
)
def test_decode_markup(data: bytes, declared: tuple[str, ...], expected: str) -> None:
    assert decode_markup(data, declared) == expected


# --- malformed and hostile feeds --------------------------------------------------------------------------------

def test_malformed_feed_still_yields_its_entries() -> None:
    body = _rss(_item(1) + "<item><title>t2</title><link>https://wire.example/2</link><description>unclosed & bad")
    feed = parse_feed(body, base_url=BASE)
    assert [e.url for e in feed.entries][:1] == ["https://wire.example/1"]
    assert feed.problem


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<rss><channel><title>broken", "not a feed or a broken one"),
        (b"<html><body><p>Just a page</p></body></html>", ""),
        (b"   ", "empty feed"),
        (b"\x00\x01\x02 binary junk \xff\xfe", ""),
    ],
)
def test_unusable_feeds_raise_input_error_naming_the_url(body: bytes, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_feed(body, base_url=BASE)
    assert caught.value.source == BASE and reason in caught.value.reason


def test_feedparser_is_never_handed_a_path_or_url(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_bytes(_rss(_item(1)))
    for body in (str(secret).encode(), secret.as_uri().encode()):
        with pytest.raises(InputError):
            parse_feed(body, base_url=BASE)


def test_a_url_as_body_is_not_fetched() -> None:
    with LoopbackServer() as server:
        url = server.route("/feed.xml", static(_rss(_item(1)), content_type="application/rss+xml"))
        with pytest.raises(InputError):
            parse_feed(url.encode(), base_url=BASE)
        assert server.requests == []


def _entity_bomb(value_bytes: int = 1_000_000, references: int = 2000) -> bytes:
    items = "".join(_item(n, description="&big;") for n in range(references))
    return _rss(items, prolog=f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE rss [\n<!ENTITY big "{"A" * value_bytes}">\n]>')


def _parser_child_peak_kb(body: bytes) -> int:
    """Peak RSS of the parser's child process, measured from a fresh interpreter.

    RUSAGE_CHILDREN is a high-water mark over every child a process ever had, so it
    is read in a process whose only child is the parser (the test suite's own
    children, such as an ingest subprocess, would otherwise count).
    """
    import subprocess
    import sys

    script = (
        "import resource, sys\n"
        "from index.sources.feeds import parse_feed\n"
        "parse_feed(sys.stdin.buffer.read(), base_url='https://example.org/feed', max_entries=5000)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", script], input=body, capture_output=True, timeout=60, cwd=root,
                          check=True)
    return int(done.stdout.split()[-1])


def test_entity_expansion_feed_is_bounded_in_memory() -> None:
    """Bounded in this process (tracemalloc) and in the parser's child (its peak RSS); the child's own CPU and
    address-space limits bound its time: had it needed more, parse_feed would have raised."""
    body = _entity_bomb()
    assert 1_000_000 < len(body) < 1_400_000
    tracemalloc.start()
    try:
        feed = parse_feed(body, base_url=BASE, max_entries=5000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200 * 2**20, peak
    assert _parser_child_peak_kb(body) < 200 * 1024
    assert len(feed.entries) == 2000
    assert all("AAAA" not in e.summary_text for e in feed.entries)


def test_stripping_alone_defuses_the_entity_feed_in_process() -> None:
    """The first layer on its own: feedparser in this process, given stripped input."""
    stripped = strip_dtd(_entity_bomb().decode())
    assert "<!DOCTYPE" not in stripped and "<!ENTITY" not in stripped and len(stripped) < 300_000
    # tracemalloc would triple the time of feedparser's pure-Python lenient parser: use the RSS high-water mark
    rss_before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    parsed = feedparser.parse(io.BytesIO(stripped.encode()))
    rss_growth_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before_kb
    assert rss_growth_kb < 200 * 1024, rss_growth_kb
    assert len(parsed.entries) == 2000 and "AAAA" not in parsed.entries[0].get("summary", "")


def test_nested_entities_billion_laughs() -> None:
    decls = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    body = _rss(_item(1, description="&l9;"), prolog=f'<?xml version="1.0"?><!DOCTYPE rss [{decls}]>')
    (entry,) = parse_feed(body, base_url=BASE).entries
    assert "lol" not in entry.summary_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss/>',
         '<?xml version="1.0"?><rss/>'),
        ('<!DOCTYPE rss [<!ENTITY a "x>y"> <!-- ] > "\' --> <!ENTITY b \'>\'>]><rss>&a;</rss>', "<rss>&a;</rss>"),
        ("<!doctype feed><feed/>", "<feed/>"),
        ('<rss><!ENTITY stray "boom"><channel/></rss>', "<rss><channel/></rss>"),
        ("<rss/><!DOCTYPE unterminated [ <!ENTITY x 'y'", "<rss/>"),
        ("<rss><description><![CDATA[x > y]]></description></rss>", "<rss><description><![CDATA[x > y]]></description></rss>"),
    ],
)
def test_strip_dtd(text: str, expected: str) -> None:
    assert strip_dtd(text) == expected


def test_strip_dtd_is_linear_on_pathological_input() -> None:
    """2 MB of each unit under 20 CPU seconds in all: linear work takes well under one, quadratic work days."""
    done = run_bounded(
        """
        from index.sources.dtd import strip_dtd
        for unit in ["<!DOCTYPE x [", "<!DOCTYPE x [<!--", '<!DOCTYPE x ["', "<!ENTITY a "]:
            assert strip_dtd(unit * (2_000_000 // len(unit))) == ""
        print("ok")
        """,
        cpu_seconds=20,
    )
    assert done.returncode == 0 and done.stdout.split() == [b"ok"], done.stderr.decode()[-2000:]


def test_parse_limits_are_enforced() -> None:
    body = _rss("".join(_item(n) for n in range(50)))
    with pytest.raises(InputError, match="took longer than"):
        parse_feed(body, base_url=BASE, limits=FeedParseLimits(timeout_s=0.01, seconds_per_megabyte=0))
    with pytest.raises(InputError, match="needed more than 16 MB"):
        parse_feed(body, base_url=BASE, limits=FeedParseLimits(memory_bytes=16 * 2**20))


# --- URLs -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://News.Example.ORG/Path/A?b=2&a=1#frag", "https://news.example.org/Path/A?b=2&a=1"),
        ("https://x.example/a?utm_source=rss&utm_medium=feed&id=7", "https://x.example/a?id=7"),
        ("https://x.example/a?id=7&fbclid=abc&gclid=d&mc_cid=1&mc_eid=2&igshid=3", "https://x.example/a?id=7"),
        ("https://x.example/a?ref=tw&ref_src=twsrc&cmpid=x&at_medium=RSS&at_campaign=c&UTM_Term=z", "https://x.example/a"),
        ("https://x.example:443/a", "https://x.example/a"),
        ("http://x.example:8080/a", "http://x.example:8080/a"),
        ("https://x.example", "https://x.example/"),
        ("https://x.example/a?q=a%20b&z", "https://x.example/a?q=a%20b&z"),
        ("  https://x.example/a\n", "https://x.example/a"),
        ("https://[2001:DB8::1]/a", "https://[2001:db8::1]/a"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_resolves_against_a_base() -> None:
    assert canonical_url("../b?utm_source=x", base="https://x.example/news/a/") == "https://x.example/news/b"


# --- HTML to text, needs_page, entry_to_article -----------------------------------------------------------------

def test_html_to_text_keeps_paragraphs() -> None:
    html = "<p>One &amp; <b>two</b></p><script>x()</script><div>Three<br>still three</div>tail <!-- c --> end"
    assert html_to_text(html) == "One & two\n\nThree still three\n\ntail end"
    assert html_to_text("plain text") == "plain text"
    assert html_to_text("") == ""


@pytest.mark.parametrize(
    ("summary", "content", "expected"),
    [
        ("Short teaser.", "", True),
        ("A" * 700, "", False),
        ("A" * 700 + " Read more", "", True),
        ("A" * 700 + " […]", "", True),
        ("Short teaser.", "Full text " * 100, False),
    ],
)
def test_needs_page(summary: str, content: str, expected: bool) -> None:
    assert needs_page(_entry(summary_text=summary, content_text=content)) is expected


def test_entry_to_article_prefers_feed_content() -> None:
    entry = _entry(content_text="First.\n\nSecond.", summary_text="Teaser.",
                   published=PublishedDate.day(date(2020, 11, 10)))
    article = entry_to_article(entry, outlet="Wire", language=None, page=None, first_seen_date=date(2020, 11, 10))
    assert article.paragraphs == ("First.", "Second.")
    assert article.source == article.url == "https://wire.example/a"
    assert article.outlet == "Wire" and article.language == "en" and article.title == "A title"
    assert article.published == PublishedDate.day(date(2020, 11, 10))


def test_entry_to_article_falls_back_to_page_then_summary() -> None:
    page = ExtractedPage(title="Page title", paragraphs=("Page one.", "Page two."),
                         published=PublishedDate.day(date(2020, 11, 9)), language="hy")
    entry = _entry(title="", summary_text="Teaser.")
    article = entry_to_article(entry, outlet="W", language=None, page=page, first_seen_date=date(2020, 11, 10))
    assert article.paragraphs == ("Page one.", "Page two.")
    assert article.title == "Page title" and article.language == "hy"
    assert article.published == PublishedDate.day(date(2020, 11, 9))
    summary_only = entry_to_article(_entry(summary_text="Teaser one.\n\nTeaser two."), outlet="W", language="EN",
                                    page=None, first_seen_date=None)
    assert summary_only.paragraphs == ("Teaser one.", "Teaser two.") and summary_only.language == "en"


def test_entry_to_article_skips_dates_from_the_future() -> None:
    page = ExtractedPage(title="", paragraphs=("x",), published=PublishedDate.day(date(2020, 11, 10)), language=None)
    entry = _entry(summary_text="Teaser.", published=PublishedDate.day(date(2031, 1, 1)))
    article = entry_to_article(entry, outlet="W", language=None, page=page, first_seen_date=date(2020, 11, 10))
    assert article.published == PublishedDate.day(date(2020, 11, 10))
    lone = entry_to_article(entry, outlet="W", language=None, page=None, first_seen_date=date(2020, 11, 10))
    assert lone.published == PublishedDate.unknown()


def test_entry_without_any_text_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        entry_to_article(_entry(), outlet="W", language=None, page=None, first_seen_date=None)
    assert caught.value.source == "https://wire.example/a"


# --- pages ------------------------------------------------------------------------------------------------------

ARTICLE_PARAGRAPHS = (
    "President Ilham Aliyev announced on Sunday that the Azerbaijani army had taken the town of Shusha, "
    "a few kilometres from Stepanakert.",
    "The mountain town is seen by both sides as strategically and symbolically important, and its loss "
    "was quickly felt in Yerevan, where officials at first denied the report.",
    "In Baku thousands of people took to the streets to celebrate, waving flags and sounding car horns "
    "late into the night, while the fighting continued further south.",
)


def _article_html(*, lang: str = "en", published: str = "2020-11-08T14:05:00+04:00", charset: str = "utf-8",
                  paragraphs: tuple[str, ...] = ARTICLE_PARAGRAPHS) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="{charset}"><title>Shusha taken | Test Wire</title>'
        f'<meta property="og:title" content="Shusha taken, Aliyev says">'
        f'<meta property="article:published_time" content="{published}"></head>'
        f"<body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>Shusha taken, Aliyev says</h1>{body}</article>"
        f"<footer>© Test Wire. All rights reserved.</footer></body></html>"
    )


def test_extract_page_text_date_language() -> None:
    page = extract_page(_article_html(lang="en-GB").encode(), url="https://wire.example/2020/11/08/shusha")
    assert page.paragraphs == ARTICLE_PARAGRAPHS
    assert page.title == "Shusha taken, Aliyev says"
    assert page.published == PublishedDate.day(date(2020, 11, 8))
    assert page.language == "en"


def test_extract_page_windows_1252_by_meta_charset() -> None:
    paragraphs = (ARTICLE_PARAGRAPHS[0] + " „Wir sind zurück“, sagte er – für 5 €.",) + ARTICLE_PARAGRAPHS[1:]
    html = _article_html(lang="de", charset="windows-1252", paragraphs=paragraphs).encode("cp1252")
    page = extract_page(html, url=None)
    assert page.paragraphs[0].endswith("„Wir sind zurück“, sagte er – für 5 €.")
    assert page.language == "de"


def test_extract_page_without_text_names_the_url() -> None:
    with pytest.raises(InputError) as caught:
        extract_page(b"<html><body><nav>Home</nav></body></html>", url="https://wire.example/empty")
    assert caught.value.source == "https://wire.example/empty"
    with pytest.raises(InputError):
        extract_page(b"", url=None)


def test_extract_page_stays_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("extract_page tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    page = extract_page(_article_html(), url="https://wire.example/2020/11/08/shusha")
    assert page.paragraphs


# --- the summary-only pipeline, over loopback HTTP -------------------------------------------------------------

@pytest.fixture
def newsroom() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        yield server


async def test_summary_only_feed_fetches_and_extracts_article_pages(newsroom: LoopbackServer) -> None:
    dated = newsroom.route("/2020/11/08/shusha", static(_article_html()))
    undated_html = _article_html(published="2020-11-09", lang="hy").replace("Shusha", "Shushi")
    undated = newsroom.route("/2020/11/09/shushi", static(undated_html))
    items = (
        f"<item><title>Shusha taken</title><link>{dated}?utm_source=rss</link>"
        "<pubDate>Sun, 08 Nov 2020 14:05:00 +0400</pubDate><description>Aliyev says Shusha is taken.</description></item>"
        f"<item><title>Shushi</title><link>{undated}</link><description>Teaser only.</description></item>"
    )
    feed_url = newsroom.route("/feed.xml", static(_rss(items), content_type="application/rss+xml; charset=utf-8"))
    policy = FetchPolicy(allow_private_networks=True, per_host_interval_s=0.0, deadline_s=5.0)
    articles = []
    async with Fetcher(policy) as fetcher:
        fetched = await fetcher.fetch(feed_url)
        feed = parse_feed(fetched.body, base_url=fetched.url, http_charset=fetched.encoding)
        for entry in feed.entries:
            assert needs_page(entry)
            page_response = await fetcher.fetch(entry.url)
            page = extract_page(page_response.body, url=page_response.url, http_charset=page_response.encoding)
            articles.append(entry_to_article(entry, outlet="Test Wire", language=None, page=page,
                                             first_seen_date=date(2020, 11, 10)))
    shusha, shushi = articles
    assert shusha.url == shusha.source == dated
    assert shusha.paragraphs == ARTICLE_PARAGRAPHS
    assert shusha.title == "Shusha taken" and shusha.outlet == "Test Wire" and shusha.language == "en"
    assert shusha.published == PublishedDate.day(date(2020, 11, 8))
    assert shushi.published == PublishedDate.day(date(2020, 11, 9))  # from the page: the entry has none
    assert shushi.language == "hy"
    assert newsroom.paths() == ["/feed.xml", "/2020/11/08/shusha", "/2020/11/09/shushi"]
