"""Ingest locally and through a Dask cluster on this machine: the rates, and the cluster's overhead.

    python benchmarks/cluster.py                  # 20k sentences, 2 workers, best of 3 runs each
    python benchmarks/cluster.py --size 100000 --runs 1

The same corpus (benchmarks/corpus.py, cached under --cache) is ingested into a fresh database by
``claimtrack.pipeline.ingest`` in a child process, with a pool of --workers processes, then through
a ``distributed.LocalCluster`` of --workers single-threaded worker processes started here (so the
scheduler runs in this process, apart from the writer, as it would on a real cluster). Runs alternate,
so that a load elsewhere on the machine falls on both alike. The time is the ingest's, from the first
input read to the last batch stored; connecting to the scheduler is timed apart.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

DEFAULT_SIZE = 20_000
DEFAULT_RUNS = 3
TARGET_OVERHEAD = 0.15


def child(corpus: Path, db: Path, workers: int, address: str | None) -> dict:
    from claimtrack.pipeline import ingest
    from claimtrack.store import open_store

    started = time.perf_counter()
    cluster = None
    if address:
        from claimtrack.cluster import connect

        cluster = connect(address)
    connected = time.perf_counter()
    store = open_store(db)
    own_cpu = _own_cpu_seconds()
    report = ingest([str(corpus / "docs")], store, workers=workers, cluster=cluster)
    done = time.perf_counter()
    own_cpu = _own_cpu_seconds() - own_cpu
    store.close()
    if cluster:
        cluster.close()
    assert not report.failed, report.failed[:3]
    return {"sentences": report.sentences, "documents": report.new, "seconds": done - connected,
            "connect_seconds": connected - started, "writer_cpu_seconds": own_cpu}  # fmt: skip


def _own_cpu_seconds() -> float:
    """CPU time of this process alone (the writer, and the walk), not of its pool's processes."""
    times = os.times()
    return times.user + times.system


def run_child(corpus: Path, db: Path, workers: int, address: str | None) -> dict:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    command = [sys.executable, __file__, "--child", str(corpus), "--db", str(db), "--workers", str(workers)]
    if address:
        command += ["--address", address]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        sys.exit(done.stderr)
    return json.loads(done.stdout.splitlines()[-1])


def commit() -> str:
    try:
        found = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        return found.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="sentences in the corpus")
    parser.add_argument("--workers", type=int, default=2, help="pool processes, and the cluster's worker processes")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="runs of each; the best is kept")
    parser.add_argument("--cache", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--address", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.db, args.workers, args.address)))
        return

    import distributed
    from run import corpus_for

    corpus = corpus_for(args.size, args.cache)
    db = args.cache / f"bench-cluster-{args.size}.db"
    local: list[dict] = []
    remote: list[dict] = []
    with distributed.LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:  # fmt: skip
        for _ in range(args.runs):
            local.append(run_child(corpus, db, args.workers, None))
            remote.append(run_child(corpus, db, args.workers, cluster.scheduler_address))
    best_local = min(local, key=lambda run: run["seconds"])
    best_remote = min(remote, key=lambda run: run["seconds"])
    local_rate = best_local["sentences"] / best_local["seconds"]
    remote_rate = best_remote["sentences"] / best_remote["seconds"]
    overhead = local_rate / remote_rate - 1
    print(f"machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}; commit {commit()}")
    print(f"corpus: {best_local['sentences']:,} sentences in {best_local['documents']:,} files; "
          f"best of {args.runs} runs each")  # fmt: skip
    print(f"local, {args.workers} worker processes:   {local_rate:8,.0f} sentences/s  ({best_local['seconds']:.2f} s)")
    print(f"LocalCluster, {args.workers} workers:      {remote_rate:8,.0f} sentences/s  "
          f"({best_remote['seconds']:.2f} s, connecting {best_remote['connect_seconds']:.2f} s more)")  # fmt: skip
    writer_us = 1e6 * best_remote["writer_cpu_seconds"] / best_remote["sentences"]
    print(f"the writer (the claimtrack process), CPU µs a sentence: {writer_us:.0f} through the cluster, "
          f"{1e6 * best_local['writer_cpu_seconds'] / best_local['sentences']:.0f} locally; so at most "
          f"{1e6 / writer_us:,.0f} sentences/s, {3600 / writer_us:.1f} million an hour, whatever the workers")
    verdict = "met" if overhead <= TARGET_OVERHEAD else "NOT met"
    print(f"cluster overhead: {overhead:+.1%} (target <= {TARGET_OVERHEAD:.0%}: {verdict})")


if __name__ == "__main__":
    main()
