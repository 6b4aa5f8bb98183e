"""Clusters in the real store, through the real pipeline: order, replacement, seeds, variants."""

from __future__ import annotations

import shutil
from pathlib import Path

from claimtrack.dedupe import DIFFERENT, SAME, compare, match_text
from claimtrack.pipeline import ingest
from claimtrack.store import open_store

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))

# A real seed sentence, and two copies edited at opposite ends: each is the same claim as the
# original, but the two copies differ from each other in too many words to be the same claim.
ORIGINAL = (
    "Since Russia’s invasion of Ukraine in February, the red lines in its relationship with Russia "
    "have been unclear for Kazakhstan."
)
EDITED_START = (
    "Ever since Russia’s full invasion of Ukraine in February, the red lines in its relationship with Russia "
    "have been unclear for Kazakhstan."
)
EDITED_END = (
    "Since Russia’s invasion of Ukraine in February, the red lines in its relationship with Russia "
    "have remained murky for Kazakhstan."
)


def partition(db: Path) -> set[frozenset[str]]:
    """The claim texts of each cluster."""
    store = open_store(db)
    clusters: dict[int, set[str]] = {}
    for text, cluster_id in store.conn.execute("SELECT text, cluster_id FROM sentences WHERE kind = 'claim'"):
        clusters.setdefault(cluster_id, set()).add(text)
    store.close()
    return {frozenset(texts) for texts in clusters.values()}


def cluster_sizes(db: Path) -> list[int]:
    store = open_store(db)
    query = "SELECT count(*) FROM sentences WHERE cluster_id IS NOT NULL GROUP BY cluster_id ORDER BY 1 DESC"
    sizes = [n for (n,) in store.conn.execute(query)]
    store.close()
    return sizes


def ingest_files(db: Path, files: list[Path]) -> None:
    store = open_store(db)
    for file in files:  # one call per file: the order is the one given
        ingest([str(file)], store)
    store.close()


def write(folder: Path, name: str, *paragraphs: str) -> Path:
    path = folder / name
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


def test_the_same_documents_in_another_order_give_the_same_clusters(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    files = [shutil.copy(seed, folder / seed.name) for seed in SEEDS]
    files += [
        write(folder, "start.txt", EDITED_START, "Teasers are cut short on listing pages."),
        write(folder, "end.txt", EDITED_END),
        write(folder, "original.txt", ORIGINAL),
    ]
    files = [Path(f) for f in files]
    ingest_files(tmp_path / "forward.db", files)
    ingest_files(tmp_path / "backward.db", files[::-1])
    ingest_files(tmp_path / "shuffled.db", files[1::2] + files[::2])
    forward = partition(tmp_path / "forward.db")
    assert forward == partition(tmp_path / "backward.db") == partition(tmp_path / "shuffled.db")
    assert any({ORIGINAL, EDITED_START, EDITED_END} <= cluster for cluster in forward)


def test_replacing_the_bridging_document_splits_the_cluster(tmp_path):
    assert compare(EDITED_START, ORIGINAL).kind == SAME and compare(EDITED_END, ORIGINAL).kind == SAME
    assert compare(EDITED_START, EDITED_END).kind == DIFFERENT
    db = tmp_path / "claims.db"
    bridge = write(tmp_path, "bridge.txt", ORIGINAL)
    ingest_files(db, [write(tmp_path, "start.txt", EDITED_START), bridge, write(tmp_path, "end.txt", EDITED_END)])
    assert frozenset({EDITED_START, ORIGINAL, EDITED_END}) in partition(db)

    write(tmp_path, "bridge.txt", "The bridge document now says something else entirely about trade.")
    ingest_files(db, [bridge])
    after = partition(db)
    assert frozenset({EDITED_START}) in after and frozenset({EDITED_END}) in after
    store = open_store(db)
    sizes = dict(store.conn.execute(
        "SELECT s.text, c.size FROM sentences s JOIN clusters c ON c.id = s.cluster_id WHERE s.kind = 'claim'"
    ).fetchall())  # fmt: skip
    assert sizes[EDITED_START] == sizes[EDITED_END] == 1
    assert store.conn.execute("SELECT count(*) FROM clusters").fetchone()[0] == len(after)
    store.close()


def test_carnegie_seeds_share_their_teasers_and_nothing_else_merges(tmp_path):
    db = tmp_path / "seeds.db"
    store = open_store(db)
    ingest([str(seed) for seed in SEEDS], store)
    rows = store.conn.execute(
        "SELECT c.id, c.size, c.sources_count, s.text, d.source FROM clusters c "
        "JOIN sentences s ON s.cluster_id = c.id JOIN documents d ON d.id = s.document_id WHERE c.size > 1"
    ).fetchall()
    store.close()
    clusters: dict[int, list] = {}
    for cluster_id, size, sources, text, source in rows:
        clusters.setdefault(cluster_id, []).append((size, sources, text, Path(source).name[:3]))
    assert len(clusters) == 7  # checked by eye: the seven teasers both pages carry
    for members in clusters.values():
        assert len({match_text(text) for _, _, text, _ in members}) == 1  # every one an exact repeat
        assert {owner for _, _, _, owner in members} == {"000", "001"}
        assert all(size == len(members) == 2 and sources == 2 for size, sources, _, _ in members)
    texts = {members[0][2] for members in clusters.values()}
    assert any(text.startswith("Moscow had every opportunity") for text in texts)


def test_variants_are_stored_with_their_kind(tmp_path):
    db = tmp_path / "claims.db"
    ingest_files(db, [
        write(tmp_path, "a.txt", "The Kazakh government sent 500 troops to the border in March."),
        write(tmp_path, "b.txt", "The Kazakh government sent 800 troops to the border in March."),
        write(tmp_path, "c.txt", "Kazakhstan has refused to recognise the annexation of Crimea in 2014."),
        write(tmp_path, "d.txt", "Kazakhstan has not refused to recognise the annexation of Crimea in 2014."),
    ])  # fmt: skip
    store = open_store(db)
    variants = store.conn.execute(
        "SELECT a.text, b.text, v.kind, v.a_value, v.b_value FROM variants v "
        "JOIN sentences a ON a.id = v.a_id JOIN sentences b ON b.id = v.b_id ORDER BY v.kind"
    ).fetchall()
    clusters = store.conn.execute("SELECT count(*) FROM clusters").fetchone()[0]
    store.close()
    assert [(kind, a_value, b_value) for _, _, kind, a_value, b_value in variants] == [
        ("negation", "", "not"),
        ("number", "500", "800"),
    ]
    assert clusters == 4  # a variant is another claim


def test_a_batch_of_one_document_gives_the_clusters_of_one_batch_of_all(tmp_path, monkeypatch):
    store = open_store(tmp_path / "whole.db")
    ingest([str(path) for path in SEEDS], store)
    store.close()
    monkeypatch.setattr("claimtrack.settings.BATCH_DOCUMENTS", 1)
    store = open_store(tmp_path / "one_by_one.db")
    ingest([str(path) for path in SEEDS], store)
    store.close()
    assert partition(tmp_path / "one_by_one.db") == partition(tmp_path / "whole.db")
    assert cluster_sizes(tmp_path / "whole.db")[0] > 1
