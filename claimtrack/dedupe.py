"""Fuzzy deduplication of claims: blocking keys, a verifier, and clusters.

Three steps, none of which compares every sentence with every other one:

1. ``match_text`` folds a sentence to the form keys and comparison use.
2. ``candidate_keys`` turns it into a handful of signed 64-bit blocking keys
   (MinHash LSH bands over its content words, plus one key for its opening
   words). Sentences that share a key are candidates; the store persists the
   keys so an incremental ingest only looks them up.
3. ``compare`` verifies a candidate pair with rapidfuzz and tells SAME from
   VARIANT (a number, negation, actor or date differs) from DIFFERENT.

``Clusterer`` ties them together in memory, over a ``MemoryKeyIndex``: clusters
are the connected components of the SAME pairs, so they do not depend on the
order in which sentences arrive. (``cluster.StoreClusterer`` does the same over
the keys the store keeps.)
"""

from __future__ import annotations

import re
import struct
import unicodedata
from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from hashlib import blake2b, shake_128
from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

SAME = "same"
VARIANT = "variant"
DIFFERENT = "different"

NUMBER = "number"
NEGATION = "negation"
ACTOR = "actor"
DATE = "date"

# Verification (scores are rapidfuzz fuzz.ratio of the two match texts, 0-100).
DEFAULT_THRESHOLD = 80.0  # at or above: the same claim, unless content words differ or a variant word does
VARIANT_THRESHOLD = 75.0  # at or above, with a number/negation/actor/date change: a variant
QUICK_LOOK_THRESHOLD = 55.0  # below, on a candidate's casefolded text, it is not worth preparing (worth_preparing)
MIN_LENGTH_RATIO = 0.7  # shorter/longer match text below this: never the same claim
MAX_CHANGED_CONTENT_WORDS = 2  # content words changed on either side, beyond which it is another claim
CHANGED_CONTENT_SHARE = 0.1  # ...or this share of the sentence's content words, if larger
MAX_CHANGED_WORDS = 3  # any words changed on either side, beyond which it is another claim
CHANGED_WORDS_SHARE = 0.15  # ...or this share of the sentence's words, if larger
MAX_VARIANT_WORDS = 4  # a variant differs in a few words only (a name, a date, a number with its unit)
MIN_TRUNCATED_WORDS = 6  # a teaser cut short ("…") must keep this many words to match a prefix
MIN_TEASER_SHARE = 0.4  # ...and this share of the sentence's words: a short opening fits too many sentences
MAX_TEASER_CHANGED_WORDS = 1  # a teaser copies its opening: more changed words there make another sentence

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
PREPARED_CACHE_SIZE = 20_000  # sentences a PreparedCache keeps (popular claims recur)
MIN_SHARED_KEYS = 2  # candidates sharing fewer keys, and neither their opening nor closing words, are not compared
MAX_HOLDERS_PER_KEY = 8  # sentences a key is kept for: one that thousands share says little and costs much
CLUSTER_BATCH = 5000  # sentences whose keys Clusterer.add_many looks up together
TEXT_CHUNK = 4096  # texts MemoryKeyIndex keeps in one tuple
RECENT_KEYS_LIMIT = 1 << 18  # keys MemoryKeyIndex keeps in its last run before it merges them into the one before
LEVEL_GROWTH = 8  # ...and each run before holds up to this many times as many as the next
_BAND_SHIFT = 59  # band number in the top bits; the whole key stays below 2**63
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd, so multiplying by it (modulo 2**64) is a bijection

# Each content word is hashed once with SHAKE-128; the digest is cut into one 32-bit hash per
# MinHash row. Never change this once keys are persisted (that needs a re-keying of the index).
_ROW_HASHES = struct.Struct(f"<{LSH_BANDS * LSH_ROWS}I")

_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
        "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u200b": "",
    }
)  # fmt: skip

_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
_MONTH_NAMES = "|".join(m.capitalize() for m in _MONTHS[:12])
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_WEEKDAY_NAMES = "|".join(d.capitalize() for d in _WEEKDAYS)

_TRAILING_ELLIPSIS = re.compile(r"\s*[\[(]?\s*(?:\.\s*\.\s*\.|\u2026)[\s.\"')\]]*$")
_LEADING_PREFIXES = (
    # "UPDATE:", "BREAKING NEWS -", "UPDATE 2-"
    re.compile(r"^[A-Z]{2,}(?: [A-Z]{2,}){0,2}(?: \d+)?\s*(?::|-+)\s*"),
    # "WASHINGTON (Reuters) -", "LONDON, Jan 4 (AFP) -", "Kyiv (AP) -"
    re.compile(r"^[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3}(?:,[^()\n]{1,30})?\s*\([A-Za-z][\w .-]{0,24}\)\s*-+\s*"),
    # "Friday, January 4, 2019", "January 4, 2019 -"
    re.compile(rf"^(?:(?:{_WEEKDAY_NAMES}),?\s+)(?:{_MONTH_NAMES})\s+\d{{1,2}},?\s+\d{{4}}\b\s*(?::|-+)?\s*"),
    re.compile(rf"^(?:{_MONTH_NAMES})\s+\d{{1,2}},?\s+\d{{4}}\s*(?::|-+)\s*"),
)
_CONTRACTED_NOT = (
    (re.compile(r"\b(w)on't\b", re.IGNORECASE), r"\1ill not"),
    (re.compile(r"\b(c)an't\b", re.IGNORECASE), r"\1an not"),
    (re.compile(r"\b(s)han't\b", re.IGNORECASE), r"\1hall not"),
    (re.compile(r"n't\b", re.IGNORECASE), " not"),
)
_INITIALISM_DOT = re.compile(r"\b([A-Z])\.(?=[A-Z]\b)")  # U.S. -> US., S.A. -> SA.
_INNER_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_TOKEN = re.compile(r"[^\W_]+(?:\.\d+)*|%")

_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {w: str(10 * i) for i, w in enumerate("thirty forty fifty sixty seventy eighty ninety".split(), start=3)}
_MAGNITUDES = frozenset(
    "hundred thousand million billion trillion dozen dozens hundreds thousands millions billions percent half "
    "twice first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()
)
_NEGATIONS = frozenset("not no never nobody nothing none neither nor without cannot".split())
_DATE_WORDS = frozenset(_MONTHS) | frozenset(_WEEKDAYS) | frozenset("yesterday today tomorrow".split())
_STOPWORDS = frozenset(
    """a an the and or but if then than that this these those there their they them he she it its his her
    him we us our you your i me my of in on at to for from by with as into onto over under about after
    before during between against through up down out off again further once is are was were be been
    being am do does did doing have has had having will would shall should can could may might must
    also just so such very too more most much many some any each other own same only which who whom
    whose what when where why how all both few s said says say theres thats whats im ive youre theyre weve
    hes shes lets heres wheres whos not no yes okay ok well really just like even still now then there here
    get got go going think know mean kind lot thing things way""".split()
)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What ``compare`` decided about two sentences.

    ``kind`` is SAME, VARIANT or DIFFERENT; for a VARIANT, ``variant`` is
    number | negation | actor | date and ``a_value``/``b_value`` the differing
    words as written in each sentence ("" when a side has none).
    """

    kind: str
    score: float
    variant: str | None = None
    a_value: str | None = None
    b_value: str | None = None


class Prepared:
    """A sentence folded for matching: its match text, and its words as written joined by spaces.

    Sentences travel from the worker processes by the million and stay in the in-memory index,
    so only the two strings are kept and pickled; the word tuples are split from them the first
    time a comparison asks, and most sentences are never compared.
    """

    __slots__ = ("match", "written", "truncated", "_tokens", "_words")

    def __init__(self, match: str, written: str, truncated: bool) -> None:
        self.match = match  # casefolded words, number words as digits
        self.written = written
        self.truncated = truncated  # ended in an ellipsis: a teaser cut short
        self._tokens: tuple[str, ...] | None = None
        self._words: tuple[str, ...] | None = None

    @classmethod
    def of_written(cls, written: str, truncated: bool) -> Prepared:
        """The sentence prepared again from its ``written`` words, as ``prepare`` made it."""
        return cls(_match_of(written), written, truncated)

    def __reduce__(self):
        return Prepared, (self.match, self.written, self.truncated)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Prepared):
            return NotImplemented
        return (self.match, self.written, self.truncated) == (other.match, other.written, other.truncated)

    def __hash__(self) -> int:
        return hash((self.match, self.written, self.truncated))

    def __repr__(self) -> str:
        return f"Prepared({self.match!r}, {self.written!r}, {self.truncated})"

    @property
    def tokens(self) -> tuple[str, ...]:
        """The words of ``match``."""
        if self._tokens is None:
            self._tokens = tuple(self.match.split())
        return self._tokens

    @property
    def words(self) -> tuple[str, ...]:
        """The same words as written."""
        if self._words is None:
            self._words = tuple(self.written.split())
        return self._words

    @property
    def caseless(self) -> bool:
        """Written all in lower case, as some copies are: its names cannot be told apart."""
        return not any(word[0].isupper() for word in self.words)

    def capitalised(self, i: int) -> bool:
        """Whether word ``i`` is written with a capital where a sentence does not need one."""
        return i > 0 and self.words[i][0].isupper()


def prepare(text: str) -> Prepared:
    """Fold a sentence: quotes, dashes, spaces, prefixes, datelines, ellipsis, case."""
    folded = text.translate(_FOLD)
    if not folded.isascii():
        folded = unicodedata.normalize("NFKC", folded)
    folded = folded.strip()
    folded, truncated = _strip_ellipsis(folded)
    folded = _strip_prefixes(folded)
    if "'" in folded:
        for pattern, replacement in _CONTRACTED_NOT:
            folded = pattern.sub(replacement, folded)
        folded = _INNER_APOSTROPHE.sub("", folded)
    if "." in folded:
        folded = _INITIALISM_DOT.sub(r"\1", folded)
    if "," in folded:
        folded = _THOUSANDS.sub("", folded)
    written = " ".join(_TOKEN.findall(folded))
    return Prepared(_match_of(written), written, truncated)


def _match_of(written: str) -> str:
    tokens = written.casefold().split()
    if _NUMBER_WORDS.keys() & tokens or "%" in tokens:
        tokens = [_NUMBER_WORDS.get(t, "percent" if t == "%" else t) for t in tokens]
    return " ".join(tokens)


def match_text(text: str) -> str:
    """The normalised form of a sentence that keys and comparison use."""
    return prepare(text).match


def candidate_keys(match: str) -> list[int]:
    """Blocking keys of a match text: deterministic, each fits a signed 64-bit integer.

    One key per MinHash band over the set of content words (stopwords left out,
    so that keys are not shared through "of the"), and anchor keys for the
    opening and closing content words, five and three of each: they catch
    teasers cut short and edits at the other end. Keys are only ever added to
    this scheme, never changed, as stored claims keep the keys they were given.
    """
    content = _content_words(match.split())
    if not content:
        return [_prefix_key(match.split())] if match else []
    words = set(content)
    digests = b"".join([shake_128(w.encode()).digest(_ROW_HASHES.size) for w in words])
    table = np.frombuffer(digests, dtype="<u4").reshape(len(words), LSH_BANDS * LSH_ROWS)
    values = table.min(axis=0).tolist()
    owners = table.argmin(axis=0).tolist()  # which word gave each row's minimum
    keys = []
    for band in range(LSH_BANDS):
        rows = slice(band * LSH_ROWS, (band + 1) * LSH_ROWS)
        if len(set(owners[rows])) >= MIN_BAND_WORDS:
            keys.append((band << _BAND_SHIFT) | _fold_to_band(values[rows]))
    if len(content) > PREFIX_KEY_WORDS:
        keys.append(_end_key(SUFFIX_KEY_BAND, content[-PREFIX_KEY_WORDS:]))
    keys.append(_prefix_key(content))
    if len(content) > SHORT_ANCHOR_WORDS:
        keys.append(_end_key(SHORT_PREFIX_KEY_BAND, content[:SHORT_ANCHOR_WORDS]))
        keys.append(_end_key(SHORT_SUFFIX_KEY_BAND, content[-SHORT_ANCHOR_WORDS:]))
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


def worth_preparing(prepared: Prepared, other_text: str) -> bool:
    """A quick look at a candidate before it is prepared: False when it cannot be the same claim or a variant.

    Its text as written, merely casefolded, scores within a few points of its match text: datelines,
    quotes and contractions move fuzz.ratio by less than the margin below ``VARIANT_THRESHOLD``.
    Teasers are compared on their opening only, so they always get a full look.
    """
    if prepared.truncated or _cut_short(other_text):
        return True
    return fuzz.ratio(prepared.match, other_text.casefold(), score_cutoff=QUICK_LOOK_THRESHOLD) > 0


class PreparedCache:
    """Recently seen sentences, prepared, by their text.

    Popular claims recur, so a bounded cache spares folding them again; the least recently
    used go first.
    """

    def __init__(self, size: int = PREPARED_CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[str, Prepared] = OrderedDict()

    def remember(self, text: str, prepared: Prepared) -> None:
        self._items[text] = prepared
        self._items.move_to_end(text)
        if len(self._items) > self.size:
            self._items.popitem(last=False)

    def candidate(self, text: str, ready: Prepared) -> Prepared | None:
        """`text` prepared to be compared with `ready`, or None when the quick look rules it out."""
        found = self._items.get(text)
        if found is not None:
            self._items.move_to_end(text)
            return found
        if not worth_preparing(ready, text):
            return None
        found = prepare(text)
        self.remember(text, found)
        return found


def twin_key(prepared: Prepared) -> int:
    """A key shared only by sentences that prepare identically (same words as written, same cut).

    ``compare`` cannot tell such twins apart, so a twin can take its twin's cluster without
    being compared with anything: clusters stay the connected components of SAME pairs.
    """
    identity = (prepared.written + ("\u2026" if prepared.truncated else "")).encode()
    digest = int.from_bytes(blake2b(identity, digest_size=8, person=b"twin").digest(), "little")
    return (TWIN_KEY_BAND << _BAND_SHIFT) | (digest & ((1 << _BAND_SHIFT) - 1))


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


def compare(a: str | Prepared, b: str | Prepared, threshold: float = DEFAULT_THRESHOLD) -> Verdict:
    """Decide whether two sentences state the same claim, a variant of it, or another one.

    Pass the sentences as written (or ``prepare``d): capitals tell actors apart
    and a final ellipsis marks a teaser cut short. Match texts work too, but
    then actor swaps and teasers are not recognised.
    """
    pa = a if isinstance(a, Prepared) else prepare(a)
    pb = b if isinstance(b, Prepared) else prepare(b)
    if pa.match == pb.match:
        return Verdict(SAME, 100.0) if pa.match else Verdict(DIFFERENT, 0.0)
    if not pa.tokens or not pb.tokens:
        return Verdict(DIFFERENT, 0.0)
    pa, pb, a_end, b_end = _aligned_spans(pa, pb)
    match_a = pa.match if a_end == len(pa.tokens) else " ".join(pa.tokens[:a_end])
    match_b = pb.match if b_end == len(pb.tokens) else " ".join(pb.tokens[:b_end])
    shorter, longer = sorted((len(match_a), len(match_b)))
    if shorter < MIN_LENGTH_RATIO * longer:
        return Verdict(DIFFERENT, 0.0)
    score = fuzz.ratio(match_a, match_b, score_cutoff=VARIANT_THRESHOLD)
    if not score:
        return Verdict(DIFFERENT, 0.0)
    return _judge_differences(pa, pb, a_end, b_end, score, threshold)


def may_be_alike(a: Prepared, b: Prepared) -> bool:
    """False when the lengths of their match texts alone make ``compare`` call two sentences different.

    A teaser cut short is compared on its opening only, so its length says nothing.
    """
    if a.truncated or b.truncated:
        return True
    shorter, longer = sorted((len(a.match), len(b.match)))
    return shorter >= MIN_LENGTH_RATIO * longer


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
        """A run of both runs' keys, bucketed if this one is."""
        landing = self.keys.searchsorted(newer.keys, side="right")  # after equal keys: older holders first
        landing += np.arange(len(landing))
        older = np.ones(len(self.keys) + len(newer.keys), bool)
        older[landing] = False
        run = SortedKeys(self.bucketed)
        run.keys, run.holders = np.empty(len(older), np.uint64), np.empty(len(older), np.int32)
        run.keys[landing], run.keys[older] = newer.keys, self.keys
        run.holders[landing], run.holders[older] = newer.holders, self.holders
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
        # Prepared.written in tuples of TEXT_CHUNK: the garbage collector stops walking a tuple of
        # strings, where it would read every string of a list at each full collection.
        self._written: list[tuple[str, ...]] = []
        self._filling: list[str] = []
        self._runs = [SortedKeys(bucketed=True), SortedKeys(bucketed=True), SortedKeys()]

    def __len__(self) -> int:
        return len(self.ids)

    def extend(self, sentences: Iterable[tuple[int, str, Prepared]]) -> int:
        """Add (sentence_id, text, prepared text), without keys; return the position of the first."""
        first = len(self.ids)
        for sentence_id, text, prepared in sentences:
            self.ids.append(sentence_id)
            self._cut_short.append(_cut_short(text))
            self._truncated.append(prepared.truncated)
            self._match_lengths.append(len(prepared.match))
            self._filling.append(prepared.written)
            if len(self._filling) == TEXT_CHUNK:
                self._written.append(tuple(self._filling))
                self._filling = []
        return first

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

    def prepared(self, position: int) -> Prepared:
        """The sentence at `position`, prepared again from its words: a few µs, where ``prepare`` takes tens."""
        chunk, offset = divmod(position, TEXT_CHUNK)
        written = self._written[chunk][offset] if chunk < len(self._written) else self._filling[offset]
        return Prepared.of_written(written, bool(self._truncated[position]))

    def holders(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(i, position) for the first MAX_HOLDERS_PER_KEY holders of each keys[i], by i and then age."""
        mixed = _mixed(keys)
        found = [run.holders_of(mixed) for run in self._runs]
        asked = np.concatenate([asked for asked, _ in found])
        order = np.argsort(asked, kind="stable")  # stable: earlier runs hold the older holders
        asked, held = asked[order], np.concatenate([held for _, held in found])[order]
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
        first = self.index.extend((sentence_id, text, ready.prepared) for sentence_id, text, ready in batch)
        plan = plan_batch(self.index, [ready for _, _, ready in batch], first)
        self.index.add_keys(plan.keys, plan.holders)
        ids = self.index.ids
        for (sentence_id, _, ready), twin, candidates in zip(batch, plan.twins, plan.candidates):
            if twin >= 0:
                self._union(sentence_id, ids[twin])
                continue
            for position in candidates:
                self._compare(sentence_id, ready.prepared, ids[position], position)

    def _compare(self, sentence_id: int, prepared: Prepared, other_id: int, position: int) -> None:
        if self.find(other_id) == self.find(sentence_id):
            return
        self.candidates_checked += 1
        verdict = compare(prepared, self.index.prepared(position), self.threshold)
        if verdict.kind == SAME:
            self._union(sentence_id, other_id)
        elif verdict.kind == VARIANT:
            self.variants.append(VariantLink(sentence_id, other_id, verdict))

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
    """``worth_comparing`` over a batch, then ``may_be_alike``: each (sentence[i], position[i]) shares a key
    of `band[i]`, and the batch's sentences hold positions `first`, `first + 1`, ... of the index.

    Returned: the positions worth comparing with each of the `count` sentences, oldest first.
    """
    span = int(position.max()) + 1 if len(position) else 1
    pairs, inverse, shared = np.unique(sentence * span + position, return_inverse=True, return_counts=True)
    end = np.isin(band, list(_ANCHOR_BANDS))
    short = np.flatnonzero(band == SHORT_PREFIX_KEY_BAND)
    end[short] = index.truncated(first + sentence[short]) | index.cut_short(position[short])  # same_end
    chosen = pairs[(shared >= MIN_SHARED_KEYS) | (np.bincount(inverse, weights=end, minlength=len(pairs)) > 0)]
    sentences, positions = chosen // span, chosen % span
    alike = index.may_be_alike(first + sentences, positions)
    candidates: list[list[int]] = [[] for _ in range(count)]
    for s, p in zip(sentences[alike].tolist(), positions[alike].tolist()):
        candidates[s].append(p)
    return candidates


def _ranks(grouped: np.ndarray) -> np.ndarray:
    """Each value's index among the equal values before it (equal values are next to each other)."""
    if not len(grouped):
        return np.empty(0, np.intp)
    starts = np.flatnonzero(np.concatenate([[True], grouped[1:] != grouped[:-1]]))
    return np.arange(len(grouped)) - np.repeat(starts, np.diff(np.append(starts, len(grouped))))


def _mixed(keys: np.ndarray) -> np.ndarray:
    """Keys multiplied by an odd constant: a bijection of 64-bit integers whose top bits spread evenly."""
    return np.asarray(keys, np.int64).view(np.uint64) * _MIX


def _strip_ellipsis(text: str) -> tuple[str, bool]:
    stripped = _TRAILING_ELLIPSIS.sub("", text)
    return stripped, stripped != text


def _cut_short(text: str) -> bool:
    return _TRAILING_ELLIPSIS.search(text, max(0, len(text) - 12)) is not None


def _strip_prefixes(text: str) -> str:
    if not text[:1].isupper():
        return text
    for _ in range(3):
        before = text
        for pattern in _LEADING_PREFIXES:
            text = pattern.sub("", text, count=1)
        if text == before:
            break
    return text


def _content_words(tokens: Sequence[str]) -> list[str]:
    return [t for t in tokens if t not in _STOPWORDS]


def _fold_to_band(rows: Sequence[int]) -> int:
    value = 0
    for row in rows:
        value = ((value << 29) ^ row) & ((1 << _BAND_SHIFT) - 1)
    return value


def _prefix_key(words: Sequence[str]) -> int:
    return _end_key(PREFIX_KEY_BAND, words[:PREFIX_KEY_WORDS])


def _end_key(band: int, words: Sequence[str]) -> int:
    digest = int.from_bytes(blake2b(" ".join(words).encode(), digest_size=8).digest(), "little")
    return (band << _BAND_SHIFT) | (digest & ((1 << _BAND_SHIFT) - 1))


def _aligned_spans(pa: Prepared, pb: Prepared) -> tuple[Prepared, Prepared, int, int]:
    """How many words of each to compare: a teaser cut short is compared with the other's opening."""
    a_end, b_end = len(pa.tokens), len(pb.tokens)
    if pa.truncated and MIN_TEASER_SHARE * b_end <= a_end < b_end:
        a_end = _teaser_length(pa)
        b_end = min(b_end, a_end)
    elif pb.truncated and MIN_TEASER_SHARE * a_end <= b_end < a_end:
        b_end = _teaser_length(pb)
        a_end = min(a_end, b_end)
    return pa, pb, a_end, b_end


def _teaser_length(teaser: Prepared) -> int:
    """Words of a teaser worth comparing: the last may be cut mid-word, so it is left out."""
    if len(teaser.tokens) < MIN_TRUNCATED_WORDS:
        return len(teaser.tokens)
    return len(teaser.tokens) - 1


def _judge_differences(pa: Prepared, pb: Prepared, a_end: int, b_end: int, score: float, threshold: float) -> Verdict:
    """SAME, VARIANT or DIFFERENT from the runs of words that differ, once the score is close enough."""
    blocks = _changed_blocks(pa.tokens[:a_end], pb.tokens[:b_end])
    meaningful = []
    plain = []
    for block in blocks:
        variant = _variant_kind(pa, pb, *block)
        (meaningful if variant else plain).append((variant, block))
    changed_a = sum(len(_content_words(pa.tokens[s:e])) for _, (s, e, _, _) in plain)
    changed_b = sum(len(_content_words(pb.tokens[s:e])) for _, (_, _, s, e) in plain)
    content = max(len(_content_words(pa.tokens[:a_end])), len(_content_words(pb.tokens[:b_end])))
    if max(changed_a, changed_b) > max(MAX_CHANGED_CONTENT_WORDS, int(CHANGED_CONTENT_SHARE * content)):
        return Verdict(DIFFERENT, score)
    words_a = sum(e - s for _, (s, e, _, _) in plain)
    words_b = sum(e - s for _, (_, _, s, e) in plain)
    if max(words_a, words_b) > max(MAX_CHANGED_WORDS, int(CHANGED_WORDS_SHARE * max(a_end, b_end))):
        return Verdict(DIFFERENT, score)
    cut_short = a_end < len(pa.tokens) or b_end < len(pb.tokens)
    if cut_short and max(words_a, words_b) > MAX_TEASER_CHANGED_WORDS:
        return Verdict(DIFFERENT, score)
    if not meaningful:
        return Verdict(SAME, score) if score >= threshold else Verdict(DIFFERENT, score)
    kinds = {variant for variant, _ in meaningful}
    largest = max(max(e1 - s1, e2 - s2) for _, (s1, e1, s2, e2) in meaningful)
    if len(kinds) > 1 or largest > MAX_VARIANT_WORDS:
        return Verdict(DIFFERENT, score)
    a_values = "; ".join(" ".join(pa.words[s:e]) for _, (s, e, _, _) in meaningful)
    b_values = "; ".join(" ".join(pb.words[s:e]) for _, (_, _, s, e) in meaningful)
    return Verdict(VARIANT, score, kinds.pop(), a_values, b_values)


def _changed_blocks(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int, int]]:
    """Runs of words that differ, as (a_start, a_stop, b_start, b_stop)."""
    blocks = []
    for op in Levenshtein.opcodes(a, b):
        if op.tag == "equal":
            continue
        if blocks and blocks[-1][1] == op.src_start and blocks[-1][3] == op.dest_start:
            last = blocks.pop()
            blocks.append((last[0], op.src_end, last[2], op.dest_end))
        else:
            blocks.append((op.src_start, op.src_end, op.dest_start, op.dest_end))
    return blocks


def _variant_kind(pa: Prepared, pb: Prepared, a_start: int, a_stop: int, b_start: int, b_stop: int) -> str | None:
    """What a run of differing words changes, if it changes the claim's meaning."""
    a_words, b_words = pa.tokens[a_start:a_stop], pb.tokens[b_start:b_stop]
    changed = set(a_words) ^ set(b_words)
    if changed & _NEGATIONS:
        return NEGATION
    if _is_date_change(pa, a_start, a_stop) or _is_date_change(pb, b_start, b_stop):
        return DATE
    if any(_is_number(w) for w in changed):
        return NUMBER
    names_a, names_b = _names(pa, a_start, a_stop), _names(pb, b_start, b_stop)
    if a_words and b_words and names_a != names_b:
        if (names_a and names_b) or (names_a and pb.caseless) or (names_b and pa.caseless):
            return ACTOR  # a lower-case copy cannot show its names, so a name against it is changed
    return None


def _is_number(word: str) -> bool:
    return word[0].isdigit() or word in _MAGNITUDES


def _is_year(word: str) -> bool:
    return len(word) == 4 and word.isdigit() and 1800 <= int(word) <= 2100


def _is_date_change(p: Prepared, start: int, stop: int) -> bool:
    """Changed words that are a month, weekday or year, or a day number beside a month."""
    for i in range(start, stop):
        word = p.tokens[i]
        if word in _DATE_WORDS and (word != "may" or p.capitalised(i)):
            return True
        if _is_year(word):
            return True
        if word[0].isdigit() and len(word) <= 4:
            neighbours = p.tokens[max(0, i - 1) : i] + p.tokens[i + 1 : i + 2]
            if any(n in _MONTHS and n != "may" for n in neighbours):
                return True
    return False


def _names(p: Prepared, start: int, stop: int) -> frozenset[str]:
    return frozenset(p.tokens[i] for i in range(start, stop) if p.capitalised(i))
