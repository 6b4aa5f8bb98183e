"""Claim clusters kept in the database: the dedupe stage's incremental half.

Clusters are the connected components of the pairs that `dedupe.compare` calls
the same claim, so they come out the same whatever order documents arrive in.
Candidates come from the match keys persisted beside each claim; no claim is
ever compared with every other one. A document's claims are looked up in one
query for all their keys, and each text is prepared once per document (stored
candidates stay prepared in a bounded cache, as popular claims recur).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz

from . import dedupe
from .store import Store

MAX_VARIANTS_PER_CLAIM = 5  # a template sentence ("Report 12: ...") must not link to every other report


@dataclass(slots=True)
class _Assignment:
    """What one ``assign`` call decided, written to the store at its end."""

    next_cluster_id: int  # new clusters are numbered from here
    cluster_of: dict[int, int] = field(default_factory=dict)  # claim -> its cluster when it was placed
    stored_cluster_of: dict[int, int] = field(default_factory=dict)  # candidates stored before, -> their cluster
    merged_into: dict[int, int] = field(default_factory=dict)  # clusters merged, to the cluster that took them
    first_new_cluster: int = 0
    key_rows: list[tuple[int, int]] = field(default_factory=list)  # (key, claim) for the key index

    def new_cluster(self) -> int:
        self.next_cluster_id += 1
        return self.next_cluster_id - 1

    def current(self, cluster_id: int) -> int:
        while cluster_id in self.merged_into:
            cluster_id = self.merged_into[cluster_id]
        return cluster_id


class StoreClusterer:
    def __init__(self, threshold: float = dedupe.DEFAULT_THRESHOLD):
        self.threshold = threshold
        self._prepared = dedupe.PreparedCache()
        self._ready: dict[str, dedupe.Keyed] = {}  # keyed by a worker, waiting for their claims to be stored

    def expect(self, ready: dict[str, dedupe.Keyed]) -> None:
        """The next document's claims, already prepared and keyed (in a worker process), by text."""
        self._ready = dict(ready)

    def assign(self, store: Store, claim_ids: list[int], *, one_new_document: bool = True) -> None:
        """Put each new claim in a cluster, merging clusters it bridges; record variants.

        A claim whose twin (``dedupe.twin_key``) is clustered takes the twin's cluster and adds no
        keys. ``one_new_document``: the claims are all of one document just inserted, so clusters
        they join grow incrementally instead of being re-read.
        """
        claims = store.claim_texts(claim_ids)
        ready = {claim_id: self._ready.pop(text, None) or dedupe.keyed(text) for claim_id, text in claims}
        stored_twins = store.twin_clusters(sorted({r.twin for r in ready.values()}))
        roots = _twin_roots(claims, ready, stored_twins)
        stored_by_key = _by_key(store.key_holders(sorted({k for i in roots.values() for k in ready[i].keys})))
        wanted: set[int] = set()
        for claim_id in roots.values():
            wanted.update(dedupe.worth_comparing(ready[claim_id], _key_holders(ready[claim_id], stored_by_key)))
        stored = store.clustered_claims(sorted(wanted))  # only these are read: most holders never are
        texts = dict(claims)
        plan = _Assignment(store.next_cluster_id())
        plan.stored_cluster_of = {claim_id: cluster_id for claim_id, (_, cluster_id) in stored.items()}
        plan.first_new_cluster = plan.next_cluster_id
        new_by_key: dict[int, list[int]] = {}  # this call's claims already clustered, by key
        for claim_id, _text in claims:
            keyed = ready[claim_id]
            if keyed.twin in stored_twins:
                plan.cluster_of[claim_id] = stored_twins[keyed.twin]
                continue
            if roots[keyed.twin] != claim_id:
                plan.cluster_of[claim_id] = plan.cluster_of[roots[keyed.twin]]
                continue
            candidates = _candidates(keyed, stored_by_key, stored, new_by_key, texts)
            same = self._same_clusters(store, claim_id, keyed, candidates, plan, ready)
            plan.cluster_of[claim_id] = self._join(store, same, plan)
            kept = [k for k in keyed.keys if _holder_count(k, stored_by_key, new_by_key) < dedupe.MAX_HOLDERS_PER_KEY]
            for key in kept:
                new_by_key.setdefault(key, []).append(claim_id)
            plan.key_rows += [(key, claim_id) for key in (*kept, keyed.twin)]
        self._write(store, plan, one_new_document)
        for claim_id, text in claims:
            self._prepared.remember(text, ready[claim_id].prepared)

    def reassign(self, store: Store, claim_ids: list[int]) -> None:
        """Cluster again claims whose cluster lost a member (a document was replaced)."""
        store.clear_clusters(claim_ids)
        self.assign(store, claim_ids, one_new_document=False)

    def _same_clusters(self, store, claim_id, keyed, candidates, plan, ready) -> set[int]:
        """Clusters of the candidates that are the same claim; variants are recorded on the way."""
        same: set[int] = set()
        variants = 0
        for other_id, other_text in candidates.items():
            cluster = plan.current(plan.cluster_of.get(other_id) or plan.stored_cluster_of[other_id])
            if cluster in same:
                continue
            other = self._prepared_candidate(keyed, other_id, other_text, ready)
            if other is None:
                continue
            verdict = dedupe.compare(keyed.prepared, other, self.threshold)
            if verdict.kind == dedupe.SAME:
                same.add(cluster)
            elif verdict.kind == dedupe.VARIANT and variants < MAX_VARIANTS_PER_CLAIM:
                variants += 1
                store.add_variant(claim_id, other_id, verdict.variant, verdict.a_value, verdict.b_value, verdict.score)
        return same

    def _prepared_candidate(self, keyed, other_id, other_text, ready) -> dedupe.Prepared | None:
        """The candidate prepared, or None when a quick look shows it cannot match (``dedupe.worth_preparing``)."""
        if other_id in ready:
            return ready[other_id].prepared
        return self._prepared.candidate(other_text, keyed.prepared)

    def _join(self, store: Store, same: set[int], plan: _Assignment) -> int:
        """The cluster of a claim that is the same as `same`: a new one, or their union."""
        if not same:
            return plan.new_cluster()
        cluster = min(same)
        for other in sorted(same - {cluster}):
            plan.merged_into[other] = cluster
            if other < plan.first_new_cluster:
                store.merge_cluster(other, into=cluster)
        return cluster

    def _write(self, store: Store, plan: _Assignment, one_new_document: bool) -> None:
        final = {claim_id: plan.current(cluster) for claim_id, cluster in plan.cluster_of.items()}
        members: dict[int, list[int]] = {}
        for claim_id, cluster in sorted(final.items()):
            members.setdefault(cluster, []).append(claim_id)
        created = {c: ids for c, ids in members.items() if c >= plan.first_new_cluster}
        grown = {c: ids for c, ids in members.items() if c < plan.first_new_cluster}
        store.add_clusters([(cluster, ids[0], len(ids)) for cluster, ids in created.items()])
        store.set_clusters([(cluster, claim_id) for claim_id, cluster in final.items()])
        store.add_match_keys(plan.key_rows)
        merged = {plan.current(c) for c in plan.merged_into}
        if one_new_document:
            store.grow_clusters([(c, ids[0], len(ids)) for c, ids in grown.items() if c not in merged])
            store.refresh_clusters(merged & grown.keys())
        else:
            store.refresh_clusters(members)


def _twin_roots(claims, ready, stored_twins) -> dict[int, int]:
    """For each twin key not yet stored, the first of this call's claims that has it."""
    roots: dict[int, int] = {}
    for claim_id, _ in claims:
        twin = ready[claim_id].twin
        if twin not in stored_twins:
            roots.setdefault(twin, claim_id)
    return roots


def _key_holders(keyed: dedupe.Keyed, by_key: dict[int, list[int]]) -> list[tuple[int, int]]:
    """(key, claim_id) for each of the claim's keys and each claim in `by_key` holding it."""
    return [(key, claim_id) for key in keyed.keys for claim_id in by_key.get(key, ())]


def _candidates(keyed, stored_by_key, stored, new_by_key, texts) -> dict[int, str]:
    """Claims worth comparing with this one, stored or clustered earlier in this call, with their text."""
    holders = [(key, i) for key, i in _key_holders(keyed, stored_by_key) if i in stored]
    holders += _key_holders(keyed, new_by_key)

    def text_of(claim_id: int) -> str:
        return texts[claim_id] if claim_id in texts else stored[claim_id][0]

    return {i: text_of(i) for i in dedupe.worth_comparing(keyed, holders, text_of)}


def _holder_count(key: int, stored_by_key: dict, new_by_key: dict) -> int:
    return len(stored_by_key.get(key, ())) + len(new_by_key.get(key, ()))


def _by_key(rows: list[tuple[int, int]]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for key, claim_id in rows:
        grouped.setdefault(key, []).append(claim_id)
    return grouped


def with_similarity(cluster: dict) -> dict:
    """A `dupes` cluster whose members carry their similarity (0-100) to its representative text."""
    representative = dedupe.match_text(cluster["text"])
    members = [
        dict(member, similarity=round(fuzz.ratio(representative, dedupe.match_text(member["text"])), 1))
        for member in cluster["members"]
    ]
    return dict(cluster, members=members)
