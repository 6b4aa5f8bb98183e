"""Faults: a kill -9 in the middle of an ingest, and several processes on one database.

The command line runs in real subprocesses here (``python -c`` calling ``claimtrack.cli.app``,
the same entry point as the ``claimtrack`` console script), so SIGKILL and file locks are real.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pytest
from corpora import SEEDS, WIKINEWS
from typer.testing import CliRunner

from claimtrack.cli import app
from claimtrack.store import open_store

ARTICLES = 60  # Wikinews articles per test corpus: enough for a run to be killed half-way
BATCH_DOCUMENTS = 10  # documents a transaction in the killed runs, so that several batches commit first
KILL_AT_DOCUMENT = 25
RANDOM_KILLS = 3  # kill points drawn at random among the write calls of an ingest
POLL_SECONDS = 0.02
RUN_TIMEOUT_SECONDS = 120
CLI = [sys.executable, "-c", "import sys; from claimtrack.cli import app; sys.exit(app(prog_name='claimtrack'))"]
SMALL_BATCHES = f"""
import sys
from claimtrack import settings
from claimtrack.cli import app

settings.BATCH_DOCUMENTS = {BATCH_DOCUMENTS}
sys.exit(app(prog_name="claimtrack"))
"""
DIE_INSIDE_A_DOCUMENT = f"""
import os, signal, sys
from claimtrack import settings, store
from claimtrack.cli import app

settings.BATCH_DOCUMENTS = {BATCH_DOCUMENTS}
kill_at, written = int(os.environ["KILL_AT_DOCUMENT"]), []
insert_sentences = store.Store.insert_sentences

def insert_then_die(self, *args):
    claims = insert_sentences(self, *args)  # the document's row and sentences are written, not committed
    written.append(1)
    if len(written) == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    return claims

store.Store.insert_sentences = insert_then_die
sys.exit(app(prog_name="claimtrack"))
"""
DIE_AT_A_WRITE_CALL = f"""
import os, signal, sys
from claimtrack import settings, store
from claimtrack.cli import app

settings.BATCH_DOCUMENTS = {BATCH_DOCUMENTS}
kill_at, calls = int(os.environ["KILL_AT_CALL"]), []

def dying(method):
    def call_then_maybe_die(self, *args, **kwargs):
        result = method(self, *args, **kwargs)
        calls.append(1)
        if len(calls) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return call_then_maybe_die

for name in ("delete_document", "insert_document", "insert_sentences", "upsert_actors", "index_text",
             "insert_actor_links", "save_index_entries", "save_clusters", "save_variants", "flag_house_blurbs"):
    setattr(store.Store, name, dying(getattr(store.Store, name)))
sys.exit(app(prog_name="claimtrack"))
"""
WRITE_CALLS_PER_DOCUMENT = 4  # delete, document, sentences, actors; a batch adds five or six more


def write_articles(folder: Path, start: int, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with WIKINEWS.open(encoding="utf-8") as rows:
        for number, row in enumerate(rows):
            if start <= number < start + count:
                record = json.loads(row)
                (folder / f"{record['id']}.txt").write_text(record["text"], encoding="utf-8")
    return folder


def cli(db: Path, *args: str, script: list[str] = CLI, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*script, "--db", str(db), *args], capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def start(db: Path, *args: str, script: list[str] = CLI) -> subprocess.Popen:
    command = [*script, "--db", str(db), *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return conn.execute(sql).fetchall()


def per_document(db: Path) -> dict[str, tuple[int, int]]:
    """Sentences and claims of each stored document."""
    rows = query(
        db,
        "SELECT d.source, count(s.id), sum(s.kind = 'claim') FROM documents d "
        "LEFT JOIN sentences s ON s.document_id = d.id GROUP BY d.id",
    )
    return {source: (sentences, claims) for source, sentences, claims in rows}


def dupes(db: Path) -> list[tuple]:
    """Repeated claims with where they appear, free of row ids."""
    result = CliRunner().invoke(app, ["--db", str(db), "dupes", "--min-sources", "1", "--limit", "10000", "--json"])
    assert result.exit_code == 0, result.output
    return sorted(
        (cluster["text"], tuple(sorted((m["source"], m["position"]) for m in cluster["members"])))
        for cluster in json.loads(result.stdout)
    )


def assert_consistent(db: Path) -> None:
    """Integrity, and nothing orphaned: clusters, keys, actors' links and the text index."""
    store = open_store(db)
    try:
        conn = store.conn
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.execute("INSERT INTO sentences_fts(sentences_fts) VALUES ('integrity-check')")  # raises if out of step
        orphans = {
            "documents without sentences": "SELECT count(*) FROM documents d WHERE NOT EXISTS "
            "(SELECT 1 FROM sentences s WHERE s.document_id = d.id)",
            "clusters without members": "SELECT count(*) FROM clusters c WHERE NOT EXISTS "
            "(SELECT 1 FROM sentences s WHERE s.cluster_id = c.id)",
            "clusters whose representative is gone": "SELECT count(*) FROM clusters c WHERE representative_id IS NULL "
            "OR NOT EXISTS (SELECT 1 FROM sentences s WHERE s.id = c.representative_id)",
            "claims without a cluster": "SELECT count(*) FROM sentences WHERE kind = 'claim' AND cluster_id IS NULL",
            "cluster sizes out of step": "SELECT count(*) FROM clusters c WHERE size != "
            "(SELECT count(*) FROM sentences s WHERE s.cluster_id = c.id)",
            "text index rows without a sentence": "SELECT count(*) FROM sentences_fts_vocab WHERE doc > "
            "(SELECT count(*) FROM sentences)",
            "claims missing from the dedupe index": "SELECT count(*) FROM sentences s WHERE kind = 'claim' "
            "AND NOT EXISTS (SELECT 1 FROM dedupe_index i WHERE i.sentence_id = s.id)",
            "clusters not named after their first claim": "SELECT count(*) FROM clusters c WHERE c.id != "
            "(SELECT min(id) FROM sentences s WHERE s.cluster_id = c.id)",
        }
        found = {name: conn.execute(sql).fetchone()[0] for name, sql in orphans.items()}
        assert found == dict.fromkeys(orphans, 0)
    finally:
        store.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_articles(tmp_path_factory.mktemp("corpus") / "wikinews", 0, ARTICLES)


@pytest.fixture(scope="module")
def clean_ingest(corpus, tmp_path_factory) -> Path:
    """The same files ingested without interruption: what every interrupted run must end up as."""
    db = tmp_path_factory.mktemp("clean") / "clean.db"
    result = CliRunner().invoke(app, ["--db", str(db), "ingest", str(corpus), "--workers", "1", "--json"])
    assert result.exit_code == 0, result.output
    return db


def assert_resumes_to_the_clean_state(db: Path, corpus: Path, clean_ingest: Path) -> None:
    stored_before = len(per_document(db))
    resumed = cli(db, "ingest", str(corpus), "--workers", "1", "--json")
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert (report["unchanged"], report["new"], report["failed"]) == (stored_before, ARTICLES - stored_before, [])
    assert per_document(db) == per_document(clean_ingest)
    assert query(db, "SELECT count(*) FROM sentences") == query(clean_ingest, "SELECT count(*) FROM sentences")
    assert dupes(db) == dupes(clean_ingest)
    assert_consistent(db)


def killed_ingest(db: Path, corpus: Path, clean_ingest: Path, script: str, env: dict) -> dict[str, tuple[int, int]]:
    """Run an ingest that `script` kills with SIGKILL; check that what it stored is whole, and return it."""
    killed = cli(db, "ingest", str(corpus), "--workers", "1", script=[sys.executable, "-c", script], env=env)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert_consistent(db)
    stored = per_document(db)
    clean = per_document(clean_ingest)
    assert stored == {source: clean[source] for source in stored}
    return stored


def test_kill_9_inside_a_document_leaves_the_documents_before_it_whole(corpus, clean_ingest, tmp_path):
    db = tmp_path / "killed.db"
    stored = killed_ingest(db, corpus, clean_ingest, DIE_INSIDE_A_DOCUMENT, {"KILL_AT_DOCUMENT": str(KILL_AT_DOCUMENT)})
    # the batches committed before the one being written are there whole, nothing of that one
    assert len(stored) == (KILL_AT_DOCUMENT - 1) // BATCH_DOCUMENTS * BATCH_DOCUMENTS
    assert_resumes_to_the_clean_state(db, corpus, clean_ingest)


@pytest.mark.parametrize(
    "kill_at_call", sorted(random.Random(19).sample(range(1, ARTICLES * WRITE_CALLS_PER_DOCUMENT), RANDOM_KILLS))
)
def test_kill_9_at_a_random_write_then_running_it_again_gives_the_clean_ingest(
    corpus, clean_ingest, tmp_path, kill_at_call
):
    db = tmp_path / "killed.db"
    stored = killed_ingest(db, corpus, clean_ingest, DIE_AT_A_WRITE_CALL, {"KILL_AT_CALL": str(kill_at_call)})
    assert len(stored) % BATCH_DOCUMENTS == 0  # whole batches only
    assert_resumes_to_the_clean_state(db, corpus, clean_ingest)


def test_kill_9_from_outside_during_an_ingest_then_running_it_again_completes_it(corpus, clean_ingest, tmp_path):
    db = tmp_path / "killed.db"
    process = start(db, "ingest", str(corpus), "--workers", "1", script=[sys.executable, "-c", SMALL_BATCHES])
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        if db.exists() and _documents_or_none(db) >= ARTICLES // 3:
            break
        time.sleep(POLL_SECONDS)
    assert process.poll() is None, "the ingest finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=RUN_TIMEOUT_SECONDS)
    assert process.returncode == -signal.SIGKILL
    assert_consistent(db)
    stored = per_document(db)
    assert ARTICLES // 3 <= len(stored) < ARTICLES
    clean = per_document(clean_ingest)
    assert stored == {source: clean[source] for source in stored}
    assert_resumes_to_the_clean_state(db, corpus, clean_ingest)


def _documents_or_none(db: Path) -> int:
    try:
        return query(db, "SELECT count(*) FROM documents")[0][0]
    except sqlite3.Error:  # not created yet
        return 0


def test_two_ingests_and_readers_on_one_database_at_once(tmp_path):
    db = tmp_path / "shared.db"
    seeded = cli(db, "ingest", str(SEEDS), "--workers", "1")
    assert seeded.returncode == 0, seeded.stderr
    halves = [write_articles(tmp_path / name, first, ARTICLES) for name, first in (("a", 100), ("b", 200))]
    writers = [start(db, "ingest", str(folder), "--workers", "1", "--json") for folder in halves]
    searches_during_writes = 0
    while all(writer.poll() is None for writer in writers):
        search = cli(db, "search", "Tokayev", "--json")
        assert search.returncode == 0, search.stderr
        assert json.loads(search.stdout), "the seeds' claims are found while others write"
        searches_during_writes += all(writer.poll() is None for writer in writers)
    outputs = [writer.communicate(timeout=RUN_TIMEOUT_SECONDS) for writer in writers]
    for writer, (stdout, stderr) in zip(writers, outputs):
        assert writer.returncode == 0, stderr
        assert json.loads(stdout)["new"] == ARTICLES
    assert searches_during_writes >= 1
    assert query(db, "SELECT count(*) FROM documents") == [(5 + 2 * ARTICLES,)]
    assert_consistent(db)


def _open_at_once(path: str, barrier, results) -> None:
    barrier.wait()
    try:
        open_store(path).close()
        results.put("ok")
    except Exception:  # noqa: BLE001 - the failure is the finding
        results.put(traceback.format_exc())


def test_processes_creating_the_same_new_database_at_once_all_succeed(tmp_path):
    """Each opener finds no schema and migrates; the second must see the first's work, not redo it."""
    context = multiprocessing.get_context("fork")
    outcomes = []
    for attempt in range(8):
        path = str(tmp_path / f"new{attempt}.db")
        barrier, results = context.Barrier(2), context.Queue()
        openers = [context.Process(target=_open_at_once, args=(path, barrier, results)) for _ in range(2)]
        for opener in openers:
            opener.start()
        for opener in openers:
            opener.join(RUN_TIMEOUT_SECONDS)
        outcomes += [results.get(timeout=5), results.get(timeout=5)]
    assert outcomes == ["ok"] * len(outcomes)
