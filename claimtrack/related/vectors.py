"""Compact vectors: int8 rows for scoring and sign bits for a first pass over every claim.

A unit vector is stored as int8 (its largest component scaled to 127): a quarter of float32, and
cosines within about 0.01 of the float ones. The signs of its first 128 dimensions (16 bytes) make a
binary code; the Hamming distance between codes ranks a million claims in a few milliseconds, and
the best few hundred are then scored again with their int8 rows.

Codes are kept word-major (`Codes.words[w]` holds 64-bit word `w` of every claim), so each step of
the distance is one pass over a contiguous array.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INT8_SCALE = 127
CODE_DIMENSIONS = 128  # WordLlama is trained so that leading dimensions carry the most (Matryoshka)


def to_int8(vectors: np.ndarray) -> np.ndarray:
    peaks = np.abs(vectors).max(axis=1, keepdims=True)
    peaks[peaks == 0] = 1
    return np.rint(vectors / peaks * INT8_SCALE).astype(np.int8)


def cosines(rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Cosine of each int8 (or float) row with `query`."""
    rows = rows.astype(np.float32)
    query = query.astype(np.float32)
    norms = np.linalg.norm(rows, axis=1) * float(np.linalg.norm(query))
    norms[norms == 0] = 1
    return rows @ query / norms


def sign_words(vectors: np.ndarray) -> np.ndarray:
    """The sign bits of each vector's first CODE_DIMENSIONS as 64-bit words, word-major: shape
    (words, len(vectors))."""
    bits = np.packbits(vectors[:, :CODE_DIMENSIONS] > 0, axis=1)
    padding = -bits.shape[1] % 8
    if padding:
        bits = np.pad(bits, ((0, 0), (0, padding)))
    return np.ascontiguousarray(bits.view(np.uint64).T)


@dataclass(frozen=True)
class Codes:
    """The binary codes of many claims, and the claim id of each: one block as stored."""

    ids: np.ndarray  # int64, one a claim
    words: np.ndarray  # uint64, (words, claims)

    def distances(self, query_words: np.ndarray) -> np.ndarray:
        distances = np.zeros(len(self.ids), dtype=np.uint16)
        for word, query_word in zip(self.words, query_words):
            distances += np.bitwise_count(word ^ query_word)
        return distances


def nearest(blocks: list[Codes], query: np.ndarray, count: int) -> list[int]:
    """The ids of about `count` claims nearest `query` (a vector) in Hamming distance, nearest first;
    ties at the cut are all kept. Block by block, so the codes are never copied into one array."""
    if not blocks or count <= 0:
        return []
    query_words = sign_words(to_int8(query.reshape(1, -1)))[:, 0]  # signs as the stored int8 rows have them
    per_block = [block.distances(query_words) for block in blocks]
    counts = np.bincount(np.concatenate(per_block))
    cut = int(np.searchsorted(np.cumsum(counts), min(count, sum(len(d) for d in per_block))))
    found = []
    for block, distances in zip(blocks, per_block):
        within = np.flatnonzero(distances <= cut)
        found.extend(zip(distances[within].tolist(), block.ids[within].tolist()))
    return [claim_id for _, claim_id in sorted(found)]
