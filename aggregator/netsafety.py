"""Address safety: which IP addresses a source may make us connect to.

Owns the classification of addresses (loopback, private, link-local, carrier-grade NAT,
multicast, unspecified, reserved; IPv4 and IPv6, with IPv4-mapped and IPv4-compatible IPv6
unwrapped) and the operator's allow-list (``[aggregator] allow_networks``). It is applied by
``guard.py`` (fetch's transport) to every resolved address *at connect time*, so redirects
and hostnames that resolve to internal addresses are covered and a DNS answer cannot change
between check and use. It must not open connections or resolve names itself.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# is_private does not cover these in every Python version, so they are listed explicitly.
_ALWAYS_BLOCKED: tuple[IPNetwork, ...] = (
    ipaddress.ip_network("100.64.0.0/10"),  # carrier-grade NAT (RFC 6598)
    ipaddress.ip_network("0.0.0.0/8"),  # "this network"
    ipaddress.ip_network("192.0.0.0/24"),  # IETF protocol assignments
    ipaddress.ip_network("198.18.0.0/15"),  # benchmarking
    ipaddress.ip_network("64:ff9b:1::/48"),  # local-use NAT64
    ipaddress.ip_network("fc00::/7"),  # unique local
    ipaddress.ip_network("fe80::/10"),  # link-local
)


def unwrap(address: IPAddress) -> IPAddress:
    """::ffff:127.0.0.1 and ::127.0.0.1 are 127.0.0.1 to the kernel, so judge them as such."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        packed = int(address)
        if 1 < packed < 2**32:  # deprecated IPv4-compatible form ::a.b.c.d
            return ipaddress.IPv4Address(packed)
        if address.sixtofour is not None:
            return address.sixtofour
    return address


def why_blocked(address: IPAddress) -> str | None:
    """The kind of internal address this is, or None for a public one."""
    ip = unwrap(address)
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
    )
    for name, hit in checks:
        if hit:
            return name
    for net in _ALWAYS_BLOCKED:
        if ip.version == net.version and ip in net:
            return "carrier-grade NAT" if str(net) == "100.64.0.0/10" else "non-public"
    if not ip.is_global:
        return "non-public"
    return None


class AddressPolicy:
    """Refuses internal addresses unless their network is in the allow-list."""

    def __init__(self, allow_networks: Iterable[str] = ()) -> None:
        self.allowed: tuple[IPNetwork, ...] = tuple(
            ipaddress.ip_network(n, strict=False) for n in allow_networks
        )

    def refusal(self, address: str) -> str | None:
        """Why connecting to ``address`` is refused, or None when it is permitted."""
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
        except ValueError:
            return f"{address!r} is not an IP address"
        reason = why_blocked(ip)
        if reason is None:
            return None
        plain = unwrap(ip)
        for net in self.allowed:
            if (plain.version == net.version and plain in net) or (ip.version == net.version and ip in net):
                return None
        return f"{address} is not a public address ({reason}; not in aggregator.allow_networks)"
