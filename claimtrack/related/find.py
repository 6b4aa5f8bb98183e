"""Find the claims that state the same thing in other words: for a stored claim, or for free text.

Candidates come two ways, so neither vectors nor words alone decide what is looked at: the claims
whose binary codes are nearest the query's (a pass over every code), and the best bm25 matches of the
query's rarest words. Each candidate is then scored (`score`) on its profile and the cosine of its
int8 vector; the best claim of each cluster is kept. Vectors are made by `embed_claims`, a step that
resumes where it stopped and only encodes claims that have none.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from .. import actors, dates
from ..errors import ClaimtrackError
from ..filters import Filters
from ..search import query_words
from .encoder import Encoder, WordVectors, load_encoder, word_vectors
from .score import Profile, content_words, features, score
from .vectors import cosines, nearest, to_int8

EMBED_BATCH = 2048  # claims encoded and committed at a time
CODE_CANDIDATES = 250  # nearest binary codes, compared by their int8 vectors...
VECTOR_CANDIDATES = 60  # ...of which the nearest are scored
TERM_CANDIDATES = 40  # best bm25 matches of the rarest words scored
QUERY_TERMS = 6  # rarest words of the query searched for


@dataclass(frozen=True)
class Related:
    claim_id: int
    cluster_id: int
    score: float
    evidence: dict


def embed_claims(
    store, encoder: Encoder, progress: Callable[[int, int], None] | None = None, cluster=None
) -> int:
    """Give every claim without a vector one; how many were encoded. Each batch is committed, so an
    interrupted run loses at most one batch and the next run carries on. With `cluster` (a connected
    `claimtrack.cluster.Cluster`), its workers encode the batches, each loading the same encoder."""
    dimensions = encoder.encode(["dimension probe"]).shape[1]
    store.use_vector_encoder(encoder.name, dimensions)
    total, done = store.count_claims_without_vectors(), 0
    batches = _claims_to_encode(store)
    if cluster:
        encoded = cluster.encoded(batches, encoder.name)
    else:
        encoded = ((ids, to_int8(encoder.encode(texts))) for ids, texts in batches)
    for ids, vectors in encoded:
        store.add_vectors(ids, vectors)
        done += len(ids)
        if progress:
            progress(done, total)
    store.compact_vector_blocks()
    return done


def _claims_to_encode(store) -> Iterator[tuple[list[int], list[str]]]:
    """The claims without a vector, a batch at a time: their ids and texts."""
    after = 0
    while rows := store.claims_without_vectors(after, EMBED_BATCH):
        yield [claim_id for claim_id, _ in rows], [text for _, text in rows]
        after = rows[-1][0]


def encode_as_int8(texts: list[str], encoder: str) -> np.ndarray:
    """The int8 vectors of `texts` by the encoder named (loaded once a process): what a worker runs."""
    return to_int8(load_encoder(encoder).encode(texts))


def related_to_claim(
    store, claim_id: int, encoder: Encoder, limit: int, filters: Filters | None = None
) -> list[Related]:
    """Claims of other clusters that state what claim `claim_id` states, best first."""
    if not store.is_claim(claim_id):
        raise ClaimtrackError(f"no claim with id {claim_id}")
    vector = store.vectors_of([claim_id]).get(claim_id)
    if vector is None:
        raise ClaimtrackError(f"claim {claim_id} has no vector yet: run claimtrack embed")
    _, cluster_id, text, date, countries, names = store.claim_profiles([claim_id])[0]
    words = word_vectors(encoder)
    query = Profile.of(text, _rarity(store, [query_words(text)]), countries, names, date, vectors_of_words=words)
    found = _ranked(store, query, vector.astype(np.float32), words, filters or Filters(), exclude_cluster=cluster_id)
    return found[:limit]


def claims_like(store, text: str, encoder: Encoder, limit: int, filters: Filters | None = None) -> list[Related]:
    """Claims that state what `text` states, best first, one a cluster."""
    if store.vector_encoder() not in (None, encoder.name):
        raise ClaimtrackError(f"the stored vectors are of {store.vector_encoder()}, not {encoder.name}")
    query = text_profile(store, text, encoder)
    vector = encoder.encode([text])[0]
    return _ranked(store, query, vector, word_vectors(encoder), filters or Filters(), exclude_cluster=None)[:limit]


def text_profile(store, text: str, encoder: Encoder) -> Profile:
    """The profile of free text: its actors resolved through the stored aliases, its date if it says one."""
    mentions = actors.extract_actors(text)
    known = store.actors_by_alias(m.name for m in mentions)
    countries, names = set(), set()
    for mention in mentions:
        name, kind, country = known.get(mention.name, (mention.name, mention.kind, mention.country))
        if country:
            countries.add(country)
        if kind in ("person", "organisation"):
            names.add(name)
    claim_date = dates.extract_claim_date(text, doc_date=None)
    rarity = _rarity(store, [query_words(text)])
    day = claim_date.date if claim_date else None
    return Profile.of(text, rarity, countries, names, day, vectors_of_words=word_vectors(encoder))


def _ranked(
    store,
    query: Profile,
    vector: np.ndarray,
    vectors_of_words: WordVectors,
    filters: Filters,
    exclude_cluster: int | None,
) -> list[Related]:
    vectors = _candidates(store, query, vector, filters)
    profiles = [row for row in store.claim_profiles(vectors) if row[1] != exclude_cluster]
    if not profiles:
        return []
    similarity = cosines(np.stack([vectors[row[0]] for row in profiles]), vector)
    words = [query_words(row[2]) for row in profiles]
    rarity = _rarity(store, words)
    vectors_of_words.learn(word for some in words for word in content_words(some))
    best: dict[int, Related] = {}
    for (claim_id, cluster_id, text, date, countries, names), cosine, its_words in zip(profiles, similarity, words):
        other = Profile.of(text, rarity, countries, names, date, words=its_words, vectors_of_words=vectors_of_words)
        pair = features(query, other, float(cosine))
        found = Related(claim_id, cluster_id, score(pair), _evidence(query, other, pair))
        if cluster_id not in best or found.score > best[cluster_id].score:
            best[cluster_id] = found
    return sorted(best.values(), key=lambda r: (-r.score, r.claim_id))


def _candidates(store, query: Profile, vector: np.ndarray, filters: Filters) -> dict[int, np.ndarray]:
    """The int8 vectors of the claims worth scoring: the best bm25 matches of the query's rarest words,
    and of the claims with the nearest codes those whose int8 vectors are nearest."""
    by_code = nearest(store.vector_codes(), vector, CODE_CANDIDATES)
    if filters != Filters():
        passing = store.claims_passing(by_code, filters)
        by_code = [claim_id for claim_id in by_code if claim_id in passing]
    vectors = store.vectors_of(by_code)
    if vectors:
        ids = list(vectors)
        similarity = cosines(np.stack([vectors[i] for i in ids]), vector)
        vectors = {ids[i]: vectors[ids[i]] for i in np.argsort(-similarity, kind="stable")[:VECTOR_CANDIDATES]}
    rare_words = sorted(query.terms, key=lambda t: -query.terms[t])[:QUERY_TERMS]
    if rare_words:
        fts_query = " OR ".join(f'"{term}"*' for term in rare_words)
        by_terms = [claim_id for claim_id, _ in store.best_matches(fts_query, filters, TERM_CANDIDATES, True)]
        vectors.update(store.vectors_of([claim_id for claim_id in by_terms if claim_id not in vectors]))
    return vectors


def _evidence(query: Profile, other: Profile, pair: dict[str, float]) -> dict:
    return {
        "similarity": round(pair["cosine"], 3),
        "shared_terms": sorted(query.terms.keys() & other.terms.keys()),
        "shared_countries": sorted(query.countries & other.countries),
        "shared_actors": sorted(query.actors & other.actors),
        "dates": [query.date, other.date] if query.date or other.date else [],
        "date_conflict": bool(pair["date_conflict"]),
        "number_conflict": bool(pair["number_conflict"]),
        "negation_conflict": bool(pair["negation_conflict"]),
        "actor_conflict": bool(pair["actor_conflict"]),
    }


def _rarity(store, words: list[list[str]]) -> Callable[[str], float]:
    """The inverse document frequency of these words, from the stored counts."""
    docs = store.term_docs({word for some in words for word in some})
    total = max(store.sentence_total(), 1)
    return lambda word: math.log((total + 1) / (docs.get(word, 0) + 1))
