"""Fuzzy deduplication of claims: blocking keys, a verifier, and clusters.

Three steps, none of which compares every sentence with every other one:

1. ``match_text`` folds a sentence to the form keys and comparison use.
2. ``candidate_keys`` turns it into a handful of signed 64-bit blocking keys
   (MinHash LSH bands over its content words, plus one key for its opening
   words). Sentences that share a key are candidates; the store persists the
   keys so an incremental ingest only looks them up.
3. ``compare`` verifies a candidate pair with rapidfuzz and tells SAME from
   VARIANT (a number, negation, actor or date differs) from DIFFERENT.

``Clusterer`` ties them together in memory, over a ``MemoryKeyIndex``: clusters
are the connected components of the SAME pairs, so they do not depend on the
order in which sentences arrive. An ingest loads it from the store once and adds
each batch of claims to it (``store.batch``).

One job a module; each imports only modules listed above it:

- ``match``: folding and comparing: ``Prepared``, ``prepare``, ``match_text``, ``compare``
  and its ``Verdict``, ``may_be_alike``, ``worth_preparing``, ``PreparedCache``
- ``keys``: blocking keys: ``candidate_keys``, ``twin_key``, ``keyed`` (a ``Keyed`` sentence),
  ``worth_comparing``
- ``index``: ``MemoryKeyIndex``, the sentences and the keys they hold, in ``SortedKeys`` runs
- ``cluster``: ``Clusterer``, and ``plan_batch``, which reads a batch's twins and candidates
  from the index

Tuning constants live in the module that uses them (patch them there, not here).
"""

from __future__ import annotations

from .cluster import BatchPlan, Clusterer, VariantLink, plan_batch, with_similarity
from .index import MAX_HOLDERS_PER_KEY, Entry, MemoryKeyIndex, StoredEntries, entry_of
from .keys import Keyed, candidate_keys, candidate_keys_of_all, keyed, keyed_all, twin_key, worth_comparing
from .match import (
    ACTOR,
    DATE,
    DEFAULT_THRESHOLD,
    DIFFERENT,
    NEGATION,
    NUMBER,
    SAME,
    VARIANT,
    Prepared,
    PreparedCache,
    Verdict,
    compare,
    match_text,
    may_be_alike,
    prepare,
    worth_preparing,
)

__all__ = [
    "ACTOR",
    "DATE",
    "DEFAULT_THRESHOLD",
    "DIFFERENT",
    "MAX_HOLDERS_PER_KEY",
    "NEGATION",
    "NUMBER",
    "SAME",
    "VARIANT",
    "BatchPlan",
    "Clusterer",
    "Entry",
    "entry_of",
    "Keyed",
    "MemoryKeyIndex",
    "Prepared",
    "PreparedCache",
    "StoredEntries",
    "VariantLink",
    "Verdict",
    "candidate_keys",
    "candidate_keys_of_all",
    "compare",
    "keyed",
    "keyed_all",
    "match_text",
    "may_be_alike",
    "plan_batch",
    "prepare",
    "twin_key",
    "worth_comparing",
    "with_similarity",
    "worth_preparing",
]
