"""Orchestration: read -> clean -> split -> classify -> actors/dates -> dedupe -> store.

Each stage lives in its own module and knows nothing of the others; this module
only passes their records along.
"""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from . import actors, dates
from .boilerplate import is_repeated_boilerplate, mark_blocks
from .classify import classify_sentence
from .clean import clean_lines
from .dedupe import DEFAULT_THRESHOLD, Keyed, keyed_all
from .errors import DatabaseError
from .models import BOILERPLATE, CLAIM, HEADING, Document, ProcessedDocument, ReadFailure, Sentence
from .read import FileToRead, iter_inputs
from .sentences import split_sentences
from .store import DocumentNotStored, Store, open_reader

if TYPE_CHECKING:
    from .cluster import Cluster

CHUNK_SIZE = 8  # documents handed to a worker process at a time
LOOKAHEAD_BATCHES = 8  # batches in the workers while this process stores the results of another
GC_YOUNG_THRESHOLD = 200_000  # objects allocated between collections while ingesting (Python's default: 700)


@dataclass(slots=True)
class IngestReport:
    new: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: list[dict] = field(default_factory=list)
    sentences: int = 0
    claims: int = 0
    dropped: int = 0

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def segment(document: Document) -> list[Sentence]:
    """Clean, split and classify: every sentence and dropped line, in document order."""
    result: list[Sentence] = []
    kept_lines = 0
    for line in mark_blocks(document.text, clean_lines(document.text, document.format)):
        if line.dropped:
            result.append(Sentence(len(result), line.start, line.end, line.text, BOILERPLATE, f"clean:{line.dropped}"))
            continue
        spans = split_sentences(line.text)
        for start, end in spans:
            text = line.text[start:end]
            kind, reason = classify_sentence(text, line, line_index=kept_lines)
            result.append(Sentence(len(result), line.start + start, line.start + end, text, kind, reason))
        kept_lines += 1
    return result


def process_document(document: Document) -> ProcessedDocument:
    """Every CPU stage for one document; pure, so it can run in a worker process."""
    document = _with_text_date(document)
    sentences = segment(document)
    document = _with_headline_title(document, sentences)
    processed = ProcessedDocument(document, sentences)
    years = dates.years_stated(document.text)
    for sentence in sentences:
        if sentence.kind != CLAIM:
            continue
        processed.actors[sentence.position] = actors.extract_actors(sentence.text)
        claim_date = dates.extract_claim_date(sentence.text, doc_date=document.date, doc_years=years)
        if claim_date is None and document.date:
            claim_date = dates.document_claim_date(document.date)
        if claim_date is not None:
            processed.dates[sentence.position] = claim_date
    actors.spread_quote_speakers(document.text, sentences, processed.actors)
    return processed


def _with_text_date(document: Document) -> Document:
    """A document without a date takes its dateline's, or else its blog stamp ("2 years ago")
    resolved against the day the page was saved, or else the file's own date."""
    if document.date:
        return document
    found = dates.date_from_text(document.text)
    if found is None and document.modified:
        stamp = dates.resolve_relative_stamp(document.text, date.fromisoformat(document.modified))
        found = (stamp, f"relative-stamp ({document.modified_from or 'file time'})") if stamp else None
    if found is None:
        return document
    return dataclasses.replace(document, date=found[0], date_source=found[1])


def _with_headline_title(document: Document, sentences: list[Sentence]) -> Document:
    """A document without a title takes its first line when that line is a headline."""
    if document.title:
        return document
    first = next((s for s in sentences if s.kind != BOILERPLATE), None)
    if first is None or first.kind != HEADING:
        return document
    return dataclasses.replace(document, title=first.text)


def ingest(
    paths: list[str],
    store: Store,
    *,
    overrides: dict[str, str] | None = None,
    fields: dict[str, str] | None = None,
    workers: int = 1,
    threshold: float | None = None,
    on_document: Callable[[str, str], None] | None = None,
    cluster: Cluster | None = None,
) -> IngestReport:
    """Read, process and store every document under `paths`; one bad file never stops the run.

    The CPU stages run in `workers` processes here, or on a Dask `cluster` (``claimtrack.cluster``).

    Documents are stored in batches (``store.batch``): an interruption loses the batch in flight
    only, and running the same ingest again stores what is missing.
    """
    report = IngestReport()
    book = actors.ActorBook(store.known_actors())
    notify = on_document or (lambda source, status: None)
    clusterer = store.clusterer(DEFAULT_THRESHOLD if threshold is None else threshold)
    with _rare_collections(), store.ingest_batches(clusterer, is_repeated_boilerplate) as batches:
        for item in _processed(iter_inputs(paths, overrides, fields), store, workers, cluster):
            if isinstance(item, (ReadFailure, Unchanged)):
                _tally(report, notify, item)
                continue
            processed, keyed_claims = item
            try:
                result = batches.write(*_resolve_actors(processed, book), keyed_claims)
            except DocumentNotStored as error:  # undone alone and reported; the run goes on
                _tally(report, notify, ReadFailure(processed.document.source, f"cannot store: {error}"))
                continue
            setattr(report, result.status, getattr(report, result.status) + 1)
            report.sentences += result.sentences
            report.claims += result.claims
            report.dropped += result.dropped
            notify(processed.document.source, result.status)
    store.optimize()
    return report


@contextmanager
def _rare_collections() -> Iterator[None]:
    """Cyclic garbage collection seldom, and never over what was loaded before the run.

    An ingest makes and drops millions of small acyclic records, which reference counting frees;
    each automatic collection would also walk the whole in-memory dedupe index (14% of the main
    process's time at 100k sentences).
    """
    gc.freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


@dataclass(frozen=True, slots=True)
class Unchanged:
    """A document stored before, exactly as it reads now."""

    source: str


def _tally(report: IngestReport, notify: Callable[[str, str], None], item: ReadFailure | Unchanged) -> None:
    if isinstance(item, Unchanged):
        report.unchanged += 1
        notify(item.source, "unchanged")
    else:
        report.failed.append({"source": item.source, "reason": item.reason})
        notify(item.source, "failed")


def _resolve_actors(processed: ProcessedDocument, book: actors.ActorBook):
    """Canonical actors for the document's mentions, and every alias of each actor it names.

    Names are settled after the whole document is resolved: a full name met late in the
    document renames the actor that an earlier bare surname created.
    """
    found = {
        position: [(mention, book.resolve_actor(mention)) for mention in mentions]
        for position, mentions in processed.actors.items()
    }
    named = {actor.name: actor for pairs in found.values() for _, actor in pairs}
    resolved = {
        position: [dataclasses.replace(mention, name=actor.name, country=actor.country) for mention, actor in pairs]
        for position, pairs in found.items()
    }
    return dataclasses.replace(processed, actors=resolved), named


def _processed(
    inputs: Iterable[Document | ReadFailure | FileToRead], store: Store, workers: int, cluster: Cluster | None = None
) -> Iterator[tuple[ProcessedDocument, dict[str, Keyed]] | ReadFailure | Unchanged]:
    """Every input read, and processed (and keyed) unless unreadable or unchanged, in input order.

    With worker processes, files are read in the workers too, and each checks whether its
    documents are unchanged on a read-only connection of its own.
    """
    if cluster is not None:
        yield from cluster.processed(inputs, store)
        return
    path = store.file_path()
    if workers <= 1 or path is None:
        yield from (_read_and_process(item, store) for item in inputs)
        return
    actors.load_gazetteer()  # built once here, before the fork, rather than once in every worker
    gc.freeze()  # ...and never walked by the workers' collections
    with multiprocessing.get_context("fork").Pool(workers, initializer=_open_worker_reader, initargs=(path,)) as pool:
        # Batches are taken here, in this thread: the store is only ever used from it.
        yield from map_in_order(pool, _read_in_worker, inputs, workers * CHUNK_SIZE * 2, CHUNK_SIZE)


_worker_reader: Store | None = None  # a worker process's read-only connection to the database


def _open_worker_reader(path: str) -> None:
    """A failing pool initializer would be retried forever: without a reader, every document is processed."""
    global _worker_reader
    try:
        _worker_reader = open_reader(path)
    except DatabaseError:
        _worker_reader = None


def _read_in_worker(item: Document | ReadFailure | FileToRead):
    return _read_and_process(item, _worker_reader)


def _read_and_process(item: Document | ReadFailure | FileToRead, store: Store | None):
    """The input read and processed, unless it is unreadable or `store` holds it unchanged."""
    document = item.read() if isinstance(item, FileToRead) else item
    if isinstance(document, ReadFailure):
        return document
    try:
        if store is not None and store.document_state(document) == "unchanged":
            return Unchanged(document.source)
    except sqlite3.Error:  # cannot tell: processed, and the writer replaces the stored version
        pass
    return _process_safely(document)


def map_in_order(pool, function: Callable, items: Iterable, batch_size: int, chunk_size: int) -> Iterator:
    """`function` of every item, computed by `pool`, in input order.

    LOOKAHEAD_BATCHES are in the workers while this process takes the results of another, so the
    workers go on while it writes (a commit, with the text index's merges, may take a second), and
    memory holds that many batches, whatever the input's size. With two batches ahead, a third of
    the two cores stood idle at a million sentences.
    """
    pending: deque = deque()
    for batch in _batches(items, batch_size):
        pending.append(pool.map_async(function, batch, chunksize=chunk_size))
        if len(pending) > LOOKAHEAD_BATCHES:
            yield from pending.popleft().get()
    while pending:
        yield from pending.popleft().get()


def _process_safely(document: Document) -> tuple[ProcessedDocument, dict[str, Keyed]] | ReadFailure:
    """A processed document with its claims keyed for dedupe (pure work, done in the workers)."""
    try:
        processed = process_document(document)
        claims = list(dict.fromkeys(s.text for s in processed.sentences if s.kind == CLAIM))
        return processed, dict(zip(claims, keyed_all(claims)))
    except Exception as error:  # a bug on one document must not stop the run; it is reported
        return ReadFailure(document.source, f"cannot process: {type(error).__name__}: {error}")


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
