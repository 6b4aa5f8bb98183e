"""Join the lines of hard-wrapped paragraphs, so a sentence never ends where a line broke.

Wire copy, e-mail and text taken out of a PDF break every paragraph into lines
of a fixed width. Whether a text is wrapped is decided from the text alone:
its lines crowd against one width, and at most breaks the next line's first
word would not have fitted on the line before. Within such a text two lines
are joined when the first one was full, or when the next line carries on the
first one's sentence, however short the first one is (a wire's lead line):
the next line starts in lower case, or with a number after a lowercase word,
or the first one ends on a comma, on a word no heading ends on ("the", "of",
"per") or as a dateline before its lead ("TORONTO, March 3 (Reuters) -").
Headlines, titles, datelines, list items, table rows, signatures and other
short lines keep their own line. A text that is not wrapped comes back
unchanged.

A join replaces the line break by one space; a word hyphenated across the
break ("inter-" + "national") is mended, keeping the hyphen when it belongs
to the word ("long-" + "time", "Moscow-" + "led").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MIN_WRAP_WIDTH = 30  # narrower "columns" are lists or verse, not wrapped prose
MAX_WRAP_WIDTH = 140  # wider lines are paragraphs written on one line each
WIDTH_QUANTILE = 0.9  # the wrap width is taken from the longest lines, not the single longest
MIN_FULL_LINES = 2  # a text needs this many full lines before it counts as wrapped
MIN_FULL_SHARE = 0.5  # ...and this share of its inner lines must be full
MIN_RUN_ON_SHARE = 0.3  # ...and this share must stop mid-sentence (prose, not a list of equal lines)
FIT_SLACK_SHARE = 0.12  # proportional fonts (PDF): a line this close to the width is full
MIN_WORDS_BEFORE_NUMBER = 3  # "The bank sold" / "54,000 tonnes" runs on; "Key figures" / "2023 ..." is a heading
TITLE_WORD_MIN = 3  # a title in capitals needs MIN_TITLE_WORDS words of at least this many letters
MIN_TITLE_WORDS = 2
MIN_HYPHENATION_PIECE = 3  # typesetters leave at least this many letters on each side of a break

FINAL_PUNCTUATION = re.compile(r"[.!?…:;。！？؟][\s\"'”’»)\]]*$")
LIST_ITEM = re.compile(r"\s*(?:[-*+•◦▪–—]\s+|\(?(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)]\s+)")
QUOTE_PREFIX = re.compile(r"\s*(?:>\s?)+")
MARKUP_LINE = re.compile(r"\s*(?:#{1,6}(?:\s|$)|\||```|~~~|={3,}\s*$|-{3,}\s*$|\*{3,}\s*$)")
TABLE_CELL_GAP = re.compile(r"[^\s.!?:;,\"'”’)](?: {2,}|\t)\S")  # two spaces after a full stop are no cell gap
SIGNATURE_DELIMITER = re.compile(r"--\s*$")
FENCE = re.compile(r"\s*(?:```|~~~)")
BROKEN_WORD = re.compile(r"([^\W\d_]+(?:-[^\W\d_]+)*)-$")
LEADING_WORD = re.compile(r"[^\W\d_]+")
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
HYPHEN_BREAK = re.compile(r"[^\W\d_]+-\n\s*[^\W\d_]+")
LAST_WORD = re.compile(r"(?:^|\s)([^\W\d_]+),?$")
DATELINE_DASH = re.compile(r"\S\s+(?:-|--|–|—)$")  # "TORONTO, March 3 (Reuters) -"
AGENCY_BEFORE_DASH = re.compile(r"\([^()\n]{1,30}\)\s*(?:-|--|–|—)\s")  # "TORONTO, March 3" / "(Reuters) - The"
# "TOKYO, March 28 (Reuters)": a place in capitals, a comma, the agency in brackets at the end.
DATELINE_AGENCY_AT_END = re.compile(r"^\s*[^\W\d_a-zà-ÿа-я][^\W\d_a-zà-ÿа-я .'/-]+,.*\([^()\n]{1,30}\)$")
ENDS_WITH_COMMA = re.compile(r"[^\W_][\"'”’»)]*,$")
# A letter's salutation ends with a comma but is no part of the sentence below it.
SALUTATION = re.compile(
    r"\s*(?:dear|hi|hello|hey|liebe|lieber|sehr|hallo|cher|chère|chers|bonjour|estimad[oa]s?|querid[oa]s?|hola|"
    r"уважаем\w*|дорог\w*|здравствуйте)\b",
    re.IGNORECASE,
)
# Words a sentence runs on after but no heading ends on, as written (lowercase): articles, possessives and
# prepositions that never close a phrase ("in", "on", "for", "up" can: "Sign in", "What to look out for").
OPEN_ENDING_WORDS = frozenset(
    """
    a an the of per than and or nor to from with into onto at by as that which whose its their his our your my
    der die das den dem des ein eine einen einem einer eines und oder zu von mit für bei aus vom zum zur beim
    seine seinen seinem seiner ihre ihren ihrem ihrer dass
    le la les un une du de des et ou au aux à pour par avec dans sur sans sous chez vers entre que dont
    son sa ses leur leurs
    el los las una unos unas del y al para por con sin sobre hacia desde su sus
    и или в во на с со к ко по о об от для из за у при без над под про через что
    """.split()
)


@dataclass(frozen=True, slots=True)
class WrapProfile:
    """What the line lengths of a text say: its wrap width and whether it is wrapped at all."""

    width: int
    inner_lines: int
    full_lines: int
    run_on_lines: int = 0

    @property
    def wrapped(self) -> bool:
        return (
            MIN_WRAP_WIDTH <= self.width <= MAX_WRAP_WIDTH
            and self.full_lines >= MIN_FULL_LINES
            and self.full_lines >= MIN_FULL_SHARE * self.inner_lines
            and self.run_on_lines >= MIN_RUN_ON_SHARE * self.inner_lines
        )


def unwrap_text(text: str, *, typeset: bool = False) -> str:
    """The text with wrapped paragraphs on one line each; unchanged when it is not wrapped.

    ``typeset`` says the text comes from a typeset page (PDF), where a hyphen at a line's
    end is more often the typesetter's than the word's; elsewhere (e-mail, wires) a hyphen
    stays unless the text itself spells the word without it.
    """
    lines = text.split("\n")
    profile = wrap_profile(lines)
    if not profile.wrapped:
        return text
    standalone = standalone_lines(lines, profile.width)
    vocabulary = document_vocabulary(text)
    out: list[str] = []
    for index, line in enumerate(lines):
        if index > 0 and should_join(lines, index - 1, standalone, profile.width):
            out[-1] = join_lines(out[-1], strip_repeated_quote(lines[index - 1], line), vocabulary, typeset)
        else:
            out.append(line)
    return "\n".join(out)


def is_hard_wrapped(text: str) -> bool:
    return wrap_profile(text.split("\n")).wrapped


# ---------------------------------------------------------------- profile


def wrap_profile(lines: Sequence[str]) -> WrapProfile:
    """Width estimated from the lines followed by another line; how many of them are full."""
    inner = [
        (line, lines[i + 1])
        for i, line in enumerate(lines[:-1])
        if line.strip() and lines[i + 1].strip() and not is_markup(line) and not is_markup(lines[i + 1])
    ]
    if not inner:
        return WrapProfile(0, 0, 0)
    lengths = sorted(len(line.rstrip()) for line, _ in inner)
    width = lengths[min(len(lengths) - 1, int(WIDTH_QUANTILE * len(lengths)))]
    full = sum(1 for line, following in inner if is_full(line, following, width))
    run_on = sum(1 for line, following in inner if stops_mid_sentence(line, following))
    return WrapProfile(width, len(inner), full, run_on)


def stops_mid_sentence(line: str, following: str) -> bool:
    """No final punctuation, and the next line does not start like a new sentence or carries this one on.

    German nouns start continuation lines in capitals: "will die" / "Stromsteuer" runs on all the same.
    """
    if FINAL_PUNCTUATION.search(line.rstrip()):
        return False
    return not starts_like_heading(following.strip()) or continues_sentence(line, following)


def is_full(line: str, following: str, width: int) -> bool:
    """The next line's first word would not have fitted on this line."""
    words = following.split()
    first_word = words[0] if words else ""
    return len(line.rstrip()) + 1 + len(first_word) > width * (1 - FIT_SLACK_SHARE)


# ---------------------------------------------------------------- lines that stay


def standalone_lines(lines: Sequence[str], width: int) -> list[bool]:
    """Per line: does it stay a line of its own (heading, table row, signature, code...)?"""
    result: list[bool] = []
    in_fence = False
    in_signature = False
    for index, line in enumerate(lines):
        if FENCE.match(line):
            in_fence = not in_fence
            result.append(True)
            continue
        if SIGNATURE_DELIMITER.fullmatch(line):
            in_signature = True
        previous = lines[index - 1] if index > 0 else ""
        following = lines[index + 1] if index + 1 < len(lines) else ""
        result.append(
            in_fence
            or in_signature
            or not line.strip()
            or is_markup(line)
            or is_table_row(line, previous, following)
            or is_short_heading(line, previous, following, width)
            or is_title(line)
        )
    return result


def is_markup(line: str) -> bool:
    """A Markdown heading, table, fence or rule."""
    return bool(MARKUP_LINE.match(line))


def is_table_row(line: str, previous: str, following: str) -> bool:
    """Cells apart by wide gaps or tabs, lined up with those of a neighbouring line."""
    columns = cell_columns(line)
    return any(columns & cell_columns(neighbour) for neighbour in (previous, following))


def cell_columns(line: str) -> set[int | str]:
    """Where cells start after a wide gap (give or take one column); a tab counts as a column of its own."""
    columns: set[int | str] = set()
    for gap in TABLE_CELL_GAP.finditer(line):
        if "\t" in gap.group(0):
            columns.add("tab")
        else:
            columns.update((gap.end() - 2, gap.end() - 1, gap.end()))
    return columns


def starts_unit(lines: Sequence[str], index: int, width: int) -> bool:
    """A list item or the start of a quotation: never joined to the line before."""
    line = lines[index]
    previous = lines[index - 1] if index > 0 else ""
    quote = QUOTE_PREFIX.match(line)
    if quote:
        before = QUOTE_PREFIX.match(previous)
        return before is None or before.group(0).replace(" ", "") != quote.group(0).replace(" ", "")
    if not LIST_ITEM.match(line):
        return False
    # A dash or number that wrapping happened to put at the start of a line is no list item.
    if DATELINE_AGENCY_AT_END.search(previous.rstrip()):
        return False  # "TOKYO, March 28 (Reuters)" / "- Germany on Monday banned"
    return (
        not previous.strip()
        or bool(FINAL_PUNCTUATION.search(previous.rstrip()))
        or bool(LIST_ITEM.match(previous))
        or not is_full(previous, line, width)
    )


def is_short_heading(line: str, previous: str, following: str, width: int) -> bool:
    """A short line without final punctuation before a capital or a blank: a headline or dateline.

    Not when the line before ran on into it: that is a paragraph's last words ("8 independent" / "MPs").
    """
    stripped = line.strip()
    if not stripped or FINAL_PUNCTUATION.search(stripped) or not starts_like_heading(stripped):
        return False
    if previous.strip() and not FINAL_PUNCTUATION.search(previous.rstrip()) and is_full(previous, line, width):
        return False
    if ends_open(stripped):
        return False
    if following.strip() and (
        is_full(line, following, width)
        or not starts_like_heading(following.strip())
        or continues_sentence(line, following)
    ):
        return False
    return True


def is_title(line: str) -> bool:
    """A line in capitals without final punctuation: a title, whatever its length."""
    stripped = line.strip()
    words = [word for word in LEADING_WORD.findall(stripped) if len(word) >= TITLE_WORD_MIN]
    return (
        len(words) >= MIN_TITLE_WORDS
        and stripped.isupper()
        and not FINAL_PUNCTUATION.search(stripped)
        and not DATELINE_DASH.search(stripped)  # "LONDON (REUTERS) -" opens the lead on the next line
    )


def starts_like_heading(text: str) -> bool:
    first = text.lstrip("\"'“‘«([")[:1]
    return first.isupper() or first.isdigit()


# ---------------------------------------------------------------- joining


def should_join(lines: Sequence[str], index: int, standalone: Sequence[bool], width: int) -> bool:
    """Join line ``index`` with the next one?"""
    line, following = lines[index], strip_repeated_quote(lines[index], lines[index + 1])
    if standalone[index] or standalone[index + 1] or starts_unit(lines, index + 1, width):
        return False
    if indentation(following) > indentation(line) and not continues_list_item(lines, index):
        return False  # a first-line indent starts a new paragraph
    if is_full(line, following, width):
        return True
    previous = lines[index - 1] if index > 0 else ""
    inside_sentence = bool(previous.strip()) and not FINAL_PUNCTUATION.search(previous.rstrip())
    return continues_sentence(line, following, inside_sentence=inside_sentence)


def strip_repeated_quote(line: str, following: str) -> str:
    """``following`` without the quotation marks it shares with ``line`` ("> a" / "> b")."""
    quote, next_quote = QUOTE_PREFIX.match(line), QUOTE_PREFIX.match(following)
    if quote and next_quote and quote.group(0).replace(" ", "") == next_quote.group(0).replace(" ", ""):
        return " " * len(quote.group(0)) + following[next_quote.end() :]
    return following


def continues_sentence(line: str, following: str, *, inside_sentence: bool = False) -> bool:
    """Does ``following`` carry on the sentence ``line`` leaves open? Short lines too: a lead's first line.

    "Northfield Bank is not under" / "pressure to sell", "The sugar is priced per" / "tonne",
    "The Community sold" / "54,000 tonnes", "LONDON, March 3 (Reuters) -" / "The Community".
    """
    stripped = line.rstrip()
    next_text = following.lstrip()
    if not stripped or not next_text or FINAL_PUNCTUATION.search(stripped):
        return False
    first = next_text[0]
    if first.islower() or ends_open(stripped) or AGENCY_BEFORE_DASH.match(next_text):
        return True
    if ENDS_WITH_COMMA.search(stripped):
        return not SALUTATION.match(stripped)  # "In a statement, Ellis said," / "\"We are not selling"
    if not first.isdigit():
        return False
    last_word = LAST_WORD.search(stripped)
    if last_word is None or not last_word.group(1).islower():
        return False
    return inside_sentence or len(stripped.split()) >= MIN_WORDS_BEFORE_NUMBER


def ends_open(stripped: str) -> bool:
    """Ends on a word no heading ends on ("under the", "priced per") or as a dateline before its lead."""
    if DATELINE_DASH.search(stripped) or DATELINE_AGENCY_AT_END.search(stripped):
        return True
    last_word = LAST_WORD.search(stripped)
    return last_word is not None and last_word.group(1) in OPEN_ENDING_WORDS


def continues_list_item(lines: Sequence[str], index: int) -> bool:
    """Is line ``index`` part of a list item whose text the next, indented line carries on?"""
    for back in range(index, -1, -1):
        if not lines[back].strip():
            return False
        marker = LIST_ITEM.match(lines[back])
        if marker:
            return indentation(lines[index + 1]) <= marker.end()
    return False


def indentation(line: str) -> int:
    return len(line) - len(line.lstrip())


def join_lines(line: str, following: str, vocabulary: frozenset[str], typeset: bool = False) -> str:
    """``line`` and ``following`` as one line, mending a word hyphenated across the break."""
    head = line.rstrip()
    tail = following.strip()
    broken = BROKEN_WORD.search(head)
    next_word = LEADING_WORD.match(tail)
    if broken and next_word:
        if is_soft_hyphen(broken.group(1), next_word.group(0), vocabulary, typeset):
            return head[:-1] + tail
        return head + tail
    return f"{head} {tail}"


def is_soft_hyphen(head: str, tail: str, vocabulary: frozenset[str], typeset: bool = False) -> bool:
    """Was the hyphen in ``head-`` + ``tail`` put there by the line break alone?"""
    if not tail[0].islower() or "-" in head or head[0].isupper():
        return False
    last_piece = head.lower()
    if len(last_piece) < MIN_HYPHENATION_PIECE or len(tail) < MIN_HYPHENATION_PIECE:
        return False
    hyphenated, joined = f"{last_piece}-{tail.lower()}", f"{last_piece}{tail.lower()}"
    if hyphenated in vocabulary:
        return False
    if joined in vocabulary:
        return True
    return typeset and not (last_piece in vocabulary and tail.lower() in vocabulary)


def document_vocabulary(text: str) -> frozenset[str]:
    """Lowercased words of the text, leaving out words broken across a line."""
    return frozenset(word.lower() for word in WORD.findall(HYPHEN_BREAK.sub(" ", text)))
