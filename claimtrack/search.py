"""Turn what a user types into a safe FTS5 query, expanded with close index terms.

Every word the user types is quoted, so no input is read as FTS5 syntax: `"`,
`AND (`, `U.S.`, `*` and SQL fragments are just words. Each word matches as a
prefix when it has three letters or more (so "Tokayev" also finds the glued
"TokayevForced"), and words of four
letters or more also match index terms within a small edit distance
("Tokaev" finds "Tokayev").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable

from rapidfuzz import fuzz, process

from . import settings
from .errors import QueryError

WORD = re.compile(r"\w+", re.UNICODE)
PHRASE = re.compile(r'"([^"]*)"')
PREFIX_MIN_LENGTH = 3  # "U.S." is the words "u" and "s": as prefixes they would match everything


def query_words(text: str) -> list[str]:
    """The words of a query, folded the way the index folds them (case and accents)."""
    return WORD.findall(fold(text))


def fold(text: str) -> str:
    """Case and accents folded the way the index folds them."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold()).translate(_combining_marks())


@functools.cache
def _combining_marks() -> dict[int, None]:
    """A translate table that drops combining marks; Unicode has none from U+20000 on (13 ms to build)."""
    return dict.fromkeys(code for code in range(0x20000) if unicodedata.combining(chr(code)))


def close_terms(word: str, vocabulary: Iterable[str]) -> list[str]:
    """Index terms that look like a misspelling or other transliteration of `word`.

    Never one that the word begins with or that begins with it: the word matches as a prefix, so
    the longer ones match already, and a shorter one ("unit" for "united", "the" for "they")
    would match as a prefix every word it begins.
    """
    if not _expandable(word):
        return []
    matches = process.extract(
        word,
        vocabulary,
        scorer=fuzz.ratio,
        score_cutoff=settings.FUZZY_MIN_SCORE,
        limit=settings.FUZZY_MAX_TERMS,
    )
    return sorted(term for term, _, _ in matches if not (term.startswith(word) or word.startswith(term)))


def _expandable(word: str) -> bool:
    """Whether close terms are looked for: not for short words or numbers (so neither is the vocabulary read)."""
    return len(word) >= settings.FUZZY_MIN_TERM_LENGTH and not word.isdigit()


def build_query(text: str, terms_near: Callable[[str], Iterable[str]] | None = None, fuzzy: bool = True) -> str:
    """An FTS5 MATCH expression for `text`: every word (or quoted phrase) must match.

    `terms_near(word)` gives the index vocabulary worth comparing with `word`.
    """
    parts = []
    for phrase in PHRASE.findall(text):
        words = query_words(phrase)
        if words:
            parts.append('"' + " ".join(words) + '"')
    for word in query_words(PHRASE.sub(" ", text)):
        alternatives = [f'"{word}"*' if len(word) >= PREFIX_MIN_LENGTH else f'"{word}"']
        if fuzzy and terms_near is not None and _expandable(word):
            alternatives += [f'"{term}"*' for term in close_terms(word, terms_near(word))]
        parts.append(alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")")
    if not parts:
        raise QueryError("the query has no words to search for")
    return " AND ".join(parts)
