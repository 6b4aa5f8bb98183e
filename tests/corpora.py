"""Where the tests' data lives. Every test and benchmark names these paths through this module.

The corpora are copies kept inside the repository, with their licences in ``tests/data/README.md``.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DATA = ROOT / "tests" / "data"
WIKINEWS = DATA / "wikinews.jsonl"
GOLDEN_RULES = DATA / "golden_rules_en.json"
LABELLED_ACTORS = DATA / "actors_labelled.jsonl"
SCHEMA_V1_DATABASE = DATA / "schema_v1.db"
RELATED_PAIRS = DATA / "related_pairs.jsonl"
