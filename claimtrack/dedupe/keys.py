"""Blocking keys: which sentences are worth comparing, without comparing them.

``candidate_keys`` turns a match text into a handful of signed 64-bit keys (MinHash LSH bands
over its content words, plus keys for its opening and closing words); ``twin_key`` is shared
only by sentences that prepare identically. The store persists the keys, so none may change.
"""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate, chain
from hashlib import blake2b, shake_128
from typing import NamedTuple

import numpy as np

from .match import Prepared, _content_words, _cut_short, prepare

# Blocking.
LSH_BANDS = 8
LSH_ROWS = 3
MIN_BAND_WORDS = 2  # a band whose row minima all come from one word would block every sentence with that word
PREFIX_KEY_WORDS = 5  # content words of the opening that make the prefix key
SHORT_ANCHOR_WORDS = 3  # ...and of the short opening and closing keys: short sentences, short teasers
PREFIX_KEY_BAND = 15  # band number reserved for the prefix key (bands are 0..LSH_BANDS-1)
SUFFIX_KEY_BAND = 13  # band number reserved for the key of the closing content words
SHORT_PREFIX_KEY_BAND = 12  # band numbers reserved for the short opening and closing keys
SHORT_SUFFIX_KEY_BAND = 11
_ANCHOR_BANDS = frozenset((PREFIX_KEY_BAND, SUFFIX_KEY_BAND))
_END_BANDS = _ANCHOR_BANDS | {SHORT_PREFIX_KEY_BAND}
TWIN_KEY_BAND = 14  # band number reserved for the twin key: sentences that prepare to the very same words
MIN_SHARED_KEYS = 2  # candidates sharing fewer keys, and neither their opening nor closing words, are not compared
# ...unless one holds most of the other's content words: an edited copy and its original may share one band
MIN_CONTAINMENT = 0.6  # the share of the fewer content words (counted by sketch bits) found in the other sentence
SKETCH_BITS = 256  # a sentence's content words, one bit each, chosen by the word's first row hash
_SKETCH_WORDS = SKETCH_BITS // 64
_BAND_SHIFT = 59  # band number in the top bits; the whole key stays below 2**63
_BELOW_BAND = (1 << _BAND_SHIFT) - 1
# A band key folds its rows' minima: ((row1 << 29) ^ row2) << 29 ^ row3, below the band number.
_FOLD_SHIFT = 29
_BAND_BASES_U64 = np.array([band << _BAND_SHIFT for band in range(LSH_BANDS)], dtype=np.uint64)
_BELOW_BAND_U64 = np.uint64(_BELOW_BAND)
_FOLD = np.uint64(_FOLD_SHIFT)
_DOUBLE_FOLD = np.uint64(2 * _FOLD_SHIFT)
_PLACE_BITS = np.uint64(32)  # a word's place in its set, below its row hash (see _minhash_of_all)
_PLACE_MASK = np.uint64((1 << 32) - 1)

# Each content word is hashed once with SHAKE-128; the digest is cut into one 32-bit hash per
# MinHash row. Never change this once keys are persisted (that needs a re-keying of the index).
_ROW_COUNT = LSH_BANDS * LSH_ROWS
_ROW_HASHES = struct.Struct(f"<{_ROW_COUNT}I")
ROW_HASH_CACHE_SIZE = 1 << 16  # words whose row hashes a process keeps (some 14 MB): the vocabulary is Zipfian


def candidate_keys(match: str) -> list[int]:
    """Blocking keys of a match text: deterministic, each fits a signed 64-bit integer.

    One key per MinHash band over the set of content words (stopwords left out,
    so that keys are not shared through "of the"), and anchor keys for the
    opening and closing content words, five and three of each: they catch
    teasers cut short and edits at the other end. Keys are only ever added to
    this scheme, never changed, as stored claims keep the keys they were given.
    """
    return candidate_keys_of_all([match])[0]


def candidate_keys_of_all(matches: Sequence[str]) -> list[list[int]]:
    """``candidate_keys`` of each match text, the MinHash of all of them in one go (numpy calls cost
    microseconds each, however few the words: one set of calls for a document's claims, not one a claim)."""
    return _keys_and_sketches_of_all(matches)[0]


def sketches_of_all(matches: Sequence[str]) -> list[bytes]:
    """The word sketch of each match text (``SKETCH_BITS`` bits, little-endian uint64 words), without its keys."""
    word_sets = [set(_content_words(match.split())) for match in matches]
    filled = [words for words in word_sets if words]
    sketches = iter(_sketches(_hash_table(filled), [len(words) for words in filled]) if filled else [])
    return [next(sketches) if words else _EMPTY_SKETCH for words in word_sets]


def _keys_and_sketches_of_all(matches: Sequence[str]) -> tuple[list[list[int]], list[bytes]]:
    contents = [_content_words(match.split()) for match in matches]
    bands, sketches = _minhash_of_all([set(content) for content in contents if content])
    bands, sketches = iter(bands), iter(sketches)
    keys = [
        _keys_of(match, content, next(bands)) if content else [_prefix_key(match.split())] if match else []
        for match, content in zip(matches, contents)
    ]
    return keys, [next(sketches) if content else _EMPTY_SKETCH for content in contents]


def _keys_of(match: str, content: list[str], band_keys: list[int]) -> list[int]:
    keys = band_keys
    if len(content) > PREFIX_KEY_WORDS:
        keys.append(_end_key(SUFFIX_KEY_BAND, content[-PREFIX_KEY_WORDS:]))
    keys.append(_prefix_key(content))
    if len(content) > SHORT_ANCHOR_WORDS:
        keys.append(_end_key(SHORT_PREFIX_KEY_BAND, content[:SHORT_ANCHOR_WORDS]))
        keys.append(_end_key(SHORT_SUFFIX_KEY_BAND, content[-SHORT_ANCHOR_WORDS:]))
    return keys


_EMPTY_SKETCH = bytes(SKETCH_BITS // 8)


def _minhash_of_all(word_sets: list[set[str]]) -> tuple[list[list[int]], list[bytes]]:
    """The MinHash band keys of each set of words (none for a band whose rows' minima all come from one
    word), and its sketch: a bit for each word, the first row hash's lowest bits saying which.

    Each row's minimum and the word it came from (the first in set order, on a tie) are found together:
    a word's row hash sits in the high 32 bits of a number whose low bits are its place in its set.
    """
    if not word_sets:
        return [], []
    sizes = [len(words) for words in word_sets]
    hashes = _hash_table(word_sets)
    starts = np.zeros(len(sizes), dtype=np.intp)
    np.cumsum(sizes[:-1], out=starts[1:])
    places = np.arange(len(hashes), dtype=np.uint64) - np.repeat(starts, sizes).astype(np.uint64)
    tagged = (hashes.astype(np.uint64) << _PLACE_BITS) | places[:, None]
    minima = np.minimum.reduceat(tagged, starts, axis=0).reshape(len(sizes), LSH_BANDS, LSH_ROWS)
    rows, owners = minima >> _PLACE_BITS, minima & _PLACE_MASK
    # Unrolled for three rows a band and two words a band (LSH_ROWS, MIN_BAND_WORDS).
    kept = (owners[:, :, 0] != owners[:, :, 1]) | (owners[:, :, 1] != owners[:, :, 2])
    folded = (rows[:, :, 0] << _DOUBLE_FOLD) ^ (rows[:, :, 1] << _FOLD) ^ rows[:, :, 2]
    keys = ((folded[kept] & _BELOW_BAND_U64) | _BAND_BASES_U64[np.nonzero(kept)[1]]).tolist()
    counts = kept.sum(axis=1).tolist()
    return [keys[end - count : end] for count, end in zip(counts, accumulate(counts))], _sketches(hashes, sizes)


def _hash_table(word_sets: list[set[str]]) -> np.ndarray:
    """The row hashes of every word of the sets, a row of ``_ROW_COUNT`` a word, set after set."""
    words = list(chain.from_iterable(word_sets))
    return np.frombuffer(_joined_row_hashes(words), dtype="<u4").reshape(len(words), _ROW_COUNT)


def _sketches(hashes: np.ndarray, sizes: list[int]) -> list[bytes]:
    """A sketch of each set of words whose rows of `hashes` come `sizes` at a time: a bit a word."""
    bits = hashes[:, 0] % SKETCH_BITS
    sketches = np.zeros((len(sizes), _SKETCH_WORDS), "<u8")
    word_of_set = np.repeat(np.arange(len(sizes)), sizes)
    np.bitwise_or.at(sketches, (word_of_set, bits // 64), np.left_shift(1, bits % 64, dtype=np.uint64))
    return list(map(bytes, sketches))


def _joined_row_hashes(words: list[str]) -> bytes:
    """The row hashes of each word, end to end."""
    found = list(map(_row_hash_cache.get, words))
    if None in found:
        found = [digest if digest is not None else _row_hashes(word) for word, digest in zip(words, found)]
    return b"".join(found)


_row_hash_cache: dict[str, bytes] = {}


def _row_hashes(word: str) -> bytes:
    if len(_row_hash_cache) >= ROW_HASH_CACHE_SIZE:
        _row_hash_cache.clear()  # the frequent words are back in a few documents
    digest = _row_hash_cache[word] = shake_128(word.encode()).digest(_ROW_HASHES.size)
    return digest


def may_share_an_end(key: int) -> bool:
    """Whether sharing `key` may mean two sentences open or close alike (``same_end`` decides)."""
    return key >> _BAND_SHIFT in _END_BANDS


def same_end(key: int, prepared: Prepared, other_text: str) -> bool:
    """Whether sharing an anchor `key` means two sentences open or close with the same words.

    Three opening words in common mean little, unless one of the two is a teaser cut short.
    """
    if key >> _BAND_SHIFT in _ANCHOR_BANDS:
        return True
    return prepared.truncated or _cut_short(other_text)


def twin_key(prepared: Prepared) -> int:
    """A key shared only by sentences that prepare identically (same words as written, same cut).

    ``compare`` cannot tell such twins apart, so a twin can take its twin's cluster without
    being compared with anything: clusters stay the connected components of SAME pairs.
    """
    identity = (prepared.written + ("\u2026" if prepared.truncated else "")).encode()
    digest = int.from_bytes(blake2b(identity, digest_size=8, person=b"twin").digest(), "little")
    return (TWIN_KEY_BAND << _BAND_SHIFT) | (digest & _BELOW_BAND)


class Keyed(NamedTuple):
    """A sentence ready for clustering: prepared, its blocking keys and its twin key.

    A pure function of the text, so worker processes can make it.
    """

    prepared: Prepared
    keys: tuple[int, ...]
    twin: int
    sketch: bytes  # its content words, a bit each (``SKETCH_BITS``)


def keyed(text: str) -> Keyed:
    return keyed_all([text])[0]


def keyed_all(texts: Sequence[str]) -> list[Keyed]:
    """``keyed`` of each text; faster than one at a time (``candidate_keys_of_all``)."""
    prepared = [prepare(text) for text in texts]
    keys, sketches = _keys_and_sketches_of_all([p.match for p in prepared])
    return [Keyed(p, tuple(k), twin_key(p), sketch) for p, k, sketch in zip(prepared, keys, sketches)]


def containment(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The share of the fewer words of each pair of sketches (rows of uint64 words) that the other holds too."""
    common = np.bitwise_count(a & b).sum(axis=1)
    fewer = np.minimum(np.bitwise_count(a).sum(axis=1), np.bitwise_count(b).sum(axis=1))
    return common / np.maximum(fewer, 1)


def as_sketch_rows(sketches: bytes | bytearray) -> np.ndarray:
    """Sketches end to end, as rows of uint64 words."""
    return np.frombuffer(sketches, "<u8").reshape(-1, _SKETCH_WORDS)


def worth_comparing(
    ready: Keyed, holders: Iterable[tuple[int, int]], text_of: Callable[[int], str] | None = None
) -> list[int]:
    """The sentences among the holders (key, sentence_id) of `ready`'s keys worth comparing with it.

    Those that share MIN_SHARED_KEYS keys with it, or an end (``same_end``), or one key and most of
    the words of the shorter one (MIN_CONTAINMENT): one band in common is mostly a chance collision
    on common words; the same opening or closing words are not. The last two need the other's text
    (`text_of`); without it, every such holder is kept, so that the caller can read the few texts it
    needs and ask again.
    """
    holders = [(key, other_id) for key, other_id in holders if key != ready.twin]
    shared = Counter(other_id for _, other_id in holders)
    end_keys = {key for key in ready.keys if may_share_an_end(key)}
    ends = {
        other_id
        for key, other_id in holders
        if key in end_keys and (text_of is None or same_end(key, ready.prepared, text_of(other_id)))
    }
    return [
        i
        for i, count in shared.items()
        if count >= MIN_SHARED_KEYS or i in ends or text_of is None or _holds_most(ready, text_of(i))
    ]


def _holds_most(ready: Keyed, other_text: str) -> bool:
    other = sketches_of_all([prepare(other_text).match])[0]
    return bool(containment(as_sketch_rows(ready.sketch), as_sketch_rows(other))[0] >= MIN_CONTAINMENT)


def _prefix_key(words: Sequence[str]) -> int:
    return _end_key(PREFIX_KEY_BAND, words[:PREFIX_KEY_WORDS])


def _end_key(band: int, words: Sequence[str]) -> int:
    digest = int.from_bytes(blake2b(" ".join(words).encode(), digest_size=8).digest(), "little")
    return (band << _BAND_SHIFT) | (digest & _BELOW_BAND)
