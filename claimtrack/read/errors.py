"""The read stage's own error: ``Unreadable``, why one file, record or page cannot become a Document.

It is caught where a ``ReadFailure`` is made (``claimtrack.read.walk``, ``claimtrack.read.collection``),
so one bad input never stops the others. A mistake in what the user asked for (an unknown
metadata field, a bad date) is ``claimtrack.errors.InputError`` instead.
"""

from __future__ import annotations


class Unreadable(Exception):
    """A file that cannot become a Document; the message is the reason shown."""
