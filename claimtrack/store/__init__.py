"""The database: the only package that writes SQL.

A `Store` wraps one SQLite connection (through sqlite-utils). Writes happen one
document per transaction, so an interrupted ingest leaves the database as it
was before the document in progress.

`Store` is one class composed of a part per job, each in its own module, all sharing
`self.conn` and `self.db`:

- `schema`: the schema as ordered migrations (MIGRATIONS, SCHEMA_VERSION, the views).
- `connection`: opening a database (`open_store`), pragmas, migrating, `transaction()`,
  `optimize()`, `close()`; `Connection` is the base of the other parts.
- `writer`: `Writer`, storing a processed document (`write_document`) and actors.
- `clusters`: `ClusterIndex`, the dedupe key index and the clusters.
- `queries`: `Queries`, everything the commands read (search, export, dupes, timeline...).
"""

from __future__ import annotations

from pathlib import Path

from ..filters import Filters
from .clusters import ClusterIndex
from .connection import Connection, open_as
from .queries import CLAIM_RECORD_FIELDS, Queries
from .writer import Writer, WriteResult

__all__ = ["CLAIM_RECORD_FIELDS", "Filters", "Store", "WriteResult", "open_store"]


class Store(Queries, ClusterIndex, Writer, Connection):
    """One SQLite database of claimtrack: read, written and migrated."""


def open_store(path: Path | str) -> Store:
    """Open (creating or migrating) the database at `path`."""
    return open_as(path, Store)
