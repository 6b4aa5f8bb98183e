"""The dedupe index and the clusters, as the store keeps them.

The clusterer of an ingest works in memory (``dedupe.Clusterer``); the store keeps what it needs
to start again, one row a claim in ``dedupe_index`` (its prepared words, flags and the blocking
keys it holds, packed), written in bulk in claim order. A cluster's id is the id of its first
claim, as in the clusterer, so that a cluster merge is the only update of stored claims.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np

from ..dedupe import Clusterer, VariantLink
from .connection import Connection
from .index_rows import stored_entries

# Size, sources, first and last appearance, and representative (the first member by date, then
# document and position) of each cluster in temp.touched_clusters, written over the old figures.
REFRESH_CLUSTERS = """
WITH members AS (
    SELECT s.cluster_id AS cluster, s.id, s.document_id, d.date,
           row_number() OVER (PARTITION BY s.cluster_id
                              ORDER BY d.date IS NULL, d.date, s.document_id, s.position) AS place
    FROM temp.touched_clusters t
    CROSS JOIN sentences s ON s.cluster_id = t.id  -- CROSS: the touched clusters' members, not a walk of them all
    JOIN documents d ON d.id = s.document_id
)
INSERT INTO clusters (id, representative_id, size, sources_count, first_seen, last_seen)
SELECT cluster, max(CASE WHEN place = 1 THEN id END), count(*), count(DISTINCT document_id), min(date), max(date)
FROM members WHERE true GROUP BY cluster
ON CONFLICT (id) DO UPDATE SET
    representative_id = excluded.representative_id, size = excluded.size,
    sources_count = excluded.sources_count, first_seen = excluded.first_seen, last_seen = excluded.last_seen
"""

# The same figures for clusters that only gained new claims (in temp.added_members), from those alone:
# a popular claim's cluster is not read whole again each time a batch adds to it. Its new members are
# of new documents, so they add their documents to the sources.
ADD_TO_CLUSTERS = """
WITH added AS (
    SELECT s.cluster_id AS cluster, s.id, s.document_id, s.position, d.date,
           row_number() OVER (PARTITION BY s.cluster_id
                              ORDER BY d.date IS NULL, d.date, s.document_id, s.position) AS place
    FROM temp.added_members a
    CROSS JOIN sentences s ON s.id = a.id  -- CROSS: as in REFRESH_CLUSTERS
    JOIN documents d ON d.id = s.document_id
), gained AS (
    SELECT cluster, count(*) AS members, count(DISTINCT document_id) AS documents,
           min(date) AS first, max(date) AS last, max(CASE WHEN place = 1 THEN id END) AS candidate,
           max(CASE WHEN place = 1 THEN date IS NULL END) AS undated,
           max(CASE WHEN place = 1 THEN coalesce(date, '') END) AS dated,
           max(CASE WHEN place = 1 THEN document_id END) AS document_id,
           max(CASE WHEN place = 1 THEN position END) AS position
    FROM added GROUP BY cluster
)
UPDATE clusters SET
    size = size + g.members, sources_count = sources_count + g.documents,
    first_seen = coalesce(min(first_seen, g.first), first_seen, g.first),
    last_seen = coalesce(max(last_seen, g.last), last_seen, g.last),
    representative_id = CASE WHEN representative_id IS NULL
        OR (g.undated, g.dated, g.document_id, g.position) < (
            SELECT od.date IS NULL, coalesce(od.date, ''), o.document_id, o.position
            FROM sentences o JOIN documents od ON od.id = o.document_id WHERE o.id = clusters.representative_id
        ) THEN g.candidate ELSE representative_id END
FROM gained g WHERE clusters.id = g.cluster
"""


class ClusterIndex(Connection):
    """The dedupe index and the clusters of `Store`."""

    def load_clusterer(self, clusterer: Clusterer) -> Clusterer:
        """`clusterer` with every indexed claim of the store added as it was clustered."""
        rows = self.conn.execute(
            "SELECT i.sentence_id, i.written, i.flags, i.match_length, i.keys, i.sketch, coalesce(s.cluster_id, s.id) "
            "FROM dedupe_index i JOIN sentences s ON s.id = i.sentence_id ORDER BY i.sentence_id"
        ).fetchall()
        clusters = np.fromiter((row[6] for row in rows), np.int64, len(rows))
        clusterer.load(stored_entries(rows), clusters)
        return clusterer

    def save_index_entries(self, rows: Iterable[tuple]) -> None:
        """Rows of ``entry_row``: what the index keeps of each claim clustered, replacing older ones."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO dedupe_index (sentence_id, written, flags, match_length, keys, sketch) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )

    def save_clusters(
        self, roots: dict[int, int], merged: dict[int, int], dropped: Iterable[int], fresh: dict[int, str | None]
    ) -> None:
        """Write the clusters an ingest batch decided.

        `roots`: the cluster of each claim clustered; `merged`: stored clusters now part of another,
        to that other; `dropped`: stored clusters that may have lost every member; `fresh`: the
        batch's new claims, which were stored as clusters of their own, with their document's date.
        Most stay alone, and their cluster is written without reading anything back.
        """
        dropped = set(dropped)
        stored_merges = {old: into for old, into in merged.items() if old not in fresh}  # a new claim's is no merge
        self.conn.executemany(
            "UPDATE sentences SET cluster_id = ? WHERE cluster_id = ?",
            [(into, old) for old, into in stored_merges.items()],
        )
        self.conn.executemany(
            "UPDATE sentences SET cluster_id = ? WHERE id = ?",
            [(root, claim) for claim, root in roots.items() if root != claim or claim not in fresh],
        )
        sizes = Counter(roots.values())
        grown = set(merged.values())
        alone = sorted(root for root, size in sizes.items() if size == 1 and root in fresh and root not in grown)
        self.conn.executemany(
            "INSERT INTO clusters (id, representative_id, size, sources_count, first_seen, last_seen) "
            "VALUES (?1, ?1, 1, 1, ?2, ?2)",
            [(root, fresh[root]) for root in alone],
        )
        touched = {*sizes, *grown} - set(alone)
        # A stored cluster that only gained new claims is brought up to date from them; the rest are read whole.
        reclustered = {root for claim, root in roots.items() if claim not in fresh}
        gaining = touched - set(stored_merges.values()) - reclustered - dropped - fresh.keys()
        added = sorted(claim for claim, root in roots.items() if root in gaining)
        self._fill_temp("added_members", added)
        self.conn.execute(ADD_TO_CLUSTERS)
        self._fill_temp("touched_clusters", sorted(touched - gaining))
        self.conn.execute(REFRESH_CLUSTERS)
        gone = [(c,) for c in sorted({*stored_merges, *dropped} - touched)]
        self.conn.executemany(
            "DELETE FROM clusters WHERE id = ? AND NOT EXISTS (SELECT 1 FROM sentences WHERE cluster_id = clusters.id)",
            gone,
        )

    def _fill_temp(self, table: str, ids: list[int]) -> None:
        """temp.`table` holding these ids alone."""
        self.conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY)")
        self.conn.execute(f"DELETE FROM temp.{table}")
        self.conn.executemany(f"INSERT INTO temp.{table} (id) VALUES (?)", [(i,) for i in ids])

    def save_variants(self, links: Iterable[VariantLink]) -> None:
        rows = []
        for link in links:
            verdict, a_id, b_id = link.verdict, link.a_id, link.b_id
            a_value, b_value = verdict.a_value, verdict.b_value
            if a_id > b_id:
                a_id, b_id, a_value, b_value = b_id, a_id, b_value, a_value
            rows.append((a_id, b_id, verdict.variant, a_value, b_value, verdict.score))
        self.conn.executemany(
            "INSERT OR REPLACE INTO variants (a_id, b_id, kind, a_value, b_value, similarity) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )

    def cluster_of(self, sentence_id: int) -> int | None:
        row = self.conn.execute("SELECT cluster_id FROM sentences WHERE id = ?", (sentence_id,)).fetchone()
        return row[0] if row else None
