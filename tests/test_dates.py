"""Dates: datelines, blog stamps, claim dates and their year resolution."""

from __future__ import annotations

import json
import re
import time
from datetime import date

import blingfire
import pytest
from corpora import SEEDS, WIKINEWS
from hypothesis import given, settings
from hypothesis import strategies as st

from claimtrack.dates import (
    DATE_TRIGGER,
    TRIGGER_MONTHS,
    TRIGGER_RELATIVE,
    TRIGGER_SEASONS,
    TRIGGER_WEEKDAYS,
    YEAR_TRIGGER,
    date_from_text,
    document_claim_date,
    extract_claim_date,
    precision_of,
    resolve_relative_stamp,
    years_stated,
)
from claimtrack.models import ClaimDate

# A ceiling against a runaway pattern, not a speed figure: ~9 µs on 2026-11-23, 51 µs on 2026-12-01,
# when this machine ran 3 times slower.
MAX_MICROSECONDS_PER_SENTENCE = 200


def seed_text(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def seed_sentence(prefix: str, start: str) -> str:
    return next(s for s in sentences(seed_text(prefix)) if s.startswith(start))


def sentences(text: str) -> list[str]:
    found = []
    for line in text.splitlines():
        if line.strip():
            found += [s for s in blingfire.text_to_sentences(line).split("\n") if s.strip()]
    return found


def wikinews() -> list[dict]:
    return [json.loads(line) for line in WIKINEWS.read_text(encoding="utf-8").splitlines()]


def when(text: str, doc_date: str | None = None, doc_years: tuple[int, ...] = ()) -> tuple[str, str] | None:
    found = extract_claim_date(text, doc_date=doc_date, doc_years=doc_years)
    return (found.date, found.precision) if found else None


# --- document date -------------------------------------------------------------------------


def test_wikinews_datelines_give_the_publication_date():
    records = wikinews()
    # Written out independently of the parser: the record's date as Wikinews prints it.
    with_dateline = [r for r in records if _printed_date(r["date"]) in r["text"][:400]]
    right = [r for r in with_dateline if date_from_text(r["text"]) == (r["date"], "dateline")]
    failures = [(r["id"], date_from_text(r["text"])) for r in with_dateline if r not in right]
    assert len(with_dateline) == 177  # the other 118 (2020) texts carry no date at all
    assert len(right) >= 0.99 * len(with_dateline), failures
    # Without a dateline, no date is invented (e.g. "Thursday, United States forces killed ...").
    without = [r for r in records if r not in with_dateline]
    assert [r["id"] for r in without if date_from_text(r["text"]) is not None] == []


def _printed_date(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day:%B} {day.day}, {day.year}"


@pytest.mark.parametrize(
    "head, expected",
    [
        ("Friday, January 4, 2019 \xa0\n\n\nAn apartment building collapsed", "2019-01-04"),
        ("January 4, 2019\nText follows.", "2019-01-04"),
        ("4 January 2019\n\nText", "2019-01-04"),
        ("2019-01-04\nText", "2019-01-04"),
        ("2019-01-04T08:30:00Z\nText", "2019-01-04"),
        ("Jan. 4, 2019 — The ministry said", "2019-01-04"),
        ("MOSCOW, Jan 4, 2019 (Reuters) - Russia said on Friday", "2019-01-04"),
        ("Some headline\n\nPublished: March 3, 2021\n\nBody", "2021-03-03"),
    ],
)
def test_dateline_shapes(head, expected):
    assert date_from_text(head) == (expected, "dateline")


@pytest.mark.parametrize(
    "head",
    [
        "Thursday, United States military forces killed Qasem Soleimani.",
        "In February 2017, the Iranian Chess Federation announced two players were banned.",
        "Last week, on December 8, US-based software company Red Hat announced plans.",
        "January 4, 2019, the government announced a plan.",  # a sentence, not a dateline
        "February 30, 2019\nText",
        "one\ntwo\nthree\nJanuary 4, 2019",  # too far down
        "",
    ],
)
def test_not_a_dateline(head):
    assert date_from_text(head) is None


def test_blog_stamp_glued_to_a_tag_resolves_to_a_year():
    assert resolve_relative_stamp(seed_text("003"), date(2024, 11, 23)) == "2022"


@pytest.mark.parametrize(
    "head, expected",
    [
        ("Posted 3 days ago by admin", "2024-11-20"),
        ("posted yesterday", "2024-11-22"),
        ("updated two months ago", "2024-09"),
        ("a week ago", "2024-11"),
        ("edited 30 hours ago", "2024-11-22"),
        ("Title\n\nno stamp here, only 1990s talk", None),
    ],
)
def test_relative_stamps(head, expected):
    assert resolve_relative_stamp(head, date(2024, 11, 23)) == expected


def test_document_date_fallback_for_claims():
    assert document_claim_date("2022-06") == ClaimDate("2022-06", "month", None, "document")
    assert document_claim_date(None) is None
    assert [precision_of(x) for x in ("2022", "2022-06-01", "--04-28", "--04", "soon")] == [
        "year", "day", "partial", "partial", None,
    ]  # fmt: skip


# --- claim dates: phrase shapes ------------------------------------------------------------

DOC = "2022-06-27"  # a Monday


@pytest.mark.parametrize(
    "sentence, expected, phrase",
    [
        ("On April 28th, Kyrgyzstan rejected a request.", ("2022-04-28", "day"), "On April 28th"),
        ("Leaders met in Samarkand on September 16 for a summit.", ("2021-09-16", "day"), "on September 16"),
        ("In January, the President called in troops.", ("2022-01", "month"), "In January"),
        ("In early March, protests were allowed.", ("2022-03", "month"), "In early March"),
        ("It refused to send troops in late February.", ("2022-02", "month"), "in late February"),
        ("Prices rose in mid-March.", ("2022-03", "month"), "in mid-March"),
        ("He spoke at the end of March.", ("2022-03", "month"), "at the end of March"),
        ("At the outset of 2023, the stage had changed.", ("2023", "year"), "At the outset of 2023"),
        ("It was attacked in the fall of 2020.", ("2020", "year"), "in the fall of 2020"),
        ("Turnout fell in spring 2021.", ("2021", "year"), "in spring 2021"),
        ("It annexed Crimea in 2014.", ("2014", "year"), "in 2014"),
        ("Relations have soured since 1991.", ("1991", "year"), "since 1991"),
        ("Nothing was like the year 2022.", ("2022", "year"), "the year 2022"),
        ("The CSTO was created in May 1992.", ("1992-05", "month"), "in May 1992"),
        ("It was signed on 4 January 2019.", ("2019-01-04", "day"), "on 4 January 2019"),
        ("It was signed on 2019-01-04.", ("2019-01-04", "day"), "on 2019-01-04"),
        ("It was signed on 3 Sept. 2020.", ("2020-09-03", "day"), "on 3 Sept. 2020"),
        ("Last September saw border clashes.", ("2021-09", "month"), "Last September"),
        ("Moreover, earlier this year, he asked for help.", ("2022", "year"), "earlier this year"),
        ("Turnout was low last year.", ("2021", "year"), "last year"),
        ("Prices jumped last month.", ("2022-05", "month"), "last month"),
        ("The rift did not emerge last weekend.", ("2022-06-25", "day"), "last weekend"),
        ("On Friday, the court ruled.", ("2022-06-24", "day"), "On Friday"),
        ("The court rules yesterday.", ("2022-06-26", "day"), "yesterday"),
        ("He left two years ago.", ("2020", "year"), "two years ago"),
    ],
)
def test_date_phrases(sentence, expected, phrase):
    found = extract_claim_date(sentence, doc_date=DOC)
    assert (found.date, found.precision) == expected
    assert found.text == phrase
    assert found.source == "text"


@pytest.mark.parametrize(
    "sentence",
    [
        "Fast-forward four months into the war and the quagmire has become protracted.",
        "Now Moscow sees itself as being at war with the West and may act much more aggressively.",
        "May God grant them peace.",
        "April Ryan asked the question; Jan Kowalski answered.",
        "The Central Asian nation of 19 million people had been the Kremlin's friend.",
        "Clashes left close to 100 dead and many wounded.",
        "At its peak, the CSTO included nine of the 15 former Soviet republics.",
        "BTC 59888.38",
        "ETH 2373.74",
        "After less than two weeks, foreign troops were withdrawn.",
        "For 30 years, Kazakhstan has structured its foreign policy.",
        "For many years in Russia, there was such a discourse.",
        "China will emerge from its current Covid-19 mess.",
        "It is home to 72 million people among the five republics.",
        "Officials counted in 2000 cases a week.",
        "A total of 1999 votes were cast.",
        "Music of the 1990s.",
        "No AIS results for the last month.",
        "It will shrink over the next year.",
        "We are here now.",
        "The 5 Marines left; 3 Mayors met.",
    ],
)
def test_not_dates(sentence):
    assert extract_claim_date(sentence, doc_date=DOC) is None


def test_relative_phrases_need_the_document_date():
    for sentence in ("earlier this year, it asked", "last weekend it rained", "On Friday, it rained", "yesterday"):
        assert extract_claim_date(sentence, doc_date=None, doc_years=(2022,)) is None


# --- year resolution -----------------------------------------------------------------------


def test_month_day_resolves_to_the_latest_not_after_the_document():
    assert when("It opened on June 27.", DOC) == ("2022-06-27", "day")
    assert when("It opened on June 28.", DOC) == ("2021-06-28", "day")
    assert when("It opened in July.", DOC) == ("2021-07", "month")
    assert when("It opened in July.", "2022") == ("2022-07", "month")  # document known to the year


def test_future_tense_and_next_look_forward():
    assert when("The vote will be held on March 3.", DOC) == ("2023-03-03", "day")
    assert when("The vote will be held on Monday.", DOC) == ("2022-07-04", "day")
    assert when("They meet next September.", DOC) == ("2022-09", "month")
    assert when("They met last June.", DOC) == ("2021-06", "month")


def test_document_years_resolve_only_when_exactly_one_is_stated():
    assert when("They met on September 16.", None, (2022,)) == ("2022-09-16", "day")
    assert when("They met on September 16.", None, (2022, 2022)) == ("2022-09-16", "day")
    assert when("They met on September 16.", None, (2020, 2022)) == ("--09-16", "partial")
    assert when("They met on September 16.", None) == ("--09-16", "partial")
    assert when("They met in September.", None) == ("--09", "partial")
    assert when("They met last September.", None, (2022,)) == ("--09", "partial")


def test_leap_day_and_impossible_days():
    assert when("It fell on February 29.", "2020-03-01") == ("2020-02-29", "day")
    assert when("It fell on February 29.", "2022-03-01") == ("--02-29", "partial")
    assert when("It fell on February 30.", DOC) is None
    assert when("It fell on April 31, 2020.", DOC) is None


def test_most_precise_phrase_wins_and_written_years_beat_resolved_ones():
    assert when("Since 1991 relations were calm, but on May 9 the parade was cancelled.", DOC) == ("2022-05-09", "day")
    assert when("Friday, January 4, 2019", DOC) == ("2019-01-04", "day")
    assert when("Last week, on December 8, Red Hat announced plans.", "2020-12-18") == ("2020-12-08", "day")


def test_years_stated():
    assert years_stated(seed_text("001")) == [2022]
    assert years_stated(seed_text("003")) == [1992, 2020, 2022, 2023]
    assert years_stated("19 million people, 72 million, BTC 59888.38, Covid-19, 1 to 10 of about 184") == []
    assert years_stated("Signed 2019-01-04 and on March 3, 2017, then in the 1990s.") == [2017, 2019]


# --- seeds ---------------------------------------------------------------------------------


def test_seed_expectations():
    kyrgyz = seed_sentence("002", "On April 28th, Kyrgyzstan")
    assert when(kyrgyz, None, tuple(years_stated(seed_text("002")))) == ("--04-28", "partial")
    samarkand = seed_sentence("001", "The leaders of China")
    assert when(samarkand, None, tuple(years_stated(seed_text("001")))) == ("2022-09-16", "day")
    parade = seed_sentence("004", "The Kazakh Defense Ministry")
    assert when(parade, None, tuple(years_stated(seed_text("004")))) == ("--05-09", "partial")


# Every date phrase found in every seed sentence: anything new here is a false hit to look at.
SEED_PHRASES = {
    "000": ["in February"],
    "001": ["the year 2022", "on September 16", "in February"],
    "002": ["in late February", "In May", "On April 28th"],
    "003": ["outset of 2022", "At the outset of 2023", "in 2022", "in early July", "in May 1992",
            "in the fall of 2020", "Last September"],
    "004": ["On February 24", "on May 9", "In early March", "in 2014", "in March", "at the end of March",
            "since 1991", "at the end of April", "In January"],
}  # fmt: skip


@pytest.mark.parametrize("prefix", sorted(SEED_PHRASES))
def test_every_seed_sentence(prefix):
    text = seed_text(prefix)
    doc_years = tuple(years_stated(text))
    found = [extract_claim_date(s, doc_date=None, doc_years=doc_years) for s in sentences(text)]
    assert [f.text for f in found if f] == SEED_PHRASES[prefix]
    ticker = re.compile(r"^[A-Z]{2,6} \d+\.\d+$")
    assert all(f is None for s, f in zip(sentences(text), found) if ticker.match(s))


# --- robustness and speed ------------------------------------------------------------------

ISO_SHAPES = re.compile(r"\d{4}|\d{4}-\d\d|\d{4}-\d\d-\d\d|--\d\d|--\d\d-\d\d")
DATE_WORDS = st.sampled_from(
    ["May", "may", "on", "in", "last", "next", "this", "early", "the end of", "2022", "19", "31st",
     "September", "Jan.", "Friday", "yesterday", "ago", "years", "week", "-", ",", " ", "of", "1999"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(st.text(max_size=200), st.lists(DATE_WORDS, max_size=12).map(" ".join)),
    doc_date=st.one_of(st.none(), st.sampled_from(["2022-06-27", "2022-02", "2020", "2020-02-29", "garbage"])),
    doc_years=st.lists(st.integers(min_value=-5, max_value=3000), max_size=3),
)
def test_no_string_crashes_and_results_are_well_formed(text, doc_date, doc_years):
    found = extract_claim_date(text, doc_date=doc_date, doc_years=doc_years)
    if found is not None:
        assert ISO_SHAPES.fullmatch(found.date)
        assert found.precision == precision_of(found.date)
        assert found.text and found.text in text
    assert all(1900 <= year <= 2100 for year in years_stated(text))


@pytest.mark.parametrize(
    "text",
    [
        "This SPRING, ſpring and Spring; Jan2019 x2019 _2019 ٢٠١٩ 1,000 4.5 Sept. MAR Marching",
        "yesterday Yesterday TONIGHT earlier later LATE Ladies Wednesday2 on Mon. a-Sun 2019-03-04",
        WIKINEWS.read_text(encoding="utf-8")[:20_000],
    ],
)
def test_trigger_patterns_find_the_starts_of_their_plain_pattern(text):
    for pattern, words in (
        (
            DATE_TRIGGER,
            "|".join(TRIGGER_MONTHS + TRIGGER_WEEKDAYS) + "|(?i:" + "|".join(TRIGGER_RELATIVE + TRIGGER_SEASONS),
        ),
        (YEAR_TRIGGER, "|".join(TRIGGER_MONTHS) + "|(?i:" + "|".join(TRIGGER_SEASONS)),
    ):
        plain = re.compile(rf"\b(?:{words}))|\d+")
        assert [m.start() for m in pattern.finditer(text)] == [m.start() for m in plain.finditer(text)]


def test_speed_over_wikinews_sentences():
    texts = [r["text"] for r in wikinews()[:150]]
    sample = [s for t in texts for s in blingfire.text_to_sentences(t).split("\n") if s.strip()]
    started = time.perf_counter()
    for sentence in sample:
        extract_claim_date(sentence, doc_date="2019-06-01")
    microseconds = (time.perf_counter() - started) / len(sample) * 1e6
    assert microseconds < MAX_MICROSECONDS_PER_SENTENCE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We met thıs week, the minister said.", ("2021-06", "month")),  # dotless i, as OCR and Turkish keyboards give
        ("Exports rose laſt year.", ("2020", "year")),  # long s of old print
        ("Prices fell laſt month in Almaty.", ("2021-05", "month")),
        ("The talks began ſix days ago.", ("2021-06-09", "day")),
    ],
)
def test_letters_that_match_ascii_only_case_blind_still_give_a_date(text, expected):
    found = extract_claim_date(text, doc_date="2021-06-15")
    assert (found.date, found.precision) == expected
