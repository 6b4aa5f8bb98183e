"""Split text into sentences, as character spans, never across a line break.

blingfire finds most boundaries quickly and handles abbreviations, quotes and
machine-translated spacing ("Central Asia ? Since") well. A few small rules
then fix what it gets wrong:

* before blingfire, hard cuts: inline lists ("1) one 2) two", "• a • b") are
  cut before each next item, and a full stop followed by spaced dots
  ("compounds. . . . The", "organizations. . No") ends the sentence there;
* after it, false breaks are merged: a list marker alone ("1.)", "a."), a
  stray closing quote, a leading ellipsis, a detached three-dot ellipsis
  (an omission inside a sentence), a title alone ("Mr."), a next piece that
  starts in lower case,
  a German ordinal ("Am 14. Juni", "im 19. Jahrhundert") and an abbreviation
  that never ends a sentence ("bzw.", "hl.", "Sra.", "ул.");
* missed breaks are cut: an initialism before a country name ("the U.S.
  China also"), "a.m."/"p.m." before a capitalised word that is no time zone
  or date, a subject pronoun glued to the previous word ("EuractivHe
  assured"), two quoted sentences side by side, a sentence end before a
  title ("resigned. Dr. Smith") or after "Mio. Euro.";
* last, each span is stripped, stray leading dots are trimmed and spans
  without a letter or digit are dropped.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from ctypes import Array, c_char, c_int32, create_string_buffer

import blingfire

Span = tuple[int, int]

MAX_LIST_LABEL_DIGITS = 3  # "999." is still a list marker, "2024." is a year
MAX_STRAY_DOTS = 2  # fewer dots than an ellipsis after a full stop are noise
MAX_INTRO_WORDS_BEFORE_TIME = 5  # "Shortly after 5 a.m. Mr. Smith ..." stays one sentence
TIME_WORD_LOOKAHEAD = 3  # "10 a.m. Central European Time" names a zone, not a new sentence
WINDOW_CHARS = 80  # how far the missed-break rules look before and after a candidate
MIN_GLUED_WORD_LOWERCASE = 3  # "EuractivHe": at least this many lower-case letters before the pronoun
# Usual English names that pycountry lacks (it says "Russian Federation", "Türkiye").
COUNTRY_SHORT_NAMES = ("Russia", "Turkey", "Britain", "Burma", "Ivory Coast", "Vatican", "Czech Republic")

# Line breaks as str.splitlines() knows them: a sentence never crosses one.
_LINE_BREAK = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_NOT_LINE_BREAK = re.compile("[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")

_BULLETS = "•⁃‣◦▪●"
_LIST_START = re.compile(
    rf"\s*(?P<bullet>[{_BULLETS}])?\s*"
    rf"(?:(?P<label>\d{{1,{MAX_LIST_LABEL_DIGITS}}}|[A-Za-z])(?P<punct>\.\)|\.|\))\s)?"
)
_LIST_MARKER_ONLY = re.compile(rf"(?:[{_BULLETS}]\s*)?(?:\d{{1,{MAX_LIST_LABEL_DIGITS}}}|[A-Za-z])(?:\.\)|\.|\))")
# "compounds. . . . The": the full stop ends the sentence, the spaced dots open the next.
_FULL_STOP_THEN_SPACED_DOTS = re.compile(r"(?<=\w)[.!?](?P<dots>(?: \.)+)\s+(?=[^\s.])")
_ELLIPSIS = re.compile(r"\.\s?\.\s?\.|…")
# A three-dot ellipsis standing apart from the word before it marks an omission
# inside a sentence; four dots, or dots glued to a word ("days... My"), end one.
_DETACHED_ELLIPSIS_AT_END = re.compile(r"(?<!\S)(?<!\.\s)(?:\. \. \.|\.\.\.|…)\Z")
_STRAY_LEADING_DOTS = re.compile(rf"\.(?:\s*\.){{0,{MAX_STRAY_DOTS - 1}}}\s+(?=[^\s.])")

# Cheap tests (each starts on a rare character) that a line may hold a missed break.
_MISSED_BREAK_HINTS = (
    re.compile(r"\.[A-Za-z]\.\s+[A-Z]"),  # "U.S. China", "p.m. Mr."
    re.compile(r"[HSTW](?<=[a-z][HSTW])(?:e|he|hey)\s"),  # "EuractivHe "
    re.compile(r"[”\"]\s+[“\"]"),  # "end.” “Next"
    # "resigned. Dr. Smith", "auf. Dr. Müller"
    re.compile(r"\. [A-ZÄÖÜ](?:(?<=M[rs]\. .)|(?<=Mrs\. .)|(?<=Dr\. .)|(?<=Prof\. .)|(?<=Sr\. .)|(?<=Sra\. .))"),
    re.compile(r"M(?:io|rd)\. "),  # "5 Mio. Euro. Die"
)
_INITIALISM_BEFORE_CAPITAL = re.compile(r"(?<![\w.])(?:[A-Z]\.){2,}(?=\s+[A-Z])")
_TIME_BEFORE_CAPITAL = re.compile(r"(?<![\w.])[AaPp]\.[Mm]\.(?=\s+[A-Z])")
_GLUED_PRONOUN = re.compile(rf"\b[A-Z][a-z]{{{MIN_GLUED_WORD_LOWERCASE},}}(?=(?:He|She|They|We)\s+[a-z])")
_QUOTE_THEN_QUOTE = re.compile(r"[.!?][”\"](?=\s+[“\"][A-Z])")
# blingfire does not break before a title after a sentence ("resigned. Dr. Smith"), nor after the word
# that follows "Mio."/"Mrd." ("5 Mio. Euro. Die Aktie").
_SENTENCE_END_BEFORE_TITLE = re.compile(
    r"(?<=[^\W\d_A-ZÄÖÜ]{2}[.!?])(?<!\bvs\.)\s+(?=(?:Mrs?|Ms|Dr|Prof|Sra?)\.\s+[A-ZÄÖÜ])"
)
_UNIT_AFTER_MILLIONS = re.compile(r"\bM(?:io|rd)\.\s+[^\W\d_]+\.(?=\s+[\"„“«]?[A-ZÄÖÜ])")
# A piece that is a title alone ("Mr.", "Dr.") belongs to the name after it: blingfire breaks after it
# when a sentence ends just before ("resigned. Mr. Smith").
_LONE_TITLES = frozenset("Mr. Mrs. Ms. Dr. Prof. Mme. Mlle. Sr. Sra. Srta. Dra. Hr. Fr.".split())
_WORD = re.compile(r"[\w'’.-]+")

# Abbreviations that stand before the word they shorten or qualify, never at a sentence's end, as written:
# German, French, Spanish and Russian ones blingfire breaks after. Not those that also end sentences
# ("usw.", "Jh.", "Str.", "aprox.", "г.", "тыс.") nor the English ones it already handles.
_INNER_ABBREVIATIONS = frozenset(
    """
    bzw. hl. ca. vgl. ggf. evtl. inkl. zzgl. bspw. sog. ehem. geb. gest. Mio. Mrd. Nr. Dr. Prof. Hr.
    z.B. d.h. u.a. v.a. z.T. u.U. i.d.R.
    cf. env. av. Mme. MM.
    Sr. Sra. Srta. Dra. Avda. Gral. Dña. Ud. Uds.
    ул. им. пл. просп. см. стр. т.е. т.к.
    """.split()
)
_LEADING_MARKS = "(\"'„“«"
# "Am 14." / "Juni", "im 19." / "Jahrhundert", "den 3." / "Platz": a German ordinal after an article or a
# contracted preposition, or before a month.
_ORDINAL_AFTER_ARTICLE = re.compile(
    r"(?:^|\s)(?:am|im|vom|zum|zur|beim|der|die|das|dem|den|des|sein|seine|seinem|seinen|seiner|ihr|ihre|ihrem|"
    r"ihren|ihrer|dieses|diesem|diesen|dieser|jedes|jedem|jeden|jeder)\s+\d{1,3}\.$",
    re.IGNORECASE,
)
_DAY_ORDINAL_AT_END = re.compile(r"(?:^|[\s,(])\d{1,2}\.$")
_GERMAN_MONTH = re.compile(
    r"(?:Januar|Jänner|Februar|Feber|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
    r"|Jan|Feb|Mär|Apr|Jun|Jul|Aug|Sept?|Okt|Nov|Dez)\b"
)
_ORDINAL_TAIL_CHARS = 12  # "seinem 80." with the space before it

_TIME_INTRO_WORDS = frozenset(
    "at by around about before after until till from on since shortly just early late".split()
)
_CALENDAR_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday "
    "january february march april may june july august september october november december".split()
)

# UTF-8 continuation bytes (0b10xxxxxx) become 1, every other byte 0, so that
# counting 1s before a byte offset turns it into a character offset.
_CONTINUATION_BYTES = bytes(1 if 0x80 <= b <= 0xBF else 0 for b in range(256))


BLINGFIRE_WINDOW = 1_000_000  # characters given to blingfire at once: its buffers are 3 × 2 × the UTF-8 size
MAX_REUSED_BUFFER_SIZE = 1 << 17  # larger output buffers are not kept: 1 MB of offsets
OutputBuffers = tuple[Array[c_char], Array[c_int32], Array[c_int32]]
_thread_buffers = threading.local()


def split_sentences(text: str) -> list[Span]:
    """Return the (start, end) character spans of the sentences of ``text``, in order.

    ``text[start:end]`` is a sentence without surrounding whitespace; spans never
    overlap, never cross a line break and always hold a letter or a digit.
    """
    if not _LINE_BREAK.search(text):
        return _split_line(text, 0)
    spans: list[Span] = []
    for line in _NOT_LINE_BREAK.finditer(text):
        spans.extend(_split_line(line.group(), line.start()))
    return spans


def _split_line(line: str, offset: int) -> list[Span]:
    spans: list[Span] = []
    for start, end in _hard_segments(line):
        pieces = _shifted(_blingfire_spans(line[start:end]), start)
        pieces = _merge_false_breaks(line, pieces)
        if _may_hold_missed_break(line, start, end):
            pieces = _cut_missed_breaks(line, pieces)
        spans.extend(_tidy(line, pieces))
    return _shifted(spans, offset) if offset else spans


# --- hard cuts, before blingfire -------------------------------------------------------


def _hard_segments(line: str) -> list[Span]:
    """Cut the line where blingfire must not look across: list items, "end. . . Next"."""
    segments = _list_item_spans(line)
    if " ." not in line:
        return segments
    cut: list[Span] = []
    for start, end in segments:
        cut.extend(_cut_after_full_stop_before_dots(line, start, end))
    return cut


def _list_item_spans(line: str) -> list[Span]:
    """Cut an inline list before each next item: same bullet, or the next label in sequence."""
    start = _LIST_START.match(line)
    if start is None or not (start.group("bullet") or start.group("label")):
        return [(0, len(line))]
    if start.group("bullet"):
        cuts = _positions_of(line, start.group("bullet"), start.end())
    else:
        cuts = _next_label_positions(line, start.group("label"), start.group("punct"), start.end())
    bounds = [0, *cuts, len(line)]
    return list(zip(bounds, bounds[1:]))


def _positions_of(line: str, bullet: str, pos: int) -> list[int]:
    positions = []
    while (pos := line.find(bullet, pos)) != -1:
        positions.append(pos)
        pos += len(bullet)
    return positions


def _next_label_positions(line: str, label: str, punct: str, pos: int) -> list[int]:
    positions = []
    while (label := _next_label(label)) is not None:
        found = _find_standalone(line, label + punct, pos)
        if found == -1:
            break
        positions.append(found)
        pos = found + len(label + punct)
    return positions


def _find_standalone(line: str, marker: str, pos: int) -> int:
    """Where ``marker`` next stands between whitespace, or -1."""
    while (found := line.find(marker, pos)) != -1:
        after = found + len(marker)
        if found > 0 and line[found - 1].isspace() and after < len(line) and line[after].isspace():
            return found
        pos = found + 1
    return -1


def _next_label(label: str) -> str | None:
    if label.isdigit():
        return str(int(label) + 1)
    if label in "zZ":
        return None
    return chr(ord(label) + 1)


def _cut_after_full_stop_before_dots(line: str, start: int, end: int) -> Iterator[Span]:
    for match in _FULL_STOP_THEN_SPACED_DOTS.finditer(line, start, end):
        dots = match.group("dots")
        yield start, match.start("dots")
        start = match.start("dots") if dots.count(".") > MAX_STRAY_DOTS else match.end()
    yield start, end


# --- blingfire --------------------------------------------------------------------------


def _blingfire_spans(text: str) -> list[Span]:
    """blingfire's sentence spans of ``text``, a window at a time so that memory stays bounded.

    A window ends after the last sentence-like break (". ") before its limit, or else at a
    space; only a text with neither in a whole window is cut mid-word.
    """
    if len(text) <= BLINGFIRE_WINDOW:
        return _blingfire_window(text)
    spans: list[Span] = []
    start = 0
    while start < len(text):
        end = min(start + BLINGFIRE_WINDOW, len(text))
        if end < len(text):
            cut = text.rfind(". ", start, end)
            cut = cut + 1 if cut > start else text.rfind(" ", start, end)
            end = cut if cut > start else end
        spans.extend(_shifted(_blingfire_window(text[start:end]), start))
        start = end
    return spans


def _blingfire_window(text: str) -> list[Span]:
    """blingfire's sentence spans of ``text`` in characters (it counts UTF-8 bytes).

    Calls the library's C function directly: its Python wrapper converts the
    offsets byte by byte in a Python loop, which halves the speed.
    """
    encoded = text.encode("utf-8", "replace")  # a lone surrogate becomes one byte, "?"
    if not encoded:
        return []
    size = 2 * len(encoded) + 16
    out, starts, ends = _output_buffers(size)
    out_len = blingfire.blingfire.TextToSentencesWithOffsets(encoded, len(encoded), out, starts, ends, size)
    if out_len <= 0 or out_len > size:
        return [(0, len(text))]
    count = out[:out_len].count(b"\n") + 1
    byte_spans = list(zip(starts[:count], [end + 1 for end in ends[:count]]))  # blingfire's end is inclusive
    if len(encoded) == len(text):
        return byte_spans
    chars = _char_offsets(encoded, [offset for span in byte_spans for offset in span])
    return list(zip(chars[::2], chars[1::2]))


def _output_buffers(size: int) -> OutputBuffers:
    """blingfire's output buffers (text, starts, ends), ``size`` long or longer.

    Allocating them took three times as long as blingfire's own work on a line, so each
    thread keeps one set, grown as needed; only a huge window gets a set of its own.
    """
    if size > MAX_REUSED_BUFFER_SIZE:
        return _new_buffers(size)
    buffers = getattr(_thread_buffers, "buffers", None)
    if buffers is None or len(buffers[1]) < size:
        buffers = _thread_buffers.buffers = _new_buffers(1 << (size - 1).bit_length())
    return buffers


def _new_buffers(size: int) -> OutputBuffers:
    return create_string_buffer(size), (c_int32 * size)(), (c_int32 * size)()


def _char_offsets(encoded: bytes, byte_offsets: list[int]) -> list[int]:
    """Character offsets of UTF-8 byte offsets, in one pass when they ascend."""
    continuation = encoded.translate(_CONTINUATION_BYTES)
    chars, counted_to, skipped = [], 0, 0
    for offset in byte_offsets:
        if offset < counted_to:
            counted_to, skipped = 0, 0
        skipped += continuation.count(1, counted_to, offset)
        counted_to = offset
        chars.append(offset - skipped)
    return chars


def _shifted(spans: list[Span], offset: int) -> list[Span]:
    return [(start + offset, end + offset) for start, end in spans]


# --- false breaks: merge ----------------------------------------------------------------


def _merge_false_breaks(line: str, spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in spans:
        if merged and _continues(line[merged[-1][0] : merged[-1][1]], line[span[0] : span[1]]):
            merged[-1] = (merged[-1][0], span[1])
        else:
            merged.append(span)
    return merged


def _continues(previous: str, current: str) -> bool:
    """Does ``current`` belong to the same sentence as ``previous``?"""
    if not _LETTER_OR_DIGIT.search(current) and not _ELLIPSIS.search(current):
        return True  # a stray closing quote or bracket
    return (
        _opens_next_sentence(previous)
        or _LIST_MARKER_ONLY.fullmatch(previous) is not None
        or previous in _LONE_TITLES
        or _ends_with_detached_ellipsis(previous)
        or current[:1].islower()
        or (previous[-1:] == "." and _ends_with_abbreviation_or_ordinal(previous, current))
    )


def _ends_with_abbreviation_or_ordinal(previous: str, current: str) -> bool:
    """A full stop that ends a word, not the sentence: "bzw." / "Verletzte", "Am 14." / "Juni"."""
    if previous[-2:-1].isdigit():
        tail_start = max(0, len(previous) - _ORDINAL_TAIL_CHARS)
        if _ORDINAL_AFTER_ARTICLE.search(previous, tail_start):
            return True
        return _DAY_ORDINAL_AT_END.search(previous, tail_start) is not None and _GERMAN_MONTH.match(current) is not None
    space = previous.rfind(" ")
    last_word = previous[space + 1 :]
    if last_word.lstrip(_LEADING_MARKS) in _INNER_ABBREVIATIONS:
        return True
    if space < 0 or len(last_word) != 2:
        return False
    before = previous[previous.rfind(" ", 0, space) + 1 : space]
    return (before + last_word).lstrip(_LEADING_MARKS) in _INNER_ABBREVIATIONS  # "z. B.", "т. е."


def _ends_with_detached_ellipsis(piece: str) -> bool:
    # Only the tail can match: searching from there skips the scan of the whole piece.
    return _DETACHED_ELLIPSIS_AT_END.search(piece, max(0, len(piece) - len(". . ."))) is not None


def _opens_next_sentence(piece: str) -> bool:
    """Punctuation only, like a leading ellipsis or opening quote, but no "[...]" between sentences."""
    return not _LETTER_OR_DIGIT.search(piece) and "[" not in piece


# --- missed breaks: cut -----------------------------------------------------------------


def _may_hold_missed_break(line: str, start: int, end: int) -> bool:
    for hint in _MISSED_BREAK_HINTS:
        if hint.search(line, start, end):
            return True
    return False


def _cut_missed_breaks(line: str, spans: list[Span]) -> list[Span]:
    pieces: list[Span] = []
    for start, end in spans:
        cuts = sorted(_missed_breaks(line, start, end))
        bounds = [start, *cuts, end]
        pieces.extend(zip(bounds, bounds[1:]))
    return pieces


def _missed_breaks(line: str, start: int, end: int) -> Iterator[int]:
    for match in _INITIALISM_BEFORE_CAPITAL.finditer(line, start, end):
        if _starts_with_country_name(_window_after(line, match.end(), end).lstrip()):
            yield match.end()
    for match in _TIME_BEFORE_CAPITAL.finditer(line, start, end):
        before = line[start : match.start()] if match.start() - start <= WINDOW_CHARS else None
        if _time_ends_sentence(before, _window_after(line, match.end(), end)):
            yield match.end()
    for match in _GLUED_PRONOUN.finditer(line, start, end):
        yield match.end()
    for match in _QUOTE_THEN_QUOTE.finditer(line, start, end):
        yield match.end()
    for match in _SENTENCE_END_BEFORE_TITLE.finditer(line, start, end):
        yield match.start()
    for match in _UNIT_AFTER_MILLIONS.finditer(line, start, end):
        yield match.end()


def _window_after(line: str, pos: int, end: int) -> str:
    return line[pos : min(end, pos + WINDOW_CHARS)]


def _starts_with_country_name(text: str) -> bool:
    first_word = _WORD.match(text)
    if first_word is None:
        return False
    names = _country_names_by_first_word().get(first_word.group().rstrip(".,"), ())
    return any(text.startswith(name) and not text[len(name) : len(name) + 1].isalnum() for name in names)


@functools.cache
def _country_names_by_first_word() -> dict[str, tuple[str, ...]]:
    """Country names (pycountry, loaded on first need), longest first under each first word."""
    import pycountry

    names = set(COUNTRY_SHORT_NAMES)
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            name = getattr(country, attribute, None)
            if name:  # "Korea, Republic of" -> "Korea"; "Holy See (Vatican City State)" -> "Holy See"
                names.add(name.split(",")[0].split(" (")[0])
    by_first_word: dict[str, list[str]] = {}
    for name in names:
        by_first_word.setdefault(name.split()[0], []).append(name)
    return {first: tuple(sorted(group, key=len, reverse=True)) for first, group in by_first_word.items()}


def _time_ends_sentence(before: str | None, after: str) -> bool:
    """Does "a.m."/"p.m." end the sentence, given the words before it (None: many) and after it?"""
    words_before = before.split() if before is not None else []
    if words_before and words_before[0].lower() in _TIME_INTRO_WORDS:
        if len(words_before) <= MAX_INTRO_WORDS_BEFORE_TIME:
            return False  # "At 5 a.m. Mr. Smith went ..." opens with the time
    words_after = [word.strip(".,;:()") for word in after.split()[:TIME_WORD_LOOKAHEAD]]
    if not words_after:
        return False
    next_word = words_after[0]
    if len(next_word) > 1 and next_word.isupper():
        return False  # a time zone: "p.m. EDT"
    if next_word.lower() in _CALENDAR_WORDS:
        return False
    return not any(word.lower() == "time" for word in words_after)


# --- tidy -------------------------------------------------------------------------------


def _tidy(line: str, spans: list[Span]) -> Iterator[Span]:
    """Strip each span, trim stray leading dots, drop spans without a letter or digit."""
    for start, end in spans:
        start, end = _stripped(line, start, end)
        stray = _STRAY_LEADING_DOTS.match(line, start, end)
        if stray:
            start = stray.end()
        if _LETTER_OR_DIGIT.search(line, start, end):
            yield start, end


def _stripped(line: str, start: int, end: int) -> Span:
    while start < end and line[start].isspace():
        start += 1
    while end > start and line[end - 1].isspace():
        end -= 1
    return start, end
