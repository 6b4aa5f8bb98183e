"""Blocking keys: which sentences are worth comparing, without comparing them.

``candidate_keys`` turns a match text into a handful of signed 64-bit keys (MinHash LSH bands
over its content words, plus keys for its opening and closing words); ``twin_key`` is shared
only by sentences that prepare identically. The store persists the keys, so none may change.
"""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
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
_BAND_SHIFT = 59  # band number in the top bits; the whole key stays below 2**63
_BELOW_BAND = (1 << _BAND_SHIFT) - 1
_BAND_BASES = tuple(band << _BAND_SHIFT for band in range(LSH_BANDS))
# A band key folds its rows' minima: ((row1 << 29) ^ row2) << 29 ^ row3, below the band number.
_FOLD_SHIFT = 29

# Each content word is hashed once with SHAKE-128; the digest is cut into one 32-bit hash per
# MinHash row. Never change this once keys are persisted (that needs a re-keying of the index).
_ROW_COUNT = LSH_BANDS * LSH_ROWS
_ROW_HASHES = struct.Struct(f"<{_ROW_COUNT}I")
_ROW_NUMBERS = np.arange(_ROW_COUNT)
ROW_HASH_CACHE_SIZE = 1 << 16  # words whose row hashes a process keeps (some 14 MB): the vocabulary is Zipfian


def candidate_keys(match: str) -> list[int]:
    """Blocking keys of a match text: deterministic, each fits a signed 64-bit integer.

    One key per MinHash band over the set of content words (stopwords left out,
    so that keys are not shared through "of the"), and anchor keys for the
    opening and closing content words, five and three of each: they catch
    teasers cut short and edits at the other end. Keys are only ever added to
    this scheme, never changed, as stored claims keep the keys they were given.
    """
    tokens = match.split()
    content = _content_words(tokens)
    if not content:
        return [_prefix_key(tokens)] if match else []
    keys = _band_keys(set(content))
    if len(content) > PREFIX_KEY_WORDS:
        keys.append(_end_key(SUFFIX_KEY_BAND, content[-PREFIX_KEY_WORDS:]))
    keys.append(_prefix_key(content))
    if len(content) > SHORT_ANCHOR_WORDS:
        keys.append(_end_key(SHORT_PREFIX_KEY_BAND, content[:SHORT_ANCHOR_WORDS]))
        keys.append(_end_key(SHORT_SUFFIX_KEY_BAND, content[-SHORT_ANCHOR_WORDS:]))
    return keys


def _band_keys(words: set[str]) -> list[int]:
    """The MinHash band keys of a set of words: none for a band whose rows' minima all come from one word."""
    table = np.frombuffer(b"".join(map(_row_hashes, words)), dtype="<u4").reshape(len(words), _ROW_COUNT)
    owners = table.argmin(axis=0)  # which word gave each row's minimum: the first in set order, on a tie
    values = iter(table[owners, _ROW_NUMBERS].tolist())
    owners = iter(owners.tolist())
    keys = []
    # Unrolled for three rows a band and two words a band (LSH_ROWS, MIN_BAND_WORDS): three times as fast.
    for base, (a, b, c), (a_owner, b_owner, c_owner) in zip(
        _BAND_BASES, zip(values, values, values), zip(owners, owners, owners)
    ):
        if a_owner != b_owner or b_owner != c_owner:
            keys.append(base | (((a << 2 * _FOLD_SHIFT) ^ (b << _FOLD_SHIFT) ^ c) & _BELOW_BAND))
    return keys


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


def keyed(text: str) -> Keyed:
    prepared = prepare(text)
    return Keyed(prepared, tuple(candidate_keys(prepared.match)), twin_key(prepared))


def worth_comparing(
    ready: Keyed, holders: Iterable[tuple[int, int]], text_of: Callable[[int], str] | None = None
) -> list[int]:
    """The sentences among the holders (key, sentence_id) of `ready`'s keys worth comparing with it.

    Those that share MIN_SHARED_KEYS keys with it, or an end (``same_end``): one band in common is
    mostly a chance collision on common words; the same opening or closing words are not. Whether
    a short opening counts needs the other's text (`text_of`); without it, every holder of an end
    key is kept, so that the caller can read the few texts it needs and ask again.
    """
    holders = [(key, other_id) for key, other_id in holders if key != ready.twin]
    shared = Counter(other_id for _, other_id in holders)
    end_keys = {key for key in ready.keys if may_share_an_end(key)}
    ends = {
        other_id
        for key, other_id in holders
        if key in end_keys and (text_of is None or same_end(key, ready.prepared, text_of(other_id)))
    }
    return [i for i, count in shared.items() if count >= MIN_SHARED_KEYS or i in ends]


@lru_cache(maxsize=ROW_HASH_CACHE_SIZE)
def _row_hashes(word: str) -> bytes:
    return shake_128(word.encode()).digest(_ROW_HASHES.size)


def _prefix_key(words: Sequence[str]) -> int:
    return _end_key(PREFIX_KEY_BAND, words[:PREFIX_KEY_WORDS])


def _end_key(band: int, words: Sequence[str]) -> int:
    digest = int.from_bytes(blake2b(" ".join(words).encode(), digest_size=8).digest(), "little")
    return (band << _BAND_SHIFT) | (digest & _BELOW_BAND)
