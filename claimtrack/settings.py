"""Defaults the command line and the library share, in one place."""

from __future__ import annotations

import os
from pathlib import Path

DB_ENV_VAR = "CLAIMTRACK_DB"
ENCODER_ENV_VAR = "CLAIMTRACK_ENCODER"
CLUSTER_ENV_VAR = "CLAIMTRACK_CLUSTER"  # a Dask scheduler for `ingest --cluster`
DEFAULT_DB = Path("data") / "claimtrack.db"

BUSY_TIMEOUT_MS = 30_000  # how long a writer waits for another writer
BATCH_DOCUMENTS = 500  # an ingest commits after this many documents...
BATCH_SECONDS = 2.0  # ...or after a batch has been open this long, whichever comes first
SEARCH_LIMIT = 20
FUZZY_MIN_TERM_LENGTH = 4  # shorter query words are never expanded
FUZZY_MIN_SCORE = 80  # rapidfuzz ratio for a vocabulary term to join the query
FUZZY_MAX_TERMS = 6  # close vocabulary terms added per query word
NEIGHBOURS = 2  # sentences shown either side by `show`


def default_db_path() -> Path:
    return Path(os.environ.get(DB_ENV_VAR) or DEFAULT_DB)
