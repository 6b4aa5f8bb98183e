"""What related claims read and keep: word rarity, claim profiles, actors by alias, found pairs."""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..filters import Filters
from .connection import _now
from .queries import Queries

PERSON_KINDS = ("person", "organisation")
UNIT_SEPARATOR = "\x1f"  # char(31): never in a name


class RelatedStore(Queries):
    """The reads and writes of `claimtrack.related`."""

    def sentence_total(self) -> int:
        """About how many sentences are stored (the highest id: a count would read the whole table)."""
        return self.conn.execute("SELECT coalesce(max(id), 0) FROM sentences").fetchone()[0]

    def term_docs(self, words: Iterable[str]) -> dict[str, int]:
        """How many sentences hold each word, from the copy of the index's terms when it is current
        (the vocabulary table reads a common word's whole doclist)."""
        words = sorted(set(words))
        if not words:
            return {}
        table, column = ("search_terms", "docs") if self._search_terms_current() else ("sentences_fts_vocab", "doc")
        rows = self.conn.execute(
            f"SELECT term, {column} FROM {table} WHERE term IN (SELECT value FROM json_each(?))",
            (json.dumps(words),),
        )
        return {term: docs or 0 for term, docs in rows}

    def claim_profiles(self, ids: Iterable[int]) -> list[tuple]:
        """(id, cluster_id, text, date, countries, people-and-organisations) of the claims `ids`."""
        return [
            (claim_id, cluster_id, text, date, _split(countries), _split(names))
            for claim_id, cluster_id, text, date, countries, names in self.conn.execute(
                f"""
                SELECT s.id, coalesce(s.cluster_id, s.id), s.text, s.date,
                       (SELECT group_concat(country, char(31)) FROM (
                            SELECT DISTINCT a.country FROM sentence_actors sa JOIN actors a ON a.id = sa.actor_id
                            WHERE sa.sentence_id = s.id AND a.country IS NOT NULL)),
                       (SELECT group_concat(name, char(31)) FROM (
                            SELECT DISTINCT a.name FROM sentence_actors sa JOIN actors a ON a.id = sa.actor_id
                            WHERE sa.sentence_id = s.id AND a.kind IN {PERSON_KINDS}))
                FROM sentences s WHERE s.id IN (SELECT value FROM json_each(?)) AND s.kind = 'claim'
                """,
                (json.dumps(sorted(set(ids))),),
            )
        ]

    def actors_by_alias(self, aliases: Iterable[str]) -> dict[str, tuple[str, str, str | None]]:
        """(name, kind, country) of the stored actor each alias names, by alias as given (any case)."""
        aliases = sorted(set(aliases))
        found = {}
        for alias in aliases:
            row = self.conn.execute(
                "SELECT a.name, a.kind, a.country FROM actor_aliases x JOIN actors a ON a.id = x.actor_id "
                "WHERE x.alias = ?",
                (alias,),
            ).fetchone()
            if row:
                found[alias] = row
        return found

    def claims_passing(self, ids: Iterable[int], filters: Filters) -> set[int]:
        """The claims among `ids` that pass `filters`."""
        where = self._filters(filters)
        return {
            row[0]
            for row in self.conn.execute(
                f"SELECT s.id FROM sentences s JOIN documents d ON d.id = s.document_id "
                f"WHERE s.id IN (SELECT value FROM json_each(?)) AND s.kind = 'claim' AND {where.sql()}",
                (json.dumps(sorted(set(ids))), *where.params),
            )
        }

    def save_related(self, claim_id: int, found: list[tuple[int, float, dict]]) -> None:
        """Keep the related claims last found for `claim_id` (related id, score, evidence), best first."""
        with self.transaction():
            self.conn.execute("DELETE FROM related_claims WHERE claim_id = ?", (claim_id,))
            self.conn.executemany(
                "INSERT INTO related_claims (claim_id, related_id, rank, score, evidence, found_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (claim_id, related_id, rank, score, json.dumps(evidence, sort_keys=True), _now())
                    for rank, (related_id, score, evidence) in enumerate(found, start=1)
                ],
            )

    def is_claim(self, claim_id: int) -> bool:
        row = self.conn.execute("SELECT kind FROM sentences WHERE id = ?", (claim_id,)).fetchone()
        return bool(row) and row[0] == "claim"


def _split(joined: str | None) -> list[str]:
    """The values group_concat joined with the unit separator."""
    return joined.split(UNIT_SEPARATOR) if joined else []
