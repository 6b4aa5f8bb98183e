"""How a row of dedupe_index packs what the in-memory index keeps of a claim (``dedupe.Entry``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..dedupe import Entry

TRUNCATED, CUT_SHORT = 1, 2  # bits of dedupe_index.flags
KEY_DTYPE = np.dtype("<i8")  # dedupe_index.keys: the blocking keys a claim holds, little-endian int64, packed


def entry_row(entry: Entry, keys: Sequence[int] | np.ndarray) -> tuple:
    """(sentence_id, written, flags, match_length, keys) for dedupe_index."""
    flags = TRUNCATED * entry.truncated | CUT_SHORT * entry.cut_short
    return entry.sentence_id, entry.written, flags, entry.match_length, np.asarray(keys, KEY_DTYPE).tobytes()


def row_entry(sentence_id: int, written: str, flags: int, match_length: int, keys: bytes) -> tuple[Entry, np.ndarray]:
    """The entry and held keys of a dedupe_index row."""
    entry = Entry(sentence_id, written, bool(flags & TRUNCATED), bool(flags & CUT_SHORT), match_length)
    return entry, np.frombuffer(keys, KEY_DTYPE)
