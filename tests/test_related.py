"""Related claims on the seeds: the same claim in other words found, look-alikes kept below it."""

import json
import sqlite3

import numpy as np
import pytest
from corpora import SEEDS
from typer.testing import CliRunner

from claimtrack import pipeline
from claimtrack.cli import app
from claimtrack.filters import Filters
from claimtrack.related import claims_like, embed_claims, find, load_encoder, related_to_claim
from claimtrack.related.score import Profile, features
from claimtrack.related.vectors import CODE_DIMENSIONS, Codes, cosines, nearest, sign_words, to_int8
from claimtrack.store import open_store
from claimtrack.store import vectors as vectors_store

GROUPS = (  # seed 002 twice and seed 004; seed 002 and 004; seed 003 and 004
    ("refused to recognize Putin", "not recognize the quasi-states", "do not recognize the independence of the two"),
    ("Astana also cancelled the annual Victory Day", "The Kazakh Defense Ministry canceled a military parade"),
    ("At the invitation of President Kassym-Jomart Tokayev", "In January, the President of Kazakhstan, Qasim"),
)
TAIWAN = "Tokayev also stated he would not recognize Taiwan"
PROTESTS = "pro-Ukrainian protests were recognized"


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("related") / "claimtrack.db"
    result = CliRunner().invoke(app, ["--db", str(db), "embed"])  # creates the database: nothing to encode
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(app, ["--db", str(db), "ingest", str(SEEDS)]).exit_code == 0
    result = CliRunner().invoke(app, ["--db", str(db), "embed", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["encoded"] > 100
    return db


@pytest.fixture
def seeded(seeded_db):
    store = open_store(seeded_db)
    yield store
    store.close()


def claim_id(store, start: str) -> int:
    return store.conn.execute(
        "SELECT id FROM sentences WHERE kind = 'claim' AND text LIKE ? ORDER BY id LIMIT 1", (f"%{start}%",)
    ).fetchone()[0]


@pytest.mark.parametrize("group", GROUPS, ids=["donetsk", "parade", "troops"])
def test_each_claim_of_a_group_finds_the_others_in_its_top_three(seeded, group):
    ids = [claim_id(seeded, start) for start in group]
    for own in ids:
        top = [r.claim_id for r in related_to_claim(seeded, own, load_encoder(), 3)]
        assert set(ids) - {own} <= set(top), (own, top)


def test_look_alikes_rank_below_the_true_partners(seeded):
    donetsk = [claim_id(seeded, start) for start in GROUPS[0]]
    look_alikes = {claim_id(seeded, TAIWAN), claim_id(seeded, PROTESTS)}
    for own in donetsk:
        order = [r.claim_id for r in related_to_claim(seeded, own, load_encoder(), 500)]
        worst_partner = max(order.index(other) for other in donetsk if other != own)
        assert all(order.index(x) > worst_partner for x in look_alikes if x in order), own


def test_search_like_finds_both_parade_claims_first(seeded_db):
    result = CliRunner().invoke(
        app, ["--db", str(seeded_db), "search", "--like", "Kazakhstan cancelled the Victory Day parade", "--json"]
    )
    assert result.exit_code == 0, result.output
    texts = [r["text"] for r in json.loads(result.output)[:2]]
    assert any("Astana also cancelled the annual Victory Day" in t for t in texts)
    assert any("Defense Ministry canceled a military parade" in t for t in texts)


def test_search_like_keeps_the_filters_of_search(seeded):
    text = "Kazakhstan cancelled the Victory Day parade"
    found = claims_like(seeded, text, load_encoder(), 20, Filters(since="2022"))
    dated = dict(seeded.conn.execute("SELECT id, date FROM sentences WHERE kind = 'claim'"))
    assert found and all(dated[r.claim_id] and dated[r.claim_id] >= "2022" for r in found)


def test_related_command_shows_evidence_and_keeps_what_it_found_for_datasette(seeded_db):
    store = open_store(seeded_db)
    parade, partner = claim_id(store, GROUPS[1][0]), claim_id(store, GROUPS[1][1])
    store.close()
    result = CliRunner().invoke(app, ["--db", str(seeded_db), "related", str(parade), "--limit", "3", "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found[0]["id"] == partner
    assert {"parade", "cancel"} <= set(found[0]["evidence"]["shared_terms"])
    assert found[0]["evidence"]["shared_countries"] == ["KZ"]
    conn = sqlite3.connect(seeded_db)
    rows = conn.execute("SELECT related_id, rank FROM related_view WHERE claim_id = ? ORDER BY rank", (parade,))
    assert [r[0] for r in rows] == [r["id"] for r in found]
    shown = CliRunner().invoke(app, ["--db", str(seeded_db), "show", str(parade), "--json"])
    assert partner in [r["id"] for r in json.loads(shown.output)["related"]]


def test_a_claim_that_does_not_exist_is_one_line_error(seeded_db):
    result = CliRunner().invoke(app, ["--db", str(seeded_db), "related", "999999"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == ["Error: no claim with id 999999"]


class WordHashEncoder:
    """Vectors from the words of a text alone: enough to follow where vectors are stored."""

    name = "word-hash-test"

    def __init__(self, fail_after: int | None = None):
        self.calls, self.fail_after = 0, fail_after

    def encode(self, texts):
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise KeyboardInterrupt
        vectors = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                vectors[row, sum(map(ord, word)) % 64] += 1
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def stored_vectors(store) -> dict[int, bytes]:
    return dict(store.conn.execute("SELECT sentence_id, vector FROM claim_vectors"))


def test_an_interrupted_embed_resumes_and_ends_as_a_clean_one(tmp_path, monkeypatch):
    monkeypatch.setattr(find, "EMBED_BATCH", 16)
    clean = open_store(tmp_path / "clean.db")
    pipeline.ingest([str(SEEDS)], clean, workers=1)
    embed_claims(clean, WordHashEncoder())
    interrupted = open_store(tmp_path / "interrupted.db")
    pipeline.ingest([str(SEEDS)], interrupted, workers=1)
    with pytest.raises(KeyboardInterrupt):
        embed_claims(interrupted, WordHashEncoder(fail_after=4))  # the probe and three batches
    assert len(stored_vectors(interrupted)) == 48  # the probe, then three batches committed
    assert embed_claims(interrupted, WordHashEncoder()) == len(stored_vectors(clean)) - 48
    assert stored_vectors(interrupted) == stored_vectors(clean)
    assert sorted(i for block in interrupted.vector_codes() for i in block.ids) == sorted(stored_vectors(clean))


def test_another_encoder_replaces_the_vectors_never_mixes_them(tmp_path):
    store = open_store(tmp_path / "c.db")
    pipeline.ingest([str(SEEDS)], store, workers=1)
    embed_claims(store, WordHashEncoder())
    hashed = stored_vectors(store)
    embed_claims(store, load_encoder())
    assert store.vector_encoder() == "wordllama"
    assert stored_vectors(store).keys() == hashed.keys()
    assert all(len(v) == 256 for v in stored_vectors(store).values())
    with pytest.raises(Exception, match="stored vectors are of wordllama"):
        claims_like(store, "parade", WordHashEncoder(), 5)


def test_claims_of_a_replaced_document_leave_the_codes(tmp_path, monkeypatch):
    page = tmp_path / "wire.txt"
    page.write_text("Kazakhstan cancelled its Victory Day parade this year, officials said.\n", encoding="utf-8")
    store = open_store(tmp_path / "c.db")
    pipeline.ingest([str(SEEDS), str(page)], store, workers=1)
    embed_claims(store, WordHashEncoder())
    old = claim_id(store, "Kazakhstan cancelled its Victory Day parade")
    page.write_text("Kazakhstan held its Victory Day parade after all, officials said.\n", encoding="utf-8")
    pipeline.ingest([str(page)], store, workers=1)
    assert embed_claims(store, WordHashEncoder()) == 1
    new = claim_id(store, "Kazakhstan held its Victory Day parade")
    ids = {i for block in store.vector_codes() for i in block.ids.tolist()}
    assert new in ids and old not in stored_vectors(store)
    assert old not in {r.claim_id for r in related_to_claim(store, new, WordHashEncoder(), 500)}
    monkeypatch.setattr(vectors_store, "MAX_STALE_SHARE", 0.0)
    assert store.compact_vector_blocks()
    assert {i for block in store.vector_codes() for i in block.ids.tolist()} == set(stored_vectors(store))


def test_nearest_codes_are_those_of_the_smallest_hamming_distance():
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((5_000, 256)).astype(np.float32)
    words = sign_words(to_int8(vectors))
    blocks = [
        Codes(np.arange(start, start + 1_000) * 7, words[:, start : start + 1_000]) for start in range(0, 5_000, 1_000)
    ]
    query = vectors[42] + 0.3 * rng.standard_normal(256).astype(np.float32)
    bits = ((to_int8(vectors) > 0) != (to_int8(query.reshape(1, -1)) > 0))[:, :CODE_DIMENSIONS]
    distances = bits.sum(axis=1)
    found = np.array(nearest(blocks, query, 50)) // 7
    assert found[0] == 42
    assert len(found) >= 50
    cut = distances[found].max()
    assert set(found.tolist()) == set(np.flatnonzero(distances <= cut).tolist())
    assert list(distances[found]) == sorted(distances[found])


def test_int8_cosines_are_close_to_float_ones():
    rng = np.random.default_rng(4)
    vectors = rng.standard_normal((200, 256)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    exact = vectors @ vectors[0]
    assert np.abs(cosines(to_int8(vectors), vectors[0]) - exact).max() < 0.02


def test_a_look_alike_naming_other_countries_conflicts_and_a_summary_does_not():
    def rarity(word):
        return 1.0

    claim = Profile.of("Tokayev will not recognize the republics Russia created in Ukraine", rarity, {"KZ", "RU", "UA"})
    summary = Profile.of("Kazakhstan does not recognize the Donetsk and Luhansk republics", rarity, {"KZ", "UA"})
    taiwan = Profile.of("Tokayev also said he would not recognize Taiwan", rarity, {"KZ", "TW", "CN"})
    assert features(claim, summary, 0.5)["country_conflict"] == 0
    assert features(claim, summary, 0.5)["shared_countries"] == 1
    assert features(claim, taiwan, 0.5)["country_conflict"] == 1
    may = Profile.of("The parade of May 9 was cancelled", rarity, date="--05-09")
    same_may = Profile.of("The parade of 9 May 2022 was cancelled", rarity, date="2022-05-09")
    june = Profile.of("The parade was cancelled in June", rarity, date="2022-06")
    assert features(may, same_may, 0.5)["date_conflict"] == 0
    assert features(may, june, 0.5)["date_conflict"] == 1
