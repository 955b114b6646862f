"""Source adapters: one module per kind of source, registered here by ``type`` name."""

from __future__ import annotations

from adapters.base import SourceType
from adapters.bluesky import BlueskySource
from adapters.bluesky_jetstream import JetstreamSource
from adapters.feed import FeedSource
from adapters.html_list import HtmlListSource
from adapters.mastodon import MastodonSource
from adapters.mastodon_stream import MastodonStreamSource
from adapters.telegram import TelegramSource
from adapters.x import XSource

# type name -> source class. Adding a source type = one module + one line here.
ADAPTERS: dict[str, type[SourceType]] = {"feed": FeedSource}
ADAPTERS["x"] = XSource
ADAPTERS["mastodon"] = MastodonSource
ADAPTERS["mastodon_stream"] = MastodonStreamSource
ADAPTERS["bluesky"] = BlueskySource
ADAPTERS["bluesky_jetstream"] = JetstreamSource
ADAPTERS["telegram"] = TelegramSource
ADAPTERS["html_list"] = HtmlListSource
