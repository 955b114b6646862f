"""The address guard: with allow_private_networks=False nothing reaches a private address —
IP literals, IPv4-mapped IPv6, names resolving to loopback, redirects — and the server sees
not even a TCP connection; with the flag True the same requests work."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from monitor.contracts import BlockedAddress, ClientError
from monitor.net.ssrf import AddressPolicy, BlockedConnect, StaticResolver, blocked_reason, parse_ip
from tests.http.conftest import MakeHttp
from tests.http.server import FEED, LoopbackServer

# Public-looking names pinned to loopback: a DNS answer pointing inside.
PINNED = {"feeds.example.com": "127.0.0.1", "intranet.example.org": "127.0.0.1"}


def _urls(server: LoopbackServer) -> list[str]:
    return [
        server.url("/feed"),
        server.url("/feed", host="[::ffff:127.0.0.1]"),
        server.url("/feed", host="localhost"),
        server.url("/feed", host="feeds.example.com"),
    ]


@pytest.mark.parametrize("index", range(4), ids=["ipv4", "mapped-ipv6", "localhost", "dns"])
async def test_private_targets_refused_before_connecting(
    server: LoopbackServer, make_http: MakeHttp, index: int
) -> None:
    """127.0.0.1, [::ffff:127.0.0.1], localhost and a name resolving to 127.0.0.1 are refused
    with BlockedAddress and the server accepts no connection at all."""
    http = make_http(allow_private_networks=False, http_kw={"resolver": StaticResolver(PINNED)})
    url = _urls(server)[index]
    if index == 2:  # localhost goes through the system resolver (/etc/hosts, no DNS)
        http = make_http(allow_private_networks=False)
    with pytest.raises(BlockedAddress) as caught:
        await http.get(url)
    assert not caught.value.transient
    assert server.connections == 0 and server.requests == []


@pytest.mark.parametrize("index", range(4), ids=["ipv4", "mapped-ipv6", "localhost", "dns"])
async def test_private_targets_allowed_with_flag(
    server: LoopbackServer, make_http: MakeHttp, index: int
) -> None:
    """With allow_private_networks=True the same URLs are fetched normally."""
    resolver = StaticResolver(PINNED) if index == 3 else None
    http = make_http(allow_private_networks=True, http_kw={"resolver": resolver})
    response = await http.get(_urls(server)[index])
    assert response.status == 200 and response.body == FEED
    assert server.connections == 1


@pytest.mark.parametrize(
    "host", ["127.1", "2130706433", "0x7f000001", "0177.0.0.1", "[::1]", "[0:0:0:0:0:ffff:7f00:1]"]
)
async def test_odd_loopback_spellings_refused(
    server: LoopbackServer, make_http: MakeHttp, host: str
) -> None:
    """Numeric, hex, octal and long-form IPv6 spellings of loopback are refused (as invalid
    or blocked) and never connect."""
    http = make_http(allow_private_networks=False)
    with pytest.raises((BlockedAddress, ClientError)):
        await http.get(server.url("/feed", host=host))
    assert server.connections == 0


async def test_refusal_message_names_the_address(
    server: LoopbackServer, make_http: MakeHttp
) -> None:
    """A connect-time refusal says which address was refused and why."""
    http = make_http(allow_private_networks=False, http_kw={"resolver": StaticResolver(PINNED)})
    with pytest.raises(BlockedAddress) as caught:
        await http.get(server.url("/feed", host="feeds.example.com"))
    assert "refused to connect to loopback address 127.0.0.1" in str(caught.value)


@pytest.mark.parametrize(
    "target_host", ["127.0.0.1", "[::ffff:127.0.0.1]", "localhost", "intranet.example.org"]
)
async def test_redirect_to_private_refused(
    server: LoopbackServer, other_server: LoopbackServer, make_http: MakeHttp, target_host: str
) -> None:
    """An allowed server redirecting to a private address: the hop is refused and the
    private server sees no connection."""
    names = {**PINNED, "news.example.net": other_server.host}
    if target_host == "localhost":
        names["localhost"] = "127.0.0.1"
    http = make_http(
        allow_private_networks=False,
        http_kw={"resolver": StaticResolver(names), "allow_networks": ["127.0.0.2/32"]},
    )
    hidden = server.url("/feed", host=target_host)
    start = other_server.url(f"/to?url={hidden}", host="news.example.net")
    with pytest.raises(BlockedAddress):
        await http.get(start)
    assert len(other_server.requests) == 1  # the allowed hop did happen
    assert other_server.requests[0].path.startswith("/to?url=")
    assert server.connections == 0


async def test_redirect_to_private_allowed_with_flag(
    server: LoopbackServer, other_server: LoopbackServer, make_http: MakeHttp
) -> None:
    """With the flag True the same redirect is followed to the private server."""
    response = await make_http().get(other_server.url(f"/to?url={server.url('/feed')}"))
    assert response.body == FEED and response.url == server.url("/feed")


async def test_connect_time_guard_alone_stops_ip_literals(server: LoopbackServer) -> None:
    """Even without the URL pre-check, the connector's socket factory refuses an IP literal
    (aiohttp never resolves literals, so a resolver-only guard would let it through)."""
    policy = AddressPolicy(allow_private=False)
    connector = aiohttp.TCPConnector(socket_factory=policy.socket_factory)
    async with aiohttp.ClientSession(connector=connector) as session:
        for host in ("127.0.0.1", "[::ffff:127.0.0.1]"):
            with pytest.raises(aiohttp.ClientConnectorError) as caught:
                await session.get(server.url("/feed", host=host))
            assert isinstance(caught.value.os_error, BlockedConnect)
    assert server.connections == 0


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/", "data:,x", "/rel"])
async def test_only_http_schemes(make_http: MakeHttp, url: str) -> None:
    """Non-http(s) URLs are refused even with private networks allowed."""
    with pytest.raises(BlockedAddress):
        await make_http().get(url)


async def test_websocket_and_stream_guarded(server: LoopbackServer, make_http: MakeHttp) -> None:
    """websocket() and stream_lines() refuse private targets too, without connecting."""
    http = make_http(allow_private_networks=False, http_kw={"resolver": StaticResolver(PINNED)})
    with pytest.raises(BlockedAddress):
        async with http.websocket(server.url("/ws").replace("http", "ws")):
            pass
    with pytest.raises(BlockedAddress):
        async with http.websocket(server.url("/ws", host="feeds.example.com")):
            pass
    with pytest.raises(BlockedAddress):
        async for _ in http.stream_lines(server.url("/lines", host="feeds.example.com")):
            pass
    assert server.connections == 0


async def test_allow_networks_exempts_only_listed(
    server: LoopbackServer, other_server: LoopbackServer, make_http: MakeHttp
) -> None:
    """An allow_networks entry opens exactly that network; the rest stays guarded."""
    http = make_http(allow_private_networks=False, http_kw={"allow_networks": ["127.0.0.2/32"]})
    assert (await http.get(other_server.url("/feed"))).status == 200
    with pytest.raises(BlockedAddress):
        await http.get(server.url("/feed"))
    assert server.connections == 0


@pytest.mark.parametrize(
    ("address", "blocked"),
    [
        ("127.0.0.1", True),
        ("127.255.255.254", True),
        ("10.0.0.1", True),
        ("172.16.5.4", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),  # cloud metadata
        ("100.64.0.1", True),  # shared address space (CGNAT)
        ("0.0.0.0", True),
        ("224.0.0.251", True),  # multicast
        ("240.0.0.1", True),  # reserved
        ("255.255.255.255", True),
        ("::1", True),
        ("::", True),
        ("fe80::1%eth0", True),
        ("fc00::1", True),
        ("ff02::1", True),
        ("::ffff:127.0.0.1", True),  # IPv4-mapped
        ("::ffff:10.0.0.1", True),
        ("::127.0.0.1", True),  # IPv4-compatible (deprecated)
        ("2002:7f00:1::1", True),  # 6to4 wrapping 127.0.0.1
        ("2002:a00:1::1", True),  # 6to4 wrapping 10.0.0.1
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", True),  # Teredo, client 127.0.0.1
        ("64:ff9b::7f00:1", True),  # NAT64 of 127.0.0.1
        ("93.184.216.34", False),
        ("8.8.8.8", False),
        ("2606:4700:4700::1111", False),
        ("::ffff:8.8.8.8", False),
        ("64:ff9b::808:808", False),  # NAT64 of a public host (DNS64 networks)
        ("2002:808:808::1", False),  # 6to4 of a public host
    ],
)
def test_blocked_reason_table(address: str, blocked: bool) -> None:
    """Private, loopback, link-local, multicast, reserved and embedded forms are blocked;
    public unicast addresses (also mapped/NAT64/6to4 of public ones) are not."""
    ip = parse_ip(address)
    assert ip is not None
    assert (blocked_reason(ip) is not None) is blocked


def test_socket_factory_refuses_before_creating_a_socket() -> None:
    """The socket factory raises for a blocked sockaddr and builds a socket for an allowed one."""
    policy = AddressPolicy(allow_private=False, allow_networks=["127.0.0.2/32"])
    v4, v6 = socket.AF_INET, socket.AF_INET6
    stream, tcp = socket.SOCK_STREAM, socket.IPPROTO_TCP
    with pytest.raises(BlockedConnect, match="loopback"):
        policy.socket_factory((v4, stream, tcp, "", ("127.0.0.1", 80)))
    with pytest.raises(BlockedConnect, match="embedded"):
        policy.socket_factory((v6, stream, tcp, "", ("::ffff:127.0.0.1", 80, 0, 0)))
    sock = policy.socket_factory((v4, stream, tcp, "", ("127.0.0.2", 80)))
    sock.close()
