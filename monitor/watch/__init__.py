"""Watching the sources themselves (issue 14, "silent sources"): which sources have gone
quiet for longer than usual, and the operator's alert and recovery note about it.

``silence.py`` is the one definition of silence (PURE: ``bilat status``, the web page's
Sources table, the ``bilat_sources_silent`` gauge and the alerts all ask it);
``notes.py`` words the operator's alerts (PURE); ``watcher.py`` runs the check against the
store and queues those alerts through the outbox, one per silence episode. It may import the
store, the model and the settings' option types; nothing below the scheduler imports it
except the pure ``silence`` module.
"""
