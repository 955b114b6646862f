"""The daemon's HTTP endpoint: ``/healthz``, ``/readyz``, ``/metrics``, ``POST /-/reload``, and
whatever other packages (the web page) install on it.

Owns the aiohttp application and its lifetime (``app.py``), the ``[monitor.server]`` options
(``options.py``) and the route registry (``routes.py``). It may import the store's interface,
the settings and the model; the daemon imports it, never the other way round (the daemon hands
its live parts over in a ``ServerContext``). This ``__init__`` imports nothing, so the settings
loader can import ``options`` without pulling in the server.
"""
