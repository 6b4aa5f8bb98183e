"""Split a document into lines and mark the lines that are web junk.

Every non-blank line comes back, in order, as a ``Line`` whose span points into
the document text.  A line that is wholly junk (pagination, a share bar, an
image credit, a comment form...) carries the name of the rule that matched in
``dropped``; nothing is removed silently.  The rules look at the shape and the
phrasing of a line, never at known strings of known sites.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from claimtrack.models import Line

# Letters that re.IGNORECASE matches to an ASCII letter but str.lower() leaves apart ("İ" lowers to "i" + a dot).
IGNORECASE_FOLDS = (("ı", "i"), ("ſ", "s"), ("\u0307", ""))


@dataclass(frozen=True, slots=True)
class KeywordPattern:
    """A case-insensitive pattern every match of which holds one of ``keywords`` (lower case):
    a text whose ``folded`` form holds none of them is not searched, which is most texts."""

    pattern: re.Pattern[str]
    keywords: tuple[str, ...]

    def may_occur_in(self, folded_text: str) -> bool:
        for keyword in self.keywords:
            if keyword in folded_text:
                return True
        return False

    def found_in(self, text: str, folded_text: str) -> bool:
        return self.may_occur_in(folded_text) and self.pattern.search(text) is not None


def folded(text: str) -> str:
    """``text`` in lower case, in which every word that an IGNORECASE pattern finds in ``text`` occurs."""
    lowered = text.lower()
    if not lowered.isascii():
        for letter, ascii_letter in IGNORECASE_FOLDS:
            lowered = lowered.replace(letter, ascii_letter)
    return lowered


# A junk line is short: a rule that works on phrasing only fires up to this length (in words).
MAX_NAVIGATION_WORDS = 5
MAX_CALL_TO_ACTION_WORDS = 20
MAX_CREDIT_WORDS = 15
MAX_BLOG_META_WORDS = 8
MAX_LINK_LINE_WORDS = 30
MAX_DISCLAIMER_WORDS = 45
MAX_TICKER_TITLE_WORDS = 4
# A line that is mostly a web address is a link, not prose.
MIN_URL_SHARE_OF_LINE = 0.5

MARKUP_FORMATS = ("markdown", "html")

ATX_HEADING = re.compile(r"#{1,6}(?=\s|$)")
ATX_CLOSING = re.compile(r"\s+#+$")
MARKDOWN_PREFIX = re.compile(r"(?:>\s?|[-*+]\s+|\d{1,3}[.)]\s+)")
SETEXT_UNDERLINE = re.compile(r"(?:=+|-+)\s*$")

URL = KeywordPattern(
    re.compile(
        r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|ru|gov|edu|io|info|co|uk)(?:/\S*)?\b", re.I
    ),
    ("://", "www.", ".co", ".org", ".net", ".ru", ".gov", ".edu", ".io", ".info", ".uk"),
)
# A line ends in sentence punctuation when one of FINAL_MARKS comes last but for CLOSING_MARKS.
FINAL_MARKS = ".!?…:;।。！？؟"
CLOSING_MARKS = "\"'”’»)]"
PAGINATION = re.compile(
    r"^(?:(?:showing|displaying|results?)\s+)?(?:page\s+)?\d[\d,]*(?:\s*(?:-|–|to)\s*\d[\d,]*)?"
    r"\s+(?:of|/)\s+(?:about\s+|approx\.?\s+)?\d[\d,]*(?:\s+(?:results?|items?|pages?|entries))?$"
    r"|^(?:«|‹|<)?\s*(?:previous|prev|next|older|newer)(?:\s+(?:page|posts?|entries|articles?))?\s*(?:»|›|>)?$"
    r"|^(?:\d+\s+){2,}(?:next|»|›|…)?\s*$",
    re.I,
)
TICKER_SYMBOL_START = re.compile(r"[A-Z][A-Z0-9.]")  # tested first: prose seldom starts like a symbol
# A symbol and a price: the price needs decimals, a currency or a percent, so "NATO 2030" is no ticker.
TICKER_ROW = re.compile(
    r"^(?=.*(?:\d\.\d|%|[$€£¥]))[A-Z][A-Z0-9.]{1,9}(?:/[A-Z]{2,5})?\s+[-+]?[$€£¥]?\d[\d,]*(?:\.\d+)?%?"
    r"(?:\s+[-+]?[$€£¥]?\d[\d,]*(?:\.\d+)?%?)*$"
)
LINK_LEAD = re.compile(
    r"^(?:>>|»|→|►|▶)"
    r"|^see also\b"
    r"|^(?:read (?:more|also|next)|also read|more|related(?: \w+)?|recommended|see|watch|listen|source)\s*:",
    re.I,
)
MARKDOWN_LINK_ONLY = re.compile(r"^!?\[[^\]]*\]\([^)]*\)$")
CREDIT_LEAD = re.compile(
    r"^(?:©|\(c\)|copyright\b"
    r"|cc\s+(?:by\b|[\w-]+\.\w)"
    r"|(?:photo|image|picture|illustration|graphic|video|cover|header|featured image)s?"
    r"\s*(?::|by\b|credits?\b|courtesy\b|source\b|via\b)"
    r"|(?:credits?|courtesy|pictured|source)\s*:)",
    re.I,
)
CREDIT_TAIL = KeywordPattern(
    re.compile(
        r"(?:/|\(|©|photo:?|credit:?)\s*(?:getty images|ap photo|afp|reuters|shutterstock|wikimedia commons)\)?\s*$",
        re.I,
    ),
    ("getty images", "ap photo", "afp", "reuters", "shutterstock", "wikimedia commons"),
)
CALL_TO_ACTION_LEAD = re.compile(
    r"^(?:(?:please|now|so|and)\s+)?(?:sign up|signup|subscribe|join (?:our|us|the conversation)|follow us|like us"
    r"|share (?:this|on|via)|read more|click here|tap here|register (?:now|here|for)|download (?:our|the)"
    r"|get (?:our|the latest|updates|free)|don'?t miss|stay (?:updated|informed|in touch|tuned)"
    r"|support (?:us|our)|donate|become a (?:member|subscriber|patron)|enter your email)\b",
    re.I,
)
CALL_TO_ACTION_OBJECT = KeywordPattern(
    re.compile(
        r"\b(?:our newsletter|mailing list|to receive (?:e-?mails|updates|news|alerts|our)"
        r"|follow us on|subscribe to (?:our|the)|in your inbox)\b",
        re.I,
    ),
    ("our newsletter", "mailing list", "to receive ", "follow us on", "subscribe to ", "in your inbox"),
)
COMMENT_FORM = re.compile(
    r"^(?:leave a (?:reply|comment)|post (?:a )?comment|add (?:a )?comment|cancel reply|reply$|comments?$"
    r"|\d+\s+(?:comments?|replies|responses)$|no comments(?: yet)?|comments (?:are )?closed"
    r"|your email address will not be published|required fields are marked"
    r"|save my name,? email|you must be logged in to post|notify me of (?:follow-up|new) )",
    re.I,
)
BLOG_META = re.compile(
    r"^(?:(?:posted|published|updated|by|in|@)\b.*?)?(?:\d+|\ban?|\bone)\s*"
    r"(?:sec(?:ond)?|min(?:ute)?|hour|day|week|month|year)s?\s+ago$"
    r"|^(?:posted|published|written|updated)\s+(?:on|by|in|at)\b"
    r"|^\d+\s*min(?:ute)?s?\s+read$"
    r"|^(?:reading time|tags|tagged|categories|category|filed under)\s*:"
    r"|^in\s+#\w+",
    re.I,
)
DISCLAIMER = KeywordPattern(
    re.compile(
        r"\b(?:views|opinions)\s+expressed\b.*\b(?:authors?|writers?|contributors?)\b"
        r"|\bdo(?:es)? not necessarily (?:reflect|represent)\b"
        r"|\bfor (?:general )?informational purposes only\b"
        r"|\b(?:does|do|should) not constitute (?:financial|investment|legal|professional) advice\b"
        r"|\ball rights reserved\b"
        r"|\bwe use cookies\b|\bby continuing to (?:use|browse) (?:this|our) (?:site|website)\b",
        re.I,
    ),
    (
        "expressed",
        "not necessarily ",
        "informational purposes only",
        "not constitute ",
        "all rights reserved",
        "we use cookies",
        "by continuing to ",
    ),
)
NAVIGATION_WORDS = frozenset(
    """
    back to top home menu search skip content main navigation nav toggle open close login log in out logout
    sign signin register account my profile lost forgot your password username remember me reset
    next previous prev more less show hide all print email e-mail share tweet facebook twitter linkedin
    whatsapp telegram reddit pinterest copy link rss feed subscribe contact about us privacy policy terms
    of use conditions cookie cookies settings sitemap archives archive categories tags related posts
    articles popular latest comments reply edit view continue reading top go
    """.split()
)
WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


def clean_lines(text: str, format: str = "text") -> list[Line]:
    """Every non-blank line of ``text`` in order, with its span, layout flags and junk reason."""
    raw_lines = split_raw_lines(text)
    blank = [not text[start:end].strip() for start, end in raw_lines]
    lines: list[Line] = []
    for index, (start, end) in enumerate(raw_lines):
        if blank[index]:
            continue
        span_start, span_end, heading = content_span(text, start, end, format)
        if format in MARKUP_FORMATS and not heading:
            heading = is_setext_heading(text, raw_lines, index)
        line_text = text[span_start:span_end]
        lines.append(
            Line(
                start=span_start,
                end=span_end,
                text=line_text,
                dropped=junk_reason(line_text),
                standalone=(index == 0 or blank[index - 1]) and (index + 1 == len(raw_lines) or blank[index + 1]),
                heading=heading,
            )
        )
    return mark_ticker_titles(lines)


def split_raw_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line of ``text``, line terminator excluded."""
    spans = []
    position = 0
    for raw in text.splitlines(keepends=True):
        content = raw.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        spans.append((position, position + len(content)))
        position += len(raw)
    return spans


def content_span(text: str, start: int, end: int, format: str) -> tuple[int, int, bool]:
    """The span of a line without surrounding whitespace and markup; whether it is a "#" heading.

    A line that is nothing but markup ("#", "-") keeps its whole span.
    """
    line_start, line_end = strip_span(text, start, end)
    start = line_start
    if format in MARKUP_FORMATS:
        start = skip_markdown_prefixes(text, start, line_end)
    match = ATX_HEADING.match(text, start, line_end)
    if not match:
        return start, line_end, False
    start, end = strip_span(text, match.end(), line_end)
    closing = ATX_CLOSING.search(text, start, end)
    if closing and closing.start() > start:
        end = closing.start()
    if start >= end:
        return line_start, line_end, False
    return start, end, True


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span so it has no whitespace at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def skip_markdown_prefixes(text: str, start: int, end: int) -> int:
    """Move past list bullets and blockquote markers, nested ones too."""
    while True:
        match = MARKDOWN_PREFIX.match(text, start, end)
        if not match or match.end() >= end:
            return start
        start = strip_span(text, match.end(), end)[0]


def is_setext_heading(text: str, raw_lines: list[tuple[int, int]], index: int) -> bool:
    """A Markdown line underlined by "===" or "---"."""
    if index + 1 >= len(raw_lines):
        return False
    start, end = raw_lines[index + 1]
    underline = text[start:end].strip()
    return bool(underline) and SETEXT_UNDERLINE.match(underline) is not None


class Probe(NamedTuple):
    """A line or sentence with the facts that several rules ask of it, computed once."""

    text: str
    words: int
    folded: str

    @classmethod
    def of(cls, text: str) -> Probe:
        return cls(text, word_count(text), folded(text))


def junk_reason(line: str) -> str | None:
    """The name of the first junk rule that matches the whole line, or None for content."""
    probe = Probe.of(line)
    for reason, rule in JUNK_RULES:
        if rule(probe):
            return reason
    return None


def word_count(line: str) -> int:
    return len(line.split())


def has_no_letters(line: Probe) -> bool:
    return not any(map(str.isalpha, line.text))


def is_pagination(line: Probe) -> bool:
    return PAGINATION.match(line.text) is not None


def is_ticker_row(line: Probe) -> bool:
    return TICKER_SYMBOL_START.match(line.text) is not None and TICKER_ROW.match(line.text) is not None


def is_link(line: Probe) -> bool:
    if line.words > MAX_LINK_LINE_WORDS:
        return False
    if LINK_LEAD.match(line.text) or MARKDOWN_LINK_ONLY.match(line.text):
        return True
    url_characters = 0
    if URL.may_occur_in(line.folded):
        url_characters = sum(len(match.group()) for match in URL.pattern.finditer(line.text))
    return url_characters >= MIN_URL_SHARE_OF_LINE * len(line.text)


def is_credit(line: Probe) -> bool:
    if line.words > MAX_CREDIT_WORDS:
        return False
    return CREDIT_LEAD.match(line.text) is not None or CREDIT_TAIL.found_in(line.text, line.folded)


def is_navigation(line: Probe) -> bool:
    if line.words > MAX_NAVIGATION_WORDS:
        return False
    words = [word.lower() for word in WORD.findall(line.text)]
    if not words or len(words) > MAX_NAVIGATION_WORDS:
        return False
    return all(word in NAVIGATION_WORDS for word in words)


def is_call_to_action(line: Probe) -> bool:
    if line.words > MAX_CALL_TO_ACTION_WORDS:
        return False
    return CALL_TO_ACTION_LEAD.match(line.text) is not None or CALL_TO_ACTION_OBJECT.found_in(line.text, line.folded)


def is_comment_form(line: Probe) -> bool:
    return COMMENT_FORM.match(line.text) is not None


def is_blog_meta(line: Probe) -> bool:
    return line.words <= MAX_BLOG_META_WORDS and BLOG_META.search(line.text) is not None


def is_disclaimer(line: Probe) -> bool:
    return line.words <= MAX_DISCLAIMER_WORDS and DISCLAIMER.found_in(line.text, line.folded)


JUNK_RULES: tuple[tuple[str, Callable[[Probe], bool]], ...] = (
    ("no-text", has_no_letters),
    ("pagination", is_pagination),
    ("ticker", is_ticker_row),
    ("credit", is_credit),
    ("link", is_link),
    ("comment-form", is_comment_form),
    ("blog-meta", is_blog_meta),
    ("navigation", is_navigation),
    ("call-to-action", is_call_to_action),
    ("disclaimer", is_disclaimer),
)


def ends_with_final_punctuation(text: str) -> bool:
    """Whether ``text`` ends (a final newline aside) in a final mark and any closing marks."""
    body = text.removesuffix("\n").rstrip(CLOSING_MARKS)
    return body[-1:] != "" and body[-1] in FINAL_MARKS


def mark_ticker_titles(lines: list[Line]) -> list[Line]:
    """Drop the short title line ("Coin Marketplace") directly above a block of ticker rows."""
    marked = list(lines)
    for index in range(len(lines) - 1):
        line, following = lines[index], lines[index + 1]
        if (
            line.dropped is None
            and following.dropped == "ticker"
            and word_count(line.text) <= MAX_TICKER_TITLE_WORDS
            and not ends_with_final_punctuation(line.text)
        ):
            marked[index] = Line(line.start, line.end, line.text, "ticker", line.standalone, line.heading)
    return marked
