"""Fixtures for the notifier tests (defined in ``servers.py``, shared with tests/delivery)."""

from tests.notifiers.servers import cert, http, slack, smtp

__all__ = ["cert", "http", "slack", "smtp"]
