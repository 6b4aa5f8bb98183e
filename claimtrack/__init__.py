"""claimtrack: track claims across many sources."""

__version__ = "0.1.0"
