"""The database: the only package that writes SQL.

A `Store` wraps one SQLite connection (through sqlite-utils). An ingest writes many
documents a transaction (`batch`), so an interrupted ingest leaves every committed
batch whole and nothing of the batch in progress.

`Store` is one class composed of a part per job, each in its own module, all sharing
`self.conn` and `self.db`:

- `schema`: the schema as ordered migrations (MIGRATIONS, SCHEMA_VERSION, the views).
- `connection`: opening a database (`open_store`, read-only `open_reader`), pragmas, migrating, `transaction()`,
  `optimize()`, `close()`; `Connection` is the base of the other parts.
- `writer`: `Writer`, the rows of a processed document and its actors.
- `batch`: `IngestBatches`, documents a batch a transaction, a savepoint a document, clustered in bulk.
- `clusters`: `ClusterIndex`, the dedupe index loaded into and saved from the in-memory clusterer,
  and the clusters; `index_rows` packs its rows.
- `queries`: `Queries`, everything the commands read (search, export, dupes, timeline...).
- `vectors`: `VectorIndex`, the claims' vectors and their binary codes in blocks.
- `related`: `RelatedStore`, what related claims read and keep (word rarity, claim profiles, found pairs).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..actors import Actor
from ..dedupe import DEFAULT_THRESHOLD, Clusterer
from ..filters import Filters
from ..models import ProcessedDocument
from .batch import DocumentNotStored, IngestBatches
from .clusters import ClusterIndex
from .connection import Connection, open_as, open_read_only
from .queries import CLAIM_RECORD_FIELDS, Queries
from .related import RelatedStore
from .vectors import VectorIndex
from .writer import Writer, WriteResult

__all__ = [
    "CLAIM_RECORD_FIELDS",
    "DocumentNotStored",
    "Filters",
    "IngestBatches",
    "Store",
    "WriteResult",
    "open_reader",
    "open_store",
]


class Store(RelatedStore, VectorIndex, Queries, ClusterIndex, Writer, Connection):
    """One SQLite database of claimtrack: read, written and migrated."""

    def clusterer(self, threshold: float = DEFAULT_THRESHOLD) -> Clusterer:
        """A clusterer holding every claim stored, as it was clustered: what an ingest adds to."""
        return self.load_clusterer(Clusterer(threshold=threshold))

    def ingest_batches(
        self, clusterer: Clusterer, is_house_blurb: Callable[[str, str | None], bool] | None = None, **limits
    ) -> IngestBatches:
        """Write documents a batch at a time (see `batch`); use it in a `with` block."""
        return IngestBatches(self, clusterer, is_house_blurb, **limits)

    def write_document(
        self,
        processed: ProcessedDocument,
        actors: dict[str, Actor],
        clusterer: Clusterer,
        is_house_blurb: Callable[[str, str | None], bool] | None = None,
    ) -> WriteResult:
        """Store one document in a batch of its own, all or nothing."""
        with self.ingest_batches(clusterer, is_house_blurb) as batch:
            return batch.write(processed, actors)


def open_store(path: Path | str) -> Store:
    """Open (creating or migrating) the database at `path`."""
    return open_as(path, Store)


def open_reader(path: Path | str) -> Store:
    """Open the existing database at `path` read-only, beside a process that writes it."""
    return open_read_only(path, Store)
