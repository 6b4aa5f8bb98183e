"""Ingest batches: many documents a transaction, one savepoint a document, clustered in bulk.

A batch commits when it holds ``settings.BATCH_DOCUMENTS`` documents or has been open for
``settings.BATCH_SECONDS``. A document that fails is undone alone (its savepoint) and reported; an
interruption undoes the batch in flight, so every committed batch is whole and running the same
ingest again stores the rest. Clustering runs once a batch, in memory (``dedupe.Clusterer``), and
its decisions are written in bulk before the commit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import settings
from ..actors import Actor
from ..dedupe import Clusterer, Keyed, entry_of, keyed_all
from ..models import CLAIM, ProcessedDocument
from .index_rows import entry_row
from .writer import ReplacedDocument, WriteResult

if TYPE_CHECKING:
    from . import Store


class DocumentNotStored(Exception):
    """One document could not be written; the batch goes on without it."""


@dataclass(slots=True)
class _Pending:
    """What a batch has written and not yet clustered or committed."""

    claims: dict[int, tuple[str, Keyed | None]] = field(default_factory=dict)  # claim id -> text, keyed
    dates: dict[int, str | None] = field(default_factory=dict)  # claim id -> its document's date
    reclaimed: set[int] = field(default_factory=set)  # stored claims whose cluster lost a member
    dropped_clusters: set[int] = field(default_factory=set)  # clusters that may be left without members
    publishers: dict[int, str] = field(default_factory=dict)  # document id -> publisher, for house blurbs
    actor_links: list[tuple[int, int, str, str]] = field(default_factory=list)  # claim, actor id, role, surface
    documents: int = 0


class IngestBatches:
    """Write processed documents a batch at a time; use as a context manager, which commits the last."""

    def __init__(
        self,
        store: Store,
        clusterer: Clusterer,
        is_house_blurb: Callable[[str, str | None], bool] | None = None,
        max_documents: int | None = None,
        max_seconds: float | None = None,
    ) -> None:
        self.store = store
        self.clusterer = clusterer
        self.is_house_blurb = is_house_blurb
        self.max_documents = max_documents or settings.BATCH_DOCUMENTS
        self.max_seconds = max_seconds if max_seconds is not None else settings.BATCH_SECONDS
        self._pending = _Pending()
        self._opened_at: float | None = None
        self._next_sentence_id = self._first_sentence_id = 0
        self._data_version = store.data_version()

    def __enter__(self) -> IngestBatches:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if error is None:
            self.flush()
        else:
            self.abandon()

    def write(
        self, processed: ProcessedDocument, actors: dict[str, Actor], ready: dict[str, Keyed] | None = None
    ) -> WriteResult:
        """Store one document, replacing an older version, in the open batch; raises DocumentNotStored.

        `actors` are the canonical actors its mentions name; `ready` its claims keyed (by text) in a worker.
        """
        if self._opened_at is None:
            self._begin()
        try:
            with self.store.savepoint():
                replaced = self.store.delete_document(processed.document.source, self._first_sentence_id)
                document_id = self.store.insert_document(processed.document)
                claim_ids = self.store.insert_sentences(document_id, processed, self._next_sentence_id)
                # Actors are written as each document leaves them, so that what is stored of them
                # never depends on where a batch ends.
                actor_ids = self.store.upsert_actors(actors)
        except Exception as error:
            self.store.forget_written_actors()  # the savepoint undid what was written of them
            raise DocumentNotStored(str(error)) from error
        self._next_sentence_id += len(processed.sentences)
        if replaced is not None:
            self._replaced(replaced)
        texts = {s.position: s.text for s in processed.sentences}
        for position, claim_id in claim_ids.items():
            self._pending.claims[claim_id] = (texts[position], (ready or {}).get(texts[position]))
            self._pending.dates[claim_id] = processed.document.date
        if processed.document.publisher:
            self._pending.publishers[document_id] = processed.document.publisher
        self._pending.actor_links += [
            (claim_ids[position], actor_ids[mention.name], mention.role, mention.surface)
            for position, mentions in processed.actors.items()
            if position in claim_ids
            for mention in mentions
        ]
        self._pending.documents += 1
        if self._pending.documents >= self.max_documents or time.monotonic() - self._opened_at >= self.max_seconds:
            self.flush()
        return _result(processed, replaced is not None)

    def flush(self) -> None:
        """Cluster the batch's claims, write what clustering decided, and commit."""
        if self._opened_at is None:
            return
        try:
            self.store.index_text(self._first_sentence_id)
            self.store.insert_actor_links(self._pending.actor_links)
            self._cluster()
            if self.is_house_blurb:
                for document_id, publisher in self._pending.publishers.items():
                    self.store.flag_house_blurbs(document_id, publisher, self.is_house_blurb)
            self.store.conn.execute("COMMIT")
        except BaseException:
            self.abandon()
            raise
        self._opened_at = None
        self._pending = _Pending()

    def abandon(self) -> None:
        """Undo the batch in flight. The clusterer saw it, so it is loaded again from the store."""
        if self._opened_at is None:
            return
        self.store.conn.execute("ROLLBACK")
        self.store.forget_written_actors()
        self._opened_at = None
        self._pending = _Pending()
        self._reload()

    def _begin(self) -> None:
        self.store.conn.execute("BEGIN IMMEDIATE")
        # A new claim is stored as its own cluster before that cluster's row: checked at the commit.
        self.store.conn.execute("PRAGMA defer_foreign_keys = ON")
        self._opened_at = time.monotonic()
        if self.store.data_version() != self._data_version:  # another process committed since we looked
            self._reload()
        self._next_sentence_id = self._first_sentence_id = self.store.next_sentence_id()

    def _reload(self) -> None:
        self._data_version = self.store.data_version()
        fresh = Clusterer(threshold=self.clusterer.threshold)
        self.clusterer = self.store.load_clusterer(fresh)

    def _replaced(self, replaced: ReplacedDocument) -> None:
        """A stored document was deleted: its claims leave the clusterer, and those that shared a
        cluster with them are clustered again, since the cluster may now fall apart."""
        pending = self._pending
        stored = [claim_id for claim_id in replaced.claims if pending.claims.pop(claim_id, None) is None]
        if len(stored) < len(replaced.claims):  # a document of this batch: its actor links go with it
            gone = set(replaced.claims)
            pending.actor_links = [link for link in pending.actor_links if link[0] not in gone]
        for claim_id in replaced.claims:
            pending.dates.pop(claim_id, None)
        self.clusterer.forget([*stored, *replaced.orphans])
        pending.reclaimed.update(replaced.orphans)
        pending.dropped_clusters.update(replaced.clusters)

    def _cluster(self) -> None:
        pending = self._pending
        reclaimed = {i: (text, None) for i, text in self.store.sentence_texts(sorted(pending.reclaimed))}
        claims = sorted({**reclaimed, **pending.claims}.items())
        unkeyed = [text for _, (text, known) in claims if known is None]
        made = dict(zip(unkeyed, keyed_all(unkeyed)))
        ready = [(claim_id, text, known or made[text]) for claim_id, (text, known) in claims]
        self.clusterer.add_many(ready)
        held, merged, variants = self.clusterer.take_changes()
        find = self.clusterer.find
        self.store.save_index_entries(
            entry_row(entry_of(claim_id, text, sentence), held.get(claim_id, ())) for claim_id, text, sentence in ready
        )
        self.store.save_clusters(
            {claim_id: find(claim_id) for claim_id, _, _ in ready},
            {old: find(old) for old in merged},
            pending.dropped_clusters,
            pending.dates,
        )
        self.store.save_variants(variants)


def _result(processed: ProcessedDocument, replaced: bool) -> WriteResult:
    claims = sum(1 for s in processed.sentences if s.kind == CLAIM)
    dropped = sum(1 for s in processed.sentences if (s.reason or "").startswith("clean:"))
    return WriteResult(
        status="replaced" if replaced else "new",
        sentences=len(processed.sentences) - dropped,
        claims=claims,
        dropped=dropped,
    )
