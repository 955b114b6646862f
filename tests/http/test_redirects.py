"""Redirects are followed by policy: bounded, http/https only, credentials kept in-origin,
and POST only re-sent on method-preserving redirects."""

from __future__ import annotations

import json

import pytest

from monitor.contracts import BlockedAddress, ClientError
from tests.http.conftest import MakeHttp
from tests.http.server import FEED, LoopbackServer


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
async def test_each_redirect_status_is_followed(
    server: LoopbackServer, make_http: MakeHttp, code: int
) -> None:
    """Every redirect status leads a GET to the target; the final URL is reported."""
    response = await make_http().get(server.url(f"/redirect/1?code={code}"))
    assert response.status == 200 and response.body == FEED
    assert response.url == server.url("/feed")
    assert [s.method for s in server.requests] == ["GET", "GET"]


async def test_chain_within_limit(server: LoopbackServer, make_http: MakeHttp) -> None:
    """A chain of exactly max_redirects hops is followed to the end."""
    response = await make_http(max_redirects=3).get(server.url("/redirect/3"))
    assert response.url == server.url("/feed")
    assert server.paths() == [
        "/redirect/3",
        "/redirect/2?code=302",
        "/redirect/1?code=302",
        "/feed",
    ]


async def test_too_many_redirects(server: LoopbackServer, make_http: MakeHttp) -> None:
    """One hop more than max_redirects raises ClientError without requesting the target."""
    with pytest.raises(ClientError, match="more than 2 redirects"):
        await make_http(max_redirects=2).get(server.url("/redirect/3"))
    assert "/feed" not in server.paths()
    assert len(server.requests) == 3


async def test_redirect_loop(server: LoopbackServer, make_http: MakeHttp) -> None:
    """A loop is detected on its first repeat, not after exhausting the budget."""
    with pytest.raises(ClientError, match="redirect loop"):
        await make_http(max_redirects=10).get(server.url("/loop/a"))
    assert server.paths() == ["/loop/a", "/loop/b"]


async def test_redirects_keep_validators(server: LoopbackServer, make_http: MakeHttp) -> None:
    """Conditional headers travel with the request to the redirect target (304 there)."""
    response = await make_http().get(server.url("/redirect/1"), etag='"feed-v1"')
    assert response.status == 304
    assert server.requests[-1].headers["If-None-Match"] == '"feed-v1"'


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1:70/"]
)
async def test_redirect_to_other_scheme_refused(
    server: LoopbackServer, make_http: MakeHttp, target: str
) -> None:
    """A redirect to a non-http(s) scheme is refused even with private networks allowed."""
    with pytest.raises(BlockedAddress):
        await make_http().get(server.url(f"/to?url={target}"))


async def test_credentials_dropped_across_origins(
    server: LoopbackServer, other_server: LoopbackServer, make_http: MakeHttp
) -> None:
    """Authorization survives a same-origin redirect but is not sent to another origin."""
    http = make_http()
    auth = {"authorization": "Bearer t0ken"}
    await http.get(server.url("/to?url=/echo"), headers=auth)
    assert server.requests[-1].headers.get("Authorization") == "Bearer t0ken"
    await http.get(server.url(f"/to?url={other_server.url('/echo')}"), headers=auth)
    assert other_server.requests[-1].path == "/echo"
    assert "Authorization" not in other_server.requests[-1].headers


async def test_post_follows_307_with_body(server: LoopbackServer, make_http: MakeHttp) -> None:
    """POST re-sends method and body on 307/308."""
    response = await make_http().post_json(server.url("/to?code=307&url=/post"), {"a": 1})
    assert response.status == 201
    assert json.loads(response.body) == {"got": {"a": 1}}
    assert [(s.method, s.path) for s in server.requests] == [
        ("POST", "/to?code=307&url=/post"),
        ("POST", "/post"),
    ]


@pytest.mark.parametrize("code", [301, 302, 303])
async def test_post_does_not_follow_method_changing_redirects(
    server: LoopbackServer, make_http: MakeHttp, code: int
) -> None:
    """A POST answered with 301/302/303 returns that status: the payload was not delivered."""
    response = await make_http().post_json(server.url(f"/to?code={code}&url=/post"), {"a": 1})
    assert response.status == code
    assert len(server.requests) == 1
