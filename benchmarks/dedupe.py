"""Benchmark dedupe: candidate generation + verification + clustering at scale.

    python benchmarks/dedupe.py                 # 10k and 100k sentences
    python benchmarks/dedupe.py --sizes 10000   # any sizes
    python benchmarks/dedupe.py --million       # adds 1M (minutes, ~1 GB)
    python benchmarks/dedupe.py --million --rounds 3   # each size three times, in turn

The corpus is made from the real sentences of the seeds and Wikinews, with the
pipeline benchmark's sentence source (``corpus.py``): the real sentences that
have no near-duplicate among themselves, then sentences generated from a
word-bigram model of them until N is reached (so word frequencies stay
realistic), none of which copies much of a real sentence. Then known duplicates:
about 10% of the N sentences are copies of another one edited in one harmless
way (the evaluation corpus's edits), and 2% are variants (number, negation,
actor or date changed), which count as different claims.

Each corpus is written by one process and clustered by another, so the peak
RSS (ru_maxrss, see memory.py) is the clustering's own; that process also drops
each text from the corpus once it is added, as an ingest holds only the
document at hand. As in ``claimtrack ingest``, worker processes (``--workers``,
default: the number of cores) prepare and key the sentences, and one process
looks up candidates, verifies them and keeps the clusters, here with the
in-memory ``MemoryKeyIndex`` rather than SQLite.

Printed per size: clustering time and sentences/s (corpus generation
excluded), CPU time a sentence of the clustering process and of all the
workers, peak RSS of the clustering process and of a worker, candidates
verified per sentence, candidate recall (share of duplicate pairs that share a
key) and pair precision/recall of the clusters against the known groups. Last,
how many times as long each size took as the one before, also adjusted for the
machine's speed (``print_growth``); with ``--rounds``, every size is clustered
that many times in turn, and the median is printed with each round's figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from collections import Counter
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from corpus import distinct_real_sentences, sentence_source  # noqa: E402
from dedupe_cases import VARIANT_EDITS, harmless_edits, vocabulary  # noqa: E402
from memory import measured, peak_rss_mb  # noqa: E402

from claimtrack.dedupe import Clusterer, candidate_keys, keyed, match_text  # noqa: E402
from claimtrack.pipeline import map_in_order  # noqa: E402

RANDOM_SEED = 11
DUPLICATE_SHARE = 0.10
VARIANT_SHARE = 0.02
DEFAULT_SIZES = (10_000, 100_000)
KEYED_BATCH = 5_000  # sentences in the key-making workers at a time (two batches)
KEYED_CHUNK = 500  # ...sent to one worker at a time


def build_corpus(size: int, seed: int = RANDOM_SEED) -> tuple[list[str], list[int], list[tuple[int, int]]]:
    """Texts, their known group, and the (copy, original) index pairs that must cluster."""
    rng = random.Random(seed)
    originals_needed = size - int(size * (DUPLICATE_SHARE + VARIANT_SHARE))
    bases = list(islice(sentence_source(rng), originals_needed))
    texts, groups = list(bases), list(range(len(bases)))
    duplicate_pairs = []
    edits = harmless_edits(vocabulary(distinct_real_sentences()))
    names = sorted(edits)
    variant_edits = list(VARIANT_EDITS.values())
    while len(texts) < size:
        original = rng.randrange(len(bases))
        if rng.random() < VARIANT_SHARE / (DUPLICATE_SHARE + VARIANT_SHARE):
            edited = rng.choice(variant_edits)(bases[original], rng)
            group = len(bases) + len(texts)  # a claim of its own
        else:
            edited = edits[rng.choice(names)](bases[original], rng)
            group = original
        if edited is None or edited == bases[original]:
            continue
        if group == original:
            duplicate_pairs.append((len(texts), original))
        texts.append(edited)
        groups.append(group)
    order = list(range(size))
    rng.shuffle(order)
    position = {old: new for new, old in enumerate(order)}
    return (
        [texts[i] for i in order],
        [groups[i] for i in order],
        [(position[a], position[b]) for a, b in duplicate_pairs],
    )


def pair_counts(clusters: list[int], groups: list[int]) -> tuple[int, int, int]:
    """Pairs put together by the clusters, pairs that belong together, and both."""

    def pairs(counter: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counter.values())

    return pairs(Counter(clusters)), pairs(Counter(groups)), pairs(Counter(zip(clusters, groups)))


def write_corpus(size: int, path: Path) -> None:
    """The corpus of one size, as JSON: made in its own process, so its memory is not the run's."""
    path.write_text(json.dumps(build_corpus(size)), encoding="utf-8")


def run_one(size: int, corpus: Path, workers: int) -> dict:
    """Cluster a written corpus as claimtrack does: keys made in worker processes, clusters here."""
    texts, groups, duplicate_pairs = json.loads(corpus.read_text(encoding="utf-8"))
    found = sum(  # before clustering, which takes the texts
        bool(set(candidate_keys(match_text(texts[a]))) & set(candidate_keys(match_text(texts[b]))))
        for a, b in duplicate_pairs
    )
    pairs = len(duplicate_pairs)
    # The answers are the benchmark's, not the clustering's: kept in an array, they take little
    # memory, and frozen, the collector need not walk them.
    groups = array("q", groups)
    del duplicate_pairs
    gc.freeze()
    clusterer = Clusterer()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        started, cpu_started = time.perf_counter(), time.process_time()
        made = map_in_order(pool, keyed, texts, KEYED_BATCH, KEYED_CHUNK)
        clusterer.add_many((i, _hand_over(texts, i), ready) for i, ready in enumerate(made))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    workers_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool's workers, ended and waited for
    clusters = [clusterer.find(i) for i in range(size)]
    predicted, actual, both = pair_counts(clusters, groups)
    return {
        "size": size,
        "seconds": elapsed,
        "per_second": size / elapsed,
        "cpu_us": cpu / size * 1e6,
        "workers_cpu_us": (workers_cpu.ru_utime + workers_cpu.ru_stime) / size * 1e6,
        "peak_rss_mb": peak_rss_mb(),
        "worker_peak_rss_mb": workers_cpu.ru_maxrss / 1024,
        "candidates_per_sentence": clusterer.candidates_checked / size,
        "candidate_recall": found / max(1, pairs),
        "precision": both / max(1, predicted),
        "recall": both / max(1, actual),
        "variant_links": len(clusterer.variants),
    }


def _hand_over(texts: list[str | None], i: int) -> str:
    """Text `i`, dropped from the corpus: the clusterer keeps what it needs of it, as in an ingest."""
    text, texts[i] = texts[i], None
    return text


def variant_quality() -> str:
    """How the known-answer pairs of tests/dedupe_cases.py are judged, and what judging costs."""
    from dedupe_cases import DIFFERENT_PAIR, SAME_PAIR, build_cases

    from claimtrack.dedupe import SAME, VARIANT, compare, prepare

    cases = build_cases(1500)
    prepared = [(prepare(case.a), prepare(case.b)) for case in cases]
    started = time.perf_counter()
    verdicts = [compare(a, b) for a, b in prepared]
    per_pair = (time.perf_counter() - started) / len(prepared) * 1e6
    same = [v for c, v in zip(cases, verdicts) if c.expected == SAME_PAIR]
    variants = [(c, v) for c, v in zip(cases, verdicts) if c.expected not in (SAME_PAIR, DIFFERENT_PAIR)]
    merged = sum(v.kind == SAME for _, v in variants) / len(variants)
    linked = sum(v.kind == VARIANT and v.variant == c.expected for c, v in variants) / len(variants)
    harmless = sum(v.kind == SAME for v in same) / len(same)
    return (
        f"variant edits ({len(variants)} pairs): merged {merged:.1%}, linked as the right kind {linked:.1%}; "
        f"harmless edits ({len(same)} pairs) merged {harmless:.1%}; compare costs {per_pair:.0f} µs a pair "
        f"(variant detection included)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=list(DEFAULT_SIZES))
    parser.add_argument("--million", action="store_true", help="also run 1,000,000 sentences")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes making keys")
    parser.add_argument("--rounds", type=int, default=1, help="cluster every size this many times, in turn")
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)  # a child's corpus file
    parser.add_argument("--write", type=int, help=argparse.SUPPRESS)  # a child writes that size's corpus
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child clusters that size's corpus
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds takes a whole number from 1")
    if args.write:
        write_corpus(args.write, args.corpus)
        return
    if args.one:
        print(json.dumps(run_one(args.one, args.corpus, args.workers)))
        return
    sizes = args.sizes + ([1_000_000] if args.million else [])
    print(variant_quality())
    print(
        f"{'sentences':>10} {'time s':>8} {'sent/s':>8} {'cpu µs':>7} {'workers':>8} {'peak MB':>8} {'workers':>8} "
        f"{'cand/sent':>9} {'cand rec':>8} {'precision':>9} {'recall':>7} {'variants':>8}"
    )
    rounds = []
    with tempfile.TemporaryDirectory() as folder:
        corpora = {size: Path(folder) / f"{size}.json" for size in sizes}
        for size, corpus in corpora.items():
            subprocess.run([sys.executable, __file__, "--write", str(size), "--corpus", str(corpus)], check=True)
        for _ in range(args.rounds):
            rounds.append({size: cluster_in_a_child(size, corpus, args.workers) for size, corpus in corpora.items()})
    print_growth(rounds)


def cluster_in_a_child(size: int, corpus: Path, workers: int) -> dict:
    """``run_one`` in a process of its own, so that its peak memory is the clustering's; its row printed."""
    child = subprocess.run(
        measured([sys.executable, __file__, "--one", str(size), "--corpus", str(corpus), "--workers", str(workers)]),
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    r = json.loads(child.stdout)
    print(
        f"{r['size']:>10,} {r['seconds']:>8.1f} {r['per_second']:>8,.0f} {r['cpu_us']:>7.1f} "
        f"{r['workers_cpu_us']:>8.1f} {r['peak_rss_mb']:>8.0f} {r['worker_peak_rss_mb']:>8.0f} "
        f"{r['candidates_per_sentence']:>9.2f} {r['candidate_recall']:>8.4f} {r['precision']:>9.4f} "
        f"{r['recall']:>7.4f} {r['variant_links']:>8,}",
        flush=True,
    )
    return r


def print_growth(rounds: list[dict[int, dict]]) -> None:
    """How time grows with size, in each round and at the median: the target is about linear
    (1M within 11 times 100k).

    The workers do the same work for a sentence at every size, so their CPU time a sentence
    gauges the machine's speed during each run; on a shared machine it drifts by tens of percent
    within minutes. The second figure scales the larger run's time by that gauge.
    """
    sizes = sorted(rounds[0])
    for small, large in zip(sizes, sizes[1:]):
        growth = [r[large]["seconds"] / r[small]["seconds"] for r in rounds]
        gauge = [r[small]["workers_cpu_us"] / r[large]["workers_cpu_us"] for r in rounds]
        steady = [g * s for g, s in zip(growth, gauge)]
        print(
            f"{large:,} sentences took {statistics.median(growth):.1f} times as long as {small:,} "
            f"({statistics.median(steady):.1f} times at the machine speed of the smaller run, by the workers' CPU "
            f"a sentence)" + (f"; by round: {_listed(growth)} ({_listed(steady)})" if len(rounds) > 1 else "")
        )


def _listed(values: list[float]) -> str:
    return ", ".join(f"{v:.1f}" for v in values)


if __name__ == "__main__":
    main()
