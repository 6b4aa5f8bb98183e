"""Store.search and Store.terms_near on the seeds: bm25 order, windows of newest matches, the copy of the terms."""

import shutil
import sqlite3

import pytest
from corpora import SEEDS
from typer.testing import CliRunner

from claimtrack.cli import app
from claimtrack.filters import Filters
from claimtrack.search import build_query, fold
from claimtrack.store import open_store
from claimtrack.store import queries as store_queries
from claimtrack.store import ranking

QUERIES = ["Tokayev", "Tokaev", "Kazakhstan", "Russia", "China", "the", "power", "soft power", '"Central Asia"',
           "Samarkand", "U.S.", "Moscow Kremlin", "gas", "influence", "cent", "kaza"]  # fmt: skip
FILTERS = [Filters(), Filters(countries=("KZ",)), Filters(actors=("Russia",)), Filters(since="2022")]


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("seeded") / "claimtrack.db"
    result = CliRunner().invoke(app, ["--db", str(db), "ingest", str(SEEDS)])
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def seeded(seeded_db):
    store = open_store(seeded_db)
    yield store
    store.close()


@pytest.fixture
def seeded_copy(seeded_db, tmp_path):
    path = tmp_path / "copy.db"
    shutil.copy(seeded_db, path)
    store = open_store(path)
    yield store
    store.close()


def every_match_ranked(store, fts_query: str, filters: Filters, limit: int, every_appearance: bool) -> list[tuple]:
    """What search means, read plainly: every match scored, best first (ties by id), one per cluster."""
    where = store._filters(filters)
    passing = dict(
        store.conn.execute(
            f"SELECT s.id, s.cluster_id FROM sentences s JOIN documents d ON d.id = s.document_id "
            f"WHERE s.kind = 'claim' AND {where.sql()}",
            where.params,
        ).fetchall()
    )
    matches = store.conn.execute(
        "SELECT rowid, rank FROM sentences_fts WHERE sentences_fts MATCH ?", (fts_query,)
    ).fetchall()
    found, seen = [], set()
    for claim_id, rank in sorted(matches, key=lambda m: (m[1], m[0])):
        if claim_id in passing:
            group = claim_id if every_appearance or passing[claim_id] is None else passing[claim_id]
            if group not in seen:
                seen.add(group)
                found.append((claim_id, round(rank, 4)))
    return found[:limit]


def marked_on_the_index(store, fts_query: str, claim_id: int) -> str:
    return store.conn.execute(
        "SELECT highlight(sentences_fts, 0, char(2), char(3)) FROM sentences_fts "
        "WHERE sentences_fts MATCH ? AND rowid = ?",
        (fts_query, claim_id),
    ).fetchone()[0]


@pytest.mark.parametrize("text", QUERIES)
def test_search_gives_the_best_matches_by_bm25_one_per_cluster(seeded, text):
    fts_query = build_query(text, seeded.terms_near)
    for filters in FILTERS:
        for every_appearance in (False, True):
            for limit in (3, 20, 200):
                found = seeded.search(fts_query, filters, limit, every_appearance)
                expected = every_match_ranked(seeded, fts_query, filters, limit, every_appearance)
                assert [(r["id"], r["rank"]) for r in found] == expected
    for record in seeded.search(fts_query, Filters(), 20, every_appearance=True):
        assert record["marked"] == marked_on_the_index(seeded, fts_query, record["id"])
        assert "\x02" in record["marked"]


def test_with_more_matches_than_a_window_the_newest_are_ranked_first(seeded, monkeypatch):
    fts_query = build_query("Kazakhstan", seeded.terms_near)
    every = every_match_ranked(seeded, fts_query, Filters(), 1000, every_appearance=True)
    assert len(every) > 12
    monkeypatch.setattr(store_queries, "SEARCH_WINDOW", 4)
    found = [(r["id"], r["rank"]) for r in seeded.search(fts_query, Filters(), 1000, every_appearance=True)]
    assert sorted(found) == sorted(every)  # every match is reached, window after window
    newest = sorted(every, key=lambda m: -m[0])
    assert found[:4] == sorted(newest[:4], key=lambda m: (m[1], m[0]))
    assert found[4:12] == sorted(newest[4:12], key=lambda m: (m[1], m[0]))  # the second window is twice as large


def test_filters_that_pass_only_old_matches_reach_older_windows(seeded, monkeypatch):
    fts_query = build_query("Kazakhstan", seeded.terms_near)
    oldest = min(
        r[0] for r in seeded.conn.execute("SELECT rowid FROM sentences_fts WHERE sentences_fts MATCH ?", (fts_query,))
    )
    source = seeded.conn.execute(
        "SELECT d.source FROM sentences s JOIN documents d ON d.id = s.document_id WHERE s.id = ?", (oldest,)
    ).fetchone()[0]
    monkeypatch.setattr(store_queries, "SEARCH_WINDOW", 2)
    found = seeded.search(fts_query, Filters(source=source), 5, every_appearance=True)
    assert found
    assert {r["source"] for r in found} == {source}
    assert found == [r for r in seeded.search(fts_query, Filters(source=source), 100, every_appearance=True)][:5]


def test_the_text_index_has_prefix_indexes_and_follows_edited_text(seeded_copy):
    sql = seeded_copy.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'sentences_fts'").fetchone()[0]
    assert "prefix='3 4 5 6'" in sql
    claim_id = seeded_copy.search('"tokayev"*', Filters(), 1, every_appearance=True)[0]["id"]
    with seeded_copy.transaction():
        seeded_copy.conn.execute(
            "UPDATE sentences SET text = 'Zanzibarian ferries sail at noon.' WHERE id = ?", (claim_id,)
        )
    assert [r["id"] for r in seeded_copy.search('"zanz"*', Filters(), 5, every_appearance=True)] == [claim_id]
    assert claim_id not in {r["id"] for r in seeded_copy.search('"tokayev"*', Filters(), 500, every_appearance=True)}
    seeded_copy.conn.execute("INSERT INTO sentences_fts(sentences_fts) VALUES ('integrity-check')")


def test_terms_near_reads_the_copy_of_the_terms_and_refreshes_it_when_the_index_changes(seeded_copy):
    vocabulary = [r[0] for r in seeded_copy.conn.execute("SELECT term FROM sentences_fts_vocab WHERE term LIKE 't%'")]
    expected = [t for t in vocabulary if 4 <= len(t) <= 9]  # 6 letters, 2 fewer to 3 more
    assert seeded_copy.terms_near("tokaev") == expected
    copied = [r[0] for r in seeded_copy.conn.execute("SELECT term FROM search_terms")]
    assert copied == [r[0] for r in seeded_copy.conn.execute("SELECT term FROM sentences_fts_vocab")]
    claim_id = seeded_copy.search('"tokayev"*', Filters(), 1, every_appearance=True)[0]["id"]
    with seeded_copy.transaction():
        seeded_copy.conn.execute("UPDATE sentences SET text = 'Tokajevs spoke.' WHERE id = ?", (claim_id,))
    assert "tokajevs" in seeded_copy.terms_near("tokaev")
    assert build_query("Tokajews", seeded_copy.terms_near) == '("tokajews"* OR "tokajevs"*)'


def test_terms_near_answers_from_the_index_while_another_connection_writes(seeded_copy, tmp_path):
    other = sqlite3.connect(tmp_path / "copy.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE sentences SET text = 'Tokajevs spoke.' WHERE id = (SELECT min(id) FROM sentences)")
    other.execute("INSERT INTO sentences_fts(sentences_fts) VALUES ('optimize')")
    other.execute("COMMIT")  # the index changed: search_terms is behind
    other.execute("BEGIN IMMEDIATE")  # and cannot be refreshed while this connection writes
    try:
        assert seeded_copy.refresh_search_terms(wait=False) is False
        assert "tokajevs" in seeded_copy.terms_near("tokaev")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert seeded_copy.conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    assert seeded_copy.refresh_search_terms() is True


def test_short_words_and_numbers_do_not_read_the_vocabulary():
    asked = []
    build_query("U.S. 2022 sanctions", lambda word: asked.append(word) or [])
    assert asked == ["sanctions"]


@pytest.mark.parametrize(
    "fts_query", ['"tokayev"*', '"kazakhstan"', '"russia" AND "china"', '("tokaev"* OR "tokayev"*)']
)
def test_the_window_ranking_is_fts5_bm25_where_it_counts_the_same_rows(seeded, fts_query):
    ranked = seeded.conn.execute(
        "SELECT rowid, rank FROM sentences_fts WHERE sentences_fts MATCH ?", (fts_query,)
    ).fetchall()
    mine = dict(seeded.rank_window(ranking.query_phrases(fts_query), [rowid for rowid, _ in ranked]))
    assert ranked and all(abs(mine[rowid] - rank) < 1e-9 for rowid, rank in ranked)


@pytest.mark.parametrize("phrase", ['"of the"', '"central asia"', '"the kremlin"'])
def test_a_phrase_of_common_words_ranked_here_keeps_fts5_order(seeded, monkeypatch, phrase):
    """One phrase: its weight is a constant factor, so the order is FTS5's whatever the count it is weighed by."""
    expected = every_match_ranked(seeded, phrase, Filters(), 1000, every_appearance=True)
    monkeypatch.setattr(ranking, "COSTLY_PHRASE_ROWS", 1)
    assert seeded.phrases_ranked_here(phrase) is not None
    found = seeded.search(phrase, Filters(), 1000, every_appearance=True)
    assert [r["id"] for r in found] == [claim_id for claim_id, _ in expected]
    assert all(r["rank"] < 0 for r in found)


def test_a_phrase_of_rare_words_is_ranked_by_fts5(seeded):
    assert seeded.phrases_ranked_here('"central asia"') is None
    assert seeded.phrases_ranked_here('"tokayev"*') is None


@pytest.mark.parametrize(
    ("words", "prefix", "text", "count"),
    [
        (("and", "and"), False, "Talks went on and and and on.", 2),  # overlapping occurrences
        (("and",), False, "Band members and brandy, and Andes.", 2),  # whole tokens only
        (("and",), True, "Band members and brandy, and Andes.", 3),  # ...or tokens it begins
        (("central", "asia"), False, "Central-Asia's leaders; central Asian states", 1),
        (("central", "asi"), True, "Central-Asia's leaders; central Asian states", 2),
        (("prasident", "tokajew"), False, "Der Präsident Tokajew sagte, PRÄSIDENT  TOKAJEW...", 2),
        (("state", "media"), False, "state_media reported; state-media; statemedia", 2),  # "_" parts tokens
    ],
)
def test_the_window_ranking_counts_a_phrase_as_the_index_tokenises_the_text(words, prefix, text, count):
    pattern = ranking.phrase_pattern(ranking.Phrase(words, prefix))
    assert len(pattern.findall(fold(text))) == count
