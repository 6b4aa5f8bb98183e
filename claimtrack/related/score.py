"""How likely two claims state the same thing: features of a pair, and a calibrated score.

A claim's `Profile` holds what claimtrack knows of it: its key terms weighted by rarity, its actors and
their countries, its date and its numbers. `features` compares two profiles (with the cosine of their
vectors); `score` turns the features into a probability with weights fitted on the labelled pairs of
`tests/data/related_pairs.jsonl` (`benchmarks/related.py` fits and prints them).

Embeddings alone rank a look-alike ("Tokayev would not recognize Taiwan") as high as a true paraphrase;
what tells them apart is what claimtrack already reads: a same claim names the same countries and
things (one side's may be a subset of the other's), and a different one names others.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..classify import FUNCTION_WORDS
from ..search import WORD, query_words

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
STEM_LENGTH = 6  # "recognize", "recognition" and "recognized" share "recogn"; "canceled", "cancelled" "cancel"
COMMON_WORDS = FUNCTION_WORDS | frozenset(
    """
    is are was were be been being am has have had having do does did will would shall should can could may
    might must said says say told stated according which who whom whose what when where why how more most
    such other than however while after before during since until over under between against through
    one two new last first year years time people
    """.split()
)
# Fitted by `python benchmarks/related.py --fit` on tests/data/related_pairs.jsonl (logistic regression, L2 0.01).
WEIGHTS = {
    "cosine": 2.23,
    "terms": 0.47,
    "shared_countries": 0.28,
    "country_conflict": -1.01,
    "shared_actors": 0.5,
    "date_conflict": -0.36,
    "number_conflict": -1.48,
}
BIAS = -1.67
RELATED_THRESHOLD = 0.5  # a pair scoring at least this is shown as the same claim in other words


def stem(word: str) -> str:
    if len(word) > 3 and word.endswith("s"):
        word = word[:-1]
    return word[:STEM_LENGTH]


def words_of(text: str) -> list[str]:
    """The words of a text folded as the text index folds them (case and accents)."""
    return WORD.findall(text.lower()) if text.isascii() else query_words(text)


def key_terms(words: Iterable[str], rarity: Callable[[str], float]) -> dict[str, float]:
    """The stems of the content words, each weighted by the rarity of its rarest word."""
    terms: dict[str, float] = {}
    for word in words:
        if word in COMMON_WORDS or len(word) < 3 or word.isdigit():
            continue
        key = stem(word)
        terms[key] = max(terms.get(key, 0.0), rarity(word))
    return terms


@dataclass(frozen=True)
class Profile:
    """What a pair's features are made of, for one claim (or a query)."""

    text: str
    terms: dict[str, float]
    countries: frozenset[str] = frozenset()
    actors: frozenset[str] = frozenset()  # names of people and organisations
    date: str | None = None
    numbers: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls,
        text: str,
        rarity: Callable[[str], float],
        countries: Iterable[str] = (),
        actors: Iterable[str] = (),
        date: str | None = None,
        words: list[str] | None = None,
    ) -> Profile:
        numbers = frozenset(n.replace(",", "") for n in NUMBER.findall(text))
        terms = key_terms(words_of(text) if words is None else words, rarity)
        return cls(text, terms, frozenset(countries), frozenset(actors), date, numbers)


def features(a: Profile, b: Profile, cosine: float) -> dict[str, float]:
    """The pair's features, each in [0, 1]: what `score` weighs and `related` shows as evidence."""
    return {
        "cosine": max(cosine, 0.0),
        "terms": _term_overlap(a.terms, b.terms),
        "shared_countries": _containment(a.countries, b.countries),
        "country_conflict": float(bool(a.countries - b.countries) and bool(b.countries - a.countries)),
        "shared_actors": _containment(a.actors, b.actors),
        "date_conflict": float(_dates_conflict(a.date, b.date)),
        "number_conflict": float(bool(a.numbers) and bool(b.numbers) and not (a.numbers & b.numbers)),
    }


def score(pair_features: dict[str, float]) -> float:
    """The probability that the pair states the same claim."""
    total = BIAS + sum(WEIGHTS[name] * value for name, value in pair_features.items())
    return 1 / (1 + math.exp(-total))


def _term_overlap(a: dict[str, float], b: dict[str, float]) -> float:
    """The weight of the shared terms over that of the smaller side: a summary inside a longer claim counts."""
    smaller = min(sum(a.values()), sum(b.values()))
    if smaller <= 0:
        return 0.0
    return min(1.0, sum(min(a[t], b[t]) for t in a.keys() & b.keys()) / smaller)


def _containment(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _dates_conflict(a: str | None, b: str | None) -> bool:
    """Both dated, and neither date can be the other: 2022-05 fits 2022, 2022-05-09 and --05 (May of an
    unknown year), not 2022-06."""
    if not a or not b:
        return False
    if a.startswith("--") or b.startswith("--"):
        return not _month_days_fit(_month_day(a), _month_day(b))
    return not (a.startswith(b) or b.startswith(a))


def _month_day(iso: str) -> str:
    """The month and day part ("05-09", "05", or "" for a year alone) of a full or partial date."""
    return iso[2:] if iso.startswith("--") else iso[5:]


def _month_days_fit(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)
