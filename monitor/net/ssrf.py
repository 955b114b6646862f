"""The outbound address policy (SSRF guard): which URLs and which socket addresses bilat may
reach.

Two checks, both needed:

- ``AddressPolicy.check_url`` runs before a request (and before each redirect hop): only the
  allowed schemes, and an IP-literal host is judged on the spot, so a refusal is clear and
  immediate.
- ``AddressPolicy.socket_factory`` is handed to aiohttp's ``TCPConnector(socket_factory=...)``
  and runs for every address aiohttp is about to ``connect()`` to, after DNS, for IP literals
  (which aiohttp never resolves), for every redirect hop and every happy-eyeballs candidate.
  This is the check that cannot be bypassed by a resolver trick, a hostname such as
  ``localhost`` or a name that resolves to a private address: the refusal happens before the
  socket exists, so not one byte leaves the machine.

What counts as non-public: private, loopback, link-local, multicast, reserved, unspecified,
shared (CGNAT) and documentation ranges (``ipaddress``'s ``is_global``), and the same ranges
when embedded in IPv6 (IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible ``::a.b.c.d``, 6to4
``2002::/16``, Teredo ``2001::/32`` and NAT64 ``64:ff9b::/96``).
"""

from __future__ import annotations

import errno
import ipaddress
import socket
from collections.abc import Iterable, Mapping

from aiohappyeyeballs import AddrInfoType
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from monitor.contracts import BlockedAddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

HTTP_SCHEMES = frozenset({"http", "https"})
WS_SCHEMES = frozenset({"http", "https", "ws", "wss"})

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
# Marker carried by the OSError the socket factory raises; it survives aiohttp and
# aiohappyeyeballs folding several connect errors into one message.
_MARK = "bilat refused to connect"


class BlockedConnect(OSError):
    """Raised inside aiohttp's connect path when the target address is not allowed."""

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(errno.EACCES, f"{_MARK} to {reason} address {address}")
        self.address = address
        self.reason = reason


def parse_ip(text: str) -> IPAddress | None:
    """The address in ``text`` (brackets and an IPv6 zone index allowed), else None."""
    host = text.strip("[]").split("%", 1)[0]
    if ":" not in host and not host[-1:].isdigit():
        return None  # a host name: an IPv4 literal ends in a digit, IPv6 has a colon
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        # Teredo carries the server and the (obfuscated) client address; the client is
        # where packets would actually go.
        return ip.teredo[1]
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def blocked_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public unicast address (e.g. "loopback"), or None if it is."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            reason = blocked_reason(inner)
            if reason is not None:
                return f"{reason} (embedded in IPv6)"
            if ip.ipv4_mapped is not None or ip in _NAT64:
                # ::ffff:a.b.c.d and NAT64 (DNS64 networks) reach just that IPv4 host; the
                # other embeddings are tunnels and are also judged by their own prefix.
                return None
    for name in (
        "unspecified",
        "loopback",
        "link_local",
        "multicast",
        "private",
        "reserved",
        "site_local",
    ):
        if getattr(ip, f"is_{name}", False):
            return name.replace("_", "-")
    if not ip.is_global:
        return "non-global"
    return None


class AddressPolicy:
    """Decides which URLs and socket addresses may be used.

    ``allow_private`` turns the guard off (tests, intranet deployments). ``allow_networks``
    exempts specific networks (e.g. one intranet feed server) while the rest stays guarded.
    """

    __slots__ = ("allow_networks", "allow_private")

    def __init__(self, *, allow_private: bool, allow_networks: Iterable[str] = ()) -> None:
        self.allow_private = allow_private
        self.allow_networks: tuple[IPNetwork, ...] = tuple(
            ipaddress.ip_network(n, strict=False) for n in allow_networks
        )

    def address_refusal(self, ip: IPAddress) -> str | None:
        """Why connecting to ``ip`` is refused, or None when it is allowed."""
        if self.allow_private:
            return None
        if any(ip.version == net.version and ip in net for net in self.allow_networks):
            return None
        return blocked_reason(ip)

    def check_url(self, url: URL, *, schemes: frozenset[str] = HTTP_SCHEMES) -> None:
        """Raise BlockedAddress for a disallowed scheme, a missing host or a refused IP literal.

        Host names are judged later, at connect time, on the addresses they resolve to.
        """
        if url.scheme not in schemes:
            allowed = "/".join(sorted(schemes))
            raise BlockedAddress(f"only {allowed} URLs are allowed, not {url.scheme or '(none)'}")
        host = url.raw_host
        if not host:
            raise BlockedAddress("URL has no host")
        if self.allow_private:
            return  # every address is allowed: no literal to judge (this runs every poll)
        ip = parse_ip(host)
        if ip is not None and (reason := self.address_refusal(ip)) is not None:
            raise BlockedAddress(
                f"refusing {reason} address {ip} (allow_private_networks is false)"
            )

    def socket_factory(self, addr_info: AddrInfoType) -> socket.socket:
        """aiohttp ``socket_factory``: create the socket only if its target is allowed."""
        family, type_, proto, _, sockaddr = addr_info
        address = str(sockaddr[0])
        ip = parse_ip(address)
        if ip is None:
            raise BlockedConnect(address, "unparseable")
        reason = self.address_refusal(ip)
        if reason is not None:
            raise BlockedConnect(address, reason)
        return socket.socket(family=family, type=type_, proto=proto)


def refused_connect(exc: BaseException) -> str | None:
    """The refusal message if ``exc`` (an aiohttp connector error) came from our socket
    factory, else None."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        os_error = getattr(current, "os_error", None)
        current = os_error if isinstance(os_error, BaseException) else None
        current = current or _exc_cause(chain[-1])
    for error in chain:
        if isinstance(error, BlockedConnect):
            return str(error.strerror)
    for error in chain:
        # aiohappyeyeballs folds the errors of several addresses into one plain OSError.
        text = str(error)
        if _MARK in text:
            return text[text.index(_MARK) :].rstrip("]")
    return None


def _exc_cause(exc: BaseException) -> BaseException | None:
    return exc.__cause__ or exc.__context__


class StaticResolver(AbstractResolver):
    """Pins host names to fixed addresses, like ``curl --resolve``; unknown names fail as
    DNS would. Tests and the polling benchmark use it to give loopback servers public-looking
    names without any DNS traffic. The address guard still judges every pinned address."""

    def __init__(self, hosts: Mapping[str, str]) -> None:
        self._hosts = {name.lower().rstrip("."): address for name, address in hosts.items()}

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        address = self._hosts.get(host.lower().rstrip("."))
        if address is None:
            raise OSError(socket.EAI_NONAME, f"unknown host {host}")
        ip = ipaddress.ip_address(address)
        return [
            {
                "hostname": host,
                "host": str(ip),
                "port": port,
                "family": socket.AF_INET6 if ip.version == 6 else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None
