"""X API v2 responses to Items (pure: bytes in, Items out), for the ``x`` source type.

A 200 may carry partial ``errors`` next to ``data``: the posts are kept and the errors become
notes. Status links (``/status/<id>``) map RSS bridge items back to post ids, so the API and
bridge modes of ``adapters.x`` give the same item ids.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from adapters.posts import max_id, norm_lang, parse_time, snippet
from monitor.model import Item, utcnow

_STATUS_LINK = re.compile(r"/status(?:es)?/(\d+)")


@dataclass(slots=True)
class ParsedTweets:
    """What one page of ``/2/users/:id/tweets`` held."""

    items: list[Item]
    newest_id: str | None
    next_token: str | None
    result_count: int
    errors: list[str] = field(default_factory=list)  # partial errors, one readable line each


def _expand_urls(text: str, entities: Any) -> str:
    """Replace t.co links by the URLs they stand for (readable, and what a desk clicks)."""
    urls = entities.get("urls") if isinstance(entities, dict) else None
    for u in urls or ():
        short, full = u.get("url"), u.get("unwound_url") or u.get("expanded_url")
        if short and full and short in text:
            text = text.replace(short, full)
    return text


def error_line(err: Any) -> str:
    if not isinstance(err, dict):
        return str(err)
    parts = [str(err.get(k)) for k in ("title", "detail") if err.get(k)]
    if err.get("message"):  # v1.1-style {"code": 88, "message": ...}
        parts.append(str(err["message"]))
    return ": ".join(parts) or json.dumps(err, sort_keys=True)[:200]


def parse_tweets(
    body: bytes | str | dict[str, Any],
    *,
    source_id: str,
    username: str | None = None,
    official: bool = False,
    lang_override: str | None = None,
    include_retweets: bool = False,
    fetched_at: datetime | None = None,
) -> ParsedTweets:
    """Items from an X API v2 timeline page (``data`` + ``includes`` + ``errors`` + ``meta``).

    Author names come from ``includes.users`` (``expansions=author_id``); retweets, when
    kept, carry the full text of the original from ``includes.tweets``. Raises ValueError for
    a body that is not a JSON object.
    """
    doc = json.loads(body) if isinstance(body, bytes | str) else body
    if not isinstance(doc, dict):
        raise ValueError("X API response is not a JSON object")
    includes = doc.get("includes") or {}
    users = {u.get("id"): u for u in includes.get("users") or () if isinstance(u, dict)}
    referenced = {t.get("id"): t for t in includes.get("tweets") or () if isinstance(t, dict)}
    fetched_at = fetched_at or utcnow()
    items: list[Item] = []
    for tweet in doc.get("data") or ():
        if not isinstance(tweet, dict) or not tweet.get("id"):
            continue
        refs = {r.get("type"): r.get("id") for r in tweet.get("referenced_tweets") or ()}
        text = _expand_urls(str(tweet.get("text") or ""), tweet.get("entities"))
        if "retweeted" in refs:
            if not include_retweets:
                continue
            original = referenced.get(refs["retweeted"])
            if original:  # the "RT @x: …" text is truncated; the original is not
                who = users.get(original.get("author_id"), {}).get("username")
                full = _expand_urls(str(original.get("text") or ""), original.get("entities"))
                text = f"RT @{who}: {full}" if who else full
        user = users.get(tweet.get("author_id")) or {}
        handle = user.get("username") or username
        tweet_id = str(tweet["id"])
        items.append(
            Item(
                id=tweet_id,
                source_id=source_id,
                title=snippet(text),
                text=text,
                url=f"https://x.com/{handle or 'i/web'}/status/{tweet_id}",
                published_at=parse_time(tweet.get("created_at")),
                author=user.get("name") or (f"@{handle}" if handle else None),
                author_handle=f"@{handle}" if handle else None,
                lang=norm_lang(tweet.get("lang")) or lang_override,
                fetched_at=fetched_at,
                official=official,
            )
        )
    meta = doc.get("meta") or {}
    ids = [str(t["id"]) for t in doc.get("data") or () if isinstance(t, dict) and t.get("id")]
    return ParsedTweets(
        items=items,
        newest_id=str(meta["newest_id"]) if meta.get("newest_id") else max_id(ids),
        next_token=meta.get("next_token"),
        result_count=int(meta.get("result_count") or len(ids)),
        errors=[error_line(e) for e in doc.get("errors") or ()],
    )


def status_id_from_link(link: str | None) -> str | None:
    """The post id in an x.com / twitter.com / Nitter status link."""
    m = _STATUS_LINK.search(link or "")
    return m.group(1) if m else None
