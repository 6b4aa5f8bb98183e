"""The classify stage on the seed sentences and on Wikinews sentences."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
from corpora import SEEDS, WIKINEWS

from claimtrack.classify import classify_sentence
from claimtrack.clean import clean_lines
from claimtrack.models import BOILERPLATE, CLAIM, HEADING, QUESTION, Line

try:
    from claimtrack.sentences import split_sentences
except ImportError:  # the sentence stage is written in parallel; blingfire is what it wraps
    import blingfire

    def split_sentences(text: str) -> list[tuple[int, int]]:
        return [(start, end) for start, end in blingfire.text_to_sentences_and_offsets(text)[1]]


WIKINEWS_SAMPLE_SIZE = 200
MIN_CLAIM_SHARE = 0.97
DECLARATIVE_END = re.compile(r"\.[\"”’)]*$")

HEADINGS = [
    "The importance of Kazakhstan",
    "Leadership in Central Asia",
    "Fear of the “Ukrainian” scene",
    "On the wrong side of the “Iron Curtain”",
    "Central Asia is coming into its own",
    "As a result of the war in Ukraine, Central Asian countries are moving away from Moscow",
    "A New Central Asia?",
    "Kazakhstan’s Drift from Moscow",
]
QUESTIONS = [
    "Do we see in this the beginning of the loss of Russian influence?",
    "“Brothers of the Kazakh, what is so ungrateful?",
]
BOILERPLATE_SENTENCES = {
    "Join our mailing list to become part of our network of more than 150 scholars in 20 countries.": "call-to-action",
    "Central Asia ?": "fragment",
}
SEED_CLAIMS = [
    "The Central Asian states have never experienced anything like the year 2022.",
    "That won’t be easy.",
    "The operation was successful.",
    "outset of 2022, Kazakhstan was shaken by a wave of social unrest.",
    "“Kazakhstan has not yet recognized the annexation of Crimea in 2014.",
    "Since then, relations with Russia have continued to deteriorate,” recalled Michael Lewiston, "
    "a researcher at Ifri, a Central Asian expert.",
    "“Currently, Kazakhs are very worried about what is happening in Ukraine.”",
    "Memories of vital importance in the view of Vladimir Putin.",
    "In the short term, it is a major stabilizing force in the region,” said Michael Lewiston.",
    "In a complex, changing, and increasingly contested world, the Carnegie Endowment generates strategic ideas "
    "and independent analysis, supports diplomacy, and trains the next generation of international "
    "scholar-practitioners to help countries and institutions take on the most difficult global problems "
    "and safeguard peace.",
    "All eyes will be on the China-Russia strategic partnership, but the Shanghai Cooperation Organization’s "
    "Central Asian members have greater confidence and bargaining power than ever before—and Beijing knows it.",
]


def classify_text(text: str, format: str = "text") -> list[tuple[str, str, str | None]]:
    """(sentence, kind, reason) for every sentence of the kept lines, as the pipeline sees them."""
    kept = [line for line in clean_lines(text, format) if not line.dropped]
    results = []
    for line_index, line in enumerate(kept):
        spans = split_sentences(line.text)
        for start, end in spans:
            sentence = line.text[start:end]
            kind, reason = classify_sentence(sentence, line, line_index=line_index)
            results.append((sentence, kind, reason))
    return results


@pytest.fixture(scope="module")
def seed_results() -> list[tuple[str, str, str | None]]:
    results = []
    for path in sorted(SEEDS.glob("*.txt")):
        results += classify_text(unicodedata.normalize("NFKC", path.read_text(encoding="utf-8")))
    return results


def kinds_of(results, sentence: str) -> set[tuple[str, str | None]]:
    found = {(kind, reason) for text, kind, reason in results if text == sentence}
    assert found, f"sentence not found: {sentence!r}"
    return found


@pytest.mark.parametrize("heading", HEADINGS)
def test_seed_headings(seed_results, heading):
    assert {kind for kind, _ in kinds_of(seed_results, heading)} == {HEADING}


@pytest.mark.parametrize("question", QUESTIONS)
def test_seed_questions(seed_results, question):
    assert kinds_of(seed_results, question) == {(QUESTION, "question")}


@pytest.mark.parametrize(("sentence", "reason"), BOILERPLATE_SENTENCES.items())
def test_seed_boilerplate_sentences(seed_results, sentence, reason):
    assert kinds_of(seed_results, sentence) == {(BOILERPLATE, reason)}


@pytest.mark.parametrize("claim", SEED_CLAIMS)
def test_seed_claims(seed_results, claim):
    assert kinds_of(seed_results, claim) == {(CLAIM, None)}


def test_every_other_seed_sentence_is_a_claim(seed_results):
    expected = set(HEADINGS) | set(QUESTIONS) | set(BOILERPLATE_SENTENCES)
    not_claims = {text for text, kind, _ in seed_results if kind != CLAIM and any(c.isalpha() for c in text)}
    assert not_claims == expected


def test_punctuation_fragment_is_boilerplate():
    line = Line(0, 2, ". .")
    assert classify_sentence(".", line, line_index=3) == (
        BOILERPLATE,
        "no-text",
    )


def test_dropped_line_keeps_its_reason():
    line = Line(0, 11, "Back to Top", dropped="navigation", standalone=True)
    assert classify_sentence(line.text, line, line_index=5) == (
        BOILERPLATE,
        "navigation",
    )


def test_disclaimer_inside_a_paragraph_is_boilerplate():
    paragraph = (
        "Kazakhstan has moved its troops to the Russian border. The views expressed in this article belong "
        "to the authors alone and do not necessarily reflect those of the publisher."
    )
    line = Line(0, len(paragraph), paragraph, standalone=True)
    first, second = (paragraph[start:end] for start, end in split_sentences(paragraph))
    assert classify_sentence(first, line, line_index=4) == (CLAIM, None)
    assert classify_sentence(second, line, line_index=4) == (
        BOILERPLATE,
        "disclaimer",
    )


def test_markdown_heading_markup_wins_over_punctuation():
    results = classify_text("## Is Russia losing Central Asia?\n\nRussia is currently failing.", "markdown")
    assert [(kind, reason) for _, kind, reason in results] == [(HEADING, "markup"), (CLAIM, None)]


def test_long_line_without_final_punctuation_inside_a_paragraph_is_a_claim():
    text = (
        "Russia is failing.\n"
        "The armed intervention in Kazakhstan was conducted under the aegis of the Collective Security "
        "Treaty Organization created in May 1992\n"
        "Patterned on NATO, it was designed to ensure Russian leadership."
    )
    assert [kind for _, kind, _ in classify_text(text)] == [CLAIM, CLAIM, CLAIM]


def wikinews_declarative_sample() -> list[tuple[str, str, str | None]]:
    """Every n-th sentence ending in a full stop, spread over the whole corpus."""
    declarative = []
    for row in WIKINEWS.read_text(encoding="utf-8").splitlines():
        text = unicodedata.normalize("NFKC", json.loads(row)["text"])
        declarative += [result for result in classify_text(text) if DECLARATIVE_END.search(result[0])]
    step = len(declarative) // WIKINEWS_SAMPLE_SIZE
    return declarative[::step][:WIKINEWS_SAMPLE_SIZE]


def test_wikinews_declarative_sentences_are_claims():
    sample = wikinews_declarative_sample()
    failures = [(text, kind, reason) for text, kind, reason in sample if kind != CLAIM]
    assert len(sample) == WIKINEWS_SAMPLE_SIZE
    assert 1 - len(failures) / len(sample) >= MIN_CLAIM_SHARE, failures


# --- short sentences: prose, replies, datelines and debris ----------------------------------


def kinds_in_paragraph(paragraph: str) -> dict[str, tuple[str, str | None]]:
    return {sentence: (kind, reason) for sentence, kind, reason in classify_text(f"Intro line.\n{paragraph}")}


@pytest.mark.parametrize(
    ("paragraph", "sentence"),
    [
        ("Für Samstag sagt der Wetterdienst ein Tief voraus. Regen. Am Sonntag wird es sonnig.", "Regen."),
        ("Der Unfall ging glimpflich aus. Keine Toten. Zwei Menschen wurden leicht verletzt.", "Keine Toten."),
        ("Hoy no habrá sol en Madrid. Llueve. Las temperaturas bajan a 8 grados.", "Llueve."),
        ("В Москве сегодня пасмурно. Дождь. Температура опустится до плюс трех.", "Дождь."),
    ],
)
def test_short_sentence_of_real_prose_is_a_claim(paragraph, sentence):
    assert kinds_in_paragraph(paragraph)[sentence] == (CLAIM, None)


@pytest.mark.parametrize(
    ("paragraph", "sentence"),
    [
        ("Pourquoi ? Parce que les marchés attendaient davantage de la BCE.", "Pourquoi ?"),
        ("Why? Because the bank had not cut rates since March.", "Why?"),
        ("¿Por qué? Porque el Gobierno no aprobó el presupuesto.", "¿Por qué?"),
    ],
)
def test_short_question_is_a_question_even_with_french_spacing(paragraph, sentence):
    assert kinds_in_paragraph(paragraph)[sentence] == (QUESTION, "question")


@pytest.mark.parametrize(
    "reply", ["Yes.", "Yeah, yeah.", "Thank you.", "Ja, genau.", "Oui, merci.", "Sí, claro.", "Да."]
)
def test_reply_alone_is_an_interjection_not_a_claim(reply):
    assert kinds_in_paragraph(f"Did the minister resign on Friday? {reply} He left on Friday.")[reply] == (
        BOILERPLATE,
        "interjection",
    )


@pytest.mark.parametrize(
    "dateline",
    [
        "Darmstadt - Januar 2021.",
        "Berlin, den 14. Juni 2021.",
        "Paris, le 3 mars 2021.",
        "Madrid, 3 de marzo de 2021.",
        "МОСКВА, 3 марта.",
        "ALMATY, June 18.",
    ],
)
def test_dateline_before_the_lead_is_a_dateline_heading(dateline):
    paragraph = f"{dateline} Die Stadt und die Region wachsen seit Jahren schneller als erwartet."
    assert kinds_in_paragraph(paragraph)[dateline] == (HEADING, "dateline")


@pytest.mark.parametrize(
    "debris",
    ["Central Asia ?", "Don BlankenshipImage: Brianhayden1980.", "((WN))  Okay."],
)
def test_debris_stays_a_fragment(debris):
    assert kinds_in_paragraph(f"The talks ended on Friday. {debris} The delegates left.")[debris] == (
        BOILERPLATE,
        "fragment",
    )
