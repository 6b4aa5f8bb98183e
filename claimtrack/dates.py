"""Dates: when a document appeared, and when the event a claim tells of happened.

Pure functions over text, no I/O. A hand-written parser for the phrase shapes that
occur in news and think-tank prose; it replaces dateparser, which was ~100x slower
here and matched bare numbers and the verb "may".

Year resolution for a month or day written without a year, in this order:

1. ``doc_date`` known: the date relative to the document's own date. "last"
   means strictly before it, "next" strictly after, "this" the same year; else a
   sentence with a future cue ("will", "scheduled", ...) takes the nearest such
   date on or after ``doc_date``, any other the most recent one not after it
   (news mostly reports the past).
2. no ``doc_date`` but the document states exactly one distinct year
   (``doc_years``): that year. With several stated years no single one is safer
   than another (a page about 2022 cites 1991 and 2020), so the date stays partial.
3. otherwise a partial date: ``--MM-DD`` (or ``--MM`` for a month alone).

Phrases relative to the present ("yesterday", "last weekend", "on Monday",
"this year", "two years ago") are resolved only against ``doc_date``, never
against ``doc_years``, and are skipped when it is unknown.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from claimtrack.models import ClaimDate

DATELINE_HEAD_LINES = 3  # non-blank lines at the top of a text searched for a dateline
DATELINE_HEAD_CHARS = 600  # never look further into the text than this for a dateline
RELATIVE_STAMP_HEAD_CHARS = 400  # a blog's "2 years ago" stamp sits in the first lines
RELATIVE_STAMP_MAX_WORDS = 8  # ...on a short line of its own
YEAR_MIN = 1900
YEAR_MAX = 2100

DAY = "day"
MONTH = "month"
YEAR = "year"
PARTIAL = "partial"

MONTH_NUMBERS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
WEEKDAY_NUMBERS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3,
    "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
SUNDAY = 6
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip

# --- regular expression pieces -------------------------------------------------------

_MONTH_FULL = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)(?:\.|\b)"
_MONTH_NAME = rf"(?:(?:{_MONTH_FULL})\b|{_MONTH_ABBR})"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\d%])(?![.,:]\d)"
_YEAR = r"(?<![\d.,$£€#])(?:19\d\d|20\d\d|2100)(?!\d|[.,]\d|s\b)"
_WEEKDAY = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_SEASON = "spring|summer|autumn|fall|winter"
_NUMBER_WORD = "|".join(NUMBER_WORDS)

# Words before a date that say it is one: a preposition, last/next/this, a qualifier.
_PREFIX = rf"""
(?:(?i:\b(?P<prep>in|on|at|since|by|until|till|during|from|through|throughout|before|after
      |around|as\s+of|of|to|between)\s+))?
(?:(?i:\b(?P<rel>this|last|next)\s+))?
(?:(?i:(?:\bthe\s+)?\b(?P<qual>(?:very\s+)?(?:early|late|mid|middle\s+of|end\s+of|start\s+of
      |beginning\s+of|outset\s+of|turn\s+of|close\s+of|(?:first|second|third|fourth|last)\s+(?:half|quarter)\s+of
      |(?:{_SEASON})\s+of|year))(?:\s*-\s*|\s+)))?
"""

_CORE = rf"""
(?:
  (?P<iso>(?<![\d.])(?P<iso_y>(?:19|20)\d\d)-(?P<iso_m>0[1-9]|1[0-2])-(?P<iso_d>0[1-9]|[12]\d|3[01])(?!\d))
| \b(?P<mdy_m>{_MONTH_NAME})\s+(?P<mdy_d>{_DAY})(?:,?\s+(?P<mdy_y>{_YEAR}))?
| (?<![\d.,])\b(?P<dmy_d>{_DAY})(?:\s+of)?\s+(?P<dmy_m>{_MONTH_NAME})(?:,?\s+(?P<dmy_y>{_YEAR}))?
| \b(?P<my_m>{_MONTH_NAME}),?\s+(?P<my_y>{_YEAR})
| (?i:\b(?P<season>{_SEASON}))\s+(?P<season_y>{_YEAR})
| (?P<year>{_YEAR})
| \b(?P<month>{_MONTH_FULL})\b(?!['’]s)
| \b(?P<weekday>{_WEEKDAY})\b
| (?<![Tt]he\s)(?i:\b(?:(?P<rel_mod>earlier|later|early|late)\s+)?
    (?P<rel_word>this|last|next)\s+(?P<rel_unit>year|month|weekend|week)\b)
| (?i:\b(?P<dayword>yesterday|today|tonight)\b)
)
"""
_AGO = (
    rf"(?i:(?P<ago_n>(?<![\d.])\d{{1,3}}|\b(?:{_NUMBER_WORD}))"
    r"\s+(?P<ago_unit>year|month|week|day|hour|minute)s?\s+ago\b)"
)

# Matching is anchored at trigger tokens: trying the whole pattern at every
# character was 75 µs a sentence, anchored tries cost a tenth of that.
DATE_CORE = re.compile(_CORE, re.VERBOSE)
TRIGGER_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
TRIGGER_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TRIGGER_SEASONS = ("spring", "summer", "autumn", "fall", "winter")
TRIGGER_RELATIVE = ("yesterday", "today", "tonight", "this", "last", "next", "earlier", "later", "early", "late")
# Letters other than its upper case that re.IGNORECASE takes for an ASCII letter; the public
# functions make them ASCII (``_ascii_twins``) before matching.
IGNORECASE_TWINS = {"i": "İı", "k": "\u212a", "s": "ſ"}
IGNORECASE_TWIN_CHARS = "".join(IGNORECASE_TWINS.values())
TWINS_AS_ASCII = str.maketrans({twin: letter for letter, twins in IGNORECASE_TWINS.items() for twin in twins})


def _trigger_pattern(words: Sequence[str], words_in_any_case: Sequence[str]) -> re.Pattern[str]:
    r"""Where ``\b(?:words|(?i:words_in_any_case))|\d+`` matches, found twice as fast.

    The pattern opens with the class of every character that can start a trigger, so the
    regex engine skips to the next of them instead of trying the pattern at each character;
    a lookbehind then checks the word boundary and the word. A match ends after the first
    letter of its word: only its start counts.
    """
    firsts = {word[0] for word in words}
    for first in {word[0].lower() for word in words_in_any_case}:
        firsts |= {first, first.upper(), *IGNORECASE_TWINS.get(first, "")}
    alternatives = "|".join(words) + ("|(?i:" + "|".join(words_in_any_case) + ")" if words_in_any_case else "")
    return re.compile(rf"[\d{''.join(sorted(firsts))}](?:(?<=\d)\d*|(?<=\b(?={alternatives}).))")


DATE_TRIGGER = _trigger_pattern(TRIGGER_MONTHS + TRIGGER_WEEKDAYS, TRIGGER_RELATIVE + TRIGGER_SEASONS)
# Only these triggers can start a core that states a year. The cores that the others start
# (a weekday, "last week", "today") hold no digit, month or season, so leaving them out
# changes no other core, and the scan is faster.
YEAR_TRIGGER = _trigger_pattern(TRIGGER_MONTHS, TRIGGER_SEASONS)
# The triggers in any case stop the scan at most letters, and start a core only before one of these
# words: "last week", "today", "winter 2020". A text without them is scanned from its capitals and digits.
LOWERCASE_CORE_WORDS = ("year", "month", "week", "yesterday", "today", "tonight", *TRIGGER_SEASONS)
CAPITALISED_DATE_TRIGGER = _trigger_pattern(TRIGGER_MONTHS + TRIGGER_WEEKDAYS, ())
CAPITALISED_YEAR_TRIGGER = _trigger_pattern(TRIGGER_MONTHS, ())
# A prefix starts at a word, or is the empty one at the end: a cheap first test at each position.
PREFIX_BEFORE = re.compile(r"(?:\b(?=\w)|$)" + _PREFIX + r"$", re.VERBOSE)
PREFIX_LOOKBACK_CHARS = 48  # longest prefix: "in the very end of", "as of the second half of"
# Every word of _PREFIX. Read backwards from a core, the text made of them and of spaces and
# hyphens is where PREFIX_BEFORE may start: searched from there, it finds what it finds from
# the start of the window, without trying the other 40-odd positions.
PREFIX_WORDS = """in on at since by until till during from through throughout before after around as of to
    between this last next the very early late mid middle end start beginning outset turn close first second
    third fourth half quarter spring summer autumn fall winter year""".split()
PREFIX_WORDS_REVERSED = re.compile(
    r"(?:[\s-]|(?i:" + "|".join(sorted((word[::-1] for word in PREFIX_WORDS), key=len, reverse=True)) + r")\b)*"
)
AGO = re.compile(_AGO)

# A bare "in 2000" followed by a plural or a count word is a quantity, not a year.
COUNT_AFTER_YEAR = re.compile(
    r"\s+(?:(?!this\b|thus\b|towards\b|afterwards\b)[a-z]{2,}[a-rt-z]s\b|people\b|million\b|billion\b|thousand\b|percent\b|per\s+cent\b)"
)
AFTER_CHARS = 24  # text kept after a phrase for COUNT_AFTER_YEAR

# Cheap test run first: a sentence with none of these cannot hold a date phrase. The lower-case
# words are substring tests: in one pattern with the rest they made the scan stop at most letters.
DATE_HINT_WORDS = ("day", "ago", "year", "month", "week", "night")
DATE_HINT = re.compile(r"Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Year|Month|Week|19\d\d|20\d\d")
GROUP_NAMES = frozenset(DATE_CORE.groupindex) | frozenset(PREFIX_BEFORE.groupindex) | frozenset(AGO.groupindex)

FUTURE_CUE = re.compile(
    r"(?i)\b(?:will|shall|scheduled|planned|plans?\s+to|due\s+(?:to|out|back)|upcoming|expected\s+to|set\s+to|going\s+to)\b|'ll\b"
)

# Prepositions that make a bare 4-digit number a year ("of" alone does not: "a total of 1999").
YEAR_PREPOSITIONS = frozenset(
    {
        "in",
        "since",
        "by",
        "until",
        "till",
        "during",
        "from",
        "through",
        "throughout",
        "before",
        "after",
        "around",
        "as of",
        "between",
    }
)

_DATELINE_DATE = rf"""
(?:
  (?P<mdy_m>{_MONTH_NAME})\s+(?P<mdy_d>{_DAY}),?\s+(?P<mdy_y>{_YEAR})
| (?P<dmy_d>{_DAY})\s+(?P<dmy_m>{_MONTH_NAME}),?\s+(?P<dmy_y>{_YEAR})
| (?P<iso_y>(?:19|20)\d\d)-(?P<iso_m>0[1-9]|1[0-2])-(?P<iso_d>0[1-9]|[12]\d|3[01])(?:[T\s]\d{{1,2}}:\d\d\S*)?
)
"""
DATELINE = re.compile(
    rf"""^
    (?:(?i:published|posted|date)(?:\s+on)?\s*:?\s*)?
    (?:[A-Z][A-Za-z.'-]*(?:\s+[A-Z][A-Za-z.'-]*){{0,3}},\s+)?      # place: "MOSCOW, "
    (?:(?:{_WEEKDAY}),?\s+)?
    {_DATELINE_DATE}
    \s*(?:\([^()\n]{{1,40}}\))?\s*
    (?:[-–—:|/]|$)""",
    re.VERBOSE,
)

AGO_STAMP = re.compile(_AGO + r"|(?i:\b(?P<dayword>yesterday|today|just\s+now)\b)")

ISO_PRECISIONS = (
    (re.compile(r"--\d\d(?:-\d\d)?"), PARTIAL),
    (re.compile(r"\d{4}-\d\d-\d\d"), DAY),
    (re.compile(r"\d{4}-\d\d"), MONTH),
    (re.compile(r"\d{4}"), YEAR),
)


@dataclass(frozen=True, slots=True)
class _Anchor:
    """The document's own date, as precise as known."""

    year: int
    month: int | None = None
    day: int | None = None

    def as_date(self) -> date | None:
        if self.month is None or self.day is None:
            return None
        return date(self.year, self.month, self.day)


# --- document dates ----------------------------------------------------------------------


def date_from_text(text: str) -> tuple[str, str] | None:
    """The (ISO date, "dateline") of a dateline in the first lines of ``text``, if any."""
    head = text[:DATELINE_HEAD_CHARS]
    lines = [line.strip(" \t\xa0\u200b\ufeff") for line in head.splitlines()]
    for line in [line for line in lines if line][:DATELINE_HEAD_LINES]:
        match = DATELINE.match(line)
        if match:
            found = _explicit_day(match)
            if found:
                return found.isoformat(), "dateline"
    return None


def resolve_relative_stamp(text: str, reference: date) -> str | None:
    """Resolve a blog stamp ("2 years ago", "yesterday") near the head against ``reference``.

    The result is as precise as the stamp: YYYY for years, YYYY-MM for months and
    weeks, YYYY-MM-DD for days, hours, "yesterday" and "today".
    """
    match = next(
        (m for m in AGO_STAMP.finditer(text[:RELATIVE_STAMP_HEAD_CHARS]) if _on_short_line(text, m.start())), None
    )
    if not match:
        return None
    if match["dayword"]:
        back = 1 if match["dayword"].lower() == "yesterday" else 0
        return (reference - timedelta(days=back)).isoformat()
    return _ago(match["ago_n"], match["ago_unit"], reference)


def _on_short_line(text: str, index: int) -> bool:
    """A stamp is a line of its own ("in #asia 2 years ago"), not a word of prose ("yesterday")."""
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    return len(text[start : end if end >= 0 else len(text)].split()) <= RELATIVE_STAMP_MAX_WORDS


def document_claim_date(doc_date: str | None) -> ClaimDate | None:
    """The fallback date of a claim that states none: its document's date."""
    if not doc_date:
        return None
    precision = precision_of(doc_date)
    return ClaimDate(date=doc_date, precision=precision, text=None, source="document") if precision else None


def precision_of(iso: str) -> str | None:
    """day | month | year | partial for an ISO 8601 date string, None if it is not one."""
    for pattern, precision in ISO_PRECISIONS:
        if pattern.fullmatch(iso):
            return precision
    return None


# --- claim dates -------------------------------------------------------------------------


def years_stated(text: str) -> list[int]:
    """The distinct years (sorted) a text states in a date-like context."""
    if not _has_date_hint(text):
        return []
    text = _ascii_twins(text)
    years = set()
    # Cores only, "two years ago" states no year; and only a bare year needs its prefix.
    triggers = YEAR_TRIGGER if _may_need_lowercase_triggers(text, TRIGGER_SEASONS) else CAPITALISED_YEAR_TRIGGER
    for core in _date_cores(text, triggers):
        year_text = core["iso_y"] or core["mdy_y"] or core["dmy_y"] or core["my_y"] or core["season_y"]
        if year_text is None and core["year"] and _is_year_in_context(_phrase(text, core)):
            year_text = core["year"]
        if year_text and (core["iso_y"] is None or _explicit_day(core)):
            years.add(int(year_text))
    return sorted(years)


def extract_claim_date(text: str, *, doc_date: str | None, doc_years: Sequence[int] = ()) -> ClaimDate | None:
    """The date one sentence gives for its event, or None.

    With several date phrases, the most precise wins (day > month > year; a
    resolved date before a partial one of the same precision), then the first.
    """
    if not _has_date_hint(text):
        return None
    text = _ascii_twins(text)
    anchor = _parse_doc_date(doc_date)
    single_year = _single_year(doc_years)
    future = None  # computed once, only when a phrase needs it
    best: tuple[tuple[int, int], ClaimDate] | None = None
    for match in _date_phrases(text):
        if future is None and _needs_tense(match):
            future = bool(FUTURE_CUE.search(text))
        found = _claim_date(match, anchor, single_year, bool(future))
        if found is None:
            continue
        rank = _rank(found, _is_explicit(match))
        if best is None or rank > best[0]:
            best = (rank, found)
    return best[1] if best else None


Groups = dict[str, str | None]


def _has_date_hint(text: str) -> bool:
    for word in DATE_HINT_WORDS:
        if word in text:
            return True
    return DATE_HINT.search(text) is not None


def _date_phrases(text: str) -> Iterator[Groups]:
    """Each date phrase in ``text``: its regex groups and its ``phrase`` as written.

    A phrase is a core (a month, a day, a year, a weekday, "last week", ...) or a span
    back from now ("two years ago"), and the words before it that qualify it (a
    preposition, last/next/this, early/late/mid).
    """
    lowercase = _may_need_lowercase_triggers(text, LOWERCASE_CORE_WORDS)
    for core in _date_cores(text, DATE_TRIGGER if lowercase else CAPITALISED_DATE_TRIGGER):
        yield _phrase(text, core)
    if "ago" in text:
        for ago in AGO.finditer(text):
            yield _with_prefix(text, ago.start(), ago.end(), ago.groupdict())


def _may_need_lowercase_triggers(text: str, core_words: Sequence[str]) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in core_words)


def _ascii_twins(text: str) -> str:
    """The text with the twins of ASCII letters made ASCII ("laſt year"), so that a phrase the
    patterns match is a phrase the tables know; one letter for one, so offsets stay."""
    return text.translate(TWINS_AS_ASCII) if _has_ignorecase_twin(text) else text


def _has_ignorecase_twin(text: str) -> bool:
    """A letter that re.IGNORECASE takes for an ASCII one, which str.lower() does not turn into it."""
    return not text.isascii() and any(char in text for char in IGNORECASE_TWIN_CHARS)


def _date_cores(text: str, triggers: re.Pattern[str]) -> Iterator[re.Match[str]]:
    covered = 0
    for trigger in triggers.finditer(text):
        start = trigger.start()
        if start < covered:
            continue
        core = DATE_CORE.match(text, start)
        if core is None:
            continue
        covered = core.end()
        yield core


def _phrase(text: str, core: re.Match[str]) -> Groups:
    return _with_prefix(text, core.start(), core.end(), core.groupdict())


def _with_prefix(text: str, start: int, end: int, groups: Groups) -> Groups:
    before = text[max(0, start - PREFIX_LOOKBACK_CHARS) : start]
    prefix = PREFIX_BEFORE.search(before, len(before) - PREFIX_WORDS_REVERSED.match(before[::-1]).end())
    found = dict.fromkeys(GROUP_NAMES)
    found.update(groups)
    found.update(prefix.groupdict())
    found["phrase"] = (before[prefix.start() :] + text[start:end]).strip()
    found["after"] = text[end : end + AFTER_CHARS]
    return found


def _claim_date(match: Groups, anchor: _Anchor | None, single_year: int | None, future: bool) -> ClaimDate | None:
    phrase = match["phrase"]
    if match["iso"] or match["mdy_y"] or match["dmy_y"]:
        day = _explicit_day(match)
        return ClaimDate(day.isoformat(), DAY, phrase) if day else None
    if match["my_y"]:
        return ClaimDate(f"{match['my_y']}-{_month_number(match['my_m']):02d}", MONTH, phrase)
    if match["season_y"]:
        return ClaimDate(match["season_y"], YEAR, phrase)
    if match["year"]:
        return ClaimDate(match["year"], YEAR, phrase) if _is_year_in_context(match) else None
    if match["mdy_m"] or match["dmy_m"]:
        month = _month_number(match["mdy_m"] or match["dmy_m"])
        day = _day_number(match["mdy_d"] or match["dmy_d"])
        return _month_day(month, day, phrase, match["rel"], anchor, single_year, future)
    if match["month"]:
        if not (match["prep"] or match["rel"] or match["qual"]):
            return None
        return _month_only(_month_number(match["month"]), phrase, match["rel"], anchor, single_year, future)
    if anchor is None or anchor.as_date() is None:
        return _relative_year_or_month(match, phrase, anchor)
    return _relative_to_day(match, phrase, anchor.as_date(), future)


def _month_day(
    month: int, day: int, phrase: str, rel: str | None,
    anchor: _Anchor | None, single_year: int | None, future: bool,
) -> ClaimDate | None:  # fmt: skip
    if not _valid_day(2000, month, day):  # 2000 is a leap year: Feb 29 passes
        return None
    year = _resolve_year(month, day, rel, anchor, single_year, future)
    if year is not None and _valid_day(year, month, day):
        return ClaimDate(f"{year}-{month:02d}-{day:02d}", DAY, phrase)
    return ClaimDate(f"--{month:02d}-{day:02d}", PARTIAL, phrase)


def _month_only(
    month: int, phrase: str, rel: str | None,
    anchor: _Anchor | None, single_year: int | None, future: bool,
) -> ClaimDate:  # fmt: skip
    year = _resolve_year(month, None, rel, anchor, single_year, future)
    if year is None:
        return ClaimDate(f"--{month:02d}", PARTIAL, phrase)
    return ClaimDate(f"{year}-{month:02d}", MONTH, phrase)


def _resolve_year(
    month: int, day: int | None, rel: str | None,
    anchor: _Anchor | None, single_year: int | None, future: bool,
) -> int | None:  # fmt: skip
    """The year of a month (and day) written without one; see the module docstring."""
    if anchor is None:
        return single_year if rel is None else None
    if anchor.month is None:
        return anchor.year
    rel = rel.lower() if rel else None
    if rel == "this":
        return anchor.year
    here = (month, day or 0)
    now = (anchor.month, anchor.day or 0) if day is not None else (anchor.month, 0)
    if rel == "last":
        return anchor.year if here < now else anchor.year - 1
    if rel == "next" or future:
        strict = rel == "next"
        return anchor.year if (here > now if strict else here >= now) else anchor.year + 1
    return anchor.year if here <= now else anchor.year - 1


def _relative_year_or_month(match: Groups, phrase: str, anchor: _Anchor | None) -> ClaimDate | None:
    """this/last/next year or month against a document date known only to the year or month."""
    if anchor is None or not match["rel_unit"]:
        return None
    shift = {"this": 0, "last": -1, "next": 1}[match["rel_word"].lower()]
    unit = match["rel_unit"].lower()
    if unit == YEAR:
        return ClaimDate(str(anchor.year + shift), YEAR, phrase)
    if unit == MONTH and anchor.month is not None:
        year, month = _add_months(anchor.year, anchor.month, shift)
        return ClaimDate(f"{year}-{month:02d}", MONTH, phrase)
    return None


def _relative_to_day(match: Groups, phrase: str, today: date, future: bool) -> ClaimDate | None:
    if match["weekday"]:
        return ClaimDate(_weekday_date(match, today, future).isoformat(), DAY, phrase)
    if match["dayword"]:
        back = 1 if match["dayword"].lower() == "yesterday" else 0
        return ClaimDate((today - timedelta(days=back)).isoformat(), DAY, phrase)
    if match["ago_n"]:
        iso = _ago(match["ago_n"], match["ago_unit"], today)
        return ClaimDate(iso, precision_of(iso), phrase) if iso else None
    if match["rel_unit"]:
        return _relative_unit(match["rel_word"].lower(), match["rel_unit"].lower(), phrase, today)
    return None


def _relative_unit(word: str, unit: str, phrase: str, today: date) -> ClaimDate | None:
    shift = {"this": 0, "last": -1, "next": 1}[word]
    if unit == YEAR:
        return ClaimDate(str(today.year + shift), YEAR, phrase)
    if unit == MONTH:
        year, month = _add_months(today.year, today.month, shift)
        return ClaimDate(f"{year}-{month:02d}", MONTH, phrase)
    if unit == "week":
        return ClaimDate((today + timedelta(weeks=shift)).strftime("%Y-%m"), MONTH, phrase)
    if unit == "weekend" and word == "last":
        # the Saturday of the latest weekend that ended before the document's day
        sunday = today - timedelta(days=(today.weekday() - SUNDAY) % 7 or 7)
        return ClaimDate((sunday - timedelta(days=1)).isoformat(), DAY, phrase)
    return None


def _weekday_date(match: Groups, today: date, future: bool) -> date:
    """The named weekday nearest the document's day: before it unless "next" or future tense.

    Same-day events are "today" in news copy, so "on Friday" in a Friday article is a week back.
    """
    weekday = WEEKDAY_NUMBERS[match["weekday"].lower()]
    rel = (match["rel"] or "").lower()
    if rel == "next" or (future and rel != "last"):
        return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    return today - timedelta(days=(today.weekday() - weekday) % 7 or 7)


def _ago(amount_text: str, unit: str, reference: date) -> str | None:
    amount = int(amount_text) if amount_text.isdigit() else NUMBER_WORDS.get(amount_text.lower())
    if amount is None:
        return None
    unit = unit.lower()
    if unit == YEAR:
        return str(reference.year - amount)
    if unit == MONTH:
        year, month = _add_months(reference.year, reference.month, -amount)
        return f"{year}-{month:02d}"
    if unit == "week":
        return (reference - timedelta(weeks=amount)).strftime("%Y-%m")
    hours = {DAY: 24 * amount, "hour": amount, "minute": 0}[unit]
    return (reference - timedelta(hours=hours)).isoformat()


# --- small helpers -------------------------------------------------------------------------


def _explicit_day(match: Groups | re.Match[str]) -> date | None:
    """The date of a match whose day, month and year are all written, if it exists."""
    if match["iso_y"]:
        year, month, day = int(match["iso_y"]), int(match["iso_m"]), int(match["iso_d"])
    elif match["mdy_y"]:
        year, month, day = int(match["mdy_y"]), _month_number(match["mdy_m"]), _day_number(match["mdy_d"])
    elif match["dmy_y"]:
        year, month, day = int(match["dmy_y"]), _month_number(match["dmy_m"]), _day_number(match["dmy_d"])
    else:
        return None
    return date(year, month, day) if _valid_day(year, month, day) else None


def _is_explicit(match: Groups) -> bool:
    return bool(match["iso"] or match["mdy_y"] or match["dmy_y"] or match["my_y"] or match["season_y"] or match["year"])


def _is_year_in_context(match: Groups) -> bool:
    if COUNT_AFTER_YEAR.match(match["after"] or ""):
        return False
    prep = match["prep"]
    return bool(match["qual"] or (prep and re.sub(r"\s+", " ", prep.lower()) in YEAR_PREPOSITIONS))


def _needs_tense(match: Groups) -> bool:
    return bool(match["weekday"] or match["mdy_m"] or match["dmy_m"] or match["month"]) and not match["rel"]


def _rank(found: ClaimDate, explicit: bool) -> tuple[int, int]:
    """Granularity first (day > month > year), then written > resolved > partial."""
    if found.precision == PARTIAL:
        return (3 if found.date.count("-") == 3 else 2, 0)
    return ({DAY: 3, MONTH: 2, YEAR: 1}[found.precision], 2 if explicit else 1)


@functools.lru_cache(maxsize=64)  # every claim of a document asks again
def _parse_doc_date(doc_date: str | None) -> _Anchor | None:
    match = re.match(r"(\d{4})(?:-(\d\d)(?:-(\d\d))?)?", doc_date or "")
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and not _valid_day(year, month, day):
        return _Anchor(year, month)
    return _Anchor(year, month, day)


def _single_year(doc_years: Sequence[int]) -> int | None:
    distinct = {year for year in doc_years if YEAR_MIN <= year <= YEAR_MAX}
    return distinct.pop() if len(distinct) == 1 else None


def _month_number(name: str) -> int:
    return MONTH_NUMBERS[name[:3].lower()]


def _day_number(text: str) -> int:
    return int(re.match(r"\d+", text).group(0))


def _valid_day(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _add_months(year: int, month: int, shift: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + shift
    return index // 12, index % 12 + 1
