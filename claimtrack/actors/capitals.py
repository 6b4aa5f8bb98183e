"""Gazetteer names in text written in capitals: a wire's dateline ("HONG KONG, March 3 -") or a headline.

Aliases are matched as written everywhere else; where text is in capitals, a second regex of
every alias in capitals finds them. It is built on the first such text, so text in ordinary
case pays nothing for it. Short aliases that are also words in capitals ("US" of "LET US
PRAY", "WHO", French "UN", "AU", "CAR BOMB") are left out of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from claimtrack.actors.gazetteer import GazetteerEntry, _trie_regex, load_gazetteer

WORDS_IN_CAPITALS = frozenset({"US", "UN", "AU", "WHO", "CAR"})  # aliases that are also words, written so
DATELINE = re.compile(r"""[\s"“‘'(\[*_#>-]*[A-Z][A-Z.'’&-]*[A-Z.](?:[ \t]+[A-Z][A-Z.'’&-]*)*(?=[ \t]*[,(/–—-])""")


@dataclass(frozen=True, slots=True)
class CapitalsGazetteer:
    """Every gazetteer alias in capitals ('HONG KONG', 'DUESSELDORF', 'NATO') with its entry."""

    entries: dict[str, GazetteerEntry]
    pattern: re.Pattern[str]

    def matches(self, text: str, end: int) -> Iterator[tuple[re.Match[str], GazetteerEntry]]:
        """The aliases in ``text[:end]``, leftmost first, never overlapping."""
        for match in self.pattern.finditer(text, 0, end):
            yield match, self.entries[match.group()]


def capitals_end(text: str) -> int:
    """Where the part of a sentence written in capitals ends: all of a headline, a dateline's place, else 0."""
    if text.isupper():
        return len(text)
    dateline = DATELINE.match(text)
    return dateline.end() if dateline else 0


@cache
def load_capitals_gazetteer() -> CapitalsGazetteer:
    """Built from the gazetteer on the first text in capitals; an alias already in capitals wins a clash."""
    entries: dict[str, GazetteerEntry] = {}
    for alias, entry in load_gazetteer().entries.items():
        shouted = alias.upper()
        if shouted in WORDS_IN_CAPITALS or (shouted in entries and alias != shouted):
            continue
        entries[shouted] = entry
    return CapitalsGazetteer(entries, re.compile(_trie_regex(sorted(entries, key=len, reverse=True))))
