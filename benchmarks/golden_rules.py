"""Score claimtrack's sentence splitter on the Golden Rules and time it on the seeds.

    python benchmarks/golden_rules.py [--repeat 200] [--rules PATH] [--seeds DIR]

Golden Rules: the 48 English cases of the Pragmatic Segmenter (via pySBD, MIT), an exact
match of the list of sentence strings. Speed: every non-blank line of the seed documents
split one line at a time, as the pipeline does, the seeds repeated ``--repeat`` times.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import blingfire

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from corpora import GOLDEN_RULES as DEFAULT_RULES  # noqa: E402
from corpora import SEEDS as DEFAULT_SEEDS  # noqa: E402

from claimtrack.sentences import split_sentences  # noqa: E402

DEFAULT_REPEAT = 200


def sentences_of(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def failed_rules(cases: list[dict]) -> list[tuple[dict, list[str]]]:
    """The cases whose sentences differ from the expected ones, with what came out."""
    failures = []
    for case in cases:
        got = sentences_of(case["text"])
        if got != case["expected"]:
            failures.append((case, got))
    return failures


def seed_lines(seeds: Path) -> list[str]:
    return [
        line
        for path in sorted(seeds.glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def sentences_per_second(
    lines: list[str], repeat: int, split: Callable[[str], list] = split_sentences
) -> tuple[int, float]:
    """Split every line ``repeat`` times: (sentences found, sentences per second)."""
    count = 0
    began = time.perf_counter()
    for _ in range(repeat):
        for line in lines:
            count += len(split(line))
    return count, count / (time.perf_counter() - began)


def blingfire_alone(line: str) -> list:
    return blingfire.text_to_sentences_and_offsets(line)[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=Path, default=DEFAULT_RULES)
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT)
    args = parser.parse_args()

    cases = json.loads(args.rules.read_text(encoding="utf-8"))
    failures = failed_rules(cases)
    print(f"Golden Rules: {len(cases) - len(failures)}/{len(cases)}")
    for case, got in failures:
        print(f"  rule {case['rule']} fails ({case['name']})")
        print(f"    expected: {case['expected']}")
        print(f"    got:      {got}")

    lines = seed_lines(args.seeds)
    split_sentences(lines[0])  # load blingfire before timing
    count, speed = sentences_per_second(lines, args.repeat)
    print(
        f"Speed: {speed:,.0f} sentences/s "
        f"({count:,} sentences from {len(lines)} seed lines x {args.repeat}, split per line)"
    )
    # The machine is shared: the same run of blingfire's own wrapper shows how busy it is.
    _, baseline = sentences_per_second(lines, args.repeat, blingfire_alone)
    print(f"  blingfire {version('blingfire')} alone (its own wrapper), same run: {baseline:,.0f} sentences/s")


if __name__ == "__main__":
    main()
