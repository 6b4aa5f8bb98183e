"""The claims' vectors: one int8 row a claim, and the binary codes of all of them in blocks.

`claim_vectors` holds a claim's vector (int8, one byte a dimension); a claim deleted with its
document takes its vector with it. `vector_blocks` holds the same claims' sign bits, many claims a
row (their claim ids in `vector_block_ids`), so that a search reads a million codes in a few large
reads instead of a million small ones.
A block may name claims deleted since; they are skipped when their int8 rows are looked up, and
`compact_vector_blocks` rewrites the blocks from `claim_vectors` when they drift. `vector_encoder`
names the encoder the vectors were made with: vectors of two encoders are never mixed.
"""

from __future__ import annotations

import numpy as np

from ..related.vectors import Codes, sign_words
from .connection import Connection

BLOCK_CLAIMS = 65_536
READ_MAP_BYTES = 1 << 30
MAX_STALE_SHARE = 0.1  # blocks are rewritten when this share of the codes they hold is of deleted claims


class VectorIndex(Connection):
    """The vectors of the claims, for related claims and search by meaning."""

    def vector_encoder(self) -> str | None:
        row = self.conn.execute("SELECT name FROM vector_encoder").fetchone()
        return row[0] if row else None

    def use_vector_encoder(self, name: str, dimensions: int) -> None:
        """Make `name` the encoder of the stored vectors; those of another encoder are deleted."""
        if self.vector_encoder() == name:
            return
        with self.transaction():
            self.conn.execute("DELETE FROM claim_vectors")
            self.conn.execute("DELETE FROM vector_block_ids")
            self.conn.execute("DELETE FROM vector_blocks")
            self.conn.execute("DELETE FROM vector_encoder")
            self.conn.execute("INSERT INTO vector_encoder (name, dimensions) VALUES (?, ?)", (name, dimensions))

    def claims_without_vectors(self, after: int, limit: int) -> list[tuple[int, str]]:
        """(id, text) of claims with an id above `after` that have no vector yet, by id."""
        return self.conn.execute(
            "SELECT s.id, s.text FROM sentences s WHERE s.id > ? AND s.kind = 'claim' "
            "AND NOT EXISTS (SELECT 1 FROM claim_vectors v WHERE v.sentence_id = s.id) ORDER BY s.id LIMIT ?",
            (after, limit),
        ).fetchall()

    def count_claims_without_vectors(self) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM sentences s WHERE s.kind = 'claim' "
            "AND NOT EXISTS (SELECT 1 FROM claim_vectors v WHERE v.sentence_id = s.id)"
        ).fetchone()[0]

    def add_vectors(self, ids: list[int], vectors: np.ndarray) -> None:
        """Store the int8 `vectors` of the claims `ids`, and their codes as a new block."""
        with self.transaction():
            self.conn.executemany(
                "INSERT OR REPLACE INTO claim_vectors (sentence_id, vector) VALUES (?, ?)",
                zip(ids, (row.tobytes() for row in vectors)),
            )
            self._write_block(np.asarray(ids, dtype=np.int64), vectors)

    def vectors_of(self, ids: list[int]) -> dict[int, np.ndarray]:
        """The int8 vectors of the claims `ids` that have one."""
        rows = self.conn.execute(
            "SELECT sentence_id, vector FROM claim_vectors WHERE sentence_id IN (SELECT value FROM json_each(?))",
            (_json_ids(ids),),
        ).fetchall()
        if not rows:
            return {}
        vectors = np.frombuffer(b"".join(blob for _, blob in rows), dtype=np.int8).reshape(len(rows), -1)
        return dict(zip((claim_id for claim_id, _ in rows), vectors))

    def vector_codes(self) -> list[Codes]:
        """The codes of every block, block by block."""
        self.conn.execute(f"PRAGMA mmap_size = {READ_MAP_BYTES}")  # large blobs read at twice the speed
        ids = dict(self.conn.execute("SELECT block_id, ids FROM vector_block_ids"))
        blocks = []
        for block_id, codes in self.conn.execute("SELECT id, codes FROM vector_blocks ORDER BY id"):
            claim_ids = np.frombuffer(ids[block_id], dtype=np.int64)
            blocks.append(Codes(claim_ids, np.frombuffer(codes, dtype=np.uint64).reshape(-1, len(claim_ids))))
        return blocks

    def compact_vector_blocks(self) -> bool:
        """Rewrite the blocks from claim_vectors when they hold many deleted claims or many small blocks.
        Whether they were rewritten."""
        held, blocks = self.conn.execute("SELECT coalesce(sum(claims), 0), count(*) FROM vector_blocks").fetchone()
        stored = self.conn.execute("SELECT count(*) FROM claim_vectors").fetchone()[0]
        needed = -(-stored // BLOCK_CLAIMS)
        if 0 <= held - stored <= MAX_STALE_SHARE * max(stored, 1) and blocks <= 2 * needed + 1:
            return False
        with self.transaction():
            self.conn.execute("DELETE FROM vector_block_ids")
            self.conn.execute("DELETE FROM vector_blocks")
            cursor = self.conn.execute("SELECT sentence_id, vector FROM claim_vectors ORDER BY sentence_id")
            while rows := cursor.fetchmany(BLOCK_CLAIMS):
                vectors = np.frombuffer(b"".join(blob for _, blob in rows), dtype=np.int8).reshape(len(rows), -1)
                self._write_block(np.array([claim_id for claim_id, _ in rows], dtype=np.int64), vectors)
        return True

    def _write_block(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        for start in range(0, len(ids), BLOCK_CLAIMS):
            chunk = ids[start : start + BLOCK_CLAIMS]
            words = sign_words(vectors[start : start + BLOCK_CLAIMS])
            block_id = self.conn.execute(
                "INSERT INTO vector_blocks (claims, codes) VALUES (?, ?)", (len(chunk), words.tobytes())
            ).lastrowid
            self.conn.execute("INSERT INTO vector_block_ids (block_id, ids) VALUES (?, ?)", (block_id, chunk.tobytes()))


def _json_ids(ids: list[int]) -> str:
    return "[" + ",".join(str(int(i)) for i in ids) + "]"
