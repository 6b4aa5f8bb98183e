"""Fuzzy deduplication of claims: blocking keys, a verifier, and clusters.

Three steps, none of which compares every sentence with every other one:

1. ``match_text`` folds a sentence to the form keys and comparison use.
2. ``candidate_keys`` turns it into a handful of signed 64-bit blocking keys
   (MinHash LSH bands over its content words, plus one key for its opening
   words). Sentences that share a key are candidates; the store persists the
   keys so an incremental ingest only looks them up.
3. ``compare`` verifies a candidate pair with rapidfuzz and tells SAME from
   VARIANT (a number, negation, actor or date differs) from DIFFERENT.

``Clusterer`` ties them together over any ``KeyIndex``: clusters are the
connected components of the SAME pairs, so they do not depend on the order in
which sentences arrive.
"""

from __future__ import annotations

import re
import struct
import unicodedata
from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from hashlib import blake2b, shake_128
from typing import NamedTuple, Protocol

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
PREFETCH_BATCH = 1000  # sentences whose keys Clusterer.add_many looks up together
RECENT_KEYS_LIMIT = 1 << 19  # keys MemoryKeyIndex keeps unsorted before it merges them into its sorted keys
_BAND_SHIFT = 59  # band number in the top bits; the whole key stays below 2**63

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


class Prepared(NamedTuple):
    """A sentence folded for matching: its words, and which were capitalised.

    A named tuple, as ``Keyed`` is, because both travel from the worker processes by the
    million and a tuple unpickles several times faster than a dataclass.
    """

    match: str
    tokens: tuple[str, ...]  # casefolded words of ``match``
    words: tuple[str, ...]  # the same words as written
    truncated: bool  # ended in an ellipsis: a teaser cut short

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
    words = tuple(_TOKEN.findall(folded))
    tokens = " ".join(words).casefold().split()
    if _NUMBER_WORDS.keys() & tokens or "%" in tokens:
        tokens = [_NUMBER_WORDS.get(t, "percent" if t == "%" else t) for t in tokens]
    return Prepared(" ".join(tokens), tuple(tokens), words, truncated)


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
    """Recently seen sentences, prepared, by a key (a sentence id, or the text itself).

    Popular claims recur, so a bounded cache spares folding them again; the least recently
    used go first.
    """

    def __init__(self, size: int = PREPARED_CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[object, Prepared] = OrderedDict()

    def remember(self, key: object, prepared: Prepared) -> None:
        self._items[key] = prepared
        self._items.move_to_end(key)
        if len(self._items) > self.size:
            self._items.popitem(last=False)

    def candidate(self, key: object, text: str, ready: Prepared) -> Prepared | None:
        """`text` prepared to be compared with `ready`, or None when the quick look rules it out."""
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
            return found
        if not worth_preparing(ready, text):
            return None
        found = prepare(text)
        self.remember(key, found)
        return found


def twin_key(prepared: Prepared) -> int:
    """A key shared only by sentences that prepare identically (same words as written, same cut).

    ``compare`` cannot tell such twins apart, so a twin can take its twin's cluster without
    being compared with anything: clusters stay the connected components of SAME pairs.
    """
    identity = (" ".join(prepared.words) + ("\u2026" if prepared.truncated else "")).encode()
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
    match_a = " ".join(pa.tokens[:a_end])
    match_b = " ".join(pb.tokens[:b_end])
    shorter, longer = sorted((len(match_a), len(match_b)))
    if shorter < MIN_LENGTH_RATIO * longer:
        return Verdict(DIFFERENT, 0.0)
    score = fuzz.ratio(match_a, match_b, score_cutoff=VARIANT_THRESHOLD)
    if not score:
        return Verdict(DIFFERENT, 0.0)
    return _judge_differences(pa, pb, a_end, b_end, score, threshold)


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


class KeyIndex(Protocol):
    """Where a Clusterer keeps candidate keys (the store keeps its own, in SQL, for StoreClusterer)."""

    def lookup(self, keys: Sequence[int]) -> Iterable[tuple[int, int, str]]:
        """(key, sentence_id, text as written) for the first MAX_HOLDERS_PER_KEY holders of each key."""
        ...

    def prefetch(self, keys: Iterable[int]) -> None:
        """Get ready to look up these keys soon (an index may make that faster, or do nothing)."""
        ...

    def add(self, sentence_id: int, text: str, keys: Sequence[int]) -> None:
        """Remember a sentence's keys (a SQL index has the text already and may ignore it)."""
        ...


class MemoryKeyIndex:
    """A ``KeyIndex`` in memory, 12 bytes a key held: (key, holder) pairs sorted by key in numpy arrays.

    New keys wait in arrays, chained by key; when RECENT_KEYS_LIMIT of them wait, they are merged
    into the sorted arrays in one pass. Holders of a key stay in the order they were added.
    """

    def __init__(self) -> None:
        self._texts: list[str] = []  # by holder position
        self._ids = array("q")
        # Keys not yet sorted in, in the order added, each entry chained to the next of its key.
        # Arrays and a dictionary of ints: millions of small lists would keep the garbage collector busy.
        self._recent_keys = array("q")
        self._recent_holders = array("q")
        self._recent_next = array("q")  # index of the key's next entry, or -1
        self._recent_first: dict[int, int] = {}  # key -> index of its first entry
        self._recent_last: dict[int, int] = {}
        self._keys = np.empty(0, np.int64)  # sorted
        self._holders = np.empty(0, np.int32)  # holder position of each of _keys
        self._prefetched = self._search([])  # the spans of a batch's keys, and the positions they span

    def prefetch(self, keys: Iterable[int]) -> None:
        """Search the sorted keys for many keys at once, ready for the ``lookup`` calls that follow.

        A numpy search costs about as much for ten thousand keys as for ten, so searching a batch's
        keys together saves most of the cost of looking them up one sentence at a time.
        """
        self._prefetched = self._search(keys)

    def lookup(self, keys: Sequence[int]) -> Iterator[tuple[int, int, str]]:
        keys = list(dict.fromkeys(keys))
        spans, positions = self._prefetched
        if any(key not in spans for key in keys):
            spans, positions = self._search(keys)
        for key in keys:
            begin, end = spans[key]
            held = positions[begin:end]
            if key in self._recent_first:
                held += self._recent_of(key)
            for position in held[:MAX_HOLDERS_PER_KEY]:
                yield key, self._ids[position], self._texts[position]

    def _recent_of(self, key: int) -> list[int]:
        positions, entry = [], self._recent_first[key]
        while entry >= 0:
            positions.append(self._recent_holders[entry])
            entry = self._recent_next[entry]
        return positions

    def _search(self, keys: Iterable[int]) -> tuple[dict[int, tuple[int, int]], list[int]]:
        """Holder positions of the keys in the sorted arrays, first MAX_HOLDERS_PER_KEY of each.

        Returned flat, with each key's (begin, end) in them, so that no Python loop runs over the
        keys. A key asked twice is searched twice, which costs less than removing repeats.
        """
        query = np.sort(np.fromiter(keys, np.int64))  # in order, the searches walk the arrays' memory forwards
        spans = dict.fromkeys(query.tolist(), (0, 0))
        if not len(self._keys) or not len(query):
            return spans, []
        starts = self._keys.searchsorted(query)
        # A key's holders are consecutive from its start: comparing the next few keys counts them.
        offsets = starts[:, None] + np.arange(MAX_HOLDERS_PER_KEY)
        window = np.minimum(offsets, len(self._keys) - 1)
        held = (self._keys[window] == query[:, None]) & (offsets < len(self._keys))
        counts = held.sum(axis=1)
        ends = np.cumsum(counts)
        hit = counts > 0
        spans.update(zip(query[hit].tolist(), zip((ends - counts)[hit].tolist(), ends[hit].tolist())))
        return spans, self._holders[window[held]].tolist()

    def add(self, sentence_id: int, text: str, keys: Sequence[int]) -> None:
        position = len(self._texts)
        self._texts.append(text)
        self._ids.append(sentence_id)
        for key in keys:
            entry = len(self._recent_keys)
            self._recent_keys.append(key)
            self._recent_holders.append(position)
            self._recent_next.append(-1)
            last = self._recent_last.get(key)
            if last is None:
                self._recent_first[key] = entry
            else:
                self._recent_next[last] = entry
            self._recent_last[key] = entry
        if len(self._recent_keys) >= RECENT_KEYS_LIMIT:
            self._flush()

    def _flush(self) -> None:
        keys = np.frombuffer(self._recent_keys, dtype=np.int64)
        order = np.argsort(keys, kind="stable")  # stable: a key's holders stay in the order added
        holders = np.frombuffer(self._recent_holders, dtype=np.int64)[order].astype(np.int32)
        at = self._keys.searchsorted(keys[order], side="right")  # after equal keys: older holders first
        self._keys = np.insert(self._keys, at, keys[order])
        self._holders = np.insert(self._holders, at, holders)
        self._recent_keys, self._recent_holders, self._recent_next = array("q"), array("q"), array("q")
        self._recent_first, self._recent_last = {}, {}
        self._prefetched = self._search(self._prefetched[0])  # the rest of the batch looks them up still


@dataclass(frozen=True, slots=True)
class VariantLink:
    a_id: int
    b_id: int
    verdict: Verdict


class Clusterer:
    """Assigns sentences to clusters: the connected components of verified SAME pairs.

    A sentence whose twin (``twin_key``) was added before joins the twin's cluster and
    leaves no keys: repeated copies are never compared with one another. The twin key is
    kept in the index beside the others.
    """

    def __init__(self, index: KeyIndex | None = None, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.index: KeyIndex = index if index is not None else MemoryKeyIndex()
        self.threshold = threshold
        self.variants: list[VariantLink] = []
        self.candidates_checked = 0
        self._parent: dict[int, int] = {}  # only sentences that were merged; the rest are their own root
        self._prepared = PreparedCache()  # recently added or compared, by id

    def add(self, sentence_id: int, text: str, ready: Keyed | None = None) -> int:
        """Add a sentence, merge it with every SAME candidate, record variants; return its cluster."""
        ready = ready or keyed(text)
        rows = list(self.index.lookup([ready.twin, *ready.keys]))
        twin = next((other_id for key, other_id, _ in rows if key == ready.twin), None)
        if twin is not None:
            self._union(sentence_id, twin)
            return self.find(sentence_id)
        texts = {other_id: text for _, other_id, text in rows}
        for other_id in worth_comparing(ready, [(key, other_id) for key, other_id, _ in rows], texts.__getitem__):
            if self.find(other_id) == self.find(sentence_id):
                continue
            self.candidates_checked += 1
            other = self._prepared.candidate(other_id, texts[other_id], ready.prepared)
            if other is None:
                continue
            verdict = compare(ready.prepared, other, self.threshold)
            if verdict.kind == SAME:
                self._union(sentence_id, other_id)
            elif verdict.kind == VARIANT:
                self.variants.append(VariantLink(sentence_id, other_id, verdict))
        held = Counter([row[0] for row in rows])
        self.index.add(sentence_id, text, [ready.twin, *(k for k in ready.keys if held[k] < MAX_HOLDERS_PER_KEY)])
        self._prepared.remember(sentence_id, ready.prepared)
        return self.find(sentence_id)

    def add_many(self, sentences: Iterable[tuple[int, str, Keyed | None]]) -> None:
        """``add`` each (sentence_id, text, keyed or None) in order, prefetching keys a batch at a time."""
        batch: list[tuple[int, str, Keyed]] = []
        for sentence_id, text, ready in sentences:
            batch.append((sentence_id, text, ready or keyed(text)))
            if len(batch) == PREFETCH_BATCH:
                self._add_batch(batch)
                batch = []
        self._add_batch(batch)

    def _add_batch(self, batch: list[tuple[int, str, Keyed]]) -> None:
        self.index.prefetch([key for _, _, ready in batch for key in (ready.twin, *ready.keys)])
        for sentence_id, text, ready in batch:
            self.add(sentence_id, text, ready)

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
