"""The network edge: the one HTTP client and its policies.

Owns the aiohttp client (``client.Http``: timeouts, user agent, size caps, conditional GET),
the SSRF guard (``ssrf``: which addresses may be reached, checked at connect time), redirects
(``redirects``), per-host slots (``hostslots``), what servers ask for (``serverhints``:
Retry-After, Cache-Control, ``<ttl>``), quick retries at the edge (``edgeretry``), fetch errors
(``errors``) and long-lived streams (``streams``). May import ``monitor.contracts``,
``monitor.retry`` and ``monitor.units``; never the store, the pipeline or the daemon.
"""
