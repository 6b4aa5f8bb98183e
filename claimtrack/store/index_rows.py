"""How a row of dedupe_index packs what the in-memory index keeps of a claim (``dedupe.Entry``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..dedupe import Entry, StoredEntries

TRUNCATED, CUT_SHORT = 1, 2  # bits of dedupe_index.flags
KEY_DTYPE = np.dtype("<i8")  # dedupe_index.keys: the blocking keys a claim holds, little-endian int64, packed


def entry_row(entry: Entry, keys: Sequence[int] | np.ndarray) -> tuple:
    """(sentence_id, written, flags, match_length, keys, sketch) for dedupe_index."""
    flags = TRUNCATED * entry.truncated | CUT_SHORT * entry.cut_short
    packed = np.asarray(keys, KEY_DTYPE).tobytes()
    return entry.sentence_id, entry.written, flags, entry.match_length, packed, entry.sketch


def stored_entries(rows: Sequence[tuple]) -> StoredEntries:
    """The entries and held keys of dedupe_index rows (as ``entry_row`` makes them, and maybe more
    columns after, which are left out), as columns."""
    if not rows:
        empty = np.empty(0, np.int64)
        nothing = empty.astype(bool)
        return StoredEntries(empty, [], nothing, nothing, empty.astype(np.int32), empty, empty, b"")
    ids, written, flags, lengths, keys, sketches, *_ = zip(*rows)
    flags = np.array(flags, np.int64)
    return StoredEntries(
        ids=np.array(ids, np.int64),
        written=written,
        truncated=(flags & TRUNCATED) > 0,
        cut_short=(flags & CUT_SHORT) > 0,
        match_lengths=np.array(lengths, np.int32),
        keys=np.frombuffer(b"".join(keys), KEY_DTYPE).astype(np.int64),
        key_counts=np.array([len(k) for k in keys], np.int64) // KEY_DTYPE.itemsize,
        sketches=b"".join(sketches),
    )
