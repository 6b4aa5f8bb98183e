"""The dedupe index and the clusters: match keys, cluster membership, variant links."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .connection import Connection

VALUES_PER_STATEMENT = 500  # dedupe keys or claim ids bound in one `IN (...)` list


class ClusterIndex(Connection):
    """The dedupe key index and the clusters of `Store`."""

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
