"""Claim clusters kept in the database: the dedupe stage's incremental half.

Clusters are the connected components of the pairs that `dedupe.compare` calls
the same claim, so they come out the same whatever order documents arrive in.
Candidates come from the match keys persisted beside each claim; no claim is
ever compared with every other one. A document's claims are looked up in one
query for all their keys, and each text is prepared once per document (stored
candidates stay prepared in a bounded cache, as popular claims recur).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

from rapidfuzz import fuzz

from . import dedupe
from .store import Store

PREPARED_CACHE_SIZE = 20_000  # stored claims kept prepared between documents
MIN_SINGLE_KEY_OVERLAP = 0.5  # a candidate sharing one band key only is verified if this share of words is common
_WORD = re.compile(r"\w+")


@dataclass(slots=True)
class _Candidate:
    text: str
    cluster_id: int
    shared_keys: int = 0


class StoreClusterer:
    def __init__(self, threshold: float = dedupe.DEFAULT_THRESHOLD, cache_size: int = PREPARED_CACHE_SIZE):
        self.threshold = threshold
        self.cache_size = cache_size
        self.candidates_checked = 0
        self._prepared: OrderedDict[str, dedupe.Prepared] = OrderedDict()  # by text: ids can be reused

    def assign(self, store: Store, claim_ids: list[int]) -> None:
        """Put each new claim in a cluster, merging clusters it bridges; record variants."""
        claims = store.claim_texts(claim_ids)
        prepared = {claim_id: dedupe.prepare(text) for claim_id, text in claims}
        keys = {claim_id: dedupe.candidate_keys(p.match) for claim_id, p in prepared.items()}
        stored_by_key = _by_key(store.candidates(sorted({k for ks in keys.values() for k in ks})))
        texts = dict(claims)
        merged_into: dict[int, int] = {}  # clusters merged during this call, to the cluster that took them
        new_by_key: dict[int, list[int]] = {}  # this call's claims already clustered, by key
        cluster_of: dict[int, int] = {}
        touched: set[int] = set()
        for claim_id, text in claims:
            candidates = self._candidates(keys[claim_id], stored_by_key, new_by_key, texts, cluster_of)
            same: set[int] = set()
            for other_id, candidate in candidates.items():
                cluster = _current(candidate.cluster_id, merged_into)
                if cluster in same:
                    continue
                if candidate.shared_keys == 1 and not _enough_common_words(text, candidate.text):
                    continue
                verdict = self._compare(prepared[claim_id], text, other_id, candidate.text, prepared)
                if verdict.kind == dedupe.SAME:
                    same.add(cluster)
                elif verdict.kind == dedupe.VARIANT:
                    store.add_variant(
                        claim_id, other_id, verdict.variant, verdict.a_value, verdict.b_value, verdict.score
                    )
            cluster = store.join_cluster(claim_id, same)
            for other in same - {cluster}:
                merged_into[other] = cluster
            if same:
                touched.add(cluster)
            cluster_of[claim_id] = cluster
            for key in keys[claim_id]:
                new_by_key.setdefault(key, []).append(claim_id)
            store.add_match_keys(claim_id, keys[claim_id])
        store.refresh_clusters(_current(c, merged_into) for c in touched)
        self._remember({text: prepared[claim_id] for claim_id, text in claims})

    def reassign(self, store: Store, claim_ids: list[int]) -> None:
        """Cluster again claims whose cluster lost a member (a document was replaced)."""
        store.clear_clusters(claim_ids)
        self.assign(store, claim_ids)

    def _candidates(self, keys, stored_by_key, new_by_key, texts, cluster_of) -> dict[int, _Candidate]:
        """Claims sharing a key with this one, stored or clustered earlier in this call."""
        found: dict[int, _Candidate] = {}
        for key in keys:
            for other_id, text, cluster_id in stored_by_key.get(key, ()):
                found.setdefault(other_id, _Candidate(text, cluster_id)).shared_keys += 1
            for other_id in new_by_key.get(key, ()):
                found.setdefault(other_id, _Candidate(texts[other_id], cluster_of[other_id])).shared_keys += 1
        return found

    def _compare(self, prepared: dedupe.Prepared, text: str, other_id: int, other_text: str, batch) -> dedupe.Verdict:
        self.candidates_checked += 1
        if other_text == text:
            return dedupe.compare(prepared, prepared, self.threshold)
        other = batch.get(other_id) or self._cached(other_text)
        return dedupe.compare(prepared, other, self.threshold)

    def _cached(self, text: str) -> dedupe.Prepared:
        found = self._prepared.get(text)
        if found is not None:
            self._prepared.move_to_end(text)
            return found
        prepared = dedupe.prepare(text)
        self._prepared[text] = prepared
        if len(self._prepared) > self.cache_size:
            self._prepared.popitem(last=False)
        return prepared

    def _remember(self, prepared: dict[str, dedupe.Prepared]) -> None:
        for text, item in prepared.items():
            self._prepared[text] = item
        while len(self._prepared) > self.cache_size:
            self._prepared.popitem(last=False)


def _enough_common_words(a: str, b: str) -> bool:
    """A cheap necessary condition for the same claim, for candidates that share one blocking key only.

    Symmetric in a and b, so clusters stay independent of order.
    """
    words_a, words_b = set(_WORD.findall(a.casefold())), set(_WORD.findall(b.casefold()))
    return len(words_a & words_b) >= MIN_SINGLE_KEY_OVERLAP * min(len(words_a), len(words_b))


def _by_key(rows) -> dict[int, list[tuple[int, str, int]]]:
    grouped: dict[int, list[tuple[int, str, int]]] = {}
    for key, sentence_id, text, cluster_id in rows:
        grouped.setdefault(key, []).append((sentence_id, text, cluster_id))
    return grouped


def _current(cluster_id: int, merged_into: dict[int, int]) -> int:
    while cluster_id in merged_into:
        cluster_id = merged_into[cluster_id]
    return cluster_id


def with_similarity(cluster: dict) -> dict:
    """A `dupes` cluster whose members carry their similarity (0-100) to its representative text."""
    representative = dedupe.match_text(cluster["text"])
    members = [
        dict(member, similarity=round(fuzz.ratio(representative, dedupe.match_text(member["text"])), 1))
        for member in cluster["members"]
    ]
    return dict(cluster, members=members)
