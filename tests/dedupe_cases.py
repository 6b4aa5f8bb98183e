"""An evaluation corpus for dedupe with known answers, built from real text.

Everything is made in code from the seed documents and the Wikinews corpus with
a fixed random seed, so the same cases come out on every run:

- positives: a real sentence and a copy edited in one harmless way (case,
  punctuation, quotes, spacing, a word or two changed/added/dropped, a teaser
  cut short with an ellipsis, an "UPDATE:" prefix, a dateline);
- negatives: real sentence pairs that share many words, and a Wikinews
  headline against the sentences of its article that use most of its words;
- variants: a copy with a number, a negation, an actor or a date changed.

The benchmark imports this module too.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from corpora import SEEDS, WIKINEWS

from claimtrack.dedupe import ACTOR, DATE, NEGATION, NUMBER, match_text

RANDOM_SEED = 20240611
MIN_WORDS = 6
MAX_WORDS = 60
MIN_WORDS_FOR_WORD_EDITS = 10
MIN_WORDS_FOR_TRUNCATION = 14
MIN_OVERLAP_NEGATIVE = 0.3  # content-word Jaccard of the "looks alike but differs" real pairs
MAX_POSTINGS = 40  # words this common do not make sentences look alike
MIN_OWN_WORDS = 3  # ...each of which has this many content words the other lacks: another claim
MIN_HEADLINE_COVERAGE = 0.6  # share of a headline's content words found in the article sentence

SAME_PAIR = "same"
DIFFERENT_PAIR = "different"

_WORD = re.compile(r"\S+")
_PLAIN_WORD = re.compile(r"^[a-z]{3,}[,.;:]?$")
_NUMBER = re.compile(r"^\d[\d,.]*$")
_MONTHS = "January February March April May June July August September October November December".split()
_COUNTRIES = (
    "Russia China Kazakhstan Ukraine Germany France Turkey India Japan Brazil Canada Mexico Poland Italy Spain "
    "Iran Egypt Kenya Nigeria Australia Uzbekistan Kyrgyzstan Belarus Georgia Armenia"
).split()
_NEGATABLE = ("is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could", "should", "did")
_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand "
    "thousands million millions billion billions trillion dozen dozens percent half twice first second third "
    "fourth fifth sixth seventh eighth ninth tenth eleventh twelfth"
).split()
_LEAVE_ALONE = frozenset(
    "not no never none nobody nothing neither nor without cannot may today yesterday tomorrow".split()
    + _NUMBER_WORDS
    + [m.lower() for m in _MONTHS]
    + "monday tuesday wednesday thursday friday saturday sunday".split()
)
_FILLER_WORDS = "also reportedly now still already recently officially again further largely".split()
_PREFIXES = ("UPDATE: ", "BREAKING: ", "UPDATE 2-", "EXCLUSIVE: ", "ANALYSIS - ")
_DATELINES = (
    "WASHINGTON (Reuters) - ",
    "LONDON, Jan 4 (AFP) — ",
    "Moscow (AP) – ",
    "Friday, January 4, 2019 ",
    "Tuesday, March 12, 2019 — ",
    "NEW YORK — ",
)
_CURLY = str.maketrans({"'": "\u2019", '"': "\u201d"})
_STRAIGHT = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


@dataclass(frozen=True, slots=True)
class Case:
    """Two sentences and what dedupe should say about them."""

    a: str
    b: str
    expected: str  # SAME_PAIR | DIFFERENT_PAIR | a variant kind
    how: str  # the edit or the kind of negative


# ---- real sentences -----------------------------------------------------------


def split_text(text: str) -> list[str]:
    """Sentences of a text: the project's splitter when there is one, else blingfire per line."""
    try:
        from claimtrack.sentences import split_sentences  # written by another engineer
    except ImportError:
        return _blingfire_sentences(text)
    sentences = []
    for piece in split_sentences(text):
        if isinstance(piece, tuple):  # (start, end) spans
            piece = text[piece[0] : piece[1]]
        sentences.append(getattr(piece, "text", piece).strip())
    return [s for s in sentences if s]


def _blingfire_sentences(text: str) -> list[str]:
    import blingfire

    pieces = (p for line in text.splitlines() if line.strip() for p in blingfire.text_to_sentences(line).splitlines())
    return [p.strip() for p in pieces if p.strip()]


def seed_sentences() -> dict[str, list[str]]:
    """Sentences of each seed document, by file name."""
    return {p.name: split_text(p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))}


def wikinews_articles() -> list[dict]:
    with WIKINEWS.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def real_sentences(limit: int | None = None) -> list[str]:
    """Distinct real sentences (by match text) of claim length, seeds first, in corpus order."""
    texts = [s for sentences in seed_sentences().values() for s in sentences]
    for article in wikinews_articles():
        texts.extend(split_text(article["text"]))
    seen: set[str] = set()
    kept = []
    for text in texts:
        words = len(text.split())
        match = match_text(text)
        if MIN_WORDS <= words <= MAX_WORDS and match not in seen:
            seen.add(match)
            kept.append(text)
            if limit and len(kept) >= limit:
                break
    return kept


# ---- harmless edits (positives) ---------------------------------------------------


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _plain_word_positions(words: list[str]) -> list[int]:
    """Lower-case words that are no number, negation or date: safe to change."""
    return [i for i, w in enumerate(words) if _PLAIN_WORD.match(w) and w.rstrip(",.;:") not in _LEAVE_ALONE]


def edit_case(text: str, rng: random.Random) -> str | None:
    return rng.choice((text.upper(), text.lower(), text.title()))


def edit_punctuation(text: str, rng: random.Random) -> str | None:
    stripped = re.sub(r"(?<!\d)[,;:.!?]|[,;:.!?](?!\d)", "", text)
    if rng.random() < 0.5:
        return stripped if stripped != text else None
    words = _words(text)
    i = rng.randrange(1, len(words))
    words[i - 1] += rng.choice((",", " -", ";"))
    return " ".join(words).rstrip(".") + rng.choice(("!", "", ".."))


def edit_quotes(text: str, rng: random.Random) -> str | None:
    if any(q in text for q in "\u2018\u2019\u201c\u201d"):
        return text.translate(_STRAIGHT)
    if "'" in text or '"' in text:
        return text.translate(_CURLY)
    return None


def edit_whitespace(text: str, rng: random.Random) -> str | None:
    words = _words(text)
    gaps = [rng.choice((" ", "  ", "\u00a0", "\n", " \t")) for _ in words[1:]]
    return "  " + words[0] + "".join(g + w for g, w in zip(gaps, words[1:])) + " "


def _replace_words(text: str, rng: random.Random, vocabulary: list[str], count: int) -> str | None:
    words = _words(text)
    positions = _plain_word_positions(words)
    if len(words) < MIN_WORDS_FOR_WORD_EDITS or len(positions) < count:
        return None
    for i in rng.sample(positions, count):
        tail = words[i][len(words[i].rstrip(",.;:")) :]
        words[i] = rng.choice(vocabulary) + tail
    return " ".join(words)


def edit_change_word(text: str, rng: random.Random, vocabulary: list[str]) -> str | None:
    return _replace_words(text, rng, vocabulary, 1)


def edit_change_two_words(text: str, rng: random.Random, vocabulary: list[str]) -> str | None:
    return _replace_words(text, rng, vocabulary, 2)


def edit_add_word(text: str, rng: random.Random) -> str | None:
    words = _words(text)
    if len(words) < MIN_WORDS_FOR_WORD_EDITS:
        return None
    for _ in range(rng.choice((1, 2))):
        words.insert(rng.randrange(1, len(words)), rng.choice(_FILLER_WORDS))
    return " ".join(words)


def edit_drop_word(text: str, rng: random.Random) -> str | None:
    words = _words(text)
    positions = _plain_word_positions(words)
    if len(words) < MIN_WORDS_FOR_WORD_EDITS or len(positions) < 2:
        return None
    for i in sorted(rng.sample(positions, rng.choice((1, 2))), reverse=True):
        del words[i]
    return " ".join(words)


def edit_truncate(text: str, rng: random.Random) -> str | None:
    words = _words(text)
    if len(words) < MIN_WORDS_FOR_TRUNCATION:
        return None
    keep = max(MIN_WORDS + 2, int(len(words) * rng.uniform(0.5, 0.85)))
    teaser = " ".join(words[:keep])
    if rng.random() < 0.3:  # cut inside a word, as a character limit does
        teaser = teaser[: len(teaser) - rng.randint(1, 3)]
    return teaser + rng.choice(("…", "...", " …", " ..."))


def edit_prefix(text: str, rng: random.Random) -> str | None:
    return rng.choice(_PREFIXES) + text


def edit_dateline(text: str, rng: random.Random) -> str | None:
    return rng.choice(_DATELINES) + text


def harmless_edits(vocabulary: list[str]) -> dict[str, Callable[[str, random.Random], str | None]]:
    return {
        "case": edit_case,
        "punctuation": edit_punctuation,
        "quotes": edit_quotes,
        "whitespace": edit_whitespace,
        "change word": lambda t, r: edit_change_word(t, r, vocabulary),
        "change two words": lambda t, r: edit_change_two_words(t, r, vocabulary),
        "add words": edit_add_word,
        "drop words": edit_drop_word,
        "truncate": edit_truncate,
        "prefix": edit_prefix,
        "dateline": edit_dateline,
    }


# ---- variant edits -----------------------------------------------------------------


def variant_number(text: str, rng: random.Random) -> str | None:
    words = _words(text)
    positions = [i for i, w in enumerate(words) if _NUMBER.match(w.rstrip(",.;:%")) and w[0].isdigit()]
    positions = [i for i in positions if not _beside_month(words, i) and not _looks_like_year(words[i])]
    if not positions:
        return None
    i = rng.choice(positions)
    digits = re.search(r"\d+", words[i])
    value = int(digits.group())
    changed = value + rng.choice((1, 2, 5, 10, 100)) if value < 10_000 else value * 2
    words[i] = words[i][: digits.start()] + str(changed) + words[i][digits.end() :]
    return " ".join(words)


def variant_negation(text: str, rng: random.Random) -> str | None:
    words = _words(text)
    positions = [i for i, w in enumerate(words) if w.lower() in _NEGATABLE and i + 1 < len(words)]
    positions = [i for i in positions if words[i + 1].lower() not in ("not", "never", "no")]
    if not positions:
        return None
    i = rng.choice(positions)
    words.insert(i + 1, rng.choice(("not", "never")))
    return " ".join(words)


def variant_actor(text: str, rng: random.Random) -> str | None:
    words = _words(text)
    positions = [i for i, w in enumerate(words) if i > 0 and w.rstrip(",.;:'’s") in _COUNTRIES]
    if not positions:
        positions = [
            i
            for i, w in enumerate(words)
            if i > 0 and re.match(r"^[A-Z][a-z]{3,}[,.]?$", w) and w.rstrip(",.").lower() not in _LEAVE_ALONE
            and not words[i - 1].endswith((".", "!", "?", ":", '"'))
        ]  # fmt: skip
    if not positions:
        return None
    i = rng.choice(positions)
    core = re.match(r"[A-Za-z]+", words[i]).group()
    others = [c for c in _COUNTRIES if c != core]
    words[i] = words[i].replace(core, rng.choice(others), 1)
    return " ".join(words)


def variant_date(text: str, rng: random.Random) -> str | None:
    words = _words(text)
    months = [i for i, w in enumerate(words) if w.rstrip(",.;:") in _MONTHS and w.rstrip(",.;:") != "May"]
    years = [i for i, w in enumerate(words) if _looks_like_year(w)]
    if not months and not years:
        return None
    i = rng.choice(months + years)
    core = words[i].rstrip(",.;:")
    if core in _MONTHS:
        replacement = rng.choice([m for m in _MONTHS if m not in (core, "May")])
    else:
        replacement = str(int(core) + rng.choice((-2, -1, 1, 3)))
    words[i] = replacement + words[i][len(core) :]
    return " ".join(words)


VARIANT_EDITS: dict[str, Callable[[str, random.Random], str | None]] = {
    NUMBER: variant_number,
    NEGATION: variant_negation,
    ACTOR: variant_actor,
    DATE: variant_date,
}


def _beside_month(words: list[str], i: int) -> bool:
    return any(words[j].rstrip(",.;:") in _MONTHS for j in (i - 1, i + 1) if 0 <= j < len(words))


def _looks_like_year(word: str) -> bool:
    core = word.rstrip(",.;:")
    return len(core) == 4 and core.isdigit() and 1800 <= int(core) <= 2100


# ---- negatives ----------------------------------------------------------------------


def _content(text: str) -> frozenset[str]:
    return frozenset(w for w in match_text(text).split() if len(w) > 3)


def overlapping_pairs(sentences: list[str], limit: int) -> list[tuple[str, str]]:
    """Different real sentences that share many content words (found through an inverted index)."""
    contents = [_content(s) for s in sentences]
    by_word: dict[str, list[int]] = {}
    for i, words in enumerate(contents):
        for word in words:
            by_word.setdefault(word, []).append(i)
    pairs = []
    for i, words in enumerate(contents):
        shared = Counter(j for word in words if len(by_word[word]) <= MAX_POSTINGS for j in by_word[word] if j > i)
        for j, count in shared.items():
            if count < MIN_OWN_WORDS:
                continue
            union, only_i, only_j = len(words | contents[j]), len(words - contents[j]), len(contents[j] - words)
            overlap = len(words & contents[j])
            if overlap / union >= MIN_OVERLAP_NEGATIVE and min(only_i, only_j) >= MIN_OWN_WORDS:
                pairs.append((sentences[i], sentences[j]))
    return pairs[:limit]


def headline_pairs(limit: int) -> list[tuple[str, str]]:
    """A Wikinews headline and a sentence of its article that uses most of its content words."""
    pairs = []
    for article in wikinews_articles():
        title = _content(article["title"])
        if len(title) < 3:
            continue
        for sentence in split_text(article["text"]):
            words = _content(sentence)
            if len(title & words) >= MIN_HEADLINE_COVERAGE * len(title) and match_text(sentence) != match_text(
                article["title"]
            ):
                pairs.append((article["title"], sentence))
    return pairs[:limit]


# ---- the whole set ---------------------------------------------------------------------


def build_cases(sentence_count: int = 1500, seed: int = RANDOM_SEED) -> list[Case]:
    """Positives, negatives and variants over ``sentence_count`` real sentences."""
    rng = random.Random(seed)
    sentences = real_sentences()
    sample = rng.sample(sentences, min(sentence_count, len(sentences)))
    edits = harmless_edits(vocabulary(sentences))
    cases: list[Case] = []
    for text in sample:
        name = rng.choice(sorted(edits))
        edited = edits[name](text, rng)
        if edited is not None and edited != text:
            cases.append(Case(text, edited, SAME_PAIR, name))
        for kind, edit in VARIANT_EDITS.items():
            changed = edit(text, rng)
            if changed is not None and rng.random() < 0.5:
                cases.append(Case(text, changed, kind, "variant " + kind))
    cases += [Case(a, b, DIFFERENT_PAIR, "overlap") for a, b in overlapping_pairs(sentences, sentence_count // 2)]
    cases += [Case(a, b, DIFFERENT_PAIR, "headline") for a, b in headline_pairs(sentence_count // 3)]
    return cases


def vocabulary(sentences: list[str]) -> list[str]:
    """Lower-case words of the corpus, sorted, for replacing a word."""
    words = {w.rstrip(",.;:") for s in sentences for w in _words(s) if _PLAIN_WORD.match(w)}
    return sorted(words - _LEAVE_ALONE)


def iter_edited_copies(text: str, rng: random.Random, edits: dict) -> Iterator[tuple[str, str]]:
    """Each harmless edit that applies to ``text``: (edit name, edited text)."""
    for name in sorted(edits):
        edited = edits[name](text, rng)
        if edited is not None and edited != text:
            yield name, edited
