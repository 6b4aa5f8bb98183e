"""Ingest on a Dask cluster: a real scheduler and two worker processes on 127.0.0.1.

Every cluster ingest here must store what a local ingest of the same inputs stores: documents,
sentences (text, kind, cluster, date), clusters, actors and their links. The command line runs in
subprocesses, as a user runs it, so a worker or a scheduler can be killed under it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from corpora import SEEDS, WIKINEWS

from claimtrack import cluster as cluster_module
from claimtrack import settings
from claimtrack.pipeline import ingest
from claimtrack.store import open_store

distributed = pytest.importorskip("distributed")  # in the test extra: never skipped on a fresh clone

# Batches end every 25 documents and never on time: what is stored of house blurbs depends on where
# batches end, and must not differ between the runs compared here for that reason.
BATCH_DOCUMENTS = 25
CLI = f"""
import sys
from claimtrack import settings
from claimtrack.cli import app

settings.BATCH_DOCUMENTS, settings.BATCH_SECONDS = {BATCH_DOCUMENTS}, 3600.0
sys.exit(app(prog_name="claimtrack"))
"""
RUN_TIMEOUT_SECONDS = 120
POLL_SECONDS = 0.01
STORED = {  # what must not depend on where the CPU stages ran; row ids too, as the writer stores in input order
    "documents": "SELECT id, source, title, publisher, url, date, date_source, format, content_hash, text "
    "FROM documents ORDER BY id",
    "sentences": "SELECT id, document_id, position, char_start, char_end, text, kind, reason, cluster_id, date, "
    "date_precision, date_text, date_source FROM sentences ORDER BY id",
    "clusters": "SELECT id, representative_id, size, sources_count, first_seen, last_seen FROM clusters ORDER BY id",
    "actors": "SELECT id, name, kind, country FROM actors ORDER BY id",
    "actor_aliases": "SELECT alias, actor_id FROM actor_aliases ORDER BY alias",
    "sentence_actors": "SELECT sentence_id, actor_id, role, surface FROM sentence_actors ORDER BY 1, 2, 3",
    "variants": "SELECT a_id, b_id, kind, a_value, b_value FROM variants ORDER BY 1, 2",
}
GERMAN_PAGE = """<!doctype html><html lang="de"><head><title>Hochwasser an der Elbe: Pegel in Dresden steigt</title>
<meta property="og:site_name" content="Elbtal Nachrichten"><meta name="date" content="2024-09-17"></head><body>
<nav><a href="/">Startseite</a> | <a href="/politik">Politik</a> | <a href="/sport">Sport</a></nav>
<div class="cookie">Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis zu bieten.</div>
<article><h1>Hochwasser an der Elbe: Pegel in Dresden steigt</h1>
<p>DRESDEN (dpa) - Der Pegel der Elbe in Dresden ist am Dienstag auf mehr als sechs Meter gestiegen.</p>
<p>Die Stadtverwaltung hat die Alarmstufe drei ausgerufen und mehrere Uferstraßen gesperrt.
Nach Angaben des Landeshochwasserzentrums wird der Scheitel für Donnerstag erwartet.</p>
<p>„Wir sind vorbereitet, aber die nächsten Tage werden schwierig“, sagte Oberbürgermeister Dirk Hilbert.</p>
<p>Lesen Sie auch: Wie sich Sachsen auf Extremwetter einstellt</p></article>
<footer>© 2024 Elbtal Nachrichten. Alle Rechte vorbehalten.</footer></body></html>"""
FRENCH_PAGE = """<!doctype html><html lang="fr"><head>
<title>La Banque de France relève sa prévision de croissance</title><meta property="og:site_name" content="Le Quotidien Économique"><meta name="date" content="2024-06-11"></head><body>
<nav><a href="/">Accueil</a> · <a href="/economie">Économie</a></nav>
<article><h1>La Banque de France relève sa prévision de croissance</h1>
<p>PARIS, 11 juin (Reuters) - La Banque de France a relevé mardi sa prévision de croissance pour 2024 à 0,8 %.</p>
<p>L'institution table désormais sur une inflation de 2,5 % en moyenne sur l'année, contre 2,6 % auparavant.
Le gouverneur François Villeroy de Galhau a estimé que la baisse des taux pourrait se poursuivre.</p>
<p>En savoir plus : notre dossier sur la politique monétaire européenne</p></article>
<footer>Tous droits réservés. Abonnez-vous à notre newsletter.</footer></body></html>"""


# ---------------------------------------------------------------- the inputs


def wikinews_articles() -> list[dict]:
    with WIKINEWS.open(encoding="utf-8") as rows:
        return [json.loads(row) for row in rows]


def write_corpus(root: Path) -> list[str]:
    """A few hundred documents of every kind the read stage takes, as a user's folders hold them.

    Wire stories as text files named in a manifest, the same stories syndicated as Markdown under a
    dateline (so clusters span sources), web pages with their furniture, one with a sidecar, a JSON Lines
    feed (read by the client), German and French pages, and two files that cannot be read.
    """
    articles = wikinews_articles()
    wire, syndicated, pages = root / "wire", root / "syndicated", root / "pages"
    for folder in (wire, syndicated, pages):
        folder.mkdir(parents=True)
    manifest = []
    for article in articles[:150]:
        (wire / f"{article['id']}.txt").write_text(article["text"], encoding="utf-8")
        manifest.append({"file": f"{article['id']}.txt", "publisher": "Wikinews", "date": article["date"]})
    (wire / "sources.json").write_text(json.dumps(manifest), encoding="utf-8")
    for article in articles[:50]:
        title = json.dumps(article["title"])
        front = f"---\ntitle: {title}\npublisher: The Steppe Courier\ndate: {article['date']}\n---\n"
        body = article["text"].strip().replace("\n\n\n", "\n\n")
        (syndicated / f"{article['id']}.md").write_text(f"{front}\nASTANA (Steppe Courier) - {body}\n", "utf-8")
    for article in articles[150:200]:
        paragraphs = "".join(f"<p>{block.strip()}</p>" for block in article["text"].split("\n\n") if block.strip())
        page = (
            f"<html><head><title>{article['title']}</title></head><body><nav><a href='/'>Home</a> | World</nav>"
            f"<article><h1>{article['title']}</h1>{paragraphs}</article>"
            "<footer>Share this story: Facebook | Twitter | Email. Copyright 2019, all rights reserved.</footer>"
            "</body></html>"
        )
        (pages / f"{article['id']}.html").write_text(page, encoding="utf-8")
    sidecar = {"url": "https://news.example.org/world/magnitogorsk", "publisher": "World Desk"}
    (pages / f"{articles[150]['id']}.html.meta.json").write_text(json.dumps(sidecar), encoding="utf-8")
    (pages / "dresden-hochwasser.html").write_text(GERMAN_PAGE, encoding="utf-8")
    (pages / "banque-de-france.html").write_text(FRENCH_PAGE, encoding="utf-8")
    (pages / "empty.txt").write_text("  \n", encoding="utf-8")
    (pages / "scan.pdf").write_bytes(b"%PDF-1.4\n%broken: no objects, no trailer\n")
    with (root / "feed.jsonl").open("w", encoding="utf-8") as feed:
        for article in articles[200:]:
            feed.write(json.dumps(article) + "\n")
    return [str(SEEDS), str(wire), str(syndicated), str(pages), str(root / "feed.jsonl")]


def stored(db: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return {table: conn.execute(sql).fetchall() for table, sql in STORED.items()}


def claimtrack(db: Path, *args: str) -> subprocess.CompletedProcess:
    """`claimtrack --db DB ingest ARGS --json` in a subprocess, with the batches above."""
    command = [sys.executable, "-c", CLI, "--db", str(db), "ingest", *args, "--json"]
    return subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS)


def start_claimtrack(db: Path, *args: str) -> subprocess.Popen:
    command = [sys.executable, "-c", CLI, "--db", str(db), "ingest", *args, "--json"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def fixed_batches(monkeypatch) -> None:
    monkeypatch.setattr(settings, "BATCH_DOCUMENTS", BATCH_DOCUMENTS)
    monkeypatch.setattr(settings, "BATCH_SECONDS", 3600.0)


def documents_stored(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


def dask_command(name: str, *args: str) -> subprocess.Popen:
    """`dask scheduler` or `dask worker`, in a session of its own (killed with its children)."""
    command = [sys.executable, "-m", f"distributed.cli.dask_{name}", *args, "--no-dashboard"]
    return subprocess.Popen(command, stderr=subprocess.DEVNULL, start_new_session=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[str]:
    return write_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def local(inputs, tmp_path_factory) -> tuple[dict, dict]:
    """What a local ingest stores and reports: the reference. Run before any cluster starts in this
    process (the local pool forks)."""
    db = tmp_path_factory.mktemp("local") / "local.db"
    store = open_store(db)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "BATCH_DOCUMENTS", BATCH_DOCUMENTS)
        patch.setattr(settings, "BATCH_SECONDS", 3600.0)
        report = ingest(inputs, store, workers=2).as_dict()
    store.close()
    assert report["new"] > 300 and len(report["failed"]) == 2
    return stored(db), report


@pytest.fixture(scope="module")
def cluster(local):
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as started:  # fmt: skip
        yield started


def same_as_local(db: Path, local: tuple[dict, dict], report: dict) -> None:
    expected, expected_report = local
    assert report == expected_report
    found = stored(db)
    for table in STORED:
        assert found[table] == expected[table], table


# ---------------------------------------------------------------- tests


def test_a_cluster_ingest_stores_what_a_local_ingest_stores_and_a_rerun_processes_nothing(
    inputs, local, cluster, tmp_path
):
    db = tmp_path / "cluster.db"
    run = claimtrack(db, *inputs, "--cluster", cluster.scheduler_address)
    assert run.returncode == 1, run.stderr  # the two unreadable files, as locally
    same_as_local(db, local, json.loads(run.stdout))
    again = claimtrack(db, *inputs, "--cluster", cluster.scheduler_address)
    report = json.loads(again.stdout)
    assert (report["new"], report["replaced"], report["unchanged"]) == (0, 0, local[1]["new"])
    assert stored(db) == local[0]


def test_a_worker_killed_mid_ingest_loses_nothing(inputs, local, cluster, tmp_path):
    db = tmp_path / "cluster.db"
    scheduler = cluster.scheduler
    running = start_claimtrack(db, *inputs, "--cluster", cluster.scheduler_address)
    killed = None
    while running.poll() is None and killed is None:
        busy = [worker for worker in list(scheduler.workers.values()) if worker.processing]
        if busy and len(scheduler.tasks) >= 4:  # chunks submitted, one of them on this worker right now
            killed = busy[0].pid
            os.kill(killed, signal.SIGKILL)
        time.sleep(POLL_SECONDS)
    stdout, stderr = running.communicate(timeout=RUN_TIMEOUT_SECONDS)
    assert killed is not None, "the ingest ended before a worker could be killed"
    assert running.returncode == 1, stderr
    same_as_local(db, local, json.loads(stdout))
    cluster.wait_for_workers(2, timeout=30)  # the nanny started it again, for the next test


def test_workers_that_cannot_see_the_files_read_the_bytes_the_client_sends(
    inputs, local, cluster, tmp_path, monkeypatch, fixed_batches
):
    elsewhere = tmp_path / "only-on-the-client"
    task_for = cluster_module._task

    def as_on_another_machine(item, store):
        task = task_for(item, store)
        if isinstance(task, cluster_module._FileTask):
            return dataclasses.replace(task, where=str(elsewhere / task.file.path.name))
        return task

    monkeypatch.setattr(cluster_module, "_task", as_on_another_machine)
    db = tmp_path / "cluster.db"
    store = open_store(db)
    with cluster_module.connect(cluster.scheduler_address) as connected:
        report = ingest(inputs, store, cluster=connected).as_dict()
        assert connected._send_bytes
    store.close()
    same_as_local(db, local, report)


def test_a_scheduler_lost_mid_ingest_stops_it_whole_and_a_rerun_completes_it(inputs, local, cluster, tmp_path):
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = dask_command("scheduler", "--host", "127.0.0.1", "--port", str(port))
    workers = dask_command("worker", address, "--nworkers", "2", "--nthreads", "1")
    db = tmp_path / "cluster.db"
    try:
        running = start_claimtrack(db, *inputs, "--cluster", address)
        while running.poll() is None and documents_stored(db) < 2 * BATCH_DOCUMENTS:
            time.sleep(POLL_SECONDS)
        scheduler.kill()
        stdout, stderr = running.communicate(timeout=RUN_TIMEOUT_SECONDS)
    finally:
        for started in (scheduler, workers):
            os.killpg(started.pid, signal.SIGKILL)
            started.wait()
    assert running.returncode == 1 and stdout == ""
    assert stderr.startswith(f"Error: lost the Dask scheduler at {address}") and stderr.count("\n") == 1, stderr
    kept = stored(db)
    assert 2 * BATCH_DOCUMENTS <= len(kept["documents"]) < len(local[0]["documents"])
    assert kept["documents"] == local[0]["documents"][: len(kept["documents"])]  # whole batches, in input order
    rerun = claimtrack(db, *inputs, "--cluster", cluster.scheduler_address)
    report = json.loads(rerun.stdout)
    assert (report["unchanged"], report["new"]) == (len(kept["documents"]), local[1]["new"] - len(kept["documents"]))
    assert stored(db) == local[0]


def test_a_scheduler_that_is_not_there_is_one_line_and_the_database_is_untouched(tmp_path):
    db = tmp_path / "never.db"
    run = claimtrack(db, str(SEEDS), "--cluster", f"tcp://127.0.0.1:{free_port()}")
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr.startswith("Error: cannot reach the Dask scheduler at tcp://127.0.0.1:")
    assert run.stderr.count("\n") == 1 and "refused" in run.stderr
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- vectors for related claims on the cluster

VECTORS = {
    "claim_vectors": "SELECT sentence_id, vector FROM claim_vectors ORDER BY sentence_id",
    "vector_blocks": "SELECT b.claims, i.ids, b.codes FROM vector_blocks b "
    "JOIN vector_block_ids i ON i.block_id = b.id ORDER BY b.id",
    "vector_encoder": "SELECT name, dimensions FROM vector_encoder",
}


def stored_vectors(db: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return {table: conn.execute(sql).fetchall() for table, sql in VECTORS.items()}


def test_claims_encoded_on_the_cluster_equal_claims_encoded_here_and_related_finds_the_parade(
    cluster, tmp_path, monkeypatch
):
    from claimtrack.related import claims_like, embed_claims, find, load_encoder

    here, there = tmp_path / "here.db", tmp_path / "there.db"
    store = open_store(here)
    ingest([str(SEEDS)], store, workers=1)
    store.close()
    there.write_bytes(here.read_bytes())
    monkeypatch.setattr(find, "EMBED_BATCH", 16)  # the seeds' 135 claims in nine batches, several in flight
    encoder = load_encoder()
    store = open_store(here)
    assert embed_claims(store, encoder) == 135
    store.close()

    store, connected = open_store(there), cluster_module.connect(cluster.scheduler_address)
    progress: list[tuple[int, int]] = []
    with connected:
        assert embed_claims(store, encoder, lambda done, total: progress.append((done, total)), connected) == 135
    assert progress[0] == (16, 135) and progress[-1] == (135, 135)
    found = claims_like(store, "Kazakhstan cancelled the Victory Day parade", encoder, limit=2)
    parade = [record["text"] for record in store.claim_records([claim.claim_id for claim in found])]
    store.close()
    assert stored_vectors(there) == stored_vectors(here)
    assert all("parade" in text.lower() for text in parade)


def test_embed_on_the_cluster_from_the_command_line_and_a_rerun_encodes_nothing(cluster, tmp_path):
    db = tmp_path / "seeds.db"
    assert claimtrack(db, str(SEEDS)).returncode == 0
    embed = [sys.executable, "-m", "claimtrack", "--db", str(db), "embed", "--json", "--cluster"]
    first = subprocess.run([*embed, cluster.scheduler_address], capture_output=True, text=True, timeout=120)
    assert json.loads(first.stdout) == {"encoded": 135, "encoder": "wordllama"}, first.stderr
    again = subprocess.run([*embed, cluster.scheduler_address], capture_output=True, text=True, timeout=120)
    assert json.loads(again.stdout) == {"encoded": 0, "encoder": "wordllama"}
