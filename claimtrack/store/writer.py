"""The writer: the rows of one processed document, and the actors its claims name.

``batch.IngestBatches`` calls these inside a batch's transaction, one savepoint a document.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ..actors import Actor
from ..classify import MIN_BLURB_DOCUMENTS
from ..models import CLAIM, Document, ProcessedDocument
from .connection import Connection, _now

VALUES_PER_STATEMENT = 500  # ids bound in one `IN (...)` list, below SQLite's limit on variables


@dataclass(frozen=True, slots=True)
class ReplacedDocument:
    """What deleting a stored document took away."""

    claims: list[int]  # its sentences
    orphans: list[int]  # claims of other documents that shared a cluster with them
    clusters: list[int]  # the clusters its claims were in


@dataclass(slots=True)
class WriteResult:
    status: str  # new | replaced | unchanged
    sentences: int = 0
    claims: int = 0
    dropped: int = 0


class Writer(Connection):
    """The write path of `Store`: documents and actors."""

    def document_state(self, document: Document) -> str:
        """`new`, `unchanged`, or `changed` compared with the stored version.

        Metadata the document does not state (None) is not a change: the stored value may have
        been derived from its text (a headline title, a dateline or blog-stamp date).
        """
        return state_against(document, self.stored_version(document.source))

    def stored_version(self, source: str) -> tuple | None:
        """What `document_state` compares a document with: the stored hash, title, publisher, url and date."""
        sql = "SELECT content_hash, title, publisher, url, date FROM documents WHERE source = ?"
        return self.conn.execute(sql, (source,)).fetchone()

    def data_version(self) -> int:
        """A number that changes when another connection commits (PRAGMA data_version)."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def next_sentence_id(self) -> int:
        return self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM sentences").fetchone()[0]

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """One document inside a batch: undone alone when it fails."""
        self.conn.execute("SAVEPOINT document")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK TO document")
            self.conn.execute("RELEASE document")
            raise
        self.conn.execute("RELEASE document")

    def forget_written_actors(self) -> None:
        """The actor ids remembered in this session: a rollback may have undone them."""
        self._actor_ids.clear()

    def flag_house_blurbs(self, document_id: int, publisher: str, is_house_blurb) -> None:
        """Claims the publisher repeats across its documents, and `is_house_blurb` recognises, become boilerplate.

        Only documents stored before this one count, as when each was its own transaction: what
        is flagged never depends on where a batch ends.
        """
        repeated = self.conn.execute(
            """
            SELECT s.cluster_id, s.text FROM sentences s JOIN clusters c ON c.id = s.cluster_id
            -- +: neither the kind index nor, without statistics, a walk of the publisher's earlier documents
            WHERE s.document_id = ? AND +s.kind = 'claim' AND c.sources_count >= ? AND (
                SELECT count(DISTINCT m.document_id) FROM sentences m JOIN documents d ON d.id = m.document_id
                WHERE m.cluster_id = s.cluster_id AND +m.document_id <= s.document_id AND d.publisher = ?) >= ?
            """,
            (document_id, MIN_BLURB_DOCUMENTS, publisher, MIN_BLURB_DOCUMENTS),
        ).fetchall()
        blurbs = [(cluster_id,) for cluster_id, text in repeated if is_house_blurb(text, publisher)]
        self.conn.executemany(
            "UPDATE sentences SET kind = 'boilerplate', reason = 'repeated-blurb' WHERE cluster_id = ?", blurbs
        )

    def delete_document(self, source: str, indexed_below: int) -> ReplacedDocument | None:
        """Delete the stored document of `source`, if any, and say what went with it.

        Its sentences numbered below `indexed_below` are in the text index and leave it too.
        """
        row = self.conn.execute("SELECT id FROM documents WHERE source = ?", (source,)).fetchone()
        if row is None:
            return None
        document_id = row[0]
        claims = [r[0] for r in self.conn.execute("SELECT id FROM sentences WHERE document_id = ?", (document_id,))]
        clusters = [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT cluster_id FROM sentences WHERE document_id = ? AND cluster_id IS NOT NULL",
                (document_id,),
            )
        ]
        orphans = [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT o.id FROM sentences s JOIN sentences o ON o.cluster_id = s.cluster_id "
                "WHERE s.document_id = ? AND o.document_id != ?",
                (document_id, document_id),
            )
        ]
        self.conn.execute(
            "INSERT INTO sentences_fts (sentences_fts, rowid, text) "
            "SELECT 'delete', id, text FROM sentences WHERE document_id = ? AND id < ?",
            (document_id, indexed_below),
        )
        self.conn.execute("DELETE FROM documents WHERE id = ?", (document_id,))
        return ReplacedDocument(claims, orphans, clusters)

    def index_text(self, first_id: int) -> None:
        """Put the sentences numbered from `first_id` on in the text index."""
        self.conn.execute(
            "INSERT INTO sentences_fts (rowid, text) SELECT id, text FROM sentences WHERE id >= ?", (first_id,)
        )

    def insert_document(self, document: Document) -> int:
        cursor = self.conn.execute(
            "INSERT INTO documents (source, title, publisher, url, date, date_source, format, "
            "content_hash, text, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                document.source, document.title, document.publisher, document.url, document.date,
                document.date_source, document.format, document.content_hash, document.text, _now(),
            ),
        )  # fmt: skip
        return cursor.lastrowid

    def insert_sentences(self, document_id: int, processed: ProcessedDocument, first_id: int) -> dict[int, int]:
        """Insert every sentence, numbered from `first_id`; return the ids of the claims by position.

        A claim starts as a cluster of its own (its id); the batch's clustering moves the others.
        """
        rows = []
        claims = {}
        for number, sentence in enumerate(processed.sentences, start=first_id):
            date = processed.dates.get(sentence.position)
            rows.append(
                (
                    number, document_id, sentence.position, sentence.start, sentence.end, sentence.text,
                    sentence.kind, sentence.reason, number if sentence.kind == CLAIM else None,
                    date.date if date else None, date.precision if date else None,
                    date.text if date else None, date.source if date else None,
                )
            )  # fmt: skip
            if sentence.kind == CLAIM:
                claims[sentence.position] = number
        self.conn.executemany(
            "INSERT INTO sentences (id, document_id, position, char_start, char_end, text, kind, reason, "
            "cluster_id, date, date_precision, date_text, date_source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        return claims

    def upsert_actors(self, actors: dict[str, Actor]) -> dict[str, int]:
        """Store `actors` as they are now; the id of each, by the name its mentions use."""
        return {name: self.upsert_actor(actor) for name, actor in actors.items()}

    def insert_actor_links(self, links: list[tuple[int, int, str, str]]) -> None:
        """Store the (claim, actor id, role, surface) links of claims to the actors they name."""
        self.conn.executemany(
            "INSERT OR IGNORE INTO sentence_actors (sentence_id, actor_id, role, surface) VALUES (?, ?, ?, ?)", links
        )

    def sentence_texts(self, ids: list[int]) -> list[tuple[int, str]]:
        rows: list[tuple[int, str]] = []
        for start in range(0, len(ids), VALUES_PER_STATEMENT):
            chunk = ids[start : start + VALUES_PER_STATEMENT]
            marks = ",".join("?" * len(chunk))
            rows += self.conn.execute(f"SELECT id, text FROM sentences WHERE id IN ({marks})", chunk).fetchall()
        return sorted(rows)

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

    def set_actor(self, actor: Actor) -> int:
        """Record the user's correction of an actor; later ingests keep it."""
        with self.transaction():
            return self.upsert_actor(actor, curated=True)


def state_against(document: Document, stored: tuple | None) -> str:
    """`Writer.document_state` against a `stored_version` read before (by another process, maybe)."""
    if stored is None:
        return "new"
    given = (document.content_hash, document.title, document.publisher, document.url, document.date)
    same = all(value is None or value == kept for value, kept in zip(given, stored))
    return "unchanged" if same else "changed"
