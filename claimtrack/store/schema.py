"""The database schema, as ordered migrations.

Each migration is SQL applied once, in order; ``schema_version`` records the
newest one applied. A database made by a newer claimtrack is refused, never
rewritten.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from ..dedupe import Entry, prepare
from ..dedupe.keys import SKETCH_BITS, sketches_of_all
from ..dedupe.match import _cut_short, _match_of
from .index_rows import entry_row

# ---- pieces of the views of migration 2 ---------------------------------------------

# Dates are YYYY, YYYY-MM, YYYY-MM-DD or partial (--MM, --MM-DD); year and month only for full ones.
YEAR_OF = "CASE WHEN {d} GLOB '[0-9][0-9][0-9][0-9]*' THEN substr({d}, 1, 4) END"
MONTH_OF = "CASE WHEN {d} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]*' THEN substr({d}, 1, 7) END"


def _names_of(role_clause: str, column: str) -> str:
    """A JSON array of the distinct actor `column` values of claim s, or NULL when none."""
    return (
        f"(SELECT nullif(json_group_array({column}), '[]') FROM ("
        f"SELECT DISTINCT a.{column} FROM sentence_actors sa JOIN actors a ON a.id = sa.actor_id "
        f"WHERE sa.sentence_id = s.id AND a.{column} IS NOT NULL {role_clause} ORDER BY a.{column}))"
    )


VIEWS_SQL = f"""
CREATE VIEW claims_view AS
SELECT s.id AS claim_id,
       s.text,
       {_names_of("", "country")} AS countries,
       {_names_of("", "name")} AS actors,
       s.date,
       coalesce(c.sources_count, 1) AS sources_count,
       coalesce(c.size, 1) AS cluster_size,
       d.source,
       d.title,
       d.publisher,
       {_names_of("AND sa.role = 'speaker'", "name")} AS speakers,
       {YEAR_OF.format(d="s.date")} AS year,
       d.date AS doc_date,
       s.cluster_id,
       d.url,
       s.document_id,
       s.position
FROM sentences s
JOIN documents d ON d.id = s.document_id
LEFT JOIN clusters c ON c.id = s.cluster_id
WHERE s.kind = 'claim';

CREATE VIEW clusters_view AS
SELECT c.id AS cluster_id,
       r.text,
       c.size,
       c.sources_count,
       c.first_seen,
       c.last_seen,
       d.source AS first_source,
       d.title AS first_title,
       (SELECT count(*) FROM variants v
        WHERE v.a_id IN (SELECT id FROM sentences WHERE cluster_id = c.id)
           OR v.b_id IN (SELECT id FROM sentences WHERE cluster_id = c.id)) AS variants,
       c.representative_id AS representative_claim_id
FROM clusters c
JOIN sentences r ON r.id = c.representative_id
JOIN documents d ON d.id = r.document_id;

CREATE VIEW variants_view AS
SELECT v.kind,
       v.a_value,
       v.b_value,
       a.text AS a_text,
       b.text AS b_text,
       round(v.similarity, 3) AS similarity,
       da.source AS a_source,
       db.source AS b_source,
       v.a_id AS a_claim_id,
       v.b_id AS b_claim_id
FROM variants v
JOIN sentences a ON a.id = v.a_id
JOIN sentences b ON b.id = v.b_id
JOIN documents da ON da.id = a.document_id
JOIN documents db ON db.id = b.document_id;

CREATE VIEW actor_timeline AS
SELECT a.name AS actor,
       a.kind AS actor_kind,
       a.country,
       sa.role,
       coalesce(s.date, d.date) AS date,
       {MONTH_OF.format(d="coalesce(s.date, d.date)")} AS month,
       s.text,
       d.source,
       d.title,
       s.id AS claim_id,
       sa.surface AS named_as
FROM sentence_actors sa
JOIN actors a ON a.id = sa.actor_id
JOIN sentences s ON s.id = sa.sentence_id
JOIN documents d ON d.id = s.document_id
WHERE s.kind = 'claim';
"""


def index_stored_claims(conn: sqlite3.Connection) -> None:
    """Fill dedupe_index from match_keys: each clustered sentence prepared again, with the keys it held."""
    held: dict[int, list[int]] = {}
    for key, sentence_id in conn.execute("SELECT key, sentence_id FROM match_keys ORDER BY rowid"):
        held.setdefault(sentence_id, []).append(key)
    rows = []
    for sentence_id, text in conn.execute("SELECT id, text FROM sentences WHERE cluster_id IS NOT NULL ORDER BY id"):
        prepared = prepare(text)
        entry = Entry(sentence_id, prepared.written, prepared.truncated, _cut_short(text), len(prepared.match), b"")
        rows.append(entry_row(entry, held.get(sentence_id, []))[:5])  # the sketch column comes with migration 11
    conn.executemany(
        "INSERT INTO dedupe_index (sentence_id, written, flags, match_length, keys) VALUES (?, ?, ?, ?, ?)", rows
    )


SKETCH_CHUNK = 10_000  # dedupe_index rows given their sketch at a time


def sketch_indexed_claims(conn: sqlite3.Connection) -> None:
    """Each claim of dedupe_index gets the sketch of its content words, made from the words it keeps."""
    conn.execute(f"ALTER TABLE dedupe_index ADD COLUMN sketch BLOB NOT NULL DEFAULT x'{'00' * (SKETCH_BITS // 8)}'")
    rows = conn.execute("SELECT sentence_id, written FROM dedupe_index ORDER BY sentence_id").fetchall()
    for start in range(0, len(rows), SKETCH_CHUNK):
        chunk = rows[start : start + SKETCH_CHUNK]
        sketches = sketches_of_all([_match_of(written) for _, written in chunk])
        conn.executemany(
            "UPDATE dedupe_index SET sketch = ? WHERE sentence_id = ?",
            [(sketch, sentence_id) for (sentence_id, _), sketch in zip(chunk, sketches)],
        )


MIGRATIONS: list[str | Callable[[sqlite3.Connection], None]] = [
    # 1: documents, sentences, clusters, actors, dates, full-text index.
    """
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL UNIQUE,
        title TEXT,
        publisher TEXT,
        url TEXT,
        date TEXT,
        date_source TEXT,
        format TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        text TEXT NOT NULL,
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX documents_date ON documents(date);
    CREATE INDEX documents_publisher ON documents(publisher);
    CREATE INDEX documents_hash ON documents(content_hash);

    CREATE TABLE clusters (
        id INTEGER PRIMARY KEY,
        representative_id INTEGER REFERENCES sentences(id) ON DELETE SET NULL,
        size INTEGER NOT NULL DEFAULT 1,
        sources_count INTEGER NOT NULL DEFAULT 1,
        first_seen TEXT,
        last_seen TEXT
    );
    CREATE INDEX clusters_sources_count ON clusters(sources_count);
    CREATE INDEX clusters_representative ON clusters(representative_id);

    CREATE TABLE sentences (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        char_start INTEGER NOT NULL,
        char_end INTEGER NOT NULL,
        text TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('claim', 'heading', 'question', 'boilerplate')),
        reason TEXT,
        cluster_id INTEGER REFERENCES clusters(id) ON DELETE SET NULL,
        date TEXT,
        date_precision TEXT CHECK (date_precision IN ('day', 'month', 'year', 'partial')),
        date_text TEXT,
        date_source TEXT CHECK (date_source IN ('text', 'document')),
        UNIQUE (document_id, position)
    );
    CREATE INDEX sentences_kind ON sentences(kind);
    CREATE INDEX sentences_cluster ON sentences(cluster_id);
    CREATE INDEX sentences_date ON sentences(date);

    CREATE TABLE match_keys (
        key INTEGER NOT NULL,
        sentence_id INTEGER NOT NULL REFERENCES sentences(id) ON DELETE CASCADE
    );
    CREATE INDEX match_keys_key ON match_keys(key);
    CREATE INDEX match_keys_sentence ON match_keys(sentence_id);

    CREATE TABLE variants (
        a_id INTEGER NOT NULL REFERENCES sentences(id) ON DELETE CASCADE,
        b_id INTEGER NOT NULL REFERENCES sentences(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('number', 'negation', 'actor', 'date')),
        a_value TEXT,
        b_value TEXT,
        similarity REAL,
        PRIMARY KEY (a_id, b_id)
    );
    CREATE INDEX variants_b ON variants(b_id);
    CREATE INDEX variants_kind ON variants(kind);

    CREATE TABLE actors (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('person', 'organisation', 'country', 'place', 'region')),
        country TEXT,
        curated INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX actors_country ON actors(country);
    CREATE INDEX actors_kind ON actors(kind);

    CREATE TABLE actor_aliases (
        alias TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
        actor_id INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE
    );
    CREATE INDEX actor_aliases_actor ON actor_aliases(actor_id);

    CREATE TABLE sentence_actors (
        sentence_id INTEGER NOT NULL REFERENCES sentences(id) ON DELETE CASCADE,
        actor_id INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('subject', 'speaker')),
        surface TEXT,
        PRIMARY KEY (sentence_id, actor_id, role)
    );
    CREATE INDEX sentence_actors_actor ON sentence_actors(actor_id, role);

    CREATE VIRTUAL TABLE sentences_fts USING fts5(
        text, content='sentences', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE VIRTUAL TABLE sentences_fts_vocab USING fts5vocab(sentences_fts, 'row');
    CREATE TRIGGER sentences_ai AFTER INSERT ON sentences BEGIN
        INSERT INTO sentences_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER sentences_ad AFTER DELETE ON sentences BEGIN
        INSERT INTO sentences_fts(sentences_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    CREATE TRIGGER sentences_au AFTER UPDATE OF text ON sentences BEGIN
        INSERT INTO sentences_fts(sentences_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO sentences_fts(rowid, text) VALUES (new.id, new.text);
    END;

    CREATE VIEW claims AS
    SELECT s.id, s.text, d.source, d.title AS source_title, d.publisher, d.url,
           d.date AS doc_date, s.date, s.date_precision, s.cluster_id,
           c.sources_count, s.position, s.document_id
    FROM sentences s
    JOIN documents d ON d.id = s.document_id
    LEFT JOIN clusters c ON c.id = s.cluster_id
    WHERE s.kind = 'claim';
    """,
    # 2: views that read well in Datasette (claimtrack serve).
    VIEWS_SQL,
    # 3: the key index holds the claim too, so dedupe finds a key's holders without reading the table.
    """
    DROP INDEX match_keys_key;
    CREATE INDEX match_keys_key ON match_keys(key, sentence_id);
    """,
    # 4: dedupe runs in memory during an ingest, loaded from one row a claim; a cluster's id is its
    # first claim's. Replaces match_keys, a dozen rows a claim at random places of its index.
    """
    CREATE TABLE dedupe_index (
        sentence_id INTEGER PRIMARY KEY REFERENCES sentences(id) ON DELETE CASCADE,
        written TEXT NOT NULL,
        flags INTEGER NOT NULL,
        match_length INTEGER NOT NULL,
        keys BLOB NOT NULL
    );
    PRAGMA defer_foreign_keys = ON;
    DELETE FROM clusters WHERE NOT EXISTS (SELECT 1 FROM sentences s WHERE s.cluster_id = clusters.id);
    CREATE TEMP TABLE cluster_roots AS
        SELECT cluster_id AS old, min(id) AS root FROM sentences WHERE cluster_id IS NOT NULL GROUP BY cluster_id;
    UPDATE clusters SET id = -id;
    UPDATE sentences SET cluster_id = -cluster_id WHERE cluster_id IS NOT NULL;
    UPDATE clusters SET id = (SELECT root FROM temp.cluster_roots WHERE old = -clusters.id);
    UPDATE sentences SET cluster_id = (SELECT root FROM temp.cluster_roots WHERE old = -sentences.cluster_id)
    WHERE cluster_id IS NOT NULL;
    DROP TABLE temp.cluster_roots;
    """,
    index_stored_claims,
    """
    DROP TABLE match_keys;
    """,
    # 7: the writer fills the text index a batch at a time (an INSERT ... SELECT costs a tenth of a
    # trigger a row) and deletes from it the rows of a document it replaces.
    """
    DROP TRIGGER sentences_ai;
    DROP TRIGGER sentences_ad;
    """,
    # 8: the text index keeps prefix indexes of 3 to 6 characters, so a stem or a name ("gove"*,
    # "russia"*) reads one doclist instead of merging those of every term it begins (search quotes
    # words of 3 letters or more as prefixes, never shorter ones). Rebuilt from the sentences: 45 s
    # and 160 MB more at 1M claims. search_terms is a copy of the index's terms for fuzzy search,
    # made by the first search that needs it (Queries.refresh_search_terms), with the index
    # structure it was made from.
    """
    DROP TABLE sentences_fts_vocab;
    DROP TABLE sentences_fts;
    CREATE VIRTUAL TABLE sentences_fts USING fts5(
        text, content='sentences', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='3 4 5 6'
    );
    CREATE VIRTUAL TABLE sentences_fts_vocab USING fts5vocab(sentences_fts, 'row');
    INSERT INTO sentences_fts(sentences_fts) VALUES ('rebuild');
    CREATE TABLE search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TABLE search_terms_source (structure BLOB);
    """,
    # 9: the text index merges its segments 16 at a time instead of 4: a batch's insert costs a
    # quarter less (62 -> 47 µs a sentence at 100k), for a few more segments a query reads.
    """
    INSERT INTO sentences_fts(sentences_fts, rank) VALUES ('automerge', 16);
    """,
    # 10: related claims. Each claim's vector (int8) and the binary codes of all of them in blocks, their
    # claim ids apart (a blob read after another walks the first one's pages),
    # (store/vectors.py), the encoder they were made with, the related claims last found for a claim,
    # and in the copy of the index's terms the number of sentences holding each (a word's rarity).
    """
    CREATE TABLE claim_vectors (
        sentence_id INTEGER PRIMARY KEY REFERENCES sentences(id) ON DELETE CASCADE,
        vector BLOB NOT NULL
    );
    CREATE TABLE vector_blocks (
        id INTEGER PRIMARY KEY,
        claims INTEGER NOT NULL,
        codes BLOB NOT NULL
    );
    CREATE TABLE vector_block_ids (
        block_id INTEGER PRIMARY KEY REFERENCES vector_blocks(id) ON DELETE CASCADE,
        ids BLOB NOT NULL
    );
    CREATE TABLE vector_encoder (name TEXT NOT NULL, dimensions INTEGER NOT NULL);
    CREATE TABLE related_claims (
        claim_id INTEGER NOT NULL REFERENCES sentences(id) ON DELETE CASCADE,
        related_id INTEGER NOT NULL REFERENCES sentences(id) ON DELETE CASCADE,
        rank INTEGER NOT NULL,
        score REAL NOT NULL,
        evidence TEXT NOT NULL,
        found_at TEXT NOT NULL,
        PRIMARY KEY (claim_id, related_id)
    );
    CREATE INDEX related_claims_related ON related_claims(related_id);
    CREATE VIEW related_view AS
    SELECT r.claim_id, c.text AS claim_text, r.rank, round(r.score, 3) AS score, r.related_id,
           o.text AS related_text, od.source AS related_source, r.evidence, r.found_at
    FROM related_claims r
    JOIN sentences c ON c.id = r.claim_id
    JOIN sentences o ON o.id = r.related_id
    JOIN documents od ON od.id = o.document_id;
    ALTER TABLE search_terms ADD COLUMN docs INTEGER;
    DELETE FROM search_terms_source;
    """,
    # 11: one key in common is enough for an edited copy and its original when one holds most of the
    # other's content words: each claim's words as bits of a sketch (dedupe.keys).
    sketch_indexed_claims,
]


SCHEMA_VERSION = len(MIGRATIONS)  # each entry is one version: SQL, or a function of the connection
