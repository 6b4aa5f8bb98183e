"""Folding and comparing: a sentence ``prepare``d for matching, and ``compare`` of two of them.

``prepare`` folds quotes, dashes, spaces, datelines, contractions and case, and notes a final
ellipsis (a teaser cut short); ``match_text`` is the folded form keys and comparison use.
``compare`` verifies a candidate pair with rapidfuzz and tells SAME from VARIANT (a number,
negation, actor or date differs) from DIFFERENT.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

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
PREPARED_CACHE_SIZE = 20_000  # sentences a PreparedCache keeps (popular claims recur)

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
_ELLIPSIS_CHARS = "[(.\u2026\"')]"  # what _TRAILING_ELLIPSIS matches, spaces aside
_LEADING_PREFIXES = (
    # "UPDATE:", "BREAKING NEWS -", "UPDATE 2-"
    re.compile(r"^[A-Z]{2,}(?: [A-Z]{2,}){0,2}(?: \d+)?\s*(?::|-+)\s*"),
    # "WASHINGTON (Reuters) -", "LONDON, Jan 4 (AFP) -", "Kyiv (AP) -"
    re.compile(r"^[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3}(?:,[^()\n]{1,30})?\s*\([A-Za-z][\w .-]{0,24}\)\s*-+\s*"),
    # "Friday, January 4, 2019", "January 4, 2019 -"
    re.compile(rf"^(?:(?:{_WEEKDAY_NAMES}),?\s+)(?:{_MONTH_NAMES})\s+\d{{1,2}},?\s+\d{{4}}\b\s*(?::|-+)?\s*"),
    re.compile(rf"^(?:{_MONTH_NAMES})\s+\d{{1,2}},?\s+\d{{4}}\s*(?::|-+)\s*"),
)
_ANY_LEADING_PREFIX = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in _LEADING_PREFIXES))
# A sentence all in capitals may open with capitalised words and a colon or a hyphen that are no prefix
# ("AT AROUND 11:25AM", "ACCORDING TO AL-ERYANI", "ON SEPTEMBER 13 - TWO DAYS LATER"): there a prefix is words
# that end in a colon before no digit or a dash before a space, or a numbered update ("UPDATE 2-").
# A copy all in capitals or all in lower case keeps the shape of its dateline: "washington (reuters) -",
# "FRIDAY, JANUARY 4, 2019".
_CASELESS_PREFIXES = tuple(re.compile(pattern.pattern, re.IGNORECASE) for pattern in _LEADING_PREFIXES[1:])
_SHOUTED_PREFIXES = (
    re.compile(r"^[A-Z]{2,}(?: [A-Z]{2,}){0,2}(?:\s*(?::(?!\d)|-+(?=\s|$))| \d+-+)\s*"),
    *_CASELESS_PREFIXES,
)
_CONTRACTED_NOT = (
    (re.compile(r"\b(w)on't\b", re.IGNORECASE), r"\1ill not"),
    (re.compile(r"\b(c)an't\b", re.IGNORECASE), r"\1an not"),
    (re.compile(r"\b(s)han't\b", re.IGNORECASE), r"\1hall not"),
    (re.compile(r"n't\b", re.IGNORECASE), " not"),
)
# These three begin with the character they remove, so that re looks for it instead of trying
# every position: ten times as fast.
_INITIALISM_DOT = re.compile(r"\.(?<=\b[A-Za-z]\.)(?=[A-Za-z]\b)")  # U.S. -> US., u.s. -> us., S.A. -> SA.
_INNER_APOSTROPHE = re.compile(r"'(?<=\w')(?=\w)")
_THOUSANDS = re.compile(r",(?<=\d,)(?=\d{3}\b)")
_TOKEN = re.compile(r"[^\W_]+(?:\.\d+)*|%")
_PUNCTUATION = ",.;:!?\"'()[]"  # around a word, never part of its token (a dot is only when digits follow)
_DOT_BEFORE_DIGIT = re.compile(r"\.\d")
_ASCII_SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum() and chr(c) != "%"})

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
    if text.isascii() and "`" not in text:
        folded = text  # nothing to fold: _FOLD maps no other ASCII character
    else:
        folded = text.translate(_FOLD)
        if not folded.isascii():
            folded = unicodedata.normalize("NFKC", folded)
    folded = folded.strip()
    folded, truncated = _strip_ellipsis(folded)
    folded = _strip_prefixes(folded)
    if "'" in folded:
        if "n't" in folded.lower():
            for pattern, replacement in _CONTRACTED_NOT:
                folded = pattern.sub(replacement, folded)
        folded = _INNER_APOSTROPHE.sub("", folded)
    if "." in folded:
        folded = _INITIALISM_DOT.sub("", folded)
    if "," in folded:
        folded = _THOUSANDS.sub("", folded)
    written = " ".join(_tokens(folded))
    return Prepared(_match_of(written), written, truncated)


def _match_of(written: str) -> str:
    tokens = written.casefold().split()
    if not _NUMBER_WORDS.keys().isdisjoint(tokens) or "%" in tokens:
        tokens = [_NUMBER_WORDS.get(t, "percent" if t == "%" else t) for t in tokens]
    return " ".join(tokens)


def match_text(text: str) -> str:
    """The normalised form of a sentence that keys and comparison use."""
    return prepare(text).match


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


# ---- helpers ----------------------------------------------------------------


def _strip_ellipsis(text: str) -> tuple[str, bool]:
    # The ellipsis can only lie in the run of its characters that ends the text: searching from
    # there spares re trying every position of the text.
    start = len(text)
    while start and (text[start - 1] in _ELLIPSIS_CHARS or text[start - 1].isspace()):
        start -= 1
    if not _may_hold_ellipsis(text, start):
        return text, False
    found = _TRAILING_ELLIPSIS.search(text, start)
    if found is None:
        return text, False
    return text[: found.start()] + text[found.end() :], True


def _tokens(text: str) -> list[str]:
    """``_TOKEN.findall(text)``, faster: most words are one token (``str.isalnum``) between punctuation."""
    if text.isascii() and _DOT_BEFORE_DIGIT.search(text) is None:
        # No dot joins digits to a word: every ASCII character but a letter, a digit or "%" parts tokens.
        if "%" in text:
            text = text.replace("%", " % ")
        return text.translate(_ASCII_SEPARATORS).split()
    tokens = []
    for word in text.split():
        core = word.strip(_PUNCTUATION)
        if core.isalnum():
            tokens.append(core)
        else:
            tokens.extend(_TOKEN.findall(word))
    return tokens


def _cut_short(text: str) -> bool:
    start = max(0, len(text) - 12)
    return _may_hold_ellipsis(text, start) and _TRAILING_ELLIPSIS.search(text, start) is not None


def _may_hold_ellipsis(text: str, start: int) -> bool:
    """Whether ``text[start:]`` holds an ellipsis' "…" or three dots: a cheap test before the search."""
    return text.find("\u2026", start) != -1 or text.count(".", start) >= 3


def _strip_prefixes(text: str) -> str:
    if text[:1].isupper():
        if text.isupper():
            patterns = _SHOUTED_PREFIXES
        elif _ANY_LEADING_PREFIX.match(text) is not None:
            patterns = _LEADING_PREFIXES
        else:
            return text
    elif text[:1].islower() and text.islower():
        patterns = _CASELESS_PREFIXES
    else:
        return text
    for _ in range(3):
        before = text
        for pattern in patterns:
            text = pattern.sub("", text, count=1)
        if text == before:
            break
    return text


def _content_words(tokens: Sequence[str]) -> list[str]:
    return [t for t in tokens if t not in _STOPWORDS]


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
    if "".join(a_words) == "".join(b_words):
        return None  # the same letters, split another way: 'U.S.' and 'u. s.'
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
