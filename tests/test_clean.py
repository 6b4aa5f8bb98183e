"""The clean stage on the real seed pages, on Wikinews text and on generated text."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
from corpora import SEEDS, WIKINEWS
from hypothesis import given, settings
from hypothesis import strategies as st

from claimtrack.clean import clean_lines, ends_with_final_punctuation

REASONS = {
    "no-text",
    "pagination",
    "ticker",
    "link",
    "credit",
    "comment-form",
    "blog-meta",
    "navigation",
    "call-to-action",
    "disclaimer",
    "widget",
    "paywall",
    "affiliate",
}

# (seed prefix, start of the junk line, expected reason): every junk line of the seeds.
SEED_JUNK = [
    ("000", "1 to 10 of about 184", "pagination"),
    ("001", "Sign up to receive emails from Carnegie!", "call-to-action"),
    ("002", "cc kremlin.ru, modified, http://", "credit"),
    ("002", "The views expressed in this article belong to the authors alone", "disclaimer"),
    ("002", "Back to Top", "navigation"),
    ("002", "Login", "navigation"),
    ("002", "Lost your password?", "navigation"),
    ("003", "in #asia2 years ago", "blog-meta"),
    ("003", "Coin Marketplace", "ticker"),
    ("003", "STEEM 0.17", "ticker"),
    ("003", "TRX 0.15", "ticker"),
    ("003", "JST 0.028", "ticker"),
    ("003", "BTC 59888.38", "ticker"),
    ("003", "ETH 2373.74", "ticker"),
    ("003", "USDT 1.00", "ticker"),
    ("003", "SBD 2.48", "ticker"),
    ("004", "See also  Excavations", "link"),
    ("004", ">> See: “Central Asia, such a coveted region”", "link"),
    ("004", ">> Read more: “To linguist Patrick Seriat", "link"),
    ("004", 'See also  "Ukraine is taking back what\'s theirs,"', "link"),
    ("004", "Leave a Reply", "comment-form"),
    ("004", "Your email address will not be published.", "comment-form"),
]


def read_seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return unicodedata.normalize("NFKC", path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seed_lines() -> dict[str, tuple[str, list]]:
    texts = {path.name[:3]: read_seed(path.name[:3]) for path in sorted(SEEDS.glob("*.txt"))}
    return {prefix: (text, clean_lines(text)) for prefix, text in texts.items()}


def find_line(lines: list, start: str):
    (line,) = [line for line in lines if line.text.startswith(start)]
    return line


@pytest.mark.parametrize(("seed", "start", "reason"), SEED_JUNK)
def test_seed_junk_line_is_dropped_with_its_reason(seed_lines, seed, start, reason):
    _, lines = seed_lines[seed]
    assert find_line(lines, start).dropped == reason


def test_every_other_seed_line_is_kept(seed_lines):
    for seed, (_, lines) in seed_lines.items():
        expected_junk = {start for prefix, start, _ in SEED_JUNK if prefix == seed}
        dropped = [line.text for line in lines if line.dropped]
        kept = [line.text for line in lines if not line.dropped]
        assert len(dropped) == len(expected_junk), (seed, dropped)
        assert not [text for text in kept if any(text.startswith(start) for start in expected_junk)]


def test_claim_lines_near_junk_rules_survive(seed_lines):
    _, lines = seed_lines["003"]
    photo_ops = find_line(lines, "Russian President Vladimir Putin made five trips")
    assert "And photo ops have shown other leaders" in photo_ops.text
    assert photo_ops.dropped is None
    _, lines = seed_lines["004"]
    assert find_line(lines, "Kazakhstan, an ally of Russia, “does not want").dropped is None
    _, lines = seed_lines["001"]
    carnegie = find_line(lines, "In a complex, changing, and increasingly contested world")
    assert carnegie.dropped is None  # the call to action is one sentence of a longer paragraph


def test_offsets_point_into_the_text(seed_lines):
    for text, lines in seed_lines.values():
        assert [line.start for line in lines] == sorted(line.start for line in lines)
        for line in lines:
            assert text[line.start : line.end] == line.text == line.text.strip()
            assert line.text


def test_non_breaking_space_line_is_blank(seed_lines):
    text, lines = seed_lines["002"]
    assert "\n \n" in text  # the U+00A0 line after NFKC
    assert not [line for line in lines if not line.text.strip()]


def test_standalone_follows_blank_lines(seed_lines):
    _, lines = seed_lines["003"]
    assert find_line(lines, "Central Asia is coming into its own").standalone
    assert not find_line(lines, "The importance of Kazakhstan").standalone  # a paragraph follows directly
    _, lines = seed_lines["000"]
    assert not any(line.standalone for line in lines)  # one line after another, no blank lines
    _, lines = seed_lines["002"]
    assert all(line.standalone for line in lines)


def test_markdown_heading_span_excludes_markers():
    text = "# Central Asia is coming into its own #\n\n## The importance of Kazakhstan\nThat is no longer the case."
    lines = clean_lines(text, "markdown")
    assert [(line.text, line.heading) for line in lines] == [
        ("Central Asia is coming into its own", True),
        ("The importance of Kazakhstan", True),
        ("That is no longer the case.", False),
    ]
    assert all(text[line.start : line.end] == line.text for line in lines)


def test_hash_heading_is_found_in_plain_text_but_hashtags_are_not():
    lines = clean_lines("## Leadership in Central Asia\n#asia is a tag, not a heading.")
    assert [line.heading for line in lines] == [True, False]


def test_markdown_bullets_and_quotes_are_outside_the_span():
    text = "- Russia sent troops.\n* China stepped up.\n1. Turkey followed.\n> > Kazakhstan moved troops.\n"
    lines = clean_lines(text, "markdown")
    assert [line.text for line in lines] == [
        "Russia sent troops.",
        "China stepped up.",
        "Turkey followed.",
        "Kazakhstan moved troops.",
    ]
    assert clean_lines("- Russia sent troops.")[0].text == "- Russia sent troops."  # plain text keeps it


def test_setext_heading_in_markdown():
    lines = clean_lines("Leadership in Central Asia\n==========\nRussia is failing.", "markdown")
    assert lines[0].heading and lines[0].text == "Leadership in Central Asia"
    assert lines[1].dropped == "no-text"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Page 2 of 14", "pagination"),
        ("Showing 21-30 of 1,204 results", "pagination"),
        ("Next page »", "pagination"),
        ("Subscribe to our newsletter", "call-to-action"),
        ("Follow us on Telegram for daily updates", "call-to-action"),
        ("Share this article", "call-to-action"),
        ("Skip to main content", "navigation"),
        ("Photo: Vladimir Smirnov/TASS", "credit"),
        ("Tokayev in Astana (Getty Images)", "credit"),
        ("https://carnegieendowment.org/politika/88176", "link"),
        ("Related: Russia and the CSTO", "link"),
        ("Posted by steemit-user 5 hours ago", "blog-meta"),
        ("4 min read", "blog-meta"),
        ("12 Comments", "comment-form"),
        ("Required fields are marked *", "comment-form"),
        ("Opinions expressed by contributors are their own and do not necessarily represent ours.", "disclaimer"),
        ("EUR/USD 1.0841 -0.12%", "ticker"),
        ("* * *", "no-text"),
        ("GOLD $1,921", "ticker"),
    ],
)
def test_general_junk_shapes(line, reason):
    assert clean_lines(line)[0].dropped == reason


@pytest.mark.parametrize(
    "claim",
    [
        "Millions sign up for the vaccine every week.",
        "The war started 2 years ago.",
        "Subscribers to the channel rose to 2 million in May.",
        "Photo ops have shown other leaders reluctant to stand next to him.",
        "Next year, the CSTO will hold drills in Kazakhstan.",
        "See the report published by the ministry in March.",
        "Source material from the archive was destroyed in 1991.",
        "The views of the minister do not match those of the president.",
        "NATO 2030",
    ],
)
def test_claims_that_look_like_junk_are_kept(claim):
    assert clean_lines(claim)[0].dropped is None


@pytest.mark.parametrize(
    ("line", "reason"),
    [  # IGNORECASE takes "ı" and "İ" for an "i", "ſ" for an "s": the keyword tests before the patterns must too
        ("All rıghts reserved", "disclaimer"),
        ("ALL RİGHTS RESERVED", "disclaimer"),
        ("Get the news in your ınbox every morning", "call-to-action"),
        ("Crowds at the rally / Reuterſ", "credit"),
        ("example.İO/news", "link"),
    ],
)
def test_junk_keywords_in_any_case(line, reason):
    assert clean_lines(line)[0].dropped == reason


@pytest.mark.parametrize(
    "line",
    ["End.", "End.\n", "He said: “Go.”", "(Really?)", "Why?’”", "Done…", "x", "", ".", "”", "End. ", "A.”\n\n"],
)
def test_final_punctuation_test_agrees_with_its_pattern(line):
    pattern = re.compile(r"[.!?…:;।。！？؟][\"'”’»)\]]*$")
    assert ends_with_final_punctuation(line) == (pattern.search(line) is not None)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Teilen mit:", "widget"),
        ("Das könnte Sie auch interessieren:", "widget"),
        ("J’aime ça :", "widget"),
        ("Te puede interesar:", "widget"),
        ("You may also like", "widget"),
        ("Hier anmelden", "navigation"),
        ("Se connecter", "navigation"),
        ("Inicia sesión", "navigation"),
        ("Lesen Sie auch: Mieterverein fordert Härtefallfonds für Nordstadt", "link"),
        ("À lire aussi : Grève à la SNCF : ce qui change ce week-end", "link"),
        ("Dieser Artikel ist exklusiv für Abonnenten.", "paywall"),
        ("You have reached your limit of free articles this month.", "paywall"),
        ("Il vous reste 72% de cet article à lire.", "paywall"),
        ("Already a subscriber? Log in", "paywall"),
        ("To continue reading, log in or create a free account.", "paywall"),
        ("Para seguir leyendo, inicia sesión o suscríbete por 1 euro el primer mes.", "paywall"),
        ("If you buy something through our links, we may earn a commission.", "affiliate"),
        ("Wenn Sie über einen dieser Links einkaufen, erhalten wir eine Provision.", "affiliate"),
        ("Dieser Artikel enthält Affiliate-Links.", "affiliate"),
        ("Este artículo contiene enlaces de afiliados.", "affiliate"),
        ("Have a question about this story? Write to us at letters@example.com.", "call-to-action"),
        ("Sie haben Fragen? Schreiben Sie uns an leserbriefe@example.de.", "call-to-action"),
        ("Une remarque ? Écrivez-nous à courrier@example.fr.", "call-to-action"),
        ("Si tienes una pregunta, escríbenos a cartas@example.es.", "call-to-action"),
        ("Abonnieren Sie unseren kostenlosen Newsletter.", "call-to-action"),
        ("Inscrivez-vous à notre newsletter pour recevoir l’essentiel de l’actualité.", "call-to-action"),
        ("Suscríbete a nuestro boletín y recibe las noticias más importantes.", "call-to-action"),
        (
            "Get the day's top stories from our newsroom delivered to you every morning in our free newsletter.",
            "call-to-action",
        ),
    ],
)
def test_web_notices_in_four_languages(line, reason):
    assert clean_lines(line)[0].dropped == reason


@pytest.mark.parametrize(
    ("line", "reason"),
    [  # the older English rules, in German, French and Spanish
        ("© 2023 Nordstadt Kurier GmbH. Alle Rechte vorbehalten.", "credit"),
        ("Tous droits réservés", "disclaimer"),
        ("Wir verwenden Cookies, um unsere Website für Sie optimal zu gestalten.", "disclaimer"),
        ("Ce site utilise des cookies pour améliorer votre expérience.", "disclaimer"),
        ("Foto: dpa", "credit"),
        ("Die Stadtwerke am Hafen von Nordstadt (Foto: picture alliance)", "credit"),
        ("Fuente: INE", "credit"),
        ("Klicken Sie hier, um den Newsletter zu bestellen.", "call-to-action"),
        ("En savoir plus", "navigation"),
        ("Más información", "navigation"),
        ("This article was originally published on The Conversation. Read the original article.", "disclaimer"),
        ("Dieser Artikel erschien zuerst bei Zeit Online.", "disclaimer"),
        ("Este artículo fue publicado originalmente en The Conversation.", "disclaimer"),
    ],
)
def test_general_junk_shapes_in_other_languages(line, reason):
    assert clean_lines(line)[0].dropped == reason


@pytest.mark.parametrize(
    "claim",
    [  # the offers of a site, reported or in the third person, and leads that introduce content
        "Readers can subscribe to the service for $5 a month, the company said.",
        "You can now subscribe to the cheaper plan for $6.99 a month, the company said on Tuesday.",
        "Subscribers can log in to the new app from Monday, the bank said.",
        "Les abonnés du réseau pourront se connecter au nouveau service dès lundi.",
        "The newspaper's digital subscriptions rose 12% to 1.1 million in the second quarter.",
        "The newsletter, which has 50,000 subscribers, was sold to a media group in 2021.",
        "The European Commission fined the company €2.4 billion for abusing its dominance in search.",
        "The commission found links between the contractor and two city officials.",
        "The company's Canadian affiliate reported a loss of $40 million.",
        "We tested 14 models under $200 in a sealed 300-square-foot room.",
        "They refuse to send us the weapons we need, the minister complained.",
        "Many readers write to us about the state of the roads.",
        "Residents can email their concerns to council@northfield.gov before Friday.",
        "Die Bank kassiert eine Provision von zwei Prozent auf jede Überweisung.",
        "Sie hatte Mühe, die Abonnenten des Senders zu halten.",
        "Ein Schreiben, das der Redaktion vorliegt, zeigt die Pläne des Konzerns.",
        "„Abonnieren Sie unseren Kanal“, rief der Influencer seinen Fans zu.",
        "Le journal a perdu 8 000 abonnés l'an dernier, selon son directeur.",
        "El diario perdió 8.000 suscriptores el año pasado, según su director.",
        "Comparte esta opinión buena parte de la oposición.",
        "The lab's director listed three findings:",
        "Mehr als 40.000 Haushalte sind betroffen.",
        "Plus de 300 personnes ont manifesté samedi à Rouen.",
        "Bild am Sonntag reported the story first.",
        "Cookies sold at the fair raised €500.",
        "The virus first appeared in Wuhan in late 2019.",
        "The story was first published by the Guardian in 2018.",
    ],
)
def test_claims_that_sound_like_notices_are_kept(claim):
    assert clean_lines(claim)[0].dropped is None


def test_ticker_title_needs_ticker_rows_below():
    lines = clean_lines("Coin Marketplace\n\nThe market fell sharply on Monday.")
    assert lines[0].dropped is None


def test_wikinews_sentence_lines_are_kept():
    dropped_prose = []
    for row in WIKINEWS.read_text(encoding="utf-8").splitlines():
        text = unicodedata.normalize("NFKC", json.loads(row)["text"])
        for line in clean_lines(text):
            if line.dropped and len(line.text.split()) >= 8 and line.text.endswith((".", '."', ".”")):
                dropped_prose.append(line.text)
    assert dropped_prose == []


LINE_PIECES = st.sampled_from(
    [
        "\n",
        "\r\n",
        "\n\n",
        " ",
        "\u00a0",
        "\t",
        "# ",
        "## ",
        "- ",
        "* ",
        "> ",
        ">> ",
        "1. ",
        "#",
        "=",
        "---",
        "Login",
        "See also ",
        "BTC 59888.38",
        "cc ",
        "http://x.ru/a",
        "Russia sent troops.",
        "“Quote,” he said.",
        "Sign up",
        "2 years ago",
        "\u2028",
        "\x0c",
        "…",
        "Ω",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    pieces=st.lists(st.one_of(LINE_PIECES, st.text(max_size=12)), max_size=30),
    format=st.sampled_from(["text", "markdown", "html"]),
)
def test_clean_lines_never_crashes_and_offsets_hold(pieces, format):
    text = "".join(pieces)
    lines = clean_lines(text, format)
    previous_end = 0
    for line in lines:
        assert text[line.start : line.end] == line.text
        assert line.text and line.text == line.text.strip()
        assert line.start >= previous_end
        assert line.dropped is None or line.dropped in REASONS
        previous_end = line.end
    assert len(lines) <= len(text.splitlines())
