"""bilat: alerts a desk when two countries' officials hold a bilateral meeting."""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/bilat-monitor/bilat"
