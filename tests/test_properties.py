"""Properties that hold for any input: no stage crashes, claims survive cleaning, offsets are exact.

test_clean.py and test_sentences.py already fuzz clean_lines and split_sentences alone; these
fuzz classification, dedupe, the whole segment() pass and JSON output.
"""

from __future__ import annotations

import io
import json
import unicodedata

from corpora import SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from claimtrack.classify import classify_sentence
from claimtrack.clean import clean_lines
from claimtrack.dedupe import DIFFERENT, SAME, VARIANT, compare, keyed
from claimtrack.models import BOILERPLATE, CLAIM, KINDS, Document, Line
from claimtrack.pipeline import segment
from claimtrack.read import normalise_text
from claimtrack.render import write_json, write_jsonl

FAST = settings(max_examples=150, deadline=None)
PIECES = st.sampled_from(
    ["\n", "\n\n", " ", "\u00a0", "\t", "“", "”", '"', "'", "’", "«", "»", "…", ". ", "? ", "! ", "# ", "- ",
     "> ", "1. ", "Mr. ", "U.S. ", "Kazakhstan ", "Tokayev said ", "the ", "troops ", "2022", "May ", "Login",
     "See also ", "BTC 59888.38", "http://x.ru/a ", "Ж", "😀", "\u2028", "\u200b", "\r\n", "ﬁ", "ß"]
)  # fmt: skip
TEXTS = st.one_of(st.text(max_size=120), st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40).map("".join))
FORMATS = st.sampled_from(["text", "markdown", "html"])


def seed_claim_lines() -> list[str]:
    """Whole lines of the seeds whose every sentence is a claim."""
    claims = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = unicodedata.normalize("NFKC", path.read_text(encoding="utf-8"))
        sentences = segment(Document(path.name, text))
        by_line: dict[int, list[str]] = {}
        for line in clean_lines(text):
            by_line[line.start] = [s.kind for s in sentences if line.start <= s.start < line.end]
            if by_line[line.start] and set(by_line[line.start]) == {CLAIM}:
                claims.append(line.text)
    return claims


SEED_CLAIM_LINES = seed_claim_lines()
NEIGHBOUR_LINES = st.sampled_from(
    ["Login", "Back to Top", "BTC 59888.38", "STEEM 0.17", "Coin Marketplace", "See also  Excavations",
     "Sign up to receive emails", "1 to 10 of about 184", "cc kremlin.ru", "", " ", "# Heading", "- item",
     "Leave a Reply", "in #asia2 years ago", "Share this:"]
)  # fmt: skip


def test_the_seeds_have_claim_lines_to_draw_from():
    assert len(SEED_CLAIM_LINES) > 50


@FAST
@given(
    claim=st.sampled_from(SEED_CLAIM_LINES),
    before=st.lists(NEIGHBOUR_LINES, max_size=4),
    after=st.lists(NEIGHBOUR_LINES, max_size=4),
    format=FORMATS,
)
def test_cleaning_never_drops_a_seed_claim_line_whatever_surrounds_it(claim, before, after, format):
    text = "\n".join([*before, claim, *after])
    kept = [line.text for line in clean_lines(text, format) if line.dropped is None]
    assert claim in kept


@FAST
@given(text=TEXTS, standalone=st.booleans(), heading=st.booleans(), index=st.integers(0, 3))
def test_classification_of_any_sentence_is_a_known_kind(text, standalone, heading, index):
    line = Line(0, len(text), text, None, standalone, heading)
    kind, reason = classify_sentence(text, line, line_index=index)
    assert kind in KINDS
    assert (reason is None) == (kind == CLAIM)


@FAST
@given(a=TEXTS, b=TEXTS)
def test_dedupe_takes_any_two_texts_and_is_consistent(a, b):
    verdict = compare(a, b)
    assert verdict.kind in (SAME, VARIANT, DIFFERENT)
    assert 0.0 <= verdict.score <= 100.0
    assert (verdict.variant is not None) == (verdict.kind == VARIANT)
    assert compare(a, a).kind == (SAME if keyed(a).prepared.match else DIFFERENT)
    for key in keyed(a).keys + (keyed(a).twin,):
        assert 0 <= key < 2**63  # fits SQLite's signed 64-bit integers
    assert keyed(a) == keyed(a)


@FAST
@given(text=TEXTS, format=FORMATS)
def test_every_kept_sentence_is_the_document_text_at_its_offsets(text, format):
    document = Document("fuzz.txt", normalise_text(text), format)
    sentences = segment(document)
    assert [s.position for s in sentences] == list(range(len(sentences)))
    previous_end = 0
    for sentence in sentences:
        assert document.text[sentence.start : sentence.end] == sentence.text
        assert sentence.start >= previous_end and sentence.end > sentence.start
        assert sentence.kind in KINDS
        assert (sentence.reason is None) == (sentence.kind == CLAIM)
        if sentence.kind == BOILERPLATE and sentence.reason.startswith("clean:"):
            continue
        assert "\n" not in sentence.text
        previous_end = sentence.end


@FAST
@given(text=TEXTS)
def test_segment_takes_raw_text_too(text):
    """The read stage normalises text first, but segment() must not crash on what it did not see."""
    for sentence in segment(Document("raw.txt", text)):
        assert text[sentence.start : sentence.end] == sentence.text


@FAST
@given(
    rows=st.lists(
        st.dictionaries(st.sampled_from(["text", "source", "actors"]), st.text(alphabet=st.characters(codec="utf-8"))),
        max_size=5,
    )
)
def test_json_exports_parse_back_to_the_same_records(rows):
    as_json, as_lines = io.StringIO(), io.StringIO()
    write_json(iter(rows), as_json)
    write_jsonl(iter(rows), as_lines)
    as_json.getvalue().encode("utf-8")  # what goes to a UTF-8 file or terminal
    assert json.loads(as_json.getvalue()) == rows
    lines = as_lines.getvalue().split("\n")[:-1]  # not splitlines(): U+2028 may stand unescaped in a value
    assert [json.loads(line) for line in lines] == rows
