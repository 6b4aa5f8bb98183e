"""The queries: everything the commands read (search, export, dupes, variants, timeline...)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field

from .. import settings
from ..filters import Filters
from .connection import Connection
from .ranking import WindowRanking

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
FTS_TOKENIZER = "unicode61 remove_diacritics 2"  # the tokenizer of sentences_fts (schema.py)
INDEX_STRUCTURE = "SELECT block FROM sentences_fts_data WHERE id = 10"  # FTS5's structure record
SEARCH_WINDOW = 500  # matches search ranks at a time, newest first: its results are exact up to this many
SEARCH_FIRST_SLICE = 50  # ranked matches first looked up in the claims table (more if the limit is higher)


@dataclass(slots=True)
class _Where:
    clauses: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)

    def add(self, clause: str, *params) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "1"


class Queries(WindowRanking, Connection):
    """What the commands read from `Store`."""

    def terms_near(self, word: str) -> list[str]:
        """Index terms worth comparing with `word`: same first letter, similar length.

        Read from search_terms, a copy of the index's terms: on the index's own vocabulary table
        a range of terms costs a read of every doclist in it (a letter of a million claims holds
        millions of postings). The copy is refreshed first when the index has changed since; if
        it cannot be (another connection is writing), the vocabulary table answers.
        """
        first = word[0]
        table = "search_terms" if self._search_terms_current() else "sentences_fts_vocab"
        return [
            r[0]
            for r in self.conn.execute(
                f"SELECT term FROM {table} WHERE term >= ? AND term < ? AND length(term) BETWEEN ? AND ?",
                (first, chr(ord(first) + 1), len(word) - 2, len(word) + 3),
            )
        ]

    def refresh_search_terms(self, wait: bool = True) -> bool:
        """Copy the terms of the text index into search_terms, unless it holds them already.

        One read of the whole index (about a second at a million claims), run by the first
        fuzzy search after the index changes. Without `wait` it gives up at once if another
        connection is writing. Whether search_terms now matches the index.
        """
        if self._search_terms_current(refresh=False):
            return True
        if self.conn.in_transaction:
            return False
        try:
            if not wait:
                self.conn.execute("PRAGMA busy_timeout = 0")
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # locked, or a read-only database
            return False
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {settings.BUSY_TIMEOUT_MS}")
        try:
            self.conn.execute("DELETE FROM search_terms")
            self.conn.execute("INSERT INTO search_terms (term, docs) SELECT term, doc FROM sentences_fts_vocab")
            self.conn.execute("DELETE FROM search_terms_source")
            self.conn.execute(f"INSERT INTO search_terms_source (structure) {INDEX_STRUCTURE}")
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as error:
            self.conn.execute("ROLLBACK")
            if "readonly" not in str(error):
                raise
            return False
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return True

    def _search_terms_current(self, refresh: bool = True) -> bool:
        """Whether search_terms holds the terms of the index as it is (refreshing it if `refresh`):
        the index rewrites its structure record with every change, and the copy keeps the one it
        was made from."""
        row = self.conn.execute(f"SELECT structure = ({INDEX_STRUCTURE}) FROM search_terms_source").fetchone()
        return bool(row and row[0]) or (refresh and self.refresh_search_terms(wait=False))

    def search(self, fts_query: str, filters: Filters, limit: int, every_appearance: bool) -> list[dict]:
        """The `limit` best claims matching `fts_query` by bm25 that pass `filters`, one per cluster
        (its best match) unless `every_appearance`, each with its `rank` and `marked` text.

        Matches are read newest first, a window at a time: the newest SEARCH_WINDOW matches (by
        rowid) are ranked by bm25 and walked best first through the joins and filters until
        `limit` claims are found; only when a window runs out is the next, older one read (twice
        as large each time). So the results are exactly the best by bm25 (ties by id) whenever the
        query has at most SEARCH_WINDOW matches; with more, they are the best of the newest
        matches, at a cost bounded by the window rather than by the matches: sorting them all
        by rank scores every one (a common word at 1M claims: 3 s).
        """
        rows = self.best_matches(fts_query, filters, limit, every_appearance)
        ids = [row[0] for row in rows]
        marked = self._marked(fts_query, ids)
        records = {r["id"]: r for r in self.claim_records(ids)}
        results = []
        for claim_id, rank in rows:
            record = records[claim_id]
            record["rank"] = round(rank, 4)
            record["marked"] = marked.get(claim_id)
            results.append(record)
        return results

    def best_matches(
        self, fts_query: str, filters: Filters, limit: int, every_appearance: bool
    ) -> list[tuple[int, float]]:
        """(claim id, bm25) of what `search` returns, best first."""
        where = self._filters(filters)
        rows: list[tuple[int, float]] = []
        seen: set[int] = set()
        window, before = SEARCH_WINDOW, None
        while len(rows) < limit:
            matches = self._newest_matches(fts_query, window, before)
            for claim_id, cluster_id, rank in self._passing(sorted(matches, key=_by_rank), where, limit):
                group = claim_id if every_appearance or cluster_id is None else cluster_id
                if group not in seen:
                    seen.add(group)
                    rows.append((claim_id, rank))
                    if len(rows) >= limit:
                        break
            if len(matches) < window:
                break
            before, window = matches[-1][0], window * 2
        return rows

    def _marked(self, fts_query: str, ids: list[int]) -> dict[int, str]:
        """The text of the claims `ids` with the matched words between char(2) and char(3).

        Highlighted on a scratch index of these claims alone (same tokenizer, so the same matches):
        on sentences_fts every query merges the doclists of its prefix terms again, up to 10 ms.
        """
        if not ids:
            return {}
        self.conn.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_marked USING fts5(text, tokenize='{FTS_TOKENIZER}')"
        )
        self.conn.execute("DELETE FROM temp.search_marked")
        self.conn.execute(
            "INSERT INTO temp.search_marked (rowid, text) "
            "SELECT id, text FROM sentences WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(ids),),
        )
        return dict(
            self.conn.execute(
                "SELECT rowid, highlight(search_marked, 0, char(2), char(3)) FROM temp.search_marked "
                "WHERE search_marked MATCH ?",
                (fts_query,),
            ).fetchall()
        )

    def _newest_matches(self, fts_query: str, count: int, before: int | None) -> list[tuple[int, float]]:
        """(rowid, bm25) of the `count` newest matches older than `before`, newest first.

        In rowid order FTS5 stops reading the doclists after `count` rows and scores only those;
        a query with a phrase of common words is scored here instead (see `ranking`).
        """
        older = "" if before is None else "AND rowid < ?"
        phrases = self.phrases_ranked_here(fts_query)
        rank = "" if phrases else ", rank"
        matches = self.conn.execute(
            f"SELECT rowid{rank} FROM sentences_fts WHERE sentences_fts MATCH ? {older} ORDER BY rowid DESC LIMIT ?",
            (fts_query, *([] if before is None else [before]), count),
        ).fetchall()
        return matches if rank else self.rank_window(phrases, [rowid for (rowid,) in matches])

    def _passing(self, ranked: list[tuple[int, float]], where: _Where, limit: int) -> Iterator[tuple]:
        """(claim id, cluster id, rank) of the `ranked` matches that are claims passing `where`, in
        that order; looked up in slices of growing size, so a walk that stops early reads little."""
        start, size = 0, max(limit, SEARCH_FIRST_SLICE)
        join = "JOIN documents d ON d.id = s.document_id" if where.clauses else ""
        while start < len(ranked):
            chunk = ranked[start : start + size]
            passing = dict(
                self.conn.execute(
                    f"""
                    SELECT s.id, s.cluster_id FROM sentences s {join}
                    WHERE s.id IN (SELECT value FROM json_each(?)) AND s.kind = 'claim' AND {where.sql()}
                    """,
                    (json.dumps([rowid for rowid, _ in chunk]), *where.params),
                ).fetchall()
            )
            for rowid, rank in chunk:
                if rowid in passing:
                    yield rowid, passing[rowid], rank
            start, size = start + size, size * 2

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


def _by_rank(match: tuple[int, float]) -> tuple[float, int]:
    return match[1], match[0]


def _json_list(value: str | None) -> list:
    return [v for v in json.loads(value or "[]") if v is not None]
