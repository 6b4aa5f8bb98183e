"""The database: the only module that writes SQL.

A `Store` wraps one SQLite connection (through sqlite-utils). Writes happen one
document per transaction, so an interrupted ingest leaves the database as it
was before the document in progress.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from . import settings
from .actors import Actor
from .classify import MIN_BLURB_DOCUMENTS
from .errors import DatabaseError
from .filters import Filters
from .models import CLAIM, Document, ProcessedDocument
from .schema import MIGRATIONS, SCHEMA_VERSION

WAL_CHECKPOINT_PAGES = 10_000  # 40 MB of WAL between checkpoints: each costs a pass over hot pages
WRITE_CACHE_KIB = 256 * 1024  # page cache while ingesting: keys and terms land on random index pages
VALUES_PER_STATEMENT = 500  # dedupe keys or claim ids bound in one `IN (...)` list
WAL_SWITCH_RETRY_SECONDS = 0.05  # pause between tries when another process switches a new file to WAL too
CLAIM_RECORD_FIELDS = (
    "id", "text", "source", "source_title", "publisher", "url", "doc_date", "date",
    "actors", "countries", "cluster_id", "sources_count", "position", "variants_count",
)  # fmt: skip
LINKED_CLUSTERS = """
    SELECT o.cluster_id FROM sentences m JOIN variants v ON v.a_id = m.id JOIN sentences o ON o.id = v.b_id
    WHERE m.cluster_id = {cluster}
    UNION
    SELECT o.cluster_id FROM sentences m JOIN variants v ON v.b_id = m.id JOIN sentences o ON o.id = v.a_id
    WHERE m.cluster_id = {cluster}
"""  # the clusters linked to one cluster as its variants


@dataclass(slots=True)
class WriteResult:
    status: str  # new | replaced | unchanged
    sentences: int = 0
    claims: int = 0
    dropped: int = 0


@dataclass(slots=True)
class _Where:
    clauses: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)

    def add(self, clause: str, *params) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "1"


def open_store(path: Path | str) -> Store:
    """Open (creating or migrating) the database at `path`."""
    path = Path(path)
    if path.exists() and path.is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=settings.BUSY_TIMEOUT_MS / 1000)
        store = Store(conn)
        store.migrate()
    except sqlite3.DatabaseError as error:
        raise DatabaseError(f"cannot open {path}: {error}") from None
    return store


class Store:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self._actor_ids: dict[tuple, int] = {}  # actors written in this session, by their state
        conn.execute(f"PRAGMA busy_timeout = {settings.BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
        conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
        conn.execute("PRAGMA synchronous = NORMAL")  # per connection; with WAL only a power cut can lose a commit

    def close(self) -> None:
        self.conn.close()

    def optimize(self) -> None:
        """Refresh the planner's statistics after a write; never fatal."""
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute("PRAGMA optimize")

    # ---- schema -------------------------------------------------------------

    def schema_version(self) -> int:
        if not self.db["schema_version"].exists():
            return 0
        row = self.conn.execute("SELECT max(version) FROM schema_version").fetchone()
        return row[0] or 0

    def migrate(self) -> None:
        self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # fails on a non-database
        if self._checked_version() == SCHEMA_VERSION:
            return
        self._switch_to_wal()
        with self.transaction():
            version = self._checked_version()  # again under the write lock: another process may have just migrated
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            for number, sql in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in _statements(sql):
                    self.conn.execute(statement)
                self.conn.execute(
                    "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                    (number, _now()),
                )

    def _switch_to_wal(self) -> None:
        """WAL mode, retried: two processes switching a new file at once deadlock, and SQLite
        answers "database is locked" at once instead of waiting out the busy timeout."""
        deadline = time.monotonic() + settings.BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(WAL_SWITCH_RETRY_SECONDS)

    def _checked_version(self) -> int:
        """The stored schema version, refusing a newer schema or another program's database."""
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise DatabaseError(
                f"this database has schema version {version}; this claimtrack knows up to "
                f"{SCHEMA_VERSION}: upgrade claimtrack"
            )
        if version == 0 and self.db.table_names():
            raise DatabaseError("this file is an SQLite database, but not claimtrack's")
        return version

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # ---- writing --------------------------------------------------------------

    def document_state(self, document: Document) -> str:
        """`new`, `unchanged`, or `changed` compared with the stored version.

        Metadata the document does not state (None) is not a change: the stored value may have
        been derived from its text (a headline title, a dateline or blog-stamp date).
        """
        row = self.conn.execute(
            "SELECT content_hash, title, publisher, url, date FROM documents WHERE source = ?",
            (document.source,),
        ).fetchone()
        if row is None:
            return "new"
        given = (document.content_hash, document.title, document.publisher, document.url, document.date)
        same = all(value is None or value == stored for value, stored in zip(given, row))
        return "unchanged" if same else "changed"

    def write_document(
        self,
        processed: ProcessedDocument,
        actors: dict[str, Actor],
        clusterer,
        is_house_blurb: Callable[[str, str | None], bool] | None = None,
    ) -> WriteResult:
        """Store one processed document, replacing an older version, all or nothing.

        Its own transaction, or inside a `batch` a savepoint: a failing document is undone alone.
        `actors` are the canonical actors its mentions name, with every alias known. Claims the
        publisher repeats across its documents and `is_house_blurb` recognises become boilerplate.
        """
        document = processed.document
        with self._document_scope():
            replaced = self._delete_document(document.source, clusterer)
            document_id = self._insert_document(document)
            claim_ids = self._insert_sentences(document_id, processed)
            self._insert_actors(processed, actors, claim_ids)
            clusterer.assign(self, sorted(claim_ids.values()))
            if is_house_blurb and document.publisher:
                self._flag_house_blurbs(document_id, document.publisher, is_house_blurb)
        claims = sum(1 for s in processed.sentences if s.kind == CLAIM)
        dropped = sum(1 for s in processed.sentences if (s.reason or "").startswith("clean:"))
        return WriteResult(
            status="replaced" if replaced else "new",
            sentences=len(processed.sentences) - dropped,
            claims=claims,
            dropped=dropped,
        )

    @contextmanager
    def _document_scope(self) -> Iterator[None]:
        """One document's transaction; the actor-id cache forgets what a rollback undoes."""
        try:
            with self.transaction():
                yield
        except BaseException:
            self._actor_ids.clear()
            raise

    def _flag_house_blurbs(self, document_id: int, publisher: str, is_house_blurb) -> None:
        repeated = self.conn.execute(
            """
            SELECT s.cluster_id, s.text FROM sentences s JOIN clusters c ON c.id = s.cluster_id
            WHERE s.document_id = ? AND +s.kind = 'claim' AND c.sources_count >= ? AND (  -- +: not the kind index
                SELECT count(DISTINCT m.document_id) FROM sentences m JOIN documents d ON d.id = m.document_id
                WHERE m.cluster_id = s.cluster_id AND d.publisher = ?) >= ?
            """,
            (document_id, MIN_BLURB_DOCUMENTS, publisher, MIN_BLURB_DOCUMENTS),
        ).fetchall()
        blurbs = [(cluster_id,) for cluster_id, text in repeated if is_house_blurb(text, publisher)]
        self.conn.executemany(
            "UPDATE sentences SET kind = 'boilerplate', reason = 'repeated-blurb' WHERE cluster_id = ?", blurbs
        )

    def _delete_document(self, source: str, clusterer) -> bool:
        row = self.conn.execute("SELECT id FROM documents WHERE source = ?", (source,)).fetchone()
        if row is None:
            return False
        orphaned = [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT o.id FROM sentences s JOIN sentences o ON o.cluster_id = s.cluster_id "
                "WHERE s.document_id = ? AND o.document_id != ?",
                (row[0], row[0]),
            )
        ]
        self.conn.execute("DELETE FROM documents WHERE id = ?", (row[0],))
        self.conn.execute("DELETE FROM clusters WHERE representative_id IS NULL")
        if orphaned:
            clusterer.reassign(self, orphaned)
        return True

    def _insert_document(self, document: Document) -> int:
        cursor = self.conn.execute(
            "INSERT INTO documents (source, title, publisher, url, date, date_source, format, "
            "content_hash, text, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                document.source, document.title, document.publisher, document.url, document.date,
                document.date_source, document.format, document.content_hash, document.text, _now(),
            ),
        )  # fmt: skip
        return cursor.lastrowid

    def _insert_sentences(self, document_id: int, processed: ProcessedDocument) -> dict[int, int]:
        """Insert every sentence; return the new ids of the claims by position."""
        rows = []
        for sentence in processed.sentences:
            date = processed.dates.get(sentence.position)
            rows.append(
                (
                    document_id, sentence.position, sentence.start, sentence.end, sentence.text,
                    sentence.kind, sentence.reason,
                    date.date if date else None, date.precision if date else None,
                    date.text if date else None, date.source if date else None,
                )
            )  # fmt: skip
        self.conn.executemany(
            "INSERT INTO sentences (document_id, position, char_start, char_end, text, kind, "
            "reason, date, date_precision, date_text, date_source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        # Filtering on kind here would let SQLite pick the kind index and scan every claim stored.
        rows = self.conn.execute("SELECT position, id, kind FROM sentences WHERE document_id = ?", (document_id,))
        return {position: sentence_id for position, sentence_id, kind in rows if kind == CLAIM}

    def _insert_actors(self, processed: ProcessedDocument, actors: dict[str, Actor], claim_ids: dict[int, int]) -> None:
        actor_ids = {name: self.upsert_actor(actor) for name, actor in actors.items()}
        rows = [
            (claim_ids[position], actor_ids[mention.name], mention.role, mention.surface)
            for position, mentions in processed.actors.items()
            if position in claim_ids
            for mention in mentions
        ]
        self.conn.executemany(
            "INSERT OR IGNORE INTO sentence_actors (sentence_id, actor_id, role, surface) VALUES (?, ?, ?, ?)", rows
        )

    def upsert_actor(self, actor: Actor, curated: bool = False) -> int:
        """The id of the stored actor known by any of `actor`'s names, created or updated to match it.

        A curated actor (set by the user) keeps its kind and country against what extraction finds.
        An actor upserted unchanged before, in this session, is not written again.
        """
        names = sorted({actor.name, *actor.aliases})
        state = (actor.name, actor.kind, actor.country, tuple(names))
        if curated:
            self._actor_ids.clear()
        elif state in self._actor_ids:
            return self._actor_ids[state]
        marks = ",".join("?" * len(names))
        row = self.conn.execute(
            f"SELECT id FROM actors WHERE name IN ({marks}) "
            f"UNION ALL SELECT actor_id FROM actor_aliases WHERE alias IN ({marks}) LIMIT 1",
            (*names, *names),
        ).fetchone()
        if row is None:
            actor_id = self.conn.execute(
                "INSERT INTO actors (name, kind, country, curated) VALUES (?, ?, ?, ?)",
                (actor.name, actor.kind, actor.country, int(curated)),
            ).lastrowid
        else:
            actor_id = row[0]
            self.conn.execute(
                "UPDATE OR IGNORE actors SET name = ?, kind = CASE WHEN curated AND NOT ? THEN kind ELSE ? END, "
                "country = CASE WHEN curated AND NOT ? THEN country ELSE coalesce(?, country) END, "
                "curated = max(curated, ?) WHERE id = ?",
                (actor.name, curated, actor.kind, curated, actor.country, int(curated), actor_id),
            )
        self.conn.executemany(
            "INSERT OR IGNORE INTO actor_aliases (alias, actor_id) VALUES (?, ?)", [(n, actor_id) for n in names]
        )
        if not curated:
            self._actor_ids[state] = actor_id
        return actor_id

    def known_actors(self) -> list[Actor]:
        """Every stored actor with its aliases, to resolve new mentions against."""
        aliases: dict[int, set[str]] = {}
        for alias, actor_id in self.conn.execute("SELECT alias, actor_id FROM actor_aliases"):
            aliases.setdefault(actor_id, set()).add(alias)
        return [
            Actor(name, kind, country, aliases.get(actor_id, set()))
            for actor_id, name, kind, country in self.conn.execute(
                "SELECT id, name, kind, country FROM actors ORDER BY id"
            )
        ]

    # ---- the dedupe index -------------------------------------------------------

    def add_match_keys(self, rows: Iterable[tuple[int, int]]) -> None:
        """Index (key, sentence_id) rows; the caller leaves out keys that have dedupe.MAX_HOLDERS_PER_KEY claims."""
        self.conn.executemany("INSERT INTO match_keys (key, sentence_id) VALUES (?, ?)", rows)

    def twin_clusters(self, keys: list[int]) -> dict[int, int]:
        """The cluster of a clustered claim holding each of the twin `keys` that one holds."""
        return dict(
            self._rows_in(
                """SELECT k.key, s.cluster_id FROM match_keys k JOIN sentences s ON s.id = k.sentence_id
                WHERE k.key IN ({marks}) AND s.cluster_id IS NOT NULL""",
                keys,
            )
        )

    def key_holders(self, keys: list[int]) -> list[tuple[int, int]]:
        """(key, claim_id) for every claim holding one of `keys`, read from the key index alone.

        A key is stored for its first dedupe.MAX_HOLDERS_PER_KEY claims only (see `add_match_keys`),
        so a key that thousands of claims would share costs no more than a rare one.
        """
        return list(self._rows_in("SELECT key, sentence_id FROM match_keys WHERE key IN ({marks})", keys))

    def clustered_claims(self, ids: list[int]) -> dict[int, tuple[str, int]]:
        """Text and cluster of each of these claims that is in a cluster."""
        rows = self._rows_in(
            "SELECT id, text, cluster_id FROM sentences WHERE id IN ({marks}) AND cluster_id IS NOT NULL", ids
        )
        return {claim_id: (text, cluster_id) for claim_id, text, cluster_id in rows}

    def claim_texts(self, ids: list[int]) -> list[tuple[int, str]]:
        return sorted(self._rows_in("SELECT id, text FROM sentences WHERE id IN ({marks})", ids))

    def _rows_in(self, sql: str, values: list) -> Iterator[tuple]:
        """Rows of `sql` with `values` bound to its `IN ({marks})` list, VALUES_PER_STATEMENT at a time.

        A document's claims can outnumber the variables SQLite allows in one statement.
        """
        for start in range(0, len(values), VALUES_PER_STATEMENT):
            chunk = values[start : start + VALUES_PER_STATEMENT]
            yield from self.conn.execute(sql.format(marks=",".join("?" * len(chunk))), chunk)

    def clear_clusters(self, sentence_ids: list[int]) -> None:
        """Take sentences out of their clusters and the key index, to be clustered again."""
        rows = [(i,) for i in sentence_ids]
        left = {self.cluster_of(i) for i in sentence_ids} - {None}
        self.conn.executemany("UPDATE sentences SET cluster_id = NULL WHERE id = ?", rows)
        self.conn.executemany("DELETE FROM match_keys WHERE sentence_id = ?", rows)
        self.conn.executemany(
            "DELETE FROM clusters WHERE id = ? AND NOT EXISTS (SELECT 1 FROM sentences WHERE cluster_id = ?)",
            [(c, c) for c in sorted(left)],
        )

    def next_cluster_id(self) -> int:
        return self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM clusters").fetchone()[0]

    def add_clusters(self, rows: Iterable[tuple[int, int, int]]) -> None:
        """New clusters of one document's claims: (cluster_id, representative_id, size)."""
        self.conn.executemany(
            "INSERT INTO clusters (id, representative_id, size, sources_count, first_seen, last_seen) "
            "SELECT ?1, s.id, ?2, 1, d.date, d.date FROM sentences s JOIN documents d ON d.id = s.document_id "
            "WHERE s.id = ?3",
            [(cluster_id, size, representative_id) for cluster_id, representative_id, size in rows],
        )

    def set_clusters(self, rows: Iterable[tuple[int, int]]) -> None:
        """Put sentences in clusters: (cluster_id, sentence_id)."""
        self.conn.executemany("UPDATE sentences SET cluster_id = ? WHERE id = ?", rows)

    def merge_cluster(self, cluster_id: int, into: int) -> None:
        """Move every member of a cluster to another and drop it (refresh `into` afterwards)."""
        self.conn.execute("UPDATE sentences SET cluster_id = ? WHERE cluster_id = ?", (into, cluster_id))
        self.conn.execute("DELETE FROM clusters WHERE id = ?", (cluster_id,))

    def grow_clusters(self, rows: Iterable[tuple[int, int, int]]) -> None:
        """Count new members of one new document into their clusters: (cluster_id, first_member_id, added).

        The document is new to each cluster; its first member becomes the representative when it
        comes first in the order of ``refresh_clusters``. No other member is read.
        """
        order = (
            "(SELECT d.date IS NULL, coalesce(d.date, ''), s.document_id, s.position "
            "FROM sentences s JOIN documents d ON d.id = s.document_id WHERE s.id = {})"
        )
        date = "(SELECT d.date FROM sentences s JOIN documents d ON d.id = s.document_id WHERE s.id = ?2)"
        self.conn.executemany(
            f"""
            UPDATE clusters SET size = size + ?3, sources_count = sources_count + 1,
                first_seen = CASE WHEN {date} IS NULL THEN first_seen
                                  WHEN first_seen IS NULL OR {date} < first_seen THEN {date} ELSE first_seen END,
                last_seen = CASE WHEN {date} IS NULL THEN last_seen
                                 WHEN last_seen IS NULL OR {date} > last_seen THEN {date} ELSE last_seen END,
                representative_id = CASE
                    WHEN representative_id IS NULL
                      OR {order.format("?2")} < {order.format("clusters.representative_id")}
                    THEN ?2 ELSE representative_id END
            WHERE id = ?1
            """,
            rows,
        )

    def add_variant(self, a_id: int, b_id: int, kind: str, a_value: str, b_value: str, score: float) -> None:
        if a_id > b_id:
            a_id, b_id, a_value, b_value = b_id, a_id, b_value, a_value
        self.conn.execute(
            "INSERT OR REPLACE INTO variants (a_id, b_id, kind, a_value, b_value, similarity) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (a_id, b_id, kind, a_value, b_value, score),
        )

    def refresh_clusters(self, cluster_ids: Iterable[int]) -> None:
        """Recompute size, sources, first/last appearance and representative of clusters."""
        for cluster_id in sorted(set(cluster_ids)):
            members = self.conn.execute(
                "SELECT s.id, s.document_id, d.date FROM sentences s JOIN documents d ON d.id = s.document_id "
                "WHERE s.cluster_id = ? ORDER BY d.date IS NULL, d.date, s.document_id, s.position",
                (cluster_id,),
            ).fetchall()
            if not members:
                self.conn.execute("DELETE FROM clusters WHERE id = ?", (cluster_id,))
                continue
            dates = [m[2] for m in members if m[2]]
            self.conn.execute(
                "UPDATE clusters SET representative_id = ?, size = ?, sources_count = ?, first_seen = ?, "
                "last_seen = ? WHERE id = ?",
                (
                    members[0][0], len(members), len({m[1] for m in members}),
                    min(dates) if dates else None, max(dates) if dates else None, cluster_id,
                ),
            )  # fmt: skip

    def cluster_of(self, sentence_id: int) -> int | None:
        row = self.conn.execute("SELECT cluster_id FROM sentences WHERE id = ?", (sentence_id,)).fetchone()
        return row[0] if row else None

    # ---- reading ----------------------------------------------------------------

    def terms_near(self, word: str) -> list[str]:
        """Index terms worth comparing with `word`: same first letter, similar length.

        A range on the vocabulary table is answered from the index, so this stays
        fast with millions of terms.
        """
        first = word[0]
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT term FROM sentences_fts_vocab WHERE term >= ? AND term < ? AND length(term) BETWEEN ? AND ?",
                (first, chr(ord(first) + 1), len(word) - 2, len(word) + 3),
            )
        ]

    def search(self, fts_query: str, filters: Filters, limit: int, every_appearance: bool) -> list[dict]:
        where = self._filters(filters)
        # FTS5 sorts its hits by bm25 itself; the joins and filters then run on them lazily, best
        # first, until `limit` clusters are found (sorting after the join read every hit: 10x slower).
        # Only the claims shown are highlighted, as that reads their text.
        cursor = self.conn.execute(
            f"""
            SELECT s.id, s.cluster_id, f.rank
            FROM (SELECT rowid, rank FROM sentences_fts WHERE sentences_fts MATCH ? ORDER BY rank) f
            JOIN sentences s ON s.id = f.rowid
            JOIN documents d ON d.id = s.document_id
            WHERE s.kind = 'claim' AND {where.sql()}
            """,
            (fts_query, *where.params),
        )
        rows, seen = [], set()
        for claim_id, cluster_id, rank in cursor:
            group = claim_id if every_appearance or cluster_id is None else cluster_id
            if group not in seen:
                seen.add(group)
                rows.append((claim_id, rank))
                if len(rows) >= limit:
                    break
        cursor.close()
        ids = [row[0] for row in rows]
        marked = dict(
            self.conn.execute(
                f"SELECT rowid, highlight(sentences_fts, 0, char(2), char(3)) FROM sentences_fts "
                f"WHERE sentences_fts MATCH ? AND rowid IN ({','.join('?' * len(ids))})",
                (fts_query, *ids),
            ).fetchall()
        )
        records = {r["id"]: r for r in self.claim_records(ids)}
        results = []
        for claim_id, rank in rows:
            record = records[claim_id]
            record["rank"] = round(rank, 4)
            record["marked"] = marked.get(claim_id)
            results.append(record)
        return results

    def export(self, filters: Filters, every_appearance: bool) -> Iterator[dict]:
        """Claim records in document order; one per cluster (its first match) unless `every_appearance`."""
        where = self._filters(filters)
        cursor = self.conn.execute(
            f"""
            SELECT id FROM (
                SELECT s.id, s.document_id, s.position, row_number() OVER (
                    PARTITION BY CASE WHEN ? THEN s.id ELSE coalesce(s.cluster_id, -s.id) END
                    ORDER BY d.date IS NULL, d.date, s.document_id, s.position
                ) AS nth
                FROM sentences s JOIN documents d ON d.id = s.document_id
                WHERE s.kind = 'claim' AND {where.sql()}
            ) WHERE nth = 1 ORDER BY document_id, position
            """,
            (int(every_appearance), *where.params),
        )
        while batch := cursor.fetchmany(500):
            yield from self.claim_records([row[0] for row in batch])

    def claim_records(self, ids: list[int]) -> list[dict]:
        """The claim records for `ids`, in that order."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self.db.query(
            f"""
            SELECT s.id, s.text, d.source, d.title AS source_title, d.publisher, d.url,
                   d.date AS doc_date, s.date,
                   (SELECT json_group_array(name) FROM (
                        SELECT DISTINCT a.name FROM sentence_actors sa JOIN actors a ON a.id = sa.actor_id
                        WHERE sa.sentence_id = s.id ORDER BY a.name)) AS actors,
                   (SELECT json_group_array(country) FROM (
                        SELECT DISTINCT a.country FROM sentence_actors sa JOIN actors a ON a.id = sa.actor_id
                        WHERE sa.sentence_id = s.id AND a.country IS NOT NULL ORDER BY a.country)) AS countries,
                   s.cluster_id, coalesce(c.sources_count, 1) AS sources_count, s.position,
                   (SELECT count(*) FROM ({LINKED_CLUSTERS.format(cluster="s.cluster_id")})) AS variants_count
            FROM sentences s
            JOIN documents d ON d.id = s.document_id
            LEFT JOIN clusters c ON c.id = s.cluster_id
            WHERE s.id IN ({marks})
            """,
            ids,
        )
        by_id = {}
        for row in rows:
            row["actors"] = _json_list(row["actors"])
            row["countries"] = _json_list(row["countries"])
            by_id[row["id"]] = row
        return [by_id[i] for i in ids if i in by_id]

    def variants(self, filters: Filters, kind: str | None, limit: int) -> list[dict]:
        """Variant links, one per pair of clusters, where either side passes the filters; oldest first."""
        where = self._filters(filters)
        chosen = f"SELECT s.id FROM sentences s JOIN documents d ON d.id = s.document_id WHERE {where.sql()}"
        rows = self.conn.execute(
            f"""
            SELECT v.kind, v.a_value, v.b_value, v.a_id, v.b_id, v.similarity FROM variants v
            JOIN sentences a ON a.id = v.a_id JOIN sentences b ON b.id = v.b_id
            WHERE (? IS NULL OR v.kind = ?) AND a.kind = 'claim' AND b.kind = 'claim'
              AND (v.a_id IN ({chosen}) OR v.b_id IN ({chosen}))
            GROUP BY min(a.cluster_id, b.cluster_id), max(a.cluster_id, b.cluster_id)
            ORDER BY min(coalesce(a.date, '9'), coalesce(b.date, '9')), v.a_id
            LIMIT ?
            """,
            (kind, kind, *where.params, *where.params, limit),
        ).fetchall()
        return self._variant_links(rows)

    def claim_variants(self, sentence_id: int) -> list[dict]:
        """The variant links of a claim's cluster."""
        rows = self.conn.execute(
            "SELECT v.kind, v.a_value, v.b_value, v.a_id, v.b_id, v.similarity FROM variants v "
            "JOIN sentences a ON a.id = v.a_id JOIN sentences b ON b.id = v.b_id "
            "WHERE ? IN (a.cluster_id, b.cluster_id) "
            "GROUP BY min(a.cluster_id, b.cluster_id), max(a.cluster_id, b.cluster_id)",
            (self.cluster_of(sentence_id),),
        ).fetchall()
        return self._variant_links(rows)

    def _variant_links(self, rows: list[tuple]) -> list[dict]:
        records = {r["id"]: r for r in self.claim_records(sorted({i for row in rows for i in row[3:5]}))}
        links = []
        for kind, a_value, b_value, a_id, b_id, similarity in rows:
            a, b = records[a_id], records[b_id]
            if (b["date"] or "9") < (a["date"] or "9"):
                a, b, a_value, b_value = b, a, b_value, a_value
            links.append(
                {"kind": kind, "a_value": a_value, "b_value": b_value, "similarity": similarity, "a": a, "b": b}
            )
        return links

    def sentence(self, sentence_id: int) -> dict | None:
        rows = list(self.db.query("SELECT * FROM sentences WHERE id = ?", [sentence_id]))
        return rows[0] if rows else None

    def neighbours(self, document_id: int, position: int, around: int) -> list[dict]:
        return list(
            self.db.query(
                "SELECT id, position, kind, reason, text FROM sentences WHERE document_id = ? "
                "AND position BETWEEN ? AND ? ORDER BY position",
                [document_id, position - around, position + around],
            )
        )

    def cluster_members(self, cluster_id: int) -> list[dict]:
        return list(
            self.db.query(
                "SELECT s.id AS claim_id, s.text, d.source, d.date AS doc_date, s.position "
                "FROM sentences s JOIN documents d ON d.id = s.document_id WHERE s.cluster_id = ? "
                "ORDER BY d.date IS NULL, d.date, s.document_id, s.position",
                [cluster_id],
            )
        )

    def dupes(self, filters: Filters, min_sources: int, limit: int) -> list[dict]:
        where = self._filters(filters)
        clusters = list(
            self.db.query(
                f"""
                SELECT c.id AS cluster_id, r.text, c.size AS count, c.sources_count,
                       c.first_seen, c.last_seen,
                       (SELECT count(*) FROM ({LINKED_CLUSTERS.format(cluster="c.id")})) AS variants_count
                FROM clusters c JOIN sentences r ON r.id = c.representative_id
                WHERE r.kind = 'claim' AND c.size >= 2 AND c.sources_count >= ? AND c.id IN (
                    SELECT s.cluster_id FROM sentences s JOIN documents d ON d.id = s.document_id
                    WHERE {where.sql()})
                ORDER BY c.sources_count DESC, c.size DESC, c.id
                LIMIT ?
                """,
                [min_sources, *where.params, limit],
            )
        )
        for cluster in clusters:
            cluster["members"] = [
                {k: m[k] for k in ("claim_id", "text", "source", "position")}
                for m in self.cluster_members(cluster["cluster_id"])
            ]
        return clusters

    def sources(self) -> list[dict]:
        return list(
            self.db.query(
                """
                SELECT d.id, d.source, d.title, d.publisher, d.url, d.date, d.date_source, d.format,
                       count(s.id) AS sentences,
                       sum(s.kind = 'claim') AS claims,
                       sum(s.reason LIKE 'clean:%') AS dropped,
                       d.ingested_at
                FROM documents d LEFT JOIN sentences s ON s.document_id = d.id
                GROUP BY d.id ORDER BY d.source
                """
            )
        )

    def stats(self) -> dict:
        def count(sql: str) -> int:
            return self.conn.execute(sql).fetchone()[0]

        kinds = dict(self.conn.execute("SELECT kind, count(*) FROM sentences GROUP BY kind").fetchall())
        return {
            "documents": count("SELECT count(*) FROM documents"),
            "sentences": sum(kinds.values()),
            "claims": kinds.get("claim", 0),
            "headings": kinds.get("heading", 0),
            "questions": kinds.get("question", 0),
            "boilerplate": kinds.get("boilerplate", 0),
            "clusters": count("SELECT count(*) FROM clusters"),
            "repeated_clusters": count("SELECT count(*) FROM clusters WHERE size >= 2"),
            "variants": count("SELECT count(*) FROM variants"),
            "actors": count("SELECT count(*) FROM actors"),
            "schema_version": self.schema_version(),
        }

    def actors(self, country: str | None = None, kind: str | None = None) -> list[dict]:
        """Actors with their aliases and how many claims name them, most named first."""
        rows = self.db.query(
            """
            SELECT a.id, a.name, a.kind, a.country, a.curated,
                   (SELECT json_group_array(alias) FROM (
                        SELECT alias FROM actor_aliases WHERE actor_id = a.id ORDER BY alias)) AS aliases,
                   (SELECT count(DISTINCT sentence_id) FROM sentence_actors WHERE actor_id = a.id) AS claims,
                   (SELECT count(DISTINCT sentence_id) FROM sentence_actors
                    WHERE actor_id = a.id AND role = 'speaker') AS as_speaker
            FROM actors a
            WHERE (:country IS NULL OR a.country = :country) AND (:kind IS NULL OR a.kind = :kind)
            ORDER BY claims DESC, a.name
            """,
            {"country": country, "kind": kind},
        )
        return [dict(row, aliases=_json_list(row["aliases"]), curated=bool(row["curated"])) for row in rows]

    def set_actor(self, actor: Actor) -> int:
        """Record the user's correction of an actor; later ingests keep it."""
        with self.transaction():
            return self.upsert_actor(actor, curated=True)

    def claim_actors(self, sentence_ids: list[int]) -> dict[int, list[dict]]:
        """The actors of each claim: name, kind, country and role."""
        marks = ",".join("?" * len(sentence_ids))
        result: dict[int, list[dict]] = {}
        for row in self.db.query(
            f"SELECT sa.sentence_id, a.name, a.kind, a.country, sa.role FROM sentence_actors sa "
            f"JOIN actors a ON a.id = sa.actor_id WHERE sa.sentence_id IN ({marks}) ORDER BY a.name",
            sentence_ids,
        ):
            result.setdefault(row.pop("sentence_id"), []).append(row)
        return result

    def appearances(self, cluster_id: int) -> list[dict]:
        """The documents a cluster appears in, earliest first."""
        return list(
            self.db.query(
                "SELECT DISTINCT d.id, d.source, d.title, d.publisher, d.url, d.date FROM sentences s "
                "JOIN documents d ON d.id = s.document_id WHERE s.cluster_id = ? "
                "ORDER BY d.date IS NULL, d.date, d.id",
                [cluster_id],
            )
        )

    def timeline(self, filters: Filters, period_length: int, limit: int) -> tuple[list[dict], list[dict]]:
        """Claims per period (the first `period_length` characters of their date), and the earliest claims.

        Claims count once per cluster, dated by their earliest appearance; the listed claims carry the
        cluster's first and last appearance. Dates of unknown year are left out.
        """
        where = self._filters(filters)
        dated = f"""
            SELECT id, date, first_seen, last_seen FROM (
                SELECT s.id, s.date, c.first_seen, c.last_seen, row_number() OVER (
                    PARTITION BY coalesce(s.cluster_id, -s.id) ORDER BY s.date, s.id) AS nth
                FROM sentences s JOIN documents d ON d.id = s.document_id
                LEFT JOIN clusters c ON c.id = s.cluster_id
                WHERE s.kind = 'claim' AND s.date IS NOT NULL AND s.date NOT LIKE '--%' AND {where.sql()}
            ) WHERE nth = 1
        """
        series = [
            {"period": period, "count": count}
            for period, count in self.conn.execute(
                f"SELECT substr(date, 1, ?) AS period, count(*) FROM ({dated}) GROUP BY period ORDER BY period",
                (period_length, *where.params),
            )
        ]
        rows = self.conn.execute(f"{dated} ORDER BY date, id LIMIT ?", (*where.params, limit)).fetchall()
        records = {r["id"]: r for r in self.claim_records([row[0] for row in rows])}
        claims = [dict(records[i], first_seen=first, last_seen=last) for i, _, first, last in rows]
        return series, claims

    def _filters(self, filters: Filters) -> _Where:
        where = _Where()
        if filters.source:
            like = f"%{filters.source}%"
            where.add(
                "(d.source LIKE ? OR d.title LIKE ? OR d.publisher LIKE ? OR d.url LIKE ?)", like, like, like, like
            )
        if filters.countries:
            marks = ",".join("?" * len(filters.countries))
            where.add(
                f"s.id IN (SELECT sa.sentence_id FROM sentence_actors sa JOIN actors a ON a.id = sa.actor_id "
                f"WHERE a.country IN ({marks}))",
                *filters.countries,
            )
        for actor in filters.actors:
            role = "AND sa.role = ?" if filters.role else ""
            where.add(
                f"s.id IN (SELECT sa.sentence_id FROM sentence_actors sa JOIN actor_aliases x "
                f"ON x.actor_id = sa.actor_id WHERE x.alias = ? {role})",
                actor,
                *([filters.role] if filters.role else []),
            )
        column = "d.date" if filters.by_document_date else "s.date"
        if filters.since or filters.until:
            where.add(f"{column} NOT LIKE '--%'")  # a day or month of unknown year is in no range
        if filters.since:
            where.add(f"{column} >= ?", filters.since)
        if filters.until:
            where.add(f"substr({column}, 1, ?) <= ?", len(filters.until), filters.until)
        if filters.match:
            where.add("s.id IN (SELECT rowid FROM sentences_fts WHERE sentences_fts MATCH ?)", filters.match)
        return where


def _statements(sql: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements, current = [], []
    for line in sql.strip().splitlines():
        current.append(line)
        candidate = "\n".join(current)
        if sqlite3.complete_statement(candidate):
            statements.append(candidate.strip())
            current = []
    return [s for s in statements if s]


def _json_list(value: str | None) -> list:
    return [v for v in json.loads(value or "[]") if v is not None]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
