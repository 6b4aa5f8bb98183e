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

import numpy as np

from ..classify import FUNCTION_WORDS
from ..search import query_words

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
NEGATIONS = frozenset("not no never nobody nothing none neither nor cannot without".split())
STEM_LENGTH = 6  # "recognize", "recognition" and "recognized" share "recogn"; "canceled", "cancelled" "cancel"
COMMON_WORDS = FUNCTION_WORDS | frozenset(
    """
    is are was were be been being am has have had having do does did will would shall should can could may
    might must said says say told stated according which who whom whose what when where why how more most
    such other than however while after before during since until over under between against through
    one two new last first year years time people
    """.split()
)
# Chosen by `python benchmarks/related.py --fit` on tests/data/related_pairs.jsonl: the conflicts' weights
# by a monotone logistic regression (L2 0.01), then the evidence weights and the bias by a grid search for
# the best F1 on the pairs among the weights that rank every seed group's partners in the top 3.
WEIGHTS = {
    "cosine": 0.5,
    "terms": 0.0,
    "aligned_words": 3.0,
    "shared_countries": 0.39,
    "country_conflict": -0.99,
    "shared_actors": 0.0,
    "date_conflict": -0.38,
    "number_conflict": -1.53,
    "negation_conflict": -0.8,
    "actor_conflict": -0.75,
}
BIAS = -1.5
RELATED_THRESHOLD = 0.5  # a pair scoring at least this is shown as the same claim in other words


def stem(word: str) -> str:
    if len(word) > 3 and word.endswith("s"):
        word = word[:-1]
    return word[:STEM_LENGTH]


def content_words(words: Iterable[str]) -> list[str]:
    """The words that say what a claim is about: not common words, numbers or short ones; each once."""
    return list(dict.fromkeys(w for w in words if w not in COMMON_WORDS and len(w) >= 3 and not w.isdigit()))


def key_terms(words: Iterable[str], rarity: Callable[[str], float]) -> dict[str, float]:
    """The stems of the content words, each weighted by the rarity of its rarest word."""
    terms: dict[str, float] = {}
    for word in content_words(words):
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
    word_vectors: np.ndarray | None = None  # unit vectors of the content words, one row a word...
    word_weights: np.ndarray | None = None  # ...and the rarity of each
    negated: bool = False

    @classmethod
    def of(
        cls,
        text: str,
        rarity: Callable[[str], float],
        countries: Iterable[str] = (),
        actors: Iterable[str] = (),
        date: str | None = None,
        words: list[str] | None = None,
        vectors_of_words: Callable[[list[str]], np.ndarray] | None = None,
    ) -> Profile:
        words = query_words(text) if words is None else words
        numbers = frozenset(n.replace(",", "") for n in NUMBER.findall(text))
        content = content_words(words)
        word_vectors = vectors_of_words(content) if vectors_of_words and content else None
        weights = np.array([rarity(w) for w in content], dtype=np.float32) if word_vectors is not None else None
        terms = key_terms(content, rarity)
        negated = bool(NEGATIONS & set(words)) or "n't" in text.lower()
        return cls(
            text, terms, frozenset(countries), frozenset(actors), date, numbers, word_vectors, weights, negated
        )


def features(a: Profile, b: Profile, cosine: float) -> dict[str, float]:
    """The pair's features, each in [0, 1]: what `score` weighs and `related` shows as evidence."""
    return {
        "cosine": max(cosine, 0.0),
        "terms": _term_overlap(a.terms, b.terms),
        "aligned_words": _aligned_words(a, b),
        "shared_countries": _containment(a.countries, b.countries),
        "country_conflict": float(bool(a.countries - b.countries) and bool(b.countries - a.countries)),
        "shared_actors": _containment(a.actors, b.actors),
        "date_conflict": float(_dates_conflict(a.date, b.date)),
        "number_conflict": float(bool(a.numbers) and bool(b.numbers) and not (a.numbers & b.numbers)),
        "negation_conflict": float(a.negated != b.negated),
        "actor_conflict": float(bool(a.actors) and bool(b.actors) and not (a.actors & b.actors)),
    }


def _aligned_words(a: Profile, b: Profile) -> float:
    """How well each side's content words find a word of like meaning on the other side ("troops" and
    "forces", "cancelled" and "called off"), weighted by rarity, averaged over both sides."""
    if a.word_vectors is None or b.word_vectors is None:
        return 0.0
    similarity = a.word_vectors @ b.word_vectors.T
    a_side = _weighted_mean(similarity.max(axis=1), a.word_weights)
    return 0.5 * (a_side + _weighted_mean(similarity.max(axis=0), b.word_weights))


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    total = float(weights.sum())
    return max(0.0, float(values @ weights) / total) if total > 0 else 0.0


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
