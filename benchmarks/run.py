"""The whole-pipeline benchmark: ingest, dedupe quality, search and export at scale.

    python benchmarks/run.py                    # 10k and 100k sentences
    python benchmarks/run.py --full             # adds 1M (minutes)
    python benchmarks/run.py --sizes 20000 --workers 1

For each size a corpus of text files with known near-duplicates is written once
(benchmarks/corpus.py, cached under --cache) and ingested into a fresh
database by ``claimtrack.pipeline.ingest`` in a child process, so peak RSS is
the ingest's own. Printed per size: sentences/s and documents/s, time spent in
each stage, peak RSS, database bytes per claim, dedupe pair precision/recall
against the known groups (over distinct texts), search latency through the
calls ``claimtrack search`` makes, export time, and ingest speed without actor
extraction.

Stage times: read, actor resolution, loading the dedupe index, store and dedupe
(the in-memory clusterer, run once a batch) are timed inside the real ingest
(main process); clean, split, classify, actors and dates run in the workers, so
they are timed on a sample of the corpus in one process and given as
microseconds per sentence. The run ends with each target, met or not.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from memory import measured, peak_rss_mb  # noqa: E402

DEFAULT_SIZES = (10_000, 100_000)
FULL_SIZE = 1_000_000
STAGE_SAMPLE_DOCUMENTS = 200
QUERIES_PER_KIND = 20
RANDOM_SEED = 5
TARGET_SENTENCES_PER_SECOND = 10_000
TARGET_GROWTH = 11  # time(1M) / time(100k)
TARGET_SEARCH_MS = 20  # p95 at 1M claims
TARGET_FUZZY_MS = 50  # p95 of fuzzy name expansion at 1M claims
TARGET_PEAK_MB = 1024


# ---- child: one ingest ----------------------------------------------------------------


class Timer:
    """Seconds spent inside wrapped callables, by label."""

    def __init__(self) -> None:
        self.seconds: Counter = Counter()

    def wrap(self, label: str, function):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started

        return timed

    def wrap_iterator(self, label: str, function):
        def timed(*args, **kwargs):
            iterator = iter(function(*args, **kwargs))
            while True:
                started = time.perf_counter()
                try:
                    item = next(iterator)
                except StopIteration:
                    return
                finally:
                    self.seconds[label] += time.perf_counter() - started
                yield item

        return timed


def ingest_once(corpus: Path, db: Path, workers: int, with_actors: bool) -> dict:
    from claimtrack import actors, pipeline
    from claimtrack.dedupe import Clusterer
    from claimtrack.store import IngestBatches, Store, open_store

    if not with_actors:
        actors.extract_actors = lambda text: []  # workers are forked after this, so they see it too
    timer = Timer()
    pipeline.iter_inputs = timer.wrap_iterator("walk", pipeline.iter_inputs)  # the workers read the files
    pipeline._resolve_actors = timer.wrap("resolve actors", pipeline._resolve_actors)
    Store.clusterer = timer.wrap("load dedupe index", Store.clusterer)
    Clusterer.add_many = timer.wrap("dedupe", Clusterer.add_many)
    IngestBatches.write = timer.wrap("store+dedupe", IngestBatches.write)  # a full batch is committed inside
    IngestBatches.__exit__ = timer.wrap("store+dedupe", IngestBatches.__exit__)  # the last batch
    store = open_store(db)
    started, cpu_before = time.perf_counter(), os.times()
    report = pipeline.ingest([str(corpus / "docs")], store, workers=workers)
    elapsed, cpu = time.perf_counter() - started, os.times()
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    timer.seconds["store"] = timer.seconds.pop("store+dedupe") - timer.seconds["dedupe"]
    documents = report.new + report.replaced
    return {
        "seconds": elapsed,
        "documents": documents,
        "sentences": report.sentences,
        "claims": report.claims,
        "failed": len(report.failed),
        "peak_rss_mb": peak_rss_mb(),
        "stages": dict(timer.seconds),
        "main_cpu_s": cpu.user + cpu.system - cpu_before.user - cpu_before.system,
        "workers_cpu_s": (cpu.children_user + cpu.children_system)
        - (cpu_before.children_user + cpu_before.children_system),
        "db_bytes": db.stat().st_size,
    }


# ---- parent: measurements on the result ------------------------------------------------


def stage_costs(corpus: Path) -> dict[str, float]:
    """Microseconds per sentence of each worker stage, on a sample of the corpus, warm.

    A first pass over the sample makes the one-time builds (matchers, caches) that an ingest
    pays once per worker; the second pass is the one timed.
    """
    from claimtrack import actors, dates
    from claimtrack.classify import classify_sentence
    from claimtrack.clean import clean_lines
    from claimtrack.dedupe import keyed_all
    from claimtrack.models import CLAIM
    from claimtrack.read import iter_documents
    from claimtrack.sentences import split_sentences

    files = sorted(corpus.rglob("*.txt"))[:STAGE_SAMPLE_DOCUMENTS]
    documents = [d for d in iter_documents([str(f) for f in files]) if hasattr(d, "text")]
    actors.load_gazetteer()  # an ingest builds it once, before the workers start
    spent: Counter = Counter()

    def timed(label, function, *args, **kwargs):
        started = time.perf_counter()
        result = function(*args, **kwargs)
        spent[label] += time.perf_counter() - started
        return result

    def one_pass() -> int:
        sentences = 0
        for document in documents:
            claims = []
            lines = timed("clean", lambda body, form: list(clean_lines(body, form)), document.text, document.format)
            kept = 0
            years = timed("dates", dates.years_stated, document.text)
            for line in lines:
                if line.dropped:
                    continue
                spans = timed("split", split_sentences, line.text)
                for start, end in spans:
                    text = line.text[start:end]
                    sentences += 1
                    kind, _ = timed("classify", classify_sentence, text, line, line_index=kept)  # fmt: skip
                    if kind == CLAIM:
                        timed("actors", actors.extract_actors, text)
                        timed("dates", dates.extract_claim_date, text, doc_date=document.date, doc_years=years)
                        claims.append(text)
                kept += 1
            timed("keys", keyed_all, list(dict.fromkeys(claims)))  # a document's claims at once, as a worker does
        return sentences

    one_pass()
    spent.clear()
    sentences = one_pass()
    return {label: seconds / max(1, sentences) * 1e6 for label, seconds in spent.items()}


def dedupe_quality(db: Path, truth: dict[str, int]) -> tuple[float, float, int]:
    """Pair precision and recall of the clusters over distinct known texts, and how many texts."""
    import sqlite3

    conn = sqlite3.connect(db)
    cluster_of: dict[str, int] = {}
    for text, cluster_id in conn.execute("SELECT text, cluster_id FROM sentences WHERE kind = 'claim'"):
        group = truth.get(text)
        if group is not None and group >= 0:
            cluster_of.setdefault(text, cluster_id)
    conn.close()
    groups = [truth[t] for t in cluster_of]
    clusters = list(cluster_of.values())

    def pairs(counter: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counter.values())

    predicted, actual = pairs(Counter(clusters)), pairs(Counter(groups))
    both = pairs(Counter(zip(clusters, groups)))
    return both / max(1, predicted), both / max(1, actual), len(cluster_of)


def search_latency(db: Path) -> dict[str, tuple[float, float]]:
    """p50 and p95 milliseconds of build_query + Store.search per kind of query, and of fuzzy expansion."""
    from claimtrack.search import build_query, query_words
    from claimtrack.store import Filters, open_store

    rng = random.Random(RANDOM_SEED)
    store = open_store(db)
    names = [r[0] for r in store.conn.execute(
        "SELECT a.name FROM actors a JOIN sentence_actors sa ON sa.actor_id = a.id "
        "GROUP BY a.id ORDER BY count(*) DESC LIMIT ?", (QUERIES_PER_KIND,))]  # fmt: skip
    texts = [r[0] for r in store.conn.execute(
        "SELECT text FROM sentences WHERE kind = 'claim' ORDER BY random() LIMIT ?",
        (QUERIES_PER_KIND * 3,))]  # fmt: skip
    phrases, prefixes, misspelt = [], [], []
    for text in texts:
        words = [w for w in query_words(text) if w.isalpha()]
        long_words = [w for w in words if len(w) >= 7]
        if len(words) >= 4:
            start = rng.randrange(len(words) - 1)
            phrases.append(f'"{words[start]} {words[start + 1]}"')
        if long_words:
            word = rng.choice(long_words)
            prefixes.append(word[:4])
            cut = rng.randrange(1, len(word) - 1)
            misspelt.append(word[:cut] + word[cut + 1 :])
    common = [r[0] for r in store.conn.execute(
        "SELECT term FROM sentences_fts_vocab WHERE length(term) >= 4 AND term GLOB '[a-z]*' "
        "ORDER BY doc DESC LIMIT ?", (QUERIES_PER_KIND,))]  # fmt: skip
    queries = {
        "name": names or ["Russia"],
        "phrase": phrases[:QUERIES_PER_KIND],
        "prefix": prefixes[:QUERIES_PER_KIND],
        "common word": common,
        "fuzzy": misspelt[:QUERIES_PER_KIND],
    }
    latency = {}
    for kind, texts in queries.items():
        times = []
        for text in texts:
            started = time.perf_counter()
            fts = build_query(text, store.terms_near)
            store.search(fts, Filters(), 20, every_appearance=False)
            times.append((time.perf_counter() - started) * 1000)
        latency[kind] = _percentiles(times)
    expansion = []
    for text in queries["fuzzy"]:
        started = time.perf_counter()
        build_query(text, store.terms_near)
        expansion.append((time.perf_counter() - started) * 1000)
    latency["fuzzy expansion"] = _percentiles(expansion)
    store.close()
    return latency


def one_more_document_seconds(db: Path, corpus: Path) -> float:
    """An ingest of one new document into the database just built: the fixed cost of an ingest,
    mostly loading the dedupe index, that a user pays when adding a file to a large database."""
    from claimtrack.pipeline import ingest
    from claimtrack.store import open_store

    sample = sorted((corpus / "docs").rglob("*.txt"))[0]
    extra = corpus / "one-more.txt"
    extra.write_text("A document added later.\n\n" + sample.read_text(encoding="utf-8"), encoding="utf-8")
    store = open_store(db)
    started = time.perf_counter()
    ingest([str(extra)], store, workers=1)
    elapsed = time.perf_counter() - started
    store.close()
    extra.unlink()
    return elapsed


def export_seconds(db: Path) -> tuple[float, int]:
    from claimtrack.store import Filters, open_store

    store = open_store(db)
    started = time.perf_counter()
    count = sum(1 for record in store.export(Filters(), every_appearance=False) if json.dumps(record))
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed, count


def _percentiles(times: list[float]) -> tuple[float, float]:
    if not times:
        return (float("nan"), float("nan"))
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


# ---- driver ------------------------------------------------------------------------------


def corpus_for(size: int, cache: Path) -> Path:
    from corpus import GENERATOR_VERSION, build_corpus

    folder = cache / f"corpus-{size}-v{GENERATOR_VERSION}"
    if not (folder / "truth.json").exists():
        started = time.perf_counter()
        writer = build_corpus(folder, size)
        print(f"  corpus of {writer.sentences:,} sentences in {writer.documents:,} files written to {folder} "
              f"in {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
    return folder


def run_child(corpus: Path, db: Path, workers: int, with_actors: bool) -> dict:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    command = [sys.executable, __file__, "--child", str(corpus), "--db", str(db), "--workers", str(workers)]
    if not with_actors:
        command.append("--no-actors")
    child = subprocess.run(measured(command), capture_output=True, text=True)
    if child.returncode:
        sys.exit(child.stderr)
    return json.loads(child.stdout.splitlines()[-1])


def measure(size: int, args) -> dict:
    print(f"size {size:,}", flush=True)
    corpus = corpus_for(size, args.cache)
    truth = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    results = {"size": size}
    if not args.skip_no_actors:
        results["no_actors"] = run_child(corpus, args.cache / f"bench-{size}-noactors.db", args.workers, False)
    db = args.cache / f"bench-{size}.db"
    results["ingest"] = run_child(corpus, db, args.workers, True)
    results["quality"] = dedupe_quality(db, truth)
    results["search"] = search_latency(db)
    results["export"] = export_seconds(db)
    results["one_more"] = one_more_document_seconds(db, corpus)
    results["worker_stages"] = stage_costs(corpus)
    return results


def print_table(all_results: list[dict], workers: int) -> None:
    cpu = platform.processor() or platform.machine()
    print(f"\nmachine: {os.cpu_count()} CPUs, {cpu}; workers: {workers}\n")
    sizes = [r["size"] for r in all_results]
    print("| measure | " + " | ".join(f"{s:,}" for s in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))

    def row(label: str, values) -> None:
        print(f"| {label} | " + " | ".join(values) + " |")

    ingest = [r["ingest"] for r in all_results]
    row(
        "documents / sentences / claims", [f"{i['documents']:,} / {i['sentences']:,} / {i['claims']:,}" for i in ingest]
    )
    row("ingest seconds", [f"{i['seconds']:.1f}" for i in ingest])
    row("sentences/s", [f"{i['sentences'] / i['seconds']:,.0f}" for i in ingest])
    row("documents/s", [f"{i['documents'] / i['seconds']:,.1f}" for i in ingest])
    if all("no_actors" in r for r in all_results):
        row("sentences/s without actors", [f"{r['no_actors']['sentences'] / r['no_actors']['seconds']:,.0f}"
                                           for r in all_results])  # fmt: skip
    row("CPU µs/sentence: main process / workers",
        [f"{i['main_cpu_s'] / i['sentences'] * 1e6:.0f} / {i['workers_cpu_s'] / i['sentences'] * 1e6:.0f}"
         for i in ingest])  # fmt: skip
    for stage in ("walk", "resolve actors", "load dedupe index", "dedupe", "store"):
        row(f"main: {stage} s (µs/sentence)", [_seconds_and_per_sentence(i, stage) for i in ingest])
    for stage in ("clean", "split", "classify", "actors", "dates", "keys"):
        row(f"worker: {stage} µs/sentence", [f"{r['worker_stages'].get(stage, 0):.0f}" for r in all_results])
    row("peak RSS MB (ingest process)", [f"{i['peak_rss_mb']:.0f}" for i in ingest])
    row("database bytes per claim", [f"{i['db_bytes'] / max(1, i['claims']):,.0f}" for i in ingest])
    row("dedupe precision / recall (texts)", [f"{r['quality'][0]:.4f} / {r['quality'][1]:.4f} ({r['quality'][2]:,})"
                                              for r in all_results])  # fmt: skip
    for kind in ("name", "phrase", "prefix", "common word", "fuzzy", "fuzzy expansion"):
        row(f"search {kind} p50 / p95 ms", [f"{r['search'][kind][0]:.1f} / {r['search'][kind][1]:.1f}"
                                            for r in all_results])  # fmt: skip
    row("export s (claims)", [f"{r['export'][0]:.1f} ({r['export'][1]:,})" for r in all_results])
    row("one more document into it, s", [f"{r['one_more']:.2f}" for r in all_results])
    print_targets(all_results)


def print_targets(all_results: list[dict]) -> None:
    """Each target of the write-path issue, met or not, as measured in this run."""
    checks = []
    for r in all_results:
        size, ingest = f"{r['size']:,}", r["ingest"]
        rate = ingest["sentences"] / ingest["seconds"]
        checks.append((f"ingest >= {TARGET_SENTENCES_PER_SECOND:,} sentences/s at {size}: {rate:,.0f}",
                       rate >= TARGET_SENTENCES_PER_SECOND))  # fmt: skip
        checks.append((f"peak RSS <= {TARGET_PEAK_MB:,} MB at {size}: {ingest['peak_rss_mb']:.0f}",
                       ingest["peak_rss_mb"] <= TARGET_PEAK_MB))  # fmt: skip
        precision, recall, _ = r["quality"]
        checks.append((f"dedupe precision >= 0.99 and recall >= 0.98 at {size}: {precision:.4f} / {recall:.4f}",
                       precision >= 0.99 and recall >= 0.98))  # fmt: skip
        if r["size"] >= FULL_SIZE:
            for kind in ("name", "prefix", "phrase", "common word"):
                p95 = r["search"][kind][1]
                checks.append((f"search {kind} p95 <= {TARGET_SEARCH_MS} ms at {size}: {p95:.1f}",
                               p95 <= TARGET_SEARCH_MS))  # fmt: skip
            p95 = r["search"]["fuzzy expansion"][1]
            checks.append((f"fuzzy expansion p95 <= {TARGET_FUZZY_MS} ms at {size}: {p95:.1f}", p95 <= TARGET_FUZZY_MS))
    by_size = {r["size"]: r["ingest"]["seconds"] for r in all_results}
    if FULL_SIZE in by_size and FULL_SIZE // 10 in by_size:
        growth = by_size[FULL_SIZE] / by_size[FULL_SIZE // 10]
        checks.append((f"time(1M) <= {TARGET_GROWTH} x time(100k): {growth:.1f}", growth <= TARGET_GROWTH))
    print("\ntargets:")
    for label, met in checks:
        print(f"- {'met    ' if met else 'NOT MET'} {label}")


def _seconds_and_per_sentence(ingest: dict, stage: str) -> str:
    seconds = ingest["stages"].get(stage, 0)
    return f"{seconds:.1f} ({seconds / ingest['sentences'] * 1e6:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=list(DEFAULT_SIZES))
    parser.add_argument("--full", action="store_true", help=f"also run {FULL_SIZE:,} sentences")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="default: one per core, as ingest")
    parser.add_argument("--cache", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--skip-no-actors", action="store_true", help="do not ingest again without actors")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-actors", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(ingest_once(args.child, args.db, args.workers, not args.no_actors)))
        return
    args.cache.mkdir(parents=True, exist_ok=True)
    sizes = args.sizes + ([FULL_SIZE] if args.full else [])
    print_table([measure(size, args) for size in sizes], args.workers)


if __name__ == "__main__":
    main()
