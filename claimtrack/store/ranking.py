"""bm25 for queries with phrases, computed on the window of matches instead of by FTS5.

FTS5's bm25 weighs a phrase by the number of rows that hold it, and counts them by reading every
row that holds its words with their positions: "of the" at a million claims costs 60 ms before one
row is ranked. Here a phrase is weighed by the number of rows holding its rarest word (from the
copy of the index's terms, which counts them), an upper bound of its own count, as search engines
commonly do. Everything else is FTS5's bm25 as it is: the same k1 and b, the same row lengths (its
docsize table) and average (its averages record), and the phrase's frequency in each row counted
in the row's text with the index's folding. Queries without a phrase of two words or more are
ranked by FTS5 itself.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from ..search import fold

K1 = 1.2
B = 0.75
MIN_IDF = 1e-6  # what FTS5 gives a term held by more than half the rows
COSTLY_PHRASE_ROWS = 20_000  # a phrase whose every word is in this many rows is counted slowly by FTS5
ALTERNATIVE = re.compile(r'"([^"]*)"(\*?)')
TOKEN_CHAR = r"[^\W_]"  # a letter or digit
BETWEEN_TOKENS = r"[\W_]+"
NOT_IN_TOKEN_AHEAD = f"(?!{TOKEN_CHAR})"


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    prefix: bool  # the last word matches as a prefix


def query_phrases(fts_query: str) -> list[Phrase]:
    """The phrases of a query that `search.build_query` made, in order (FTS5's bm25 sums over them)."""
    return [Phrase(tuple(words.split()), bool(star)) for words, star in ALTERNATIVE.findall(fts_query)]


def phrase_pattern(phrase: Phrase) -> re.Pattern:
    """Finds each place the phrase starts in a folded text, overlapping ones too ("and and" twice in
    "and and and"). Tokens are what unicode61 makes: runs of letters and digits. The pattern begins
    with the first word itself, so that the regex engine looks for it as a literal."""
    first, *rest = [re.escape(word) for word in phrase.words]
    following = "".join(BETWEEN_TOKENS + word for word in rest) + ("" if phrase.prefix else NOT_IN_TOKEN_AHEAD)
    return re.compile(f"{first}(?<!{TOKEN_CHAR}{first})(?={following})")


class Bm25:
    """Scores rows against the phrases of a query, given how many rows hold each (`rows_holding`)."""

    def __init__(self, phrases: list[Phrase], rows: int, average_length: float, rows_holding: list[int]) -> None:
        self.patterns = [phrase_pattern(phrase) for phrase in phrases]
        self.average_length = average_length
        self.idf = [max(MIN_IDF, math.log((rows - n + 0.5) / (n + 0.5))) for n in rows_holding]

    def rank(self, text: str, length: int) -> float:
        """FTS5's rank: the negated score, so that smaller is better."""
        norm = K1 * (1 - B + B * length / self.average_length)
        score = 0.0
        text = fold(text)
        for idf, pattern in zip(self.idf, self.patterns):
            tf = len(pattern.findall(text))
            score += idf * tf * (K1 + 1) / (tf + norm)
        return -score


def read_varint(blob: bytes, offset: int) -> tuple[int, int]:
    """An SQLite varint at `offset`: (value, offset after it)."""
    value = 0
    for i in range(8):
        byte = blob[offset + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, offset + i + 1
    return (value << 8) | blob[offset + 8], offset + 9


class WindowRanking:
    """The part of `Queries` that ranks a window of matches of a query with phrases."""

    def phrases_ranked_here(self, fts_query: str) -> list[Phrase] | None:
        """The query's phrases when it is ranked here rather than by FTS5: when it holds a phrase of
        several words each of which is in many rows (FTS5 would read all their positions to count the
        phrase). Otherwise None."""
        phrases = query_phrases(fts_query)
        long_phrases = [p for p in phrases if len(p.words) > 1]
        if not long_phrases:
            return None
        counts = self._term_counts({w for p in long_phrases for w in p.words})
        if all(min(counts.get(w, 0) for w in p.words) < COSTLY_PHRASE_ROWS for p in long_phrases):
            return None
        return phrases

    def rank_window(self, phrases: list[Phrase], rowids: list[int]) -> list[tuple[int, float]]:
        """(rowid, rank) of the matches `rowids` of a query made of `phrases`."""
        if not rowids:
            return []
        rows, total_tokens = self._index_averages()
        holding = self._rows_holding(phrases, rows)
        bm25 = Bm25(phrases, rows, total_tokens / max(rows, 1), holding)
        ids = json.dumps(rowids)
        texts = dict(
            self.conn.execute("SELECT id, text FROM sentences WHERE id IN (SELECT value FROM json_each(?))", (ids,))
        )
        lengths = {
            rowid: read_varint(size, 0)[0]
            for rowid, size in self.conn.execute(
                "SELECT id, sz FROM sentences_fts_docsize WHERE id IN (SELECT value FROM json_each(?))", (ids,)
            )
        }
        return [(rowid, bm25.rank(texts[rowid], lengths[rowid])) for rowid in rowids]

    def _index_averages(self) -> tuple[int, int]:
        """(rows, tokens) of the text index, from its averages record."""
        row = self.conn.execute("SELECT block FROM sentences_fts_data WHERE id = 1").fetchone()
        if row is None:
            return 0, 0
        rows, offset = read_varint(row[0], 0)
        return rows, read_varint(row[0], offset)[0]

    def _rows_holding(self, phrases: list[Phrase], rows: int) -> list[int]:
        """About how many rows hold each phrase: the count of its rarest word; a prefix, the counts of
        every term it begins (an upper bound); never more than the rows."""
        exact = self._term_counts({w for p in phrases for i, w in enumerate(p.words) if not _is_prefix(p, i)})

        def count(phrase: Phrase, i: int) -> int:
            return self._prefix_count(phrase.words[i]) if _is_prefix(phrase, i) else exact.get(phrase.words[i], 0)

        return [min(rows, min(count(p, i) for i in range(len(p.words)))) for p in phrases]

    def _term_counts(self, words: set[str]) -> dict[str, int]:
        """How many rows hold each word, from the copy of the index's terms when it is current."""
        table, column = self._term_table()
        rows = self.conn.execute(
            f"SELECT term, {column} FROM {table} WHERE term IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(words)),),
        )
        return {term: count or 0 for term, count in rows}

    def _prefix_count(self, prefix: str) -> int:
        table, column = self._term_table()
        sql = f"SELECT coalesce(sum({column}), 0) FROM {table} WHERE term >= ? AND term < ?"
        return self.conn.execute(sql, (prefix, prefix + "\U0010ffff")).fetchone()[0]

    def _term_table(self) -> tuple[str, str]:
        """search_terms when it matches the index (its counts are a copy), else the index's own vocabulary."""
        return ("search_terms", "docs") if self._search_terms_current() else ("sentences_fts_vocab", "doc")


def _is_prefix(phrase: Phrase, index: int) -> bool:
    return phrase.prefix and index == len(phrase.words) - 1
