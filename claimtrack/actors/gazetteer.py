"""The gazetteer shipped in ``claimtrack/data`` and the country look-ups built on it.

Countries (generated ``countries.tsv`` merged with the hand-curated ``countries_curated.tsv``),
large cities (generated ``cities.tsv``), regions, multi-country bodies and a few well-known people
(``actors_curated.tsv``, which wins over the generated tables) are read
once per process through importlib.resources from the ``claimtrack.data`` package (see
PROVENANCE.md there) and matched with one precompiled trie-shaped regex.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

from rapidfuzz import fuzz, process

from claimtrack.actors.kinds import COUNTRY, PLACE

SUGGESTION_CUTOFF = 70.0  # WRatio below which suggest_country offers nothing

DATA_PACKAGE = "claimtrack.data"
GENERATED_COUNTRIES = "countries.tsv"
CURATED_COUNTRIES = "countries_curated.tsv"
CURATED_ACTORS = "actors_curated.tsv"
GENERATED_CITIES = "cities.tsv"
HISTORICAL = "historical"  # a former state in actors_curated.tsv: kind country, no code
AMBIGUOUS_MARK = "~"
APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """What one alias names."""

    name: str
    kind: str
    country: str | None = None
    ambiguous: bool = False
    needs_article: bool = False  # from "the West": counts only after "the"


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Every alias (exact surface) with its entry, and the regexes that find them: see ``matches``."""

    entries: dict[str, GazetteerEntry]
    country_keys: dict[str, str]  # casefolded code, name, demonym or capital -> alpha-2
    country_names: dict[str, str]  # alpha-2 -> display name
    capitalised_pattern: re.Pattern[str]  # every alias but those starting with a lowercase letter
    lowercase_pattern: re.Pattern[str]  # those: 'post-Soviet', 'al-Qaeda'
    lowercase_aliases: tuple[str, ...]
    lowercase_hint: re.Pattern[str]  # a part of every lowercase alias: see ``_lowercase_hint``

    def matches(self, text: str) -> Iterator[re.Match[str]]:
        """The aliases in ``text``, leftmost first, never overlapping, as one regex of them all finds them.

        Two regexes find them faster: the lowercase aliases start with letters found everywhere
        (a, e, p, s, t), so their regex runs only where one of them occurs.
        """
        if self.lowercase_hint.search(text):
            for alias in self.lowercase_aliases:
                if alias in text:
                    return self._both_patterns_matches(text)
        return self.capitalised_pattern.finditer(text)

    def _both_patterns_matches(self, text: str) -> Iterator[re.Match[str]]:
        # The earlier of the two next matches; an alias's first letter says which regex it is in.
        position = 0
        while True:
            found = [self.capitalised_pattern.search(text, position), self.lowercase_pattern.search(text, position)]
            starting = [match for match in found if match]
            if not starting:
                return
            match = min(starting, key=lambda match: match.start())
            yield match
            position = match.end()


def _data_lines(filename: str) -> Iterator[list[str]]:
    text = resources.files(DATA_PACKAGE).joinpath(filename).read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split("\t")


def _split_aliases(field_text: str) -> list[str]:
    return [alias.strip() for alias in field_text.split("|") if alias.strip()]


def _with_plurals(demonyms: list[str]) -> list[str]:
    forms = list(demonyms)
    for demonym in demonyms:
        bare = demonym.lstrip(AMBIGUOUS_MARK)
        if re.search(r"(?:an|i|k|kh)$", bare):
            forms.append(demonym + "s")
    return forms


def _surface_variants(alias: str) -> list[str]:
    """'post-Soviet' also as 'Post-Soviet'; curly and straight apostrophes."""
    forms = [alias]
    if alias[:1].islower():
        forms.append(alias[0].upper() + alias[1:])
    forms += [form.replace("'", "’") for form in forms if "'" in form]
    return list(dict.fromkeys(forms))


def _country_rows() -> Iterator[tuple[str, str, list[str], str]]:
    """(alpha2, display name, aliases, alpha3) merged from the generated and the curated table."""
    generated = {row[0]: row for row in _data_lines(GENERATED_COUNTRIES) if row[0] != "alpha2"}
    curated: dict[str, list[str]] = {}
    for row in _data_lines(CURATED_COUNTRIES):
        code, names, demonyms, capitals = (row + ["", "", ""])[:4]
        curated[code] = _split_aliases(names) + _with_plurals(_split_aliases(demonyms)) + _split_aliases(capitals)
        curated[code + ":display"] = _split_aliases(names)[:1]
    for code, (_alpha2, alpha3, display, names) in generated.items():
        curated_display = [name for name in curated.get(code + ":display", []) if not name.startswith(AMBIGUOUS_MARK)]
        shown = curated_display[0] if curated_display else display
        yield code, shown, _split_aliases(names) + curated.get(code, []), alpha3


def _trie_regex(aliases: Iterable[str]) -> str:
    """One regex for many literal aliases: a character trie, longest alternative first.

    An alias starts at a word start or glued to a lowercase letter ("TheUzbekistan"). That is
    checked after its first character, looking back two: a regex starting with literal
    characters lets the regex engine skip at once to the positions where an alias may start.
    """
    word_start = r"(?:(?<!\w.)|(?<=[a-z][A-Z]))"
    return _trie_alternation(aliases, _glue_tolerant_end, after_first=word_start)


def _lowercase_hint(aliases: Iterable[str]) -> re.Pattern[str]:
    """Where one of ``aliases`` may occur: each from its first capital ('post-Soviet' from 'Soviet').

    A regex that opens with capitals skips at once to the next one: a test this cheap lets
    most sentences skip looking for every lowercase alias.
    """
    parts = {alias[next((i for i, char in enumerate(alias) if char.isupper()), 0) :] for alias in aliases}
    return re.compile("|".join(re.escape(part) for part in sorted(parts)) or "(?!)")


def _glue_tolerant_end(alias: str) -> str:
    # A name ending in a lowercase letter may be glued to the next word ("TokayevForced").
    return r"(?![a-z0-9_])" if alias[-1].islower() else r"(?!\w)"


def _trie_alternation(words: Iterable[str], end: Callable[[str], str], after_first: str = "") -> str:
    """Literal words as a regex trie (shared prefixes matched once), ``end(word)`` after each word.

    ``after_first`` follows the first character of every word.
    """
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = word

    def emit(node: dict, after_char: str = "") -> tuple[str, int]:
        """The node's regex and its depth, the longest word below it; the deepest branch first."""
        children = [(char, emit(node[char])) for char in node if char]
        children.sort(key=lambda child: -child[1][1])
        branches = [re.escape(char) + after_char + pattern for char, (pattern, _) in children]
        if "" in node:
            branches.append(end(node[""]))
        depth = max((1 + child_depth for _, (_, child_depth) in children), default=0)
        if len(branches) == 1:
            return branches[0], depth
        return "(?:" + "|".join(branches) + ")", depth

    return emit(trie, after_first)[0]


@cache
def load_gazetteer() -> Gazetteer:
    """Read the package data once; the only module-level state (a cache)."""
    entries: dict[str, GazetteerEntry] = {}
    country_keys: dict[str, str] = {}
    country_names: dict[str, str] = {}

    def add(alias: str, entry: GazetteerEntry, overwrite: bool) -> None:
        ambiguous = alias.startswith(AMBIGUOUS_MARK)
        bare = alias.lstrip(AMBIGUOUS_MARK)
        article = re.match(r"[Tt]he ", bare) is not None
        bare = bare[4:] if article else bare
        for form in _surface_variants(bare):
            existing = entries.get(form)
            upgrade = existing is not None and existing.needs_article and not article
            if existing is None or upgrade or (overwrite and not (article and not existing.needs_article)):
                entries[form] = replace(entry, ambiguous=ambiguous, needs_article=article)

    for code, display, aliases, alpha3 in _country_rows():
        country_names[code] = display
        ambiguous = {alias.lstrip(AMBIGUOUS_MARK) for alias in aliases if alias.startswith(AMBIGUOUS_MARK)}
        for alias in aliases:
            bare = alias.lstrip(AMBIGUOUS_MARK)
            country_keys.setdefault(_fold_key(bare), code)
            add(
                AMBIGUOUS_MARK + bare if bare in ambiguous else bare,
                GazetteerEntry(display, COUNTRY, code),
                overwrite=False,
            )
        country_keys[code.casefold()] = code
        country_keys[alpha3.casefold()] = code
    for code, name, names in _data_lines(GENERATED_CITIES):
        if code != "alpha2":  # a city's name is often a person's too ('Austin'): each counts only alone
            for alias in _split_aliases(names):
                add(AMBIGUOUS_MARK + alias, GazetteerEntry(name, PLACE, code), overwrite=False)
    for row in _data_lines(CURATED_ACTORS):
        kind, name, country, aliases = (row + ["", "", ""])[:4]
        entry_kind = COUNTRY if kind == HISTORICAL else kind
        for alias in [name, *_split_aliases(aliases)]:
            add(alias, GazetteerEntry(name, entry_kind, country or None), overwrite=True)
    aliases = sorted(entries, key=len, reverse=True)
    lowercase = tuple(alias for alias in aliases if alias[0].islower())
    capitalised = [alias for alias in aliases if not alias[0].islower()]
    patterns = re.compile(_trie_regex(capitalised)), re.compile(_trie_regex(lowercase))
    return Gazetteer(entries, country_keys, country_names, *patterns, lowercase, _lowercase_hint(lowercase))


# --------------------------------------------------------------------------- countries


def _fold_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(APOSTROPHES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


def lookup_country(query: str) -> str | None:
    """'KZ', 'kz', 'KAZ', 'Kazakhstan', 'Kazakh', 'Astana' -> 'KZ'; None when unknown."""
    return load_gazetteer().country_keys.get(_fold_key(query))


def suggest_country(query: str) -> str | None:
    """The alpha-2 code of the closest country name, for a 'did you mean' message."""
    keys = load_gazetteer().country_keys
    candidates = [key for key in keys if len(key) > 3]
    best = process.extractOne(_fold_key(query), candidates, scorer=fuzz.WRatio, score_cutoff=SUGGESTION_CUTOFF)
    return keys[best[0]] if best else None


def country_name(code: str) -> str | None:
    """Display name of an alpha-2 code ('RU' -> 'Russia')."""
    return load_gazetteer().country_names.get(code.upper())
