import sqlite3
from pathlib import Path

import pytest
from corpora import SCHEMA_V1_DATABASE, SEEDS, WIKINEWS

from claimtrack import settings
from claimtrack.actors import Actor
from claimtrack.dedupe import Clusterer, keyed
from claimtrack.errors import DatabaseError
from claimtrack.filters import Filters
from claimtrack.pipeline import ingest
from claimtrack.models import CLAIM, HEADING, ActorMention, Document, ProcessedDocument, Sentence
from claimtrack.store import DocumentNotStored, open_store
from claimtrack.store.clusters import REFRESH_CLUSTERS
from claimtrack.store.schema import SCHEMA_VERSION

SHARED = "Moscow had every opportunity to make the Central Asian nations gravitate toward it of their own accord."
OTHER = "Central Asia is very interested in finding new alternatives and China is the best alternative."


def processed(source: str, *claims: str, heading: str | None = None, digest: str = "h1") -> ProcessedDocument:
    texts = ([heading] if heading else []) + list(claims)
    text = "\n".join(texts)
    sentences, offset = [], 0
    for position, sentence in enumerate(texts):
        kind = HEADING if sentence == heading else CLAIM
        sentences.append(Sentence(position, offset, offset + len(sentence), sentence, kind))
        offset += len(sentence) + 1
    document = Document(source=source, text=text, content_hash=digest, title=source.upper())
    result = ProcessedDocument(document, sentences)
    for sentence in sentences:
        if "Central Asia" in sentence.text:
            result.actors[sentence.position] = [ActorMention("Central Asia", "region", None, "subject", "Central Asia")]
        if "China" in sentence.text:
            result.actors.setdefault(sentence.position, []).append(
                ActorMention("China", "country", "CN", "subject", "China")
            )
    return result


def actors_of(item):
    return {m.name: Actor(m.name, m.kind, m.country, {m.surface}) for ms in item.actors.values() for m in ms}


def write(store, item):
    return store.write_document(item, actors_of(item), store.clusterer())


def test_a_new_database_has_the_current_schema_version(store):
    assert store.schema_version() == SCHEMA_VERSION
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_writing_a_document_stores_sentences_claims_and_the_text_index(store):
    result = write(store, processed("a.txt", SHARED, OTHER, heading="The importance of Kazakhstan"))
    assert (result.status, result.claims, result.sentences) == ("new", 2, 3)
    hits = store.search('"gravitate"*', Filters(), 10, every_appearance=False)
    assert [h["text"] for h in hits] == [SHARED]
    assert "\x02gravitate\x03" in hits[0]["marked"]


def test_the_same_claim_in_two_documents_is_one_cluster(store):
    write(store, processed("a.txt", SHARED, OTHER))
    write(store, processed("b.txt", SHARED.upper().replace(".", "…")))
    clusters = store.dupes(Filters(), min_sources=2, limit=10)
    assert len(clusters) == 1
    assert clusters[0]["sources_count"] == 2
    assert {m["source"] for m in clusters[0]["members"]} == {"a.txt", "b.txt"}
    per_cluster = store.search('"gravitate"*', Filters(), 10, every_appearance=False)
    every = store.search('"gravitate"*', Filters(), 10, every_appearance=True)
    assert (len(per_cluster), len(every)) == (1, 2)
    assert per_cluster[0]["sources_count"] == 2


def test_replacing_a_document_splits_the_clusters_it_bridged(store):
    write(store, processed("a.txt", SHARED))
    write(store, processed("b.txt", SHARED))
    write(store, processed("b.txt", OTHER, digest="h2"))
    assert store.dupes(Filters(), min_sources=2, limit=10) == []
    records = list(store.export(Filters(), every_appearance=True))
    assert [r["text"] for r in records] == [SHARED, OTHER]
    assert all(r["sources_count"] == 1 for r in records)
    assert store.stats()["documents"] == 2


def test_document_state_tells_unchanged_from_changed(store):
    item = processed("a.txt", SHARED)
    assert store.document_state(item.document) == "new"
    write(store, item)
    assert store.document_state(item.document) == "unchanged"
    assert store.document_state(processed("a.txt", SHARED, digest="other").document) == "changed"


def test_a_failure_inside_a_document_leaves_the_database_as_it_was(store):
    write(store, processed("a.txt", SHARED))

    class Broken(Clusterer):
        def add_many(self, sentences):
            raise RuntimeError("stopped half way")

    with pytest.raises(RuntimeError):
        item = processed("b.txt", OTHER)
        store.write_document(item, actors_of(item), Broken())
    assert store.stats()["documents"] == 1
    assert (
        store.conn.execute("SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH 'alternatives'").fetchone()[0]
        == 0
    )


def test_filters_by_country_source_and_actor(store):
    write(store, processed("carnegie/a.txt", SHARED, OTHER))
    by_country = list(store.export(Filters(countries=("CN",)), every_appearance=False))
    assert [r["text"] for r in by_country] == [OTHER]
    assert by_country[0]["countries"] == ["CN"]
    assert by_country[0]["actors"] == ["Central Asia", "China"]
    assert list(store.export(Filters(source="nowhere"), every_appearance=False)) == []
    assert len(list(store.export(Filters(actors=("central asia",)), every_appearance=False))) == 2
    assert [r["text"] for r in store.export(Filters(actors=("china",)), every_appearance=False)] == [OTHER]


def test_a_database_from_a_newer_claimtrack_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "new.db"
    open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_version VALUES (99, 'later')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="schema version 99"):
        open_store(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("content", [b"this is not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 2000])
def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path, content):
    path = tmp_path / "bad.db"
    path.write_bytes(content)
    with pytest.raises(DatabaseError, match="cannot open"):
        open_store(path)
    assert path.read_bytes() == content


def test_another_programs_database_is_not_taken_over(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE things (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError, match="not claimtrack's"):
        open_store(path)


def test_a_database_of_schema_version_1_is_migrated_in_place(tmp_path):
    """tests/data/schema_v1.db: the seeds as ingested by claimtrack with schema version 1."""
    path = tmp_path / "old.db"
    path.write_bytes(SCHEMA_V1_DATABASE.read_bytes())
    store = open_store(path)
    assert store.schema_version() == SCHEMA_VERSION > 1
    assert store.stats()["documents"] == 5
    tokayev = store.search('"tokayev"*', Filters(), 100, every_appearance=True)
    assert len({hit["source"] for hit in tokayev}) == 5
    views = {row[0] for row in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert {"claims_view", "clusters_view", "variants_view", "actor_timeline"} <= views
    assert store.conn.execute("SELECT count(*) FROM claims_view WHERE countries LIKE '%KZ%'").fetchone()[0] > 40
    indexed = store.conn.execute("SELECT s.text, i.sketch FROM dedupe_index i JOIN sentences s ON s.id = i.sentence_id")
    sketches = {text: sketch for text, sketch in indexed}
    assert len(sketches) > 100 and sketches == {text: keyed(text).sketch for text in sketches}
    store.close()
    assert open_store(path).schema_version() == SCHEMA_VERSION


def _partition(conn: sqlite3.Connection) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for sentence_id, cluster_id in conn.execute("SELECT id, cluster_id FROM sentences WHERE cluster_id IS NOT NULL"):
        groups.setdefault(cluster_id, set()).add(sentence_id)
    return {frozenset(members) for members in groups.values()}


def test_migrated_clusters_keep_their_members_and_the_next_ingest_joins_them(tmp_path):
    path = tmp_path / "old.db"
    path.write_bytes(SCHEMA_V1_DATABASE.read_bytes())
    with sqlite3.connect(path) as old:
        before = _partition(old)
    store = open_store(path)
    conn = store.conn
    assert _partition(conn) == before
    assert conn.execute(
        "SELECT count(*) FROM clusters c WHERE c.id != (SELECT min(id) FROM sentences WHERE cluster_id = c.id)"
    ).fetchone() == (0,)
    assert conn.execute(
        "SELECT count(*) FROM sentences s WHERE cluster_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM dedupe_index i WHERE i.sentence_id = s.id)"
    ).fetchone() == (0,)
    repeated_id, repeated, cluster = conn.execute(
        "SELECT s.id, s.text, s.cluster_id FROM sentences s JOIN clusters c ON c.id = s.cluster_id "
        "WHERE s.kind = 'claim' AND length(s.text) > 80 ORDER BY s.id LIMIT 1"
    ).fetchone()
    write(store, processed("later.txt", repeated, digest="later"))
    joined = conn.execute(
        "SELECT s.cluster_id FROM sentences s JOIN documents d ON d.id = s.document_id WHERE d.source = 'later.txt'"
    ).fetchone()[0]
    assert joined == cluster and cluster <= repeated_id
    conn.execute("INSERT INTO sentences_fts(sentences_fts) VALUES ('integrity-check')")
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    store.close()


def test_a_document_that_fails_inside_a_batch_is_undone_alone(store, monkeypatch):
    insert = type(store).insert_sentences

    def failing_for_c(self, document_id, item, first_id):
        if item.document.source == "c.txt":
            raise RuntimeError("disk said no")
        return insert(self, document_id, item, first_id)

    monkeypatch.setattr(type(store), "insert_sentences", failing_for_c)
    items = [
        processed(name, SHARED, OTHER if name == "b.txt" else SHARED) for name in ("a.txt", "b.txt", "c.txt", "d.txt")
    ]
    with store.ingest_batches(store.clusterer()) as batch:
        outcomes = []
        for item in items:
            try:
                outcomes.append(batch.write(item, actors_of(item)).status)
            except DocumentNotStored as error:
                outcomes.append(f"failed: {error}")
    assert outcomes == ["new", "new", "failed: disk said no", "new"]
    sources = [row[0] for row in store.conn.execute("SELECT source FROM documents ORDER BY source")]
    assert sources == ["a.txt", "b.txt", "d.txt"]
    (cluster,) = store.dupes(Filters(), min_sources=2, limit=10)
    assert {m["source"] for m in cluster["members"]} == {"a.txt", "b.txt", "d.txt"}


def stored_actors_and_kinds(db: Path, batch_documents: int, monkeypatch) -> tuple[set, set, set]:
    monkeypatch.setattr(settings, "BATCH_DOCUMENTS", batch_documents)
    monkeypatch.setattr(settings, "BATCH_SECONDS", 3600.0)
    store = open_store(db)
    ingest([str(WIKINEWS), str(SEEDS)], store, workers=2)
    rows = store.conn.execute
    result = (
        set(rows("SELECT name, kind, country FROM actors")),
        set(rows("SELECT alias, a.name FROM actor_aliases JOIN actors a ON a.id = actor_id")),
        set(rows("SELECT text, kind, reason FROM sentences")),
    )
    store.close()
    return result


def test_what_is_stored_does_not_depend_on_where_batches_end(tmp_path, monkeypatch):
    """Actors (kind, country, aliases) and house blurbs come out as with one transaction a document."""
    one_a_batch = stored_actors_and_kinds(tmp_path / "few.db", 5, monkeypatch)
    assert stored_actors_and_kinds(tmp_path / "many.db", 1000, monkeypatch) == one_a_batch


def _clusters(store) -> set[tuple]:
    columns = "id, representative_id, size, sources_count, first_seen, last_seen"
    return set(store.conn.execute(f"SELECT {columns} FROM clusters"))


def _clusters_counted_whole(store) -> set[tuple]:
    store.conn.execute("BEGIN")
    store.conn.execute("CREATE TEMP TABLE IF NOT EXISTS touched_clusters (id INTEGER PRIMARY KEY)")
    store.conn.execute("DELETE FROM temp.touched_clusters")
    store.conn.execute("INSERT INTO temp.touched_clusters SELECT id FROM clusters")
    store.conn.execute(REFRESH_CLUSTERS)
    counted = _clusters(store)
    store.conn.execute("ROLLBACK")
    return counted


def test_clusters_brought_up_to_date_batch_by_batch_equal_clusters_counted_whole(tmp_path, monkeypatch):
    """A cluster that gains claims in a later batch is updated from them alone; the figures must be
    those of counting every member again, whatever the order of the dates its documents bring."""
    monkeypatch.setattr(settings, "BATCH_DOCUMENTS", 2)
    monkeypatch.setattr(settings, "BATCH_SECONDS", 3600.0)
    wires = tmp_path / "wires"
    wires.mkdir()
    dates = ["2022-03-04", None, "2022-01-15", "2022-03-04", "2021-12-30", None, "2022-05-01", "2022-01-15"]
    store = open_store(tmp_path / "claimtrack.db")
    ingest([str(SEEDS)], store)
    for number, day in enumerate(dates):
        wire = wires / f"wire-{number}.txt"
        wire.write_text(
            f"Grain exports resume\n\nALMATY (Reuters) - Kazakhstan resumed grain exports through the port of "
            f"Aktau after a two-week halt, the agriculture ministry said.\n\nShipment {number} carried "
            f"{1000 + 250 * number} tonnes of wheat to buyers in Iran and Azerbaijan, traders said.\n",
            encoding="utf-8",
        )
        ingest([str(wire)], store, overrides={"date": day} if day else None)
        assert _clusters(store) == _clusters_counted_whole(store)
    grain = store.conn.execute(
        "SELECT size, sources_count, first_seen, last_seen, d.date FROM clusters c "
        "JOIN sentences s ON s.id = c.representative_id JOIN documents d ON d.id = s.document_id "
        "WHERE s.text LIKE '%Kazakhstan resumed grain exports%'"
    ).fetchall()
    assert grain == [(8, 8, "2021-12-30", "2022-05-01", "2021-12-30")]
    (wires / "wire-4.txt").write_text("ALMATY (Reuters) - Wheat prices fell on Tuesday.\n", encoding="utf-8")
    ingest([str(wires / "wire-4.txt")], store, overrides={"date": "2021-12-30"})
    assert _clusters(store) == _clusters_counted_whole(store) and len(_clusters(store)) > 100
