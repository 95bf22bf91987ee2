"""Which network addresses a fetch may connect to: only globally routable ones, whatever their spelling.

Every URL newsbot fetches comes from outside, so an address is checked after
resolution and before connecting (`index.sources.fetch`): loopback, private
networks, link-local, CGNAT, cloud metadata endpoints and the IPv6 forms that
embed any of those are refused, each with the reason in words.
"""

from __future__ import annotations

import ipaddress

__all__ = ["IPAddress", "address_refusal", "is_public_address"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_CLOUD_METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS IPv6 metadata
        "168.63.129.16",  # Azure wire server: a public-looking address that only answers inside Azure
        "100.100.100.200",  # Alibaba Cloud
    )
)
_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def address_refusal(ip: IPAddress) -> str | None:
    """Why newsbot will not connect to `ip`, or None when it is a public address.

    The standard library's `is_global` alone is not enough: IPv6 forms that embed
    an IPv4 address (mapped, compatible, 6to4, Teredo, NAT64) would smuggle
    `10.0.0.1` past it, and a few metadata endpoints look public.
    """
    if ip in _CLOUD_METADATA:
        return "cloud metadata endpoint"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            reason = address_refusal(embedded)
            if reason is not None:
                return f"IPv6 address embedding {embedded} ({reason})"
            if ip in _NAT64:
                return None  # DNS64 on an IPv6-only network: the real destination is the public IPv4 address
        if ip.is_site_local:
            return "site-local address"
    if ip.is_unspecified:
        return "unspecified address"
    if ip.is_loopback:
        return "loopback address"
    if ip.is_link_local:
        return "link-local address"
    if ip.is_multicast:
        return "multicast address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "shared address space (CGNAT)"
    if ip.is_private:
        return "private network"
    if ip.is_reserved:
        return "reserved address"
    if not ip.is_global:
        return "not a globally routable address"
    return None


def is_public_address(ip: IPAddress) -> bool:
    return address_refusal(ip) is None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries, for the forms that route to it."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None
