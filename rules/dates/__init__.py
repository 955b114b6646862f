"""Dates in text (pure): when a meeting was or will be, from the words around it.

Owns the date vocabulary per language (``lexicon``), the finder of dates and relative day words
(``find``) and the meeting date of an item (``meeting.date_of``), which the event layer uses to
tell one meeting from the next; ``adapters/pagedates.py`` reads press-page dates with the same
finder and vocabulary. May import ``monitor.model``; never I/O.
"""
