"""Claim records as one Parquet file: typed columns, lists as lists, written a row group at a time.

pyarrow is optional (`pip install 'claimtrack[parquet]'`); it is imported only when a file is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from .errors import InputError
from .store import CLAIM_RECORD_FIELDS

ROW_GROUP_SIZE = 5_000  # records held in memory and written as one row group
MISSING_PYARROW = "--format parquet needs pyarrow: pip install 'claimtrack[parquet]'"
# Dates stay text: a claim's date may be partial ("2024", "--05-09" is a 9 May of unknown year).
COLUMN_TYPES = {
    "id": "int64",
    "text": "string",
    "source": "string",
    "source_title": "string?",
    "publisher": "string?",
    "url": "string?",
    "doc_date": "string?",
    "date": "string?",
    "actors": "list<string>",
    "countries": "list<string>",
    "cluster_id": "int64?",
    "sources_count": "int64",
    "position": "int64",
    "variants_count": "int64",
}  # a trailing "?" marks a column that may be null


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise InputError(MISSING_PYARROW) from None
    return pyarrow


def require_pyarrow() -> None:
    """Fail in one line, before any work, if pyarrow is not installed."""
    _pyarrow()


def schema():
    """The file's schema, fixed before the first record so that row groups can stream."""
    pa = _pyarrow()
    types = {"int64": pa.int64(), "string": pa.string(), "list<string>": pa.list_(pa.field("item", pa.string(), False))}
    fields = []
    for name in CLAIM_RECORD_FIELDS:
        kind = COLUMN_TYPES[name]
        fields.append(pa.field(name, types[kind.rstrip("?")], nullable=kind.endswith("?")))
    return pa.schema(fields)


def batches(records: Iterable[dict], size: int) -> Iterator[list[dict]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


def write_parquet(records: Iterable[dict], path: Path) -> None:
    """Write the records to `path`, one row group per ROW_GROUP_SIZE records."""
    pa = _pyarrow()
    file_schema = schema()
    with pa.parquet.ParquetWriter(path, file_schema) as writer:
        for batch in batches(records, ROW_GROUP_SIZE):
            columns = {name: [record[name] for record in batch] for name in file_schema.names}
            writer.write_table(pa.Table.from_pydict(columns, schema=file_schema), row_group_size=len(batch))
