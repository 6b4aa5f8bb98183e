"""Errors that are shown to the user as one line."""


class ClaimtrackError(Exception):
    """An error the command line prints as one clear line and exits non-zero."""


class InputError(ClaimtrackError):
    """A file or option the user gave cannot be used."""


class DatabaseError(ClaimtrackError):
    """The database cannot be opened or used."""


class QueryError(ClaimtrackError):
    """A search query or filter cannot be answered."""
