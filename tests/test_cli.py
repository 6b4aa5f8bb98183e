"""The command line end to end on the seed documents."""

import csv
import io
import json
import re

import pytest
from corpora import SEEDS
from typer.testing import CliRunner

from claimtrack.cli import app
from claimtrack.store import CLAIM_RECORD_FIELDS

JUNK = [
    "1 to 10 of about 184",
    "Sign up to receive emails",
    "cc kremlin.ru",
    "The views expressed in this article",
    "Back to Top",
    "Login",
    "Lost your password?",
    "in #asia2 years ago",
    "Coin Marketplace",
    "STEEM 0.17",
    "BTC 59888.38",
    "See also",
    ">> Read more",
    ">> See:",
    "Leave a Reply",
    "Your email address will not be published.",
    "Join our mailing list",
]
HEADINGS = [
    "The importance of Kazakhstan",
    "Leadership in Central Asia",
    "Fear of the “Ukrainian” scene",
    "On the wrong side of the “Iron Curtain”",
]
QUESTION = "Do we see in this the beginning of the loss of Russian influence?"


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(app, list(args), input=input)


def ok(*args: str, input: str | None = None) -> str:
    result = run(*args, input=input)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A database with the five seeds, shared by the read-only tests of this module."""
    db = tmp_path_factory.mktemp("seeded") / "claimtrack.db"
    result = CliRunner().invoke(app, ["--db", str(db), "ingest", str(SEEDS), "--json"])
    assert result.exit_code == 0, result.output
    return db, json.loads(result.stdout)


def seeded_json(seeded, *args: str):
    db, _ = seeded
    result = CliRunner().invoke(app, ["--db", str(db), *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def all_claims(seeded) -> list[dict]:
    db, _ = seeded
    return json.loads(ok("--db", str(db), "export", "--all", "--format", "json"))


def test_ingest_reports_what_went_in(seeded):
    _, report = seeded
    assert (report["new"], report["unchanged"], report["failed"]) == (5, 0, [])
    assert report["claims"] > 60
    assert report["dropped"] >= 15


def test_ingesting_again_adds_nothing(seeded):
    db, _ = seeded
    report = json.loads(ok("--db", str(db), "ingest", str(SEEDS), "--json"))
    assert (report["new"], report["replaced"], report["unchanged"]) == (0, 0, 5)
    assert seeded_json(seeded, "stats")["documents"] == 5


def test_no_junk_line_heading_or_question_is_a_claim(seeded):
    texts = [claim["text"] for claim in all_claims(seeded)]
    for junk in JUNK:
        assert not [t for t in texts if junk in t], junk
    for heading in HEADINGS + [QUESTION]:
        assert heading not in texts


def tokayev_sentences(seeded) -> set[str]:
    return {c["text"] for c in all_claims(seeded) if "tokayev" in c["text"].casefold()}


@pytest.mark.parametrize("query", ["Tokayev", "Tokaev", "tokayev", "TOKAYEV"])
def test_search_finds_every_tokayev_claim_in_all_five_documents(seeded, query):
    expected = tokayev_sentences(seeded)
    found = seeded_json(seeded, "search", query, "--all", "--limit", "100")
    assert {r["text"] for r in found} == expected
    assert len({r["source"] for r in found}) == 5
    assert any("TokayevForced" in r["text"] for r in found)


def test_seed_tokayev_sentences_are_all_claims(seeded):
    db, _ = seeded
    every_line = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    assert every_line.count("Tokayev") >= 14
    assert len(tokayev_sentences(seeded)) >= 12


def test_search_json_is_the_claim_record(seeded):
    found = seeded_json(seeded, "search", "Samarkand")
    assert len(found) == 1
    assert list(found[0]) == list(CLAIM_RECORD_FIELDS)
    assert found[0]["source"].endswith("001_82dca81d4355fbb5.txt")
    assert found[0]["publisher"] == "Carnegie Endowment for International Peace"


def test_search_shows_one_row_per_cluster_unless_all(seeded):
    once = seeded_json(seeded, "search", "soft power dissipating")
    every = seeded_json(seeded, "search", "soft power dissipating", "--all")
    assert len(once) == 1 and once[0]["sources_count"] == 2
    assert len(every) == 2


def test_search_table_highlights_the_matched_words(seeded):
    db, _ = seeded
    result = CliRunner().invoke(app, ["--db", str(db), "search", "Samarkand"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "city of Samarkand on September 16" in result.output
    assert "001_82dca81d4355fbb5.txt" in result.output


@pytest.mark.parametrize(
    "query", ['"', "AND (", "U.S.", "*", "NEAR(a b)", "'; DROP TABLE claims; --", "🙂 Kazakhstan", "x" * 10_000]
)
def test_any_query_gives_results_or_a_clear_message(seeded, query):
    db, _ = seeded
    result = run("--db", str(db), "search", query)
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1)
    if result.exit_code:
        assert len(result.output.strip().splitlines()) == 1


def test_empty_query_is_one_line_error(seeded):
    db, _ = seeded
    result = run("--db", str(db), "search", "")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: the query has no words to search for"


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_export_formats_carry_the_claim_record(seeded, fmt):
    db, _ = seeded
    output = ok("--db", str(db), "export", "--format", fmt)
    if fmt == "json":
        records = json.loads(output)
    elif fmt == "jsonl":
        records = [json.loads(line) for line in output.splitlines()]
    else:
        rows = list(csv.reader(io.StringIO(output)))
        assert tuple(rows[0]) == CLAIM_RECORD_FIELDS
        records = [dict(zip(rows[0], row)) for row in rows[1:]]
    assert len(records) > 50
    assert list(records[0]) == list(CLAIM_RECORD_FIELDS)
    assert len(records) == len({r["cluster_id"] for r in records})


def test_export_to_a_file(seeded, tmp_path):
    db, _ = seeded
    target = tmp_path / "out" / "claims.jsonl"
    ok("--db", str(db), "export", "--format", "jsonl", "--output", str(target))
    assert len(target.read_text(encoding="utf-8").splitlines()) > 50


def test_dupes_lists_the_carnegie_teasers_shared_by_both_pages(seeded):
    clusters = seeded_json(seeded, "dupes")
    assert len(clusters) >= 5
    for cluster in clusters:
        assert cluster["sources_count"] >= 2 and cluster["variants_count"] == 0
        sources = {m["source"].rsplit("/", 1)[-1][:3] for m in cluster["members"]}
        assert sources == {"000", "001"}
        assert all(m["similarity"] >= 85 for m in cluster["members"])


def test_show_gives_the_claim_its_context_and_cluster(seeded):
    claim = seeded_json(seeded, "search", "soft power dissipating")[0]
    shown = seeded_json(seeded, "show", str(claim["id"]))
    assert shown["text"] == claim["text"]
    assert len(shown["cluster"]) == 2
    assert claim["id"] in [row["id"] for row in shown["context"]]


def test_sources_and_stats(seeded):
    sources = seeded_json(seeded, "sources")
    assert len(sources) == 5
    assert sources[2]["title"] == "A New Central Asia? Kazakhstan’s Drift from Moscow"
    stats = seeded_json(seeded, "stats")
    assert stats["claims"] == sum(s["claims"] for s in sources)


def test_ingest_from_standard_input_with_metadata(tmp_path):
    db = str(tmp_path / "stdin.db")
    text = "Kazakhstan cancelled the parade.\nIt was a signal to Moscow.\n"
    report = json.loads(
        ok("--db", db, "ingest", "-", "--title", "Parade", "--date", "2022-05-01", "--json", input=text)
    )
    assert report["new"] == 1 and report["claims"] == 2
    source = seeded_json((db, None), "sources")[0]
    assert (source["title"], source["date"]) == ("Parade", "2022-05-01")


def test_a_bad_file_is_reported_and_the_rest_goes_in(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.txt").write_text("Kazakhstan cancelled the parade.", encoding="utf-8")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    result = run("--db", str(tmp_path / "x.db"), "ingest", str(folder), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["new"] == 1
    assert [f["source"].rsplit("/", 1)[-1] for f in report["failed"]] == ["image.txt"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["export", "--format", "xml"], "--format is one of csv, json, jsonl"),
        (["search", "x", "--since", "May"], "--since takes YYYY"),
        (["search", "x", "--country", "Narnia"], "unknown country 'Narnia'"),
        (["export", "--country", "Kazakstan"], "unknown country 'Kazakstan'; did you mean KZ (Kazakhstan)?"),
        (["show", "999999"], "there is no sentence with id 999999"),
        (["ingest", "--date", "yesterday", "x.txt"], "--date takes YYYY-MM-DD"),
    ],
)
def test_errors_are_one_line_without_traceback(args, message):
    result = run(*args)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


def test_a_directory_as_database_is_a_clear_error(tmp_path):
    result = run("--db", str(tmp_path), "stats")
    assert result.exit_code == 1
    assert re.fullmatch(r"Error: .* is a folder, not a database file", result.output.strip())


def test_version():
    assert re.fullmatch(r"claimtrack \d+\.\d+\.\d+\n", ok("--version"))


KAZAKHSTAN_WORDS = re.compile(r"Kazakh|Astana|Tokayev|Nazarbayev")


@pytest.mark.parametrize("code", ["KZ", "kz", "KAZ", "Kazakhstan"])
def test_export_country_kz_is_exactly_the_claims_about_kazakhstan(seeded, code):
    db, _ = seeded
    about_kz = json.loads(ok("--db", str(db), "export", "--all", "--country", code, "--format", "json"))
    every = all_claims(seeded)
    assert {c["id"] for c in about_kz} == {c["id"] for c in every if KAZAKHSTAN_WORDS.search(c["text"])}
    assert all("KZ" in c["countries"] for c in about_kz)


def test_a_claim_gets_only_the_countries_it_names(seeded):
    [claim] = [c for c in all_claims(seeded) if c["text"] == "Two others are Tajikistan and Kyrgyzstan."]
    assert claim["countries"] == ["KG", "TJ"]
    region_only = [c for c in all_claims(seeded) if c["text"].startswith("Central Asia is very interested")]
    assert "KZ" not in region_only[0]["countries"]


def test_actors_lists_one_tokayev_with_his_country(seeded):
    people = seeded_json(seeded, "actors", "--kind", "person")
    tokayevs = [a for a in people if "Tokayev" in a["name"]]
    assert len(tokayevs) == 1
    assert tokayevs[0]["country"] == "KZ"
    assert {
        "Kassym-Jomart Tokayev", "Qasim-Jomart Tokayev", "President Tokayev", "Tokayev", "TokayevForced"
    } <= set(tokayevs[0]["aliases"])  # fmt: skip
    assert len([a for a in people if "Keosayan" in a["name"] or "Kyosyan" in a["name"]]) == 1


def test_actor_filter_and_speaker_role(seeded):
    spoken = seeded_json(seeded, "search", "Kazakhstan", "--actor", "Michael Lewiston", "--role", "speaker", "--all")
    assert spoken and all("Lewiston" in c["text"] or "Kazakh" in c["text"] for c in spoken)
    assert seeded_json(seeded, "search", "Kazakhstan", "--actor", "Michael Lewiston", "--role", "subject") == []


def test_actors_set_corrects_an_actor_and_its_claims(tmp_path):
    db = str(tmp_path / "set.db")
    ok("--db", db, "ingest", str(SEEDS))
    ok("--db", db, "actors", "set", "Michael Lewiston", "--country", "FR", "--alias", "M. Lewiston")
    [lewiston] = [a for a in seeded_json((db, None), "actors", "--country", "FR") if a["name"] == "Michael Lewiston"]
    assert lewiston["curated"] and "M. Lewiston" in lewiston["aliases"]
    quoted = json.loads(ok("--db", db, "export", "--country", "FR", "--format", "json"))
    assert quoted and all("FR" in c["countries"] for c in quoted)


def test_actors_load_from_a_file(tmp_path):
    db = str(tmp_path / "load.db")
    actors_file = tmp_path / "actors.csv"
    actors_file.write_text("name,kind,country,aliases\nTimur Suleimanov,person,KZ,Suleimanov\n", encoding="utf-8")
    ok("--db", db, "actors", "load", str(actors_file))
    ok("--db", db, "ingest", str(SEEDS))
    [timur] = [a for a in seeded_json((db, None), "actors", "--country", "KZ") if a["name"] == "Timur Suleimanov"]
    assert timur["claims"] >= 1


def test_export_jsonld_gives_schema_org_claims(seeded):
    db, _ = seeded
    graph = json.loads(ok("--db", str(db), "export", "--format", "jsonld"))["@graph"]
    assert all(item["@type"] == "Claim" for item in graph)
    [samarkand] = [c for c in graph if "Samarkand" in c["text"]]
    assert samarkand["temporalCoverage"] == "2022-09-16"
    assert {"@type": "Country", "name": "Kazakhstan", "identifier": "KZ"} in samarkand["about"]
    [teaser] = [c for c in graph if c["text"].startswith("Moscow had every opportunity")]
    assert len(teaser["appearance"]) == 2 and teaser["firstAppearance"] == teaser["appearance"][0]
    [quote] = [c for c in graph if c["text"].startswith("“Today, only Russia intervenes")]
    assert quote["author"] == [{"@type": "Person", "name": "Michael Lewiston"}]


def test_csv_export_neutralises_formulas(tmp_path):
    db = str(tmp_path / "csv.db")
    ok("--db", db, "ingest", "-", input='=HYPERLINK("http://x") claims the sky is green.\n')
    rows = list(csv.reader(io.StringIO(ok("--db", db, "export"))))
    assert rows[1][1].startswith("'=HYPERLINK")


def test_timeline_counts_claims_per_period(seeded):
    timeline = seeded_json(seeded, "timeline", "--by", "year")
    series = {row["period"]: row["count"] for row in timeline["series"]}
    assert series["2022"] >= 4
    assert [c["date"] for c in timeline["claims"]] == sorted(c["date"] for c in timeline["claims"])
    kz_2022 = seeded_json(seeded, "timeline", "Samarkand", "--since", "2022-09", "--until", "2022-09")
    assert [c["date"] for c in kz_2022["claims"]] == ["2022-09-16"]


def test_since_and_until_filter_on_claim_dates(seeded):
    found = seeded_json(seeded, "search", "Kazakhstan", "--since", "2022", "--until", "2022-12-31", "--all")
    assert found and all(c["date"].startswith("2022") for c in found)
    assert seeded_json(seeded, "search", "Kazakhstan", "--since", "2030") == []
    assert seeded_json(seeded, "search", "Kazakhstan", "--since", "2030", "--by", "doc") == []
    by_document = seeded_json(seeded, "search", "Kazakhstan", "--since", "2000", "--by", "doc", "--all")
    assert {c["source"].rsplit("/", 1)[-1] for c in by_document} == {"003_f0237684885c98e4.txt"}  # "2 years ago"


CARNEGIE_BLURB = (
    "In a complex, changing, and increasingly contested world, the Carnegie Endowment generates strategic ideas "
    "and independent analysis, supports diplomacy, and trains the next generation of international "
    "scholar-practitioners to help countries and institutions take on the most difficult global problems and "
    "safeguard peace."
)
TEASER = "Moscow had every opportunity to make the Central Asian nations gravitate toward it of their own accord."


def test_a_blurb_a_publisher_repeats_on_many_pages_becomes_boilerplate(tmp_path):
    folder = tmp_path / "carnegie"
    folder.mkdir()
    for page in range(3):
        (folder / f"page{page}.txt").write_text(
            f"Claim number {page} differs on every page of this listing.\n{TEASER}\n{CARNEGIE_BLURB}\n",
            encoding="utf-8",
        )
    db = str(tmp_path / "blurb.db")
    ok("--db", db, "ingest", str(folder), "--publisher", "Carnegie Endowment for International Peace")
    texts = [c["text"] for c in json.loads(ok("--db", db, "export", "--all", "--format", "json"))]
    assert CARNEGIE_BLURB not in texts
    assert texts.count(TEASER) == 3
    [cluster] = seeded_json((db, None), "dupes")
    assert cluster["text"] == TEASER and cluster["sources_count"] == 3


def test_a_blurb_seen_on_two_pages_only_stays_a_claim(seeded):
    texts = [c["text"] for c in all_claims(seeded)]
    assert CARNEGIE_BLURB in texts


def test_variants_keep_mutated_claims_apart_and_link_them(tmp_path):
    folder = tmp_path / "wires"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Last September saw an eruption of border clashes that left close to 100 dead and many wounded.\n"
        "Kazakhstan will recognize the independence of the two self-proclaimed republics.\n",
        encoding="utf-8",
    )
    (folder / "b.txt").write_text(
        "Last September saw an eruption of border clashes that left close to 300 dead and many wounded.\n"
        "Kazakhstan will not recognize the independence of the two self-proclaimed republics.\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "variants.db")
    ok("--db", db, "ingest", str(folder))
    assert seeded_json((db, None), "dupes") == []
    links = seeded_json((db, None), "variants")
    assert sorted((link["kind"], link["a_value"], link["b_value"]) for link in links) == [
        ("negation", "", "not"),
        ("number", "100", "300"),
    ]
    numbers = seeded_json((db, None), "variants", "--kind", "number")
    assert [link["a"]["text"][-40:] for link in numbers] == ["left close to 100 dead and many wounded."]
    assert seeded_json((db, None), "variants", "clashes", "--kind", "negation") == []
    record = seeded_json((db, None), "show", str(numbers[0]["a"]["id"]))
    assert record["variants_count"] == 1 and record["variants"][0]["kind"] == "number"
    result = CliRunner().invoke(app, ["--db", db, "variants"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "negation" in result.output and "300" in result.output


def test_csv_export_leaves_a_partial_date_alone_but_escapes_a_formula_in_text(tmp_path):
    db = str(tmp_path / "partial.db")
    wire = (
        "The talks between Astana and Moscow resume in June, officials said.\n\n"
        "=SUM(A1) was the only formula in the leaked budget sheet, the auditors said.\n"
    )
    ok("--db", db, "ingest", "-", input=wire)
    header, *rows = csv.reader(io.StringIO(ok("--db", db, "export", "--format", "csv")))
    by_text = {row[header.index("text")]: row for row in rows}
    june = by_text["The talks between Astana and Moscow resume in June, officials said."]
    assert june[header.index("date")] == "--06"
    assert "'=SUM(A1) was the only formula in the leaked budget sheet, the auditors said." in by_text


def test_csv_cells_a_spreadsheet_would_run_are_text_numbers_and_dates_are_not():
    from claimtrack import render

    out = io.StringIO()
    row = {"text": "-2+3+cmd|' /C calc'!A0", "date": "--06-15", "delta": "-12.5"}
    render.write_csv([row], ["text", "date", "delta"], out)
    assert out.getvalue().splitlines()[1] == "'-2+3+cmd|' /C calc'!A0,--06-15,-12.5"


def test_seed_003s_blog_stamp_counts_back_from_the_day_it_was_saved_not_from_the_clone(seeded):
    [steemit] = [s for s in seeded_json(seeded, "sources") if s["source"].endswith("003_f0237684885c98e4.txt")]
    assert (steemit["date"], steemit["date_source"]) == ("2022", "relative-stamp (retrieved)")
    claims = [c for c in seeded_json(seeded, "timeline")["claims"] if c["source"] == steemit["source"]]
    years = [c["date"][:4] for c in claims]
    assert len(years) >= 25 and years.count("2022") >= len(years) - 3 and max(years) == "2022"
