"""Clusters in memory: ``Clusterer`` over a ``MemoryKeyIndex``, a batch of sentences at a time.

Clusters are the connected components of the SAME pairs, so they do not depend on the order in
which sentences arrive. ``plan_batch`` finds each sentence's twin and candidates from the keys alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz

from .index import MAX_HOLDERS_PER_KEY, MemoryKeyIndex, StoredEntries, _ranks
from .keys import _ANCHOR_BANDS, _BAND_SHIFT, MIN_SHARED_KEYS, SHORT_PREFIX_KEY_BAND, Keyed, keyed
from .match import DEFAULT_THRESHOLD, SAME, VARIANT, Prepared, Verdict, compare, match_text

CLUSTER_BATCH = 5000  # sentences whose keys Clusterer.add_many looks up together
MAX_VARIANTS_PER_CLAIM = 5  # a template sentence ("Report 12: ...") must not link to every other report


class BatchPlan(NamedTuple):
    """What the keys of a batch of sentences decide, before any text is compared.

    Sentences of the batch hold positions ``first``, ``first + 1``, ... of the index, in order.
    """

    twins: list[int]  # position of the sentence each one is a twin of, or -1
    candidates: list[list[int]]  # positions worth comparing with each sentence, oldest first
    keys: np.ndarray  # the keys the batch's sentences hold from now on...
    holders: np.ndarray  # ...and the position of the sentence holding each


def plan_batch(index: MemoryKeyIndex, batch: Sequence[Keyed], first: int) -> BatchPlan:
    """Twins and candidates of a batch of sentences, as if they were added one after another.

    Each sentence sees the first MAX_HOLDERS_PER_KEY holders of each of its keys, those of the
    index and those before it in the batch; a twin of an earlier sentence holds no keys, and a
    sentence holds a key only while fewer than MAX_HOLDERS_PER_KEY do. Candidates are those
    ``worth_comparing`` and ``may_be_alike``. All in numpy, as a sentence at a million reads some
    twenty holders, nearly all of which are not candidates.
    """
    sizes = np.array([1 + len(ready.keys) for ready in batch])
    owner = np.repeat(np.arange(len(batch)), sizes)  # the sentence of each key
    keys = np.fromiter((key for ready in batch for key in (ready.twin, *ready.keys)), np.int64, len(owner))
    twin_rows = np.cumsum(sizes) - sizes
    asked, held = index.holders(keys)
    twins = _twin_positions(keys[twin_rows], twin_rows, asked, held, first)
    member = twins[owner] < 0  # not a twin: it holds keys
    blocking = np.ones(len(keys), bool)
    blocking[twin_rows] = False
    stored = member[asked]  # a member's twin key has no holders: these hold its other keys
    seeing, seen, kept = _holders_in_batch(
        keys, np.flatnonzero(member & blocking), np.bincount(asked, minlength=len(keys))
    )
    rows = np.concatenate([asked[stored], seeing])
    positions = np.concatenate([held[stored], first + owner[seen]])
    bands = keys[rows] >> _BAND_SHIFT
    candidates = _worth_comparing_pairs(index, first, owner[rows], positions, bands, len(batch))
    holding = np.sort(np.concatenate([twin_rows[twins < 0], kept]))
    return BatchPlan(twins.tolist(), candidates, keys[holding], first + owner[holding])


@dataclass(frozen=True, slots=True)
class VariantLink:
    a_id: int
    b_id: int
    verdict: Verdict


class Clusterer:
    """Assigns sentences to clusters: the connected components of verified SAME pairs.

    A sentence whose twin (``twin_key``) was added before joins the twin's cluster and
    leaves no keys: repeated copies are never compared with one another. The twin key is
    kept in the index beside the others. A candidate is prepared again from the words the
    index keeps, in a few µs, so no cache of prepared sentences is needed.
    """

    def __init__(self, index: MemoryKeyIndex | None = None, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.index = index if index is not None else MemoryKeyIndex()
        self.threshold = threshold
        self.variants: list[VariantLink] = []
        self.candidates_checked = 0
        self._parent: dict[int, int] = {}  # only sentences that were merged; the rest are their own root
        self._held: list[tuple[np.ndarray, np.ndarray]] = []  # (keys, positions) added since take_changes
        self._merged: set[int] = set()  # clusters merged into another since take_changes

    def load(self, stored: StoredEntries, clusters: np.ndarray) -> None:
        """Add stored sentences as they were clustered: their entries, the keys each holds, and their
        cluster (the smallest id in it). Nothing is compared."""
        self.index.extend_stored(stored)
        merged = np.flatnonzero(clusters != stored.ids)
        self._parent.update(zip(stored.ids[merged].tolist(), clusters[merged].tolist()))

    def forget(self, sentence_ids: Sequence[int]) -> None:
        """Take sentences out: whole clusters only (every member of each, or ``add`` them back after)."""
        self.index.forget(sentence_ids)
        for sentence_id in sentence_ids:
            self._parent.pop(sentence_id, None)

    def take_changes(self) -> tuple[dict[int, np.ndarray], set[int], list[VariantLink]]:
        """What was decided since the last call, for the store: the keys each sentence added now holds,
        the clusters merged into others, and the variants found."""
        held: dict[int, np.ndarray] = {}
        keys = np.concatenate([np.empty(0, np.int64), *(k for k, _ in self._held)])
        positions = np.concatenate([np.empty(0, np.int64), *(p for _, p in self._held)])
        if len(positions):
            order = np.argsort(positions, kind="stable")
            keys, positions = keys[order], positions[order]
            starts = np.flatnonzero(np.concatenate([[True], positions[1:] != positions[:-1]]))
            ids = self.index.ids
            for position, held_keys in zip(positions[starts].tolist(), np.split(keys, starts[1:])):
                held[ids[position]] = held_keys
        changes = held, self._merged, self.variants
        self._held, self._merged, self.variants = [], set(), []
        return changes

    def add(self, sentence_id: int, text: str, ready: Keyed | None = None) -> int:
        """Add a sentence, merge it with every SAME candidate, record variants; return its cluster."""
        self._add_batch([(sentence_id, text, ready or keyed(text))])
        return self.find(sentence_id)

    def add_many(self, sentences: Iterable[tuple[int, str, Keyed | None]]) -> None:
        """``add`` each (sentence_id, text, keyed or None) in order, looking up keys a batch at a time."""
        batch: list[tuple[int, str, Keyed]] = []
        for sentence_id, text, ready in sentences:
            batch.append((sentence_id, text, ready or keyed(text)))
            if len(batch) == CLUSTER_BATCH:
                self._add_batch(batch)
                batch = []
        self._add_batch(batch)

    def _add_batch(self, batch: list[tuple[int, str, Keyed]]) -> None:
        if not batch:
            return
        first = self.index.extend(batch)
        plan = plan_batch(self.index, [ready for _, _, ready in batch], first)
        self.index.add_keys(plan.keys, plan.holders)
        self._held.append((plan.keys, plan.holders))
        ids = self.index.ids
        for (sentence_id, _, ready), twin, candidates in zip(batch, plan.twins, plan.candidates):
            if twin >= 0:
                self._union(sentence_id, ids[twin])
                continue
            variants = 0
            for position in candidates:
                variants += self._compare(sentence_id, ready.prepared, ids[position], position, variants)

    def _compare(self, sentence_id: int, prepared: Prepared, other_id: int, position: int, variants: int) -> bool:
        """Compare with one candidate; True when a variant was recorded."""
        if self.find(other_id) == self.find(sentence_id):
            return False
        self.candidates_checked += 1
        verdict = compare(prepared, self.index.prepared(position), self.threshold)
        if verdict.kind == SAME:
            self._union(sentence_id, other_id)
        elif verdict.kind == VARIANT and variants < MAX_VARIANTS_PER_CLAIM:
            self.variants.append(VariantLink(sentence_id, other_id, verdict))
            return True
        return False

    def find(self, sentence_id: int) -> int:
        """The cluster of a sentence: the smallest id in it."""
        root = sentence_id
        while (parent := self._parent.get(root, root)) != root:
            root = parent
        while sentence_id != root:
            sentence_id, self._parent[sentence_id] = self._parent[sentence_id], root
        return root

    def clusters(self, sentence_ids: Iterable[int]) -> dict[int, list[int]]:
        """Members of each cluster among the given sentences, keyed by cluster."""
        members: dict[int, list[int]] = {}
        for sentence_id in sentence_ids:
            members.setdefault(self.find(sentence_id), []).append(sentence_id)
        return members

    def _union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            low, high = sorted((root_a, root_b))
            self._parent[high] = low
            self._merged.add(high)


def with_similarity(cluster: dict) -> dict:
    """A `dupes` cluster whose members carry their similarity (0-100) to its representative text."""
    representative = match_text(cluster["text"])
    members = [
        dict(member, similarity=round(fuzz.ratio(representative, match_text(member["text"])), 1))
        for member in cluster["members"]
    ]
    return dict(cluster, members=members)


# ---- helpers ----------------------------------------------------------------


def _twin_positions(
    twin_keys: np.ndarray, twin_rows: np.ndarray, asked: np.ndarray, held: np.ndarray, first: int
) -> np.ndarray:
    """Position of the first sentence, before each one, that had its twin key; -1 where none did."""
    twins = np.full(len(twin_keys), -1, np.int64)
    stored = np.isin(asked, twin_rows)
    sentences, oldest = np.unique(np.searchsorted(twin_rows, asked[stored]), return_index=True)
    twins[sentences] = held[stored][oldest]
    _, earliest, inverse = np.unique(twin_keys, return_index=True, return_inverse=True)
    earliest = earliest[inverse]
    in_batch = (twins < 0) & (earliest < np.arange(len(twin_keys)))
    twins[in_batch] = first + earliest[in_batch]
    return twins


def _holders_in_batch(
    keys: np.ndarray, rows: np.ndarray, stored: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which rows of a batch's keys (in sentence order) see which earlier ones, and which hold their key.

    A row holds its key while fewer than MAX_HOLDERS_PER_KEY do: the `stored` holders of each row's
    key, then the batch's. Returned: pairs (row, earlier row of the same key that holds it), and the
    rows that hold their key.
    """
    order = rows[np.argsort(keys[rows], kind="stable")]  # by key, then sentence
    rank = _ranks(keys[order])
    room = MAX_HOLDERS_PER_KEY - np.minimum(stored[order], MAX_HOLDERS_PER_KEY)
    earlier = np.minimum(rank, room)  # holders in the batch before each row
    seeing = np.repeat(np.arange(len(order)), earlier)
    step = np.arange(len(seeing)) - np.repeat(np.cumsum(earlier) - earlier, earlier)
    return order[seeing], order[(np.arange(len(order)) - rank)[seeing] + step], order[rank < room]


def _worth_comparing_pairs(
    index: MemoryKeyIndex, first: int, sentence: np.ndarray, position: np.ndarray, band: np.ndarray, count: int
) -> list[list[int]]:
    """``worth_comparing`` over a batch (sketches for one key in common), then ``may_be_alike``: each
    (sentence[i], position[i]) shares a key of `band[i]`, and the batch's sentences hold positions
    `first`, `first + 1`, ... of the index.

    Returned: the positions worth comparing with each of the `count` sentences, oldest first.
    """
    span = int(position.max()) + 1 if len(position) else 1
    pairs, inverse, shared = np.unique(sentence * span + position, return_inverse=True, return_counts=True)
    end = np.isin(band, list(_ANCHOR_BANDS))
    short = np.flatnonzero(band == SHORT_PREFIX_KEY_BAND)
    end[short] = index.truncated(first + sentence[short]) | index.cut_short(position[short])  # same_end
    worth = (shared >= MIN_SHARED_KEYS) | (np.bincount(inverse, weights=end, minlength=len(pairs)) > 0)
    one_key = np.flatnonzero(~worth)
    worth[one_key] = index.holds_most(first + pairs[one_key] // span, pairs[one_key] % span)
    chosen = pairs[worth]
    sentences, positions = chosen // span, chosen % span
    alike = index.may_be_alike(first + sentences, positions)
    candidates: list[list[int]] = [[] for _ in range(count)]
    for s, p in zip(sentences[alike].tolist(), positions[alike].tolist()):
        candidates[s].append(p)
    return candidates
