"""Claim clusters kept in the database: the dedupe stage's incremental half.

Clusters are the connected components of the pairs that `dedupe.compare` calls
the same claim, so they come out the same whatever order documents arrive in.
Candidates come from the match keys persisted beside each claim; no claim is
ever compared with every other one.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from . import dedupe
from .store import Store


class StoreClusterer:
    def __init__(self, threshold: float = dedupe.DEFAULT_THRESHOLD):
        self.threshold = threshold

    def assign(self, store: Store, claim_ids: list[int]) -> None:
        """Put each new claim in a cluster, merging clusters it bridges; record variants."""
        touched: set[int] = set()
        for claim_id, text in store.claim_texts(claim_ids):
            prepared = dedupe.prepare(text)
            keys = dedupe.candidate_keys(prepared.match)
            same: set[int] = set()
            for other_id, other_text, other_cluster in store.candidates(keys, claim_id):
                verdict = dedupe.compare(prepared, other_text, self.threshold)
                if verdict.kind == dedupe.SAME:
                    same.add(other_cluster)
                elif verdict.kind == dedupe.VARIANT:
                    store.add_variant(
                        claim_id, other_id, verdict.variant, verdict.a_value, verdict.b_value, verdict.score
                    )
            touched.add(store.join_cluster(claim_id, same))
            store.add_match_keys(claim_id, keys)
        store.refresh_clusters(touched)

    def reassign(self, store: Store, claim_ids: list[int]) -> None:
        """Cluster again claims whose cluster lost a member (a document was replaced)."""
        store.clear_clusters(claim_ids)
        self.assign(store, claim_ids)


def with_similarity(cluster: dict) -> dict:
    """A `dupes` cluster whose members carry their similarity (0-100) to its representative text."""
    representative = dedupe.match_text(cluster["text"])
    members = [
        dict(member, similarity=round(fuzz.ratio(representative, dedupe.match_text(member["text"])), 1))
        for member in cluster["members"]
    ]
    return dict(cluster, members=members)
