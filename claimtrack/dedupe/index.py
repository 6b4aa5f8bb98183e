"""The in-memory key index: sentences by position, and the keys each holds, in sorted numpy runs."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np

from .keys import MIN_CONTAINMENT, Keyed, as_sketch_rows, containment
from .match import MIN_LENGTH_RATIO, Prepared, _cut_short

MAX_HOLDERS_PER_KEY = 8  # sentences a key is kept for: one that thousands share says little and costs much
TEXT_CHUNK = 4096  # texts MemoryKeyIndex keeps in one tuple
RECENT_KEYS_LIMIT = 1 << 18  # keys MemoryKeyIndex keeps in its last run before it merges them into the one before
LEVEL_GROWTH = 8  # ...and each run before holds up to this many times as many as the next
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd, so multiplying by it (modulo 2**64) is a bijection


class Entry(NamedTuple):
    """What the index keeps of a sentence, as the store persists it beside the claim."""

    sentence_id: int
    written: str  # Prepared.written
    truncated: bool  # Prepared.truncated: preparing found a final ellipsis
    cut_short: bool  # the text as written ends in an ellipsis
    match_length: int  # len(Prepared.match)
    sketch: bytes  # Keyed.sketch


class StoredEntries(NamedTuple):
    """Many entries at once, as columns, with the keys each holds: how an index is loaded from the store."""

    ids: np.ndarray  # int64
    written: Sequence[str]
    truncated: np.ndarray  # bool
    cut_short: np.ndarray  # bool
    match_lengths: np.ndarray  # int32
    keys: np.ndarray  # int64: the keys of the first entry, then of the second, ...
    key_counts: np.ndarray  # how many keys each entry holds
    sketches: bytes  # Keyed.sketch of each entry, end to end


class SortedKeys:
    """(key, holder position) pairs, ordered by key and then by age, in numpy arrays.

    Keys are stored mixed (``_mixed``, a bijection) so that their top bits spread evenly. A
    bucketed run also keeps where each value of the top bits begins: one read then finds a key's
    neighbourhood, where a binary search over millions of keys would miss the cache twenty times.
    """

    def __init__(self, bucketed: bool = False) -> None:
        self.keys = np.empty(0, np.uint64)
        self.holders = np.empty(0, np.int32)
        self.bucketed = bucketed
        self._shift = np.uint64(64)
        self._starts = np.zeros(2, np.int32)  # where each bucket begins, and the end (runs stay below 2**31 keys)

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def of(cls, keys: np.ndarray, holders: np.ndarray) -> SortedKeys:
        """A run of these (mixed) keys, held by these positions."""
        run = cls()
        order = np.argsort(keys, kind="stable")  # stable: a key's holders stay in the order given
        run.keys, run.holders = keys[order], holders[order].astype(np.int32)
        return run

    def merged(self, newer: SortedKeys) -> SortedKeys:
        """A run of both runs' keys, bucketed if this one is. It may share the newer run's arrays."""
        run = SortedKeys(self.bucketed)
        if len(self.keys):
            landing = self.keys.searchsorted(newer.keys, side="right")  # after equal keys: older holders first
            landing += np.arange(len(landing))
            older = np.ones(len(self.keys) + len(newer.keys), bool)
            older[landing] = False
            run.keys, run.holders = np.empty(len(older), np.uint64), np.empty(len(older), np.int32)
            run.keys[landing], run.keys[older] = newer.keys, self.keys
            run.holders[landing], run.holders[older] = newer.holders, self.holders
        else:  # an empty run, as every run is when an index is loaded: nothing to interleave
            run.keys, run.holders = newer.keys, newer.holders
        if self.bucketed:
            run._find_buckets(self, newer.keys)
        return run

    def holders_of(self, mixed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(i, holder) for each holder here of each mixed[i], by age within each i."""
        if not len(self.keys) or not len(mixed):
            return np.empty(0, np.intp), np.empty(0, np.int32)
        at, end = self._where_to_look(mixed)
        asked = np.arange(len(mixed))
        found_asked, found_at = [], []
        while len(asked):  # one key of each range a round: most ranges hold a key or two
            inside = at < end
            asked, at, end = asked[inside], at[inside], end[inside]
            key, wanted = self.keys[at], mixed[asked]
            found_asked.append(asked[key == wanted])
            found_at.append(at[key == wanted])
            going_on = key <= wanted
            asked, at, end = asked[going_on], at[going_on] + 1, end[going_on]
        return np.concatenate(found_asked), self.holders[np.concatenate(found_at)]

    def _where_to_look(self, mixed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A range of positions for each key that holds it, if it is held: its bucket, or from where it would be."""
        if not self.bucketed:
            return self.keys.searchsorted(mixed), np.full(len(mixed), len(self.keys))
        bucket = (mixed >> self._shift).astype(np.intp)
        return self._starts[bucket], self._starts[bucket + 1]

    def _find_buckets(self, previous: SortedKeys, added: np.ndarray) -> None:
        """Where each bucket begins: the previous run's beginnings moved on by the keys added before them."""
        bits = max(1, (len(self.keys) // 4).bit_length())  # about four keys a bucket
        self._shift = np.uint64(64 - bits)
        if self._shift == previous._shift:
            added_before = np.bincount((added >> self._shift).astype(np.intp), minlength=1 << bits)
            self._starts = previous._starts.copy()
            self._starts[1:] += np.cumsum(added_before, out=added_before)
        else:
            bounds = np.arange(1 << bits, dtype=np.uint64)
            bounds <<= self._shift
            self._starts = np.empty(len(bounds) + 1, np.int32)
            self._starts[:-1] = self.keys.searchsorted(bounds)
            self._starts[-1] = len(self.keys)


class MemoryKeyIndex:
    """Sentences and the candidate keys they hold, in memory: 12 bytes a key held.

    Each sentence added takes the next position, by which its id and its prepared words are
    kept. Keys are kept with their holder's position in ``SortedKeys`` runs, oldest first, each up
    to LEVEL_GROWTH times as large as the next: ``add_keys`` merges into the last, and a run that
    outgrows its limit is merged into the one before it. So a key is copied a few times in all,
    however many are held, and a lookup searches three runs.
    """

    def __init__(self) -> None:
        self.ids = array("q")
        self._cut_short = array("b")  # 1 where the text ends in an ellipsis: a teaser cut short
        self._truncated = array("b")  # ...and where preparing it found one (``Prepared.truncated``)
        self._match_lengths = array("i")
        self._sketches = bytearray()
        self._dead = array("b")  # 1 where the sentence was deleted or is being clustered again
        self._deaths = 0
        # Prepared.written in tuples of TEXT_CHUNK: the garbage collector stops walking a tuple of
        # strings, where it would read every string of a list at each full collection.
        self._written: list[tuple[str, ...]] = []
        self._filling: list[str] = []
        self._runs = [SortedKeys(bucketed=True), SortedKeys(bucketed=True), SortedKeys()]

    def __len__(self) -> int:
        return len(self.ids)

    def extend(self, sentences: Iterable[tuple[int, str, Keyed]]) -> int:
        """Add (sentence_id, text, keyed), without keys; return the position of the first."""
        return self.extend_entries(entry_of(sentence_id, text, ready) for sentence_id, text, ready in sentences)

    def extend_entries(self, entries: Iterable[Entry]) -> int:
        """Add sentences as the store keeps them, without keys; return the position of the first."""
        first = len(self.ids)
        for sentence_id, written, truncated, cut_short, match_length, sketch in entries:
            self.ids.append(sentence_id)
            self._cut_short.append(cut_short)
            self._truncated.append(truncated)
            self._match_lengths.append(match_length)
            self._sketches += sketch
            self._dead.append(0)
            self._filling.append(written)
            if len(self._filling) == TEXT_CHUNK:
                self._written.append(tuple(self._filling))
                self._filling = []
        return first

    def extend_stored(self, stored: StoredEntries) -> None:
        """Add entries and the keys they hold, as loaded from the store, in bulk."""
        first = len(self.ids)
        self.ids.frombytes(np.asarray(stored.ids, np.int64).tobytes())
        self._cut_short.frombytes(np.asarray(stored.cut_short, np.int8).tobytes())
        self._truncated.frombytes(np.asarray(stored.truncated, np.int8).tobytes())
        self._match_lengths.frombytes(np.asarray(stored.match_lengths, np.intc).tobytes())
        self._sketches += stored.sketches
        self._dead.frombytes(bytes(len(stored.ids)))
        for written in stored.written:
            self._filling.append(written)
            if len(self._filling) == TEXT_CHUNK:
                self._written.append(tuple(self._filling))
                self._filling = []
        if len(stored.keys):
            positions = np.repeat(np.arange(first, first + len(stored.ids)), stored.key_counts)
            self.add_keys(stored.keys, positions)

    def forget(self, sentence_ids: Iterable[int]) -> None:
        """Hide these sentences from every lookup: they were deleted, or are about to be added again."""
        wanted = np.fromiter(sentence_ids, np.int64)
        if not len(wanted):
            return
        found = np.flatnonzero(np.isin(np.frombuffer(self.ids, np.int64), wanted))
        dead = np.frombuffer(self._dead, np.int8)
        self._deaths += int(len(found) - dead[found].sum())
        dead[found] = 1

    # Each view of an array below is gone before the next extend, which may move the array.
    def cut_short(self, positions: np.ndarray) -> np.ndarray:
        """Whether the texts at these positions end in an ellipsis (``_cut_short``)."""
        return np.frombuffer(self._cut_short, np.int8)[positions] > 0

    def truncated(self, positions: np.ndarray) -> np.ndarray:
        """Whether the sentences at these positions were prepared as teasers cut short."""
        return np.frombuffer(self._truncated, np.int8)[positions] > 0

    def may_be_alike(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """``may_be_alike`` of the sentences at positions a[i] and b[i]."""
        lengths = np.frombuffer(self._match_lengths, np.intc)
        length_a, length_b = lengths[a], lengths[b]
        fit = np.minimum(length_a, length_b) >= MIN_LENGTH_RATIO * np.maximum(length_a, length_b)
        return fit | self.truncated(a) | self.truncated(b)

    def holds_most(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Whether, of the sentences at positions a[i] and b[i], one holds most of the other's words."""
        sketches = as_sketch_rows(self._sketches)
        return containment(sketches[a], sketches[b]) >= MIN_CONTAINMENT

    def prepared(self, position: int) -> Prepared:
        """The sentence at `position`, prepared again from its words: a few µs, where ``prepare`` takes tens."""
        return Prepared.of_written(self._written_at(position), bool(self._truncated[position]))

    def _written_at(self, position: int) -> str:
        chunk, offset = divmod(position, TEXT_CHUNK)
        return self._written[chunk][offset] if chunk < len(self._written) else self._filling[offset]

    def holders(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(i, position) for the first MAX_HOLDERS_PER_KEY holders of each keys[i], by i and then age."""
        mixed = _mixed(keys)
        found = [run.holders_of(mixed) for run in self._runs]
        asked = np.concatenate([asked for asked, _ in found])
        order = np.argsort(asked, kind="stable")  # stable: earlier runs hold the older holders
        asked, held = asked[order], np.concatenate([held for _, held in found])[order]
        if self._deaths:
            alive = np.frombuffer(self._dead, np.int8)[held] == 0
            asked, held = asked[alive], held[alive]
        first = _ranks(asked) < MAX_HOLDERS_PER_KEY
        return asked[first], held[first]

    def add_keys(self, keys: np.ndarray, positions: np.ndarray) -> None:
        """Remember that the sentence at positions[i] holds keys[i]."""
        runs = self._runs
        runs[-1] = runs[-1].merged(SortedKeys.of(_mixed(keys), positions))
        for level in range(len(runs) - 1, 0, -1):
            if len(runs[level]) >= RECENT_KEYS_LIMIT * LEVEL_GROWTH ** (len(runs) - 1 - level):
                runs[level - 1] = runs[level - 1].merged(runs[level])
                runs[level] = SortedKeys(runs[level].bucketed)


def entry_of(sentence_id: int, text: str, ready: Keyed) -> Entry:
    """What the index keeps of a keyed sentence."""
    prepared = ready.prepared
    return Entry(sentence_id, prepared.written, prepared.truncated, _cut_short(text), len(prepared.match), ready.sketch)


def _ranks(grouped: np.ndarray) -> np.ndarray:
    """Each value's index among the equal values before it (equal values are next to each other)."""
    if not len(grouped):
        return np.empty(0, np.intp)
    starts = np.flatnonzero(np.concatenate([[True], grouped[1:] != grouped[:-1]]))
    return np.arange(len(grouped)) - np.repeat(starts, np.diff(np.append(starts, len(grouped))))


def _mixed(keys: np.ndarray) -> np.ndarray:
    """Keys multiplied by an odd constant: a bijection of 64-bit integers whose top bits spread evenly."""
    return np.asarray(keys, np.int64).view(np.uint64) * _MIX
