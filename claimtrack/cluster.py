"""Ingest on a Dask cluster: the CPU stages run on the cluster's workers, the one writer stays here.

`connect` reaches a scheduler (``claimtrack ingest --cluster tcp://HOST:8786``) and fails in one line,
before the database is opened, when it cannot. `Cluster.processed` then does for an ingest what the
local pool does (``pipeline._processed``): every input read and processed, in input order, with a
bounded window of chunks in flight, so the client's memory stays flat whatever the corpus's size.

Where documents are read: a worker reads a file itself when it sees it at the same absolute path, the
same size and modification time as this process does (shared storage, or an object store mounted as a
folder). Once a worker cannot, this process sends the bytes of every later file (and its sidecar) and
the worker reads that copy. Collections, standard input and web addresses are read here, as in a local
ingest (one polite fetcher for the run), and their documents are processed on the workers.

Unchanged files are told here and there: this process looks up what is stored for each file (one
indexed read on its own connection) and sends it along; the worker compares it with what it read and
returns `Unchanged` without processing. Workers never open the database, which on a real cluster
they could not reach.

`Cluster.encoded` does the same for ``claimtrack embed --cluster``: batches of claims go out as texts,
each worker loads the encoder named once, and the int8 vectors come back in order to be stored here.

Dask is an optional dependency (``pip install 'claimtrack[cluster]'``), imported by `connect` only.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import os
import socket
import tempfile
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import CancelledError
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import actors
from .errors import ClaimtrackError
from .models import Document, ReadFailure
from .pipeline import GC_YOUNG_THRESHOLD, Unchanged, _batches, _process_safely, _read_and_process
from .read import FileToRead
from .read.decode import read_file_bytes
from .read.errors import Unreadable
from .read.metadata import SIDECAR_SUFFIX
from .store import Store
from .store.writer import state_against

CHUNK_DOCUMENTS = 16  # documents a task: a task costs the scheduler about a millisecond
CHUNKS_PER_THREAD = 3  # in flight per worker thread, so no worker waits for the writer here
MIN_CHUNKS_IN_FLIGHT = 4
CONNECT_SECONDS = 10.0
WORKERS_CHECKED_EVERY_SECONDS = 1.0


class ClusterError(ClaimtrackError):
    """The cluster cannot be reached, has no workers, or was lost during an ingest."""


def connect(address: str) -> Cluster:
    """A client of the scheduler at `address`, with at least one worker ready to run claimtrack."""
    try:
        import distributed
    except ImportError:
        raise ClusterError("--cluster needs Dask: pip install 'claimtrack[cluster]'") from None
    _check_listening(address)
    _quiet_dask_logs()
    try:
        client = distributed.Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {error}") from None
    try:
        client.wait_for_workers(1, timeout=CONNECT_SECONDS)
        client.run(prepare_worker)  # the workers there now load the gazetteer at once, side by side
    except (OSError, TimeoutError) as error:
        client.close()
        raise ClusterError(f"the Dask scheduler at {address} has no worker ready: {error}") from None
    except Exception as error:  # raised on a worker: most often claimtrack is not installed there
        client.close()
        raise ClusterError(
            f"the workers at {address} cannot run claimtrack ({type(error).__name__}: {error}); "
            "install this claimtrack on them"
        ) from None
    return Cluster(client, address)


def _quiet_dask_logs() -> None:
    """Dask's failures are told by this module, in one line: its own loggers (each given a level by
    Dask's logging config) say nothing below critical."""
    names = [name for name in logging.root.manager.loggerDict if name.split(".")[0] == "distributed"]
    for name in ["distributed", *names]:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _check_listening(address: str) -> None:
    """Nothing listening is told at once; the client alone would retry until its timeout."""
    scheme, _, location = address.rpartition("://")
    host, _, port = location.rpartition(":")
    if scheme not in ("", "tcp") or not port.isdigit():
        return  # tls, ucx...: left to the client
    try:
        socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=CONNECT_SECONDS).close()
    except OSError as error:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {error.strerror or error}") from None


class Cluster:
    """A connected Dask client, and the ingest's window of chunks in flight on its workers."""

    def __init__(self, client: Any, address: str) -> None:
        self.client = client
        self.address = address
        self.workers = 0  # the scheduler's workers, checked at most once a second (shown while ingesting)
        self._threads = 1
        self._checked_at = float("-inf")
        self._send_bytes = False  # set once a worker could not read a file where this process reads it
        self._check_workers()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def processed(
        self, inputs: Iterable[Document | ReadFailure | FileToRead], store: Store
    ) -> Iterator[tuple | ReadFailure | Unchanged]:
        """What ``pipeline._processed`` yields, computed on the cluster's workers, in input order."""
        window: deque[_Chunk] = deque()
        try:
            for tasks in _batches((_task(item, store) for item in inputs), CHUNK_DOCUMENTS):
                window.append(self._submit(tasks))
                while len(window) > self._chunks_in_flight():
                    yield from self._first_results(window)
            while window:
                yield from self._first_results(window)
        finally:
            if window:  # stopped early: what is still queued is of no use
                self._quietly(self.client.cancel, [chunk.future for chunk in window])

    def _submit(self, tasks: list) -> _Chunk:
        if self._send_bytes:
            tasks = [_with_contents(task) if _is_path_task(task) else task for task in tasks]
        return _Chunk(tasks, self.client.submit(run_chunk, tasks, pure=False))

    def _first_results(self, window: deque[_Chunk]) -> list:
        results = self._results(window[0])
        if any(isinstance(result, _NotReachable) for result in results):
            self._start_sending_bytes(window)
            results = self._results(window[0])
        window.popleft()
        return results

    def _start_sending_bytes(self, window: deque[_Chunk]) -> None:
        """A worker did not see a file as this process does: from now on, every file goes with its bytes."""
        self._send_bytes = True
        for chunk in window:
            if any(_is_path_task(task) for task in chunk.tasks):
                chunk.future.cancel()
                window_chunk = self._submit(chunk.tasks)
                chunk.tasks, chunk.future = window_chunk.tasks, window_chunk.future

    def _results(self, chunk: _Chunk) -> list:
        from distributed.scheduler import KilledWorker

        try:
            return self._result(chunk.future)
        except KilledWorker as error:  # the scheduler gave up on it after several workers died running it
            return [_failure(task, f"cannot process: workers died on it ({error})") for task in chunk.tasks]

    def _result(self, future: Any) -> Any:
        try:
            return future.result()
        except (CancelledError, OSError, TimeoutError) as error:
            raise self._lost(error) from None

    def encoded(self, batches: Iterable[tuple[list[int], list[str]]], encoder: str) -> Iterator[tuple[list[int], Any]]:
        """Each batch of claims (ids, texts) with its int8 vectors, encoded on the workers by the encoder
        named, in order, with a bounded window of batches in flight."""
        from distributed.scheduler import KilledWorker

        from .related.find import encode_as_int8

        window: deque[tuple[list[int], Any]] = deque()
        try:
            for ids, texts in batches:
                window.append((ids, self.client.submit(encode_as_int8, texts, encoder, pure=False)))
                while len(window) > self._chunks_in_flight():
                    ids_done, future = window.popleft()
                    yield ids_done, self._result(future)
            while window:
                ids_done, future = window.popleft()
                yield ids_done, self._result(future)
        except KilledWorker as error:
            raise ClusterError(f"workers died encoding claims ({error}); the claims encoded so far are stored: "
                               "run the same command again to finish") from None  # fmt: skip
        finally:
            if window:
                self._quietly(self.client.cancel, [future for _, future in window])

    def _chunks_in_flight(self) -> int:
        self._check_workers()
        return max(MIN_CHUNKS_IN_FLIGHT, CHUNKS_PER_THREAD * self._threads)

    def _check_workers(self) -> None:
        if time.monotonic() - self._checked_at < WORKERS_CHECKED_EVERY_SECONDS:
            return
        if self.client.status != "running":  # reconnecting: the futures in flight are cancelled already
            raise self._lost(ConnectionError("the connection was lost"))
        try:
            threads = self.client.nthreads()
        except (OSError, TimeoutError) as error:
            raise self._lost(error) from None
        self._checked_at = time.monotonic()
        self.workers, self._threads = len(threads), max(1, sum(threads.values()))

    def _lost(self, error: BaseException) -> ClusterError:
        reason = "the connection was lost" if isinstance(error, CancelledError) else str(error).splitlines()[0]
        return ClusterError(
            f"lost the Dask scheduler at {self.address} ({reason}); every batch stored so far is whole: "
            "run the same ingest again to finish"
        )

    @staticmethod
    def _quietly(call, *args) -> None:
        try:
            call(*args)
        except Exception:  # noqa: BLE001 - cleaning up after an error already being raised
            pass


@dataclass(slots=True)
class _Chunk:
    tasks: list
    future: Any


# ---------------------------------------------------------------- what is sent to a worker


@dataclass(frozen=True, slots=True)
class _Contents:
    """A file's bytes and its sidecar's, sent by the client to a worker that cannot read the file."""

    raw: bytes
    sidecars: dict[str, bytes]  # file name -> bytes

    def copy_into(self, folder: Path, name: str, modified_ns: int) -> Path:
        for sidecar, raw in self.sidecars.items():
            (folder / sidecar).write_bytes(raw)
        copy = folder / name
        copy.write_bytes(self.raw)
        os.utime(copy, ns=(modified_ns, modified_ns))  # the file's date is a document's fallback date
        return copy


@dataclass(frozen=True, slots=True)
class _FileTask:
    """A file to read on a worker: where the client sees it, and what the client has stored of it."""

    file: FileToRead
    where: str  # the absolute path on the client
    size: int | None  # as the client sees it (None: it could not)
    modified_ns: int
    stored: tuple | None  # Store.stored_version of its source
    contents: _Contents | None = None

    def read(self) -> Document | ReadFailure | _NotReachable:
        if self.contents is None:
            if not self._seen_here():
                return _NotReachable(self.where)
            return self._named(dataclasses.replace(self.file, path=Path(self.where)).read())
        with tempfile.TemporaryDirectory(prefix="claimtrack-") as folder:
            copy = self.contents.copy_into(Path(folder), self.file.path.name, self.modified_ns)
            return self._named(dataclasses.replace(self.file, path=copy).read())

    def _seen_here(self) -> bool:
        try:
            here = os.stat(self.where)
        except OSError:
            return False
        return (here.st_size, int(here.st_mtime)) == (self.size, self.modified_ns // 1_000_000_000)

    def _named(self, read: Document | ReadFailure) -> Document | ReadFailure:
        """Named as a local ingest names it: by the path as the user gave it."""
        return dataclasses.replace(read, source=str(self.file.path))


@dataclass(frozen=True, slots=True)
class _NotReachable:
    """A worker's answer for a file it cannot read as the client does."""

    where: str


@dataclass(frozen=True, slots=True)
class _StoredVersion:
    """What `_read_and_process` asks of a store, answered from the version the client read."""

    row: tuple | None

    def document_state(self, document: Document) -> str:
        return state_against(document, self.row)


def _task(item: Document | ReadFailure | FileToRead, store: Store) -> _FileTask | Document | ReadFailure | Unchanged:
    """One input as sent to a worker; a document read here and stored unchanged never leaves."""
    if isinstance(item, FileToRead):
        try:
            seen = os.stat(item.path)
            size, modified_ns = seen.st_size, seen.st_mtime_ns
        except OSError:
            size, modified_ns = None, 0
        return _FileTask(item, os.path.abspath(item.path), size, modified_ns, store.stored_version(str(item.path)))
    if isinstance(item, Document) and store.document_state(item) == "unchanged":
        return Unchanged(item.source)
    return item


def _is_path_task(task: object) -> bool:
    return isinstance(task, _FileTask) and task.contents is None


def _with_contents(task: _FileTask) -> _FileTask | ReadFailure:
    """The task with the file's bytes; a file this process cannot read either fails as a local read does."""
    path = task.file.path
    try:
        sidecars = {
            candidate.name: candidate.read_bytes()
            for candidate in (path.with_name(path.name + SIDECAR_SUFFIX), path.with_name(path.stem + SIDECAR_SUFFIX))
            if candidate.is_file()
        }
        return dataclasses.replace(task, contents=_Contents(read_file_bytes(path), sidecars))
    except (OSError, Unreadable):
        read = task.file.read()
        return read if isinstance(read, ReadFailure) else ReadFailure(str(path), "changed while it was read")


def _failure(task: object, reason: str) -> ReadFailure | Unchanged:
    if isinstance(task, (ReadFailure, Unchanged)):
        return task
    source = str(task.file.path) if isinstance(task, _FileTask) else task.source
    return ReadFailure(source, reason)


# ---------------------------------------------------------------- on a worker


_prepared = False


def prepare_worker() -> None:
    """Once a worker process: the gazetteer loaded, and it and the worker's code left out of the
    collector's walks (as the local pool's workers, forked after both)."""
    global _prepared
    if _prepared:
        return
    actors.load_gazetteer()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    _prepared = True


def run_chunk(tasks: list) -> list:
    """A worker's task: every input of a chunk read (unless the client read it) and processed."""
    prepare_worker()  # a worker that joined, or was restarted, after `connect`
    return [_run(task) for task in tasks]


def _run(task: _FileTask | Document | ReadFailure | Unchanged):
    if isinstance(task, _FileTask):
        read = task.read()
        return read if isinstance(read, _NotReachable) else _read_and_process(read, _StoredVersion(task.stored))
    if isinstance(task, Document):
        return _process_safely(task)
    return task
