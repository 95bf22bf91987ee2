"""Article URLs: the one spelling an article is stored under, and which URLs may be stored at all.

A URL reaches newsbot from a `url:` header, a JSON Lines field, a feed link or
a redirect, and leaves it inside a Discord message as `<url>`. Only URLs that
pass `web_url_problem` are stored, and the bot renders links only from URLs
that pass it, so a URL can never carry markup out of its `<…>` wrapper
(`https://x.example/a>[Reuters](https://evil.example)`), hide its real host
behind a user name (`https://reuters.com@evil.example/`) or reach a scheme
other than the web's.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urljoin, urlsplit, urlunsplit

__all__ = ["canonical_url", "web_url_problem", "MAX_URL_CHARS"]

MAX_URL_CHARS = 2048
"""Longer URLs are refused: no news site needs more, and Discord shows at most a line of it."""

_SCHEMES = ("http", "https")
_FORBIDDEN_CHARACTERS = frozenset('<>"`\\')
_TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "igshid", "mc_cid",
    "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "ref", "ref_src", "ref_url", "cmpid", "ito", "s_cid", "sr_share",
    "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "oly_anon_id", "oly_enc_id", "vero_id",
    "xtor", "_ga", "smid",
})
_TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hsa_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PERCENT_ENCODED = str.maketrans({" ": "%20", "<": "%3C", ">": "%3E", '"': "%22", "`": "%60", "\\": "%5C"})
"""Characters a browser would percent-encode in a path or query; encoded here so a sloppy feed link survives."""


def web_url_problem(url: str) -> str | None:
    """Why `url` may not be stored or shown as a link, or None when it is a plain http(s) URL with a host."""
    if len(url) > MAX_URL_CHARS:
        return f"longer than {MAX_URL_CHARS} characters"
    for character in url:
        if character in _FORBIDDEN_CHARACTERS:
            return f"contains {character!r}"
        if unicodedata.category(character)[0] in "CZ":
            return "contains whitespace or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number in range)
    except ValueError as exc:
        return f"not a URL ({exc})"
    if parts.scheme.lower() not in _SCHEMES:
        return f"scheme {parts.scheme or '(none)'!r} is not http or https"
    if not parts.hostname:
        return "has no host"
    if "@" in parts.netloc:
        return "contains a user name or password"
    return None


def _is_tracking(name: str) -> bool:
    key = name.lower()
    return key in _TRACKING_PARAMS or key.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str, *, base: str | None = None) -> str:
    """One spelling per article: absolute, scheme and host lower-cased, default port, fragment and tracking dropped.

    The same story reaches a feed as `...?utm_source=rss` and `...?fbclid=...`;
    the article's source key must not depend on who shared it. Other query
    parameters keep their order and exact encoding: some sites route on them.
    (courlan, installed with trafilatura, sorts parameters and keeps fragments:
    the keys of articles already stored would change.)
    Raises ValueError for text that cannot be split into URL parts at all.
    """
    raw = url.strip()
    if base:
        raw = urljoin(base, raw)
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    if parts.hostname is not None:
        host = parts.hostname
        if ":" in host:
            host = f"[{host}]"
        try:
            port = parts.port
        except ValueError:
            port = None
        userinfo = netloc.rpartition("@")[0] if "@" in netloc else ""
        netloc = (f"{userinfo}@" if userinfo else "") + host
        if port is not None and port != _DEFAULT_PORTS.get(scheme):
            netloc += f":{port}"
    path = (parts.path or ("/" if netloc else "")).translate(_PERCENT_ENCODED)
    kept = [p for p in parts.query.split("&") if p and not _is_tracking(p.split("=", 1)[0])]
    return urlunsplit((scheme, netloc, path, "&".join(kept).translate(_PERCENT_ENCODED), ""))
