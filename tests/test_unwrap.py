"""Unwrapping hard-wrapped text: real seeds and Wikinews articles, wrapped and unwrapped."""

from __future__ import annotations

import json
import textwrap

import pytest
from corpora import SEEDS, WIKINEWS

from claimtrack.models import Document
from claimtrack.pipeline import segment
from claimtrack.read import normalise_text
from claimtrack.unwrap import is_hard_wrapped, unwrap_text

MIN_SAME_SENTENCES = 0.98


def seed_texts() -> list[tuple[str, str]]:
    return [(path.name, normalise_text(path.read_text(encoding="utf-8"))) for path in sorted(SEEDS.glob("*.txt"))]


def wikinews_texts() -> list[tuple[str, str]]:
    with WIKINEWS.open(encoding="utf-8") as handle:
        return [(record["id"], normalise_text(record["text"])) for record in map(json.loads, handle)]


def hard_wrap(text: str, width: int) -> str:
    """Every line of ``text`` wrapped as a mail client or a wire would, blank lines kept."""
    return "\n".join(textwrap.fill(line, width) if line.strip() else line for line in text.split("\n"))


def sentences(name: str, text: str) -> list[str]:
    # textwrap drops the double spaces it breaks at, so spacing is not compared.
    return [" ".join(sentence.text.split()) for sentence in segment(Document(name, text))]


def same_sentence_share(texts: list[tuple[str, str]], width: int) -> float:
    same = total = 0
    for name, text in texts:
        original = sentences(name, text)
        unwrapped = sentences(name, unwrap_text(hard_wrap(text, width)))
        kept = set(original)
        same += min(len(original), sum(1 for sentence in unwrapped if sentence in kept))
        total += max(len(original), len(unwrapped))
    return same / total


def test_texts_that_are_not_wrapped_come_out_unchanged():
    for name, text in seed_texts() + wikinews_texts():
        assert not is_hard_wrapped(text), name
        assert unwrap_text(text) == text, name


@pytest.mark.parametrize("width", [70, 60])
def test_wrapped_seeds_and_wikinews_give_the_original_sentences(width):
    texts = seed_texts() + wikinews_texts()[:: 3 if width == 60 else 1]
    assert same_sentence_share(texts, width) >= MIN_SAME_SENTENCES


def test_wrapping_would_break_sentences_without_unwrapping():
    texts = seed_texts()
    same_without = sum(
        len(set(sentences(name, hard_wrap(text, 70))) & set(sentences(name, text))) for name, text in texts
    ) / sum(len(sentences(name, text)) for name, text in texts)
    assert same_without < 0.5  # the test above measures something real


def test_seed_with_headings_keeps_them_on_their_own_lines():
    name, text = seed_texts()[3]  # a blog post whose section titles sit right above their paragraphs
    unwrapped = unwrap_text(hard_wrap(text, 70))
    assert unwrapped.split("\n") == text.split("\n")[: len(unwrapped.split("\n"))]
    assert "\nThe importance of Kazakhstan\nEver since the 1991 breakup" in unwrapped


WIRE = """KAZAKHSTAN SAYS IT WILL NOT RECOGNISE BREAKAWAY REPUBLICS

ALMATY, June 18

Kazakhstan will not recognise the self-proclaimed republics in eastern
Ukraine, President Kassym-Jomart Tokayev said on Friday, in a rare public
break with the Kremlin at an economic forum in St Petersburg. The inter-
national community has largely rejected the two entities, and analysts
said the remarks would be heard in Moscow.

Key points of the speech:
- Kazakhstan respects the territorial integrity of Ukraine and of every
  other member of the international community.
- Trade with Russia will continue under the rules of the Eurasian
  Economic Union.

Country        Exports   Imports
Russia         8.8       15.7
China          7.6       10.5

--
Steppe Wire Service
Almaty desk"""


def test_wire_story_paragraphs_join_and_structure_stays():
    lines = unwrap_text(WIRE).split("\n")
    assert lines[0] == "KAZAKHSTAN SAYS IT WILL NOT RECOGNISE BREAKAWAY REPUBLICS"
    assert "ALMATY, June 18" in lines
    paragraph = next(line for line in lines if line.startswith("Kazakhstan will not"))
    assert paragraph.endswith("analysts said the remarks would be heard in Moscow.")
    assert "The international community" in paragraph  # mended: the text spells the word whole elsewhere
    assert "Kassym-Jomart" in paragraph
    assert "Key points of the speech:" in lines
    respects = "- Kazakhstan respects the territorial integrity of Ukraine and of every other member of the"
    assert f"{respects} international community." in lines
    assert "- Trade with Russia will continue under the rules of the Eurasian Economic Union." in lines
    assert "Country        Exports   Imports" in lines and "Russia         8.8       15.7" in lines
    assert lines[-3:] == ["--", "Steppe Wire Service", "Almaty desk"]


def test_joining_keeps_offsets_simple():
    unwrapped = unwrap_text(WIRE)
    # A join turns "\n" into " "; only the mended hyphen (with its break) and two list indents go.
    assert len(unwrapped) == len(WIRE) - 2 - 2 * 2


@pytest.mark.parametrize(
    ("wrapped", "expected"),
    [
        ("long-\ntime", "long-time"),  # both halves are words here
        ("Moscow-\nled", "Moscow-led"),  # a capitalised first half is a compound
        ("street-to-\nstreet", "street-to-street"),  # a chain of hyphens is a compound
        ("re-\nelection", "re-election"),  # too short a piece for a typesetter's break
    ],
)
def test_real_hyphens_stay(wrapped, expected):
    text = (
        hard_wrap("Analysts say the long and difficult time of the war has led to a reset. " * 3, 60)
        + "\n"
        + _inside_a_paragraph(wrapped)
    )
    assert expected in unwrap_text(text, typeset=True)


def test_typeset_hyphen_is_mended_only_in_typeset_text():
    text = _inside_a_paragraph("govern-\nment")
    assert "government" in unwrap_text(text, typeset=True)
    assert "govern-ment" in unwrap_text(text)
    assert "international" in unwrap_text(_inside_a_paragraph("inter-\nnational") + " The international one.")


def _inside_a_paragraph(broken: str) -> str:
    """``broken`` at a line break in the middle of a wrapped paragraph."""
    first, second = broken.split("\n")
    lead = "The decision reflected growing unease in the political elite about a"
    lines = [
        lead,
        "war that has shaken trade across the region and the whole of Central",
        f"Asia, where officials described the plan of the {first}",
        f"{second} as a turning point for the relations with the Kremlin and",
        "for the economic union that the two countries have built since 2015.",
    ]
    return "\n".join(lines)


def test_short_lines_are_not_a_wrapped_text():
    verse = "Roses are red\nViolets are blue\nSugar is sweet\nAnd so are you"
    assert unwrap_text(verse) == verse
    listing = "\n".join(f"Item {n}: a thing worth noting here" for n in range(10))
    assert unwrap_text(listing) == listing


def test_wide_and_narrow_columns_both_unwrap():
    _, text = seed_texts()[2]
    for width in (40, 120):
        assert is_hard_wrapped(hard_wrap(text, width)), width


# ---------------------------------------------------------------- wire leads whose first line is short

# The lead's first line ends early: the dateline sits on a line of its own, or was cut off the
# line it was wrapped with, as wire archives print it.
CARD_UNIT_WIRE = """NORTHFIELD BANK NOT UNDER PRESSURE TO SELL CARD UNIT - CEO

By Jane Doe

TORONTO, March 3 (Reuters) -
Northfield Bank is not under
pressure to sell its card unit, Chief Executive Mark Ellis said on
Tuesday, as activist investors pressed the lender to shed businesses
that have weighed on its returns since the pandemic.
    The bank, Canada's sixth-largest lender by assets, has been
reviewing options for the unit since last year and has hired
advisers, two people familiar with the matter said. In a statement,
Ellis said,
"We are not a forced seller of anything, and we never will be."

Card unit under review
The unit, which issues cards under the Maple and Northfield brands,
earned C$310 million last year on revenue of C$1.9 billion.

Reporting by Jane Doe in Toronto; Editing by Mark Potter"""

SUGAR_WIRE = """EC SUGAR TENDER RESULT

    LONDON, March 3 - The European Community sold
54,000 tonnes of white sugar at today's weekly tender, traders said,
well above the 40,000 tonnes the trade had expected.
    The white sugar is priced per
tonne free on board, with the maximum export rebate set at 46.864
European Currency Units (Ecus) per 100 kilos, against 45.673 Ecus
at last week's tender.
    Traders had expected a rebate of between 46.50 and 47.00 Ecus,
and said the result showed the Commission was determined to keep
exports moving ahead of the new crop.
 REUTER"""

JOBS_WIRE = """Kreditbank to cut 1,200 jobs in overhaul

FRANKFURT, March 3 (Reuters) - Kreditbank will cut
1,200 jobs over the next two years as it closes a third of its
branches, the German lender said on Wednesday, sending its shares up
4 percent in early trade.

Key figures
2023 net profit rose to 412 million euros from 388 million euros a
year earlier, while costs fell by 6 percent.

Outlook for 2025
2025 will be a year of transition, Chief Financial Officer Anna Berg
told reporters, adding that the bank would not pay a special dividend."""

TOKYO_WIRE = """TOKYO, March 28 (Reuters)
- Japan's largest airline said on Monday it would suspend flights to
Moscow for the rest of the year, citing falling demand and the cost of
insurance for aircraft flying over the region, and it would refund all
tickets sold for those flights.

Shares of the airline were little changed in Tokyo trading on Monday."""


def claims_of(text: str) -> list[str]:
    return [sentence.text for sentence in segment(Document("wire", unwrap_text(text))) if sentence.kind == "claim"]


def kinds_of(text: str) -> dict[str, str]:
    return {sentence.text: sentence.kind for sentence in segment(Document("wire", unwrap_text(text)))}


def test_short_first_line_of_a_lead_joins_its_sentence_with_the_dateline_on_it():
    claims = claims_of(CARD_UNIT_WIRE)
    assert claims[0] == (
        "TORONTO, March 3 (Reuters) - Northfield Bank is not under pressure to sell its card unit, Chief Executive "
        "Mark Ellis said on Tuesday, as activist investors pressed the lender to shed businesses that have weighed "
        "on its returns since the pandemic."
    )
    assert 'In a statement, Ellis said, "We are not a forced seller of anything, and we never will be."' in claims


def test_lead_line_before_a_number_and_a_price_per_tonne_join_their_sentences():
    claims = claims_of(SUGAR_WIRE)
    assert claims[0] == (
        "LONDON, March 3 - The European Community sold 54,000 tonnes of white sugar at today's weekly tender, "
        "traders said, well above the 40,000 tonnes the trade had expected."
    )
    assert claims[1].startswith("The white sugar is priced per tonne free on board, with the maximum export rebate")
    assert claims[1].endswith("against 45.673 Ecus at last week's tender.")
    assert claims_of(JOBS_WIRE)[0].startswith("FRANKFURT, March 3 (Reuters) - Kreditbank will cut 1,200 jobs over")


def test_dateline_ending_with_the_agency_joins_the_lead_below_it():
    lead = claims_of(TOKYO_WIRE)[0]
    assert lead.startswith("TOKYO, March 28 (Reuters) - Japan's largest airline said on Monday it would suspend")
    assert lead.endswith("and it would refund all tickets sold for those flights.")


def test_headings_bylines_and_short_titles_above_a_paragraph_stay_apart():
    card = kinds_of(CARD_UNIT_WIRE)
    assert card["NORTHFIELD BANK NOT UNDER PRESSURE TO SELL CARD UNIT - CEO"] == "heading"
    assert card["By Jane Doe"] == "heading"
    assert card["Card unit under review"] == "heading"
    unit = "The unit, which issues cards under the Maple and Northfield brands, earned C$310 million last year"
    assert card[f"{unit} on revenue of C$1.9 billion."] == "claim"
    jobs = kinds_of(JOBS_WIRE)
    assert jobs["Kreditbank to cut 1,200 jobs in overhaul"] == "heading"
    assert jobs["Key figures"] == "heading"  # two words are a heading, not "a sentence's start" before "2023 ..."
    assert jobs["Outlook for 2025"] == "heading"
    assert any(text.startswith("2025 will be a year of transition") for text in jobs)
    assert unwrap_text(SUGAR_WIRE).split("\n")[:2] == ["EC SUGAR TENDER RESULT", ""]


def test_salutation_of_a_wrapped_letter_stays_above_it():
    letter = (
        "Dear Mr Ellis,\n"
        "Thank you for your letter of March 3 about the sale of the card unit and\n"
        "the review of the options that the board has been weighing since last\n"
        "year. We will reply in full once the review has been completed in May.\n"
    )
    assert unwrap_text(letter).split("\n")[0] == "Dear Mr Ellis,"
