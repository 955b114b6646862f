"""Source adapters: one module per kind of source, registered here by ``type`` name.

Each module is imported when its type is first looked up (``rules.registry``): a config of
feeds never imports the social adapters or the press-page reader."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.registry import Registry

if TYPE_CHECKING:
    from adapters.base import SourceType

# type name -> source class. Adding a source type = one module + one line here.
ADAPTERS: Registry[type[SourceType]] = Registry(
    {
        "feed": "adapters.feed:FeedSource",
        "x": "adapters.x:XSource",
        "mastodon": "adapters.mastodon:MastodonSource",
        "mastodon_stream": "adapters.mastodon_stream:MastodonStreamSource",
        "bluesky": "adapters.bluesky:BlueskySource",
        "bluesky_jetstream": "adapters.bluesky_jetstream:JetstreamSource",
        "telegram": "adapters.telegram:TelegramSource",
        "html_list": "adapters.html_list:HtmlListSource",
    }
)
