"""A corpus of text files with known near-duplicates, for the benchmarks.

Sentences come from the seeds and Wikinews, then from a word-bigram model of
them (so 1M sentences are not all repeats and word frequencies stay real).
Documents are written as plain-text files: a headline, then paragraphs of one
to three sentences. Known duplicates are injected the ways they appear in the
wild:

- edited copies: a sentence repeated in a later document with one harmless
  edit (case, punctuation, quotes, a changed word, a prefix, a dateline...);
- syndicated repeats: a whole article published again under another name,
  its opening sentence under a dateline;
- teaser pages: listing pages with the opening sentence of ten articles,
  often cut short with an ellipsis;
- variants (a number, negation, actor or date changed): different claims.

``truth.json`` maps every injected sentence text to its group: texts of one
group state the same claim.
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from dedupe_cases import VARIANT_EDITS, harmless_edits, real_sentences, vocabulary  # noqa: E402

RANDOM_SEED = 11
GENERATOR_VERSION = 2  # part of a cached corpus's name: raise it whenever the corpus written changes
EDITED_COPY_SHARE = 0.08  # of an article's sentences: an edited copy of an earlier sentence
VARIANT_SHARE = 0.02  # ...a variant of an earlier sentence (another claim)
SYNDICATED_SHARE = 0.05  # of documents: an earlier article published again
TEASER_PAGE_SHARE = 0.03  # of documents: a listing page of teasers
TEASERS_PER_PAGE = 10
TRUNCATED_TEASER_SHARE = 0.5
MIN_DOCUMENT_SENTENCES = 8
MAX_DOCUMENT_SENTENCES = 40
MAX_COPIED_SHINGLES = 0.3  # a generated sentence with more of its word 4-grams from real text is too close to it
MAX_REAL_OVERLAP = 0.5  # content-word Jaccard above which two real sentences may state the same claim
SHINGLE = 4
END_WORDS = 5  # opening or closing words that a near-duplicate of a generated sentence most likely shares
MAX_END_SHARING_SIMILARITY = 60  # fuzz.ratio above which sentences sharing those words may be one claim
MAX_END_HOLDERS = 8  # sentences compared per shared opening or closing
MIN_GENERATED_WORDS = 10
MAX_GENERATED_WORDS = 40
DOCUMENTS_PER_FOLDER = 1000
AMBIGUOUS = -1  # a text injected under two groups: left out of the evaluation


@dataclass(slots=True)
class CorpusWriter:
    """Accumulates documents and the group of every sentence text."""

    folder: Path
    truth: dict[str, int] = field(default_factory=dict)
    documents: int = 0
    sentences: int = 0

    def sentence(self, text: str, group: int) -> str:
        known = self.truth.get(text)
        self.truth[text] = group if known in (None, group) else AMBIGUOUS
        return text

    def write(self, title: str, paragraphs: list[list[str]]) -> None:
        body = "\n\n".join(" ".join(p) for p in paragraphs)
        subfolder = self.folder / f"{self.documents // DOCUMENTS_PER_FOLDER:04d}"
        if self.documents % DOCUMENTS_PER_FOLDER == 0:
            subfolder.mkdir(parents=True, exist_ok=True)
        (subfolder / f"doc{self.documents:07d}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
        self.documents += 1
        self.sentences += 1 + sum(len(p) for p in paragraphs)


def sentence_source(rng: random.Random):
    """An endless supply of distinct sentences: the real ones first, then generated ones."""
    real = distinct_real_sentences()
    yield from real
    starts, following = bigram_model(real)
    ends = _EndIndex()
    for text in real:
        ends.add(text)
    real_shingles = {shingle for s in real for shingle in _shingles(s)}
    while True:
        words = [rng.choice(starts)]
        while len(words) < MAX_GENERATED_WORDS and words[-1] in following and not words[-1].endswith("."):
            words.append(rng.choice(following[words[-1]]))
        if len(words) < MIN_GENERATED_WORDS:
            continue
        text = " ".join(words).rstrip(",;:")
        if not text.endswith((".", "!", "?")):
            text += "."
        shingles = _shingles(text)
        copied = sum(s in real_shingles for s in shingles) / max(1, len(shingles))
        if copied <= MAX_COPIED_SHINGLES and not ends.near_duplicate(text):
            ends.add(text)
            yield text


class _EndIndex:
    """Sentences by their opening and closing words, to keep generated near-duplicates out.

    A random walk over word pairs sometimes retraces a long stretch of an earlier walk, and
    two such sentences may well state one claim; yet the corpus would count them as two.
    Most near-duplicates share their first or last few words, so a sentence that shares
    either with an earlier, similar one is not used.
    """

    def __init__(self) -> None:
        self._texts: list[str] = []  # casefolded
        self._by_end: dict[tuple[str, ...], list[int]] = {}

    def near_duplicate(self, text: str) -> bool:
        folded = text.casefold()
        return any(
            fuzz.ratio(folded, self._texts[i], score_cutoff=MAX_END_SHARING_SIMILARITY)
            for end in self._ends(folded)
            for i in self._by_end.get(end, ())
        )

    def add(self, text: str) -> None:
        folded = text.casefold()
        for end in self._ends(folded):
            holders = self._by_end.setdefault(end, [])
            if len(holders) < MAX_END_HOLDERS:
                holders.append(len(self._texts))
        self._texts.append(folded)

    @staticmethod
    def _ends(folded: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        words = _WORD.findall(folded)
        return ("open", *words[:END_WORDS]), ("close", *words[-END_WORDS:])


def bigram_model(sentences: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Opening words, and the words seen after each word."""
    starts, following = [], {}
    for sentence in sentences:
        words = sentence.split()
        starts.append(words[0])
        for word, after in zip(words, words[1:]):
            following.setdefault(word, []).append(after)
    return starts, following


def distinct_real_sentences() -> list[str]:
    """Real sentences, leaving out any that shares most of its words with an earlier one.

    Wikinews repeats itself ("Thank you for agreeing for this discussion"):
    such pairs have no known answer, so they are not used as distinct claims.
    """
    kept, seen_words, postings = [], [], {}
    for text in real_sentences():
        words = _content_set(text)
        candidates = {i for w in words for i in postings.get(w, ())}
        if any(_jaccard(words, seen_words[i]) > MAX_REAL_OVERLAP for i in candidates):
            continue
        for w in words:
            postings.setdefault(w, []).append(len(seen_words))
        seen_words.append(words)
        kept.append(text)
    return kept


def build_corpus(folder: Path, size: int, seed: int = RANDOM_SEED) -> CorpusWriter:
    """Write documents holding about `size` sentences under `folder`/docs, and `folder`/truth.json."""
    rng = random.Random(seed)
    supply = sentence_source(rng)
    real = distinct_real_sentences()
    edits = harmless_edits(vocabulary(real))
    edit_names = sorted(edits)
    variant_edits = list(VARIANT_EDITS.values())
    writer = CorpusWriter(folder / "docs")
    bases: list[tuple[str, int]] = []  # every original sentence with its group
    articles: list[tuple[str, list[list[str]]]] = []
    while writer.sentences < size:
        roll = rng.random()
        if articles and roll < SYNDICATED_SHARE:
            title, paragraphs = _syndicated(rng.choice(articles), writer, bases, edits, rng)
        elif len(articles) >= TEASERS_PER_PAGE and roll < SYNDICATED_SHARE + TEASER_PAGE_SHARE:
            title, paragraphs = _teaser_page(rng.sample(articles, TEASERS_PER_PAGE), writer, bases, edits, rng)
        else:
            title, paragraphs = _article(supply, writer, bases, edits, edit_names, variant_edits, rng)
            articles.append((title, paragraphs))
        writer.write(title, paragraphs)
    (folder / "truth.json").write_text(json.dumps(writer.truth), encoding="utf-8")
    return writer


def _article(supply, writer, bases, edits, edit_names, variant_edits, rng) -> tuple[str, list[list[str]]]:
    count = rng.randint(MIN_DOCUMENT_SENTENCES, MAX_DOCUMENT_SENTENCES)
    sentences = []
    while len(sentences) < count:
        roll = rng.random()
        if bases and roll < EDITED_COPY_SHARE + VARIANT_SHARE:
            original, group = rng.choice(bases)
            if roll < VARIANT_SHARE:
                edited, group = rng.choice(variant_edits)(original, rng), -2 - writer.sentences - len(sentences)
            else:
                edited = edits[rng.choice(edit_names)](original, rng)
            if edited and edited != original:
                sentences.append(writer.sentence(edited, group))
            continue
        text = next(supply)
        bases.append((text, len(bases)))
        sentences.append(writer.sentence(text, len(bases) - 1))
    title = " ".join(sentences[0].split()[:8]).rstrip(".,;:")
    return title.title(), _paragraphs(sentences, rng)


def _syndicated(article, writer, bases, edits, rng) -> tuple[str, list[list[str]]]:
    title, paragraphs = article
    paragraphs = [list(p) for p in paragraphs]
    first = paragraphs[0][0]
    group = writer.truth.get(first, AMBIGUOUS)
    paragraphs[0][0] = writer.sentence(edits["dateline"](first, rng), group)
    return title, paragraphs


def _teaser_page(articles, writer, bases, edits, rng) -> tuple[str, list[list[str]]]:
    blurbs = []
    for _, paragraphs in articles:
        opening = paragraphs[0][0]
        group = writer.truth.get(opening, AMBIGUOUS)
        teaser = edits["truncate"](opening, rng) if rng.random() < TRUNCATED_TEASER_SHARE else None
        blurbs.append([writer.sentence(teaser or opening, group)])
    return f"1 to {TEASERS_PER_PAGE} of about {rng.randint(50, 400)}", blurbs


def _paragraphs(sentences: list[str], rng: random.Random) -> list[list[str]]:
    paragraphs, i = [], 0
    while i < len(sentences):
        step = rng.randint(1, 3)
        paragraphs.append(sentences[i : i + step])
        i += step
    return paragraphs


def _content_set(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z0-9]+", text.casefold()) if len(w) > 3)


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / max(1, len(a | b))


_WORD = re.compile(r"[\w']+")


def _shingles(text: str) -> list[tuple[str, ...]]:
    words = text.casefold().split()
    return [tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]
