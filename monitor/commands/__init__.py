"""One module per ``bilat`` subcommand; each exposes ``register(subparsers)``."""
