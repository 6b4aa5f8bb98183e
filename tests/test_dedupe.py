"""Dedupe on real text: match text, keys, verification quality, clusters."""

from __future__ import annotations

import json
import os
import pickle
import random
import subprocess
import sys
from collections import Counter
from functools import lru_cache

import numpy as np
import pytest
from corpora import ROOT
from dedupe_cases import DIFFERENT_PAIR, SAME_PAIR, build_cases, real_sentences, seed_sentences

from claimtrack.dedupe import (
    ACTOR,
    DATE,
    DEFAULT_THRESHOLD,
    DIFFERENT,
    MAX_HOLDERS_PER_KEY,
    NEGATION,
    NUMBER,
    SAME,
    VARIANT,
    Clusterer,
    MemoryKeyIndex,
    Prepared,
    Verdict,
    candidate_keys,
    compare,
    keyed,
    match_text,
    may_be_alike,
    plan_batch,
    prepare,
    worth_comparing,
    worth_preparing,
)
from claimtrack.dedupe.keys import MIN_CONTAINMENT, MIN_SHARED_KEYS, containment, may_share_an_end

MIN_PRECISION = 0.99
MIN_RECALL = 0.97
MIN_CANDIDATE_RECALL = 0.97
MAX_VARIANTS_MERGED = 0.02
MIN_VARIANTS_RECOGNISED = 0.90


@lru_cache(maxsize=1)
def cases():
    return build_cases(1200)


@lru_cache(maxsize=1)
def verdicts():
    return [compare(case.a, case.b) for case in cases()]


def _is_variant_case(case) -> bool:
    return case.expected not in (SAME_PAIR, DIFFERENT_PAIR)


# ---- match text -------------------------------------------------------------------


def test_match_text_folds_harmless_differences():
    original = "Moscow had every opportunity to make the Central Asian nations gravitate toward it."
    for edited in (
        "UPDATE: Moscow had every opportunity to make the Central Asian nations gravitate toward it.",
        "WASHINGTON (Reuters) - Moscow had every opportunity to make the Central Asian nations gravitate toward it",
        "Friday, January 4, 2019 Moscow had every  opportunity to make the central\u00a0Asian nations "
        "gravitate toward it!",
        "MOSCOW HAD EVERY OPPORTUNITY TO MAKE THE CENTRAL ASIAN NATIONS GRAVITATE TOWARD IT.",
    ):
        assert match_text(edited) == match_text(original), edited


def test_match_text_folds_quotes_contractions_and_numbers():
    assert match_text("Russia\u2019s troops didn\u2019t leave") == match_text("Russia's troops did not leave")
    assert match_text("Over 1,000 rescuers, 5% of them") == match_text("over 1000 rescuers, five percent of them")


def test_trailing_ellipsis_marks_a_teaser():
    teaser = prepare("Russia\u2019s invasion of Ukraine has upended geopolitics in Central\u2026")
    assert teaser.truncated and teaser.match.endswith("in central")
    assert not prepare("Russia has upended geopolitics.").truncated


def test_a_prepared_sentence_is_made_again_from_its_written_words_alone():
    texts = real_sentences(limit=2000) + [
        "Twenty-five percent of the 1,000 voters didn\u2019t turn out; 5% said \u201cnever\u201d\u2026",
        "Die Stra\u00dfe \u2013 IM ZENTRUM \u2013 wurde gesperrt.",
    ]
    for text in texts:
        prepared = prepare(text)
        again = Prepared.of_written(prepared.written, prepared.truncated)
        assert (again.match, again.tokens, again.words) == (prepared.match, prepared.tokens, prepared.words), text
        carried = pickle.loads(pickle.dumps(prepared))  # only the strings travel from a worker
        assert carried == prepared and carried.words == prepared.words
        assert len(pickle.dumps(prepared)) < len(f"{prepared.match}{prepared.written}".encode()) + 80
    folded = prepare(texts[-2])
    assert folded.truncated and folded.match == "20 5 percent of the 1000 voters did not turn out 5 percent said never"


def test_a_teaser_must_copy_the_opening_it_is_matched_with():
    full = "Local prosecutors said the company had hidden its losses in a fund abroad last year."
    assert compare("Local prosecutors said the company had hidden its losses in a fu…", full).kind == SAME
    assert compare("Local prosecutors said the company had moved its losses in a fund…", full).kind == SAME
    assert compare("Local prosecutors said the bank had moved its losses in a fund…", full).kind == DIFFERENT


# ---- keys ------------------------------------------------------------------------------


def test_keys_are_deterministic_across_processes_and_fit_sqlite_integers():
    sentences = real_sentences(limit=50)
    here = [candidate_keys(match_text(s)) for s in sentences]
    code = (
        "import json, sys; from claimtrack.dedupe import candidate_keys, match_text; "
        "print(json.dumps([candidate_keys(match_text(s)) for s in json.load(sys.stdin)]))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(sentences),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)},
    )
    assert json.loads(other.stdout) == here
    assert all(-(2**63) <= k < 2**63 for keys in here for k in keys)
    assert all(keys for keys in here)


def test_candidate_keys_find_the_edited_copies():
    positives = [c for c in cases() if c.expected != DIFFERENT_PAIR]
    found = sum(bool(set(candidate_keys(match_text(c.a))) & set(candidate_keys(match_text(c.b)))) for c in positives)
    assert found / len(positives) >= MIN_CANDIDATE_RECALL


# ---- verification ---------------------------------------------------------------------


def test_precision_and_recall_of_same_pairs_at_default_threshold():
    said_same = Counter()
    for case, verdict in zip(cases(), verdicts()):
        if not _is_variant_case(case):
            said_same[case.expected, verdict.kind == SAME] += 1
    true_positives = said_same[SAME_PAIR, True]
    precision = true_positives / (true_positives + said_same[DIFFERENT_PAIR, True])
    recall = true_positives / (true_positives + said_same[SAME_PAIR, False])
    assert said_same[DIFFERENT_PAIR, False] >= 300, "too few negatives to measure precision"
    assert precision >= MIN_PRECISION, (precision, recall)
    assert recall >= MIN_RECALL, (precision, recall)


@pytest.mark.parametrize("how", ["truncate", "dateline", "prefix", "change two words", "case"])
def test_every_kind_of_harmless_edit_is_mostly_the_same_claim(how):
    judged = [v.kind for c, v in zip(cases(), verdicts()) if c.how == how]
    assert judged and judged.count(SAME) / len(judged) >= 0.9


def test_variant_edits_are_not_merged_and_are_recognised():
    pairs = [(c, v) for c, v in zip(cases(), verdicts()) if _is_variant_case(c)]
    kinds = Counter(c.expected for c, _ in pairs)
    assert all(kinds[k] >= 20 for k in (NUMBER, NEGATION, ACTOR, DATE)), kinds
    merged = sum(v.kind == SAME for _, v in pairs)
    recognised = sum(v.kind == VARIANT and v.variant == c.expected for c, v in pairs)
    assert merged / len(pairs) <= MAX_VARIANTS_MERGED
    assert recognised / len(pairs) >= MIN_VARIANTS_RECOGNISED


def test_variant_carries_the_two_values():
    verdict = compare(
        "The Kazakh government sent 500 troops to the border in March.",
        "The Kazakh government sent 800 troops to the border in March.",
    )
    assert (verdict.kind, verdict.variant, verdict.a_value, verdict.b_value) == (VARIANT, NUMBER, "500", "800")
    verdict = compare(
        "Officials said Russia would recognise the two republics.",
        "Officials said Kazakhstan would recognise the two republics.",
    )
    assert (verdict.kind, verdict.variant, verdict.a_value, verdict.b_value) == (VARIANT, ACTOR, "Russia", "Kazakhstan")


def test_headline_whose_words_occur_in_a_longer_sentence_is_different():
    headline = "Central Asian countries are moving away from Moscow"
    sentence = (
        "Since the outbreak of the Russian invasion of Ukraine, many Central Asian countries have "
        "distanced themselves from Moscow."
    )
    assert compare(headline, sentence).kind == DIFFERENT


def test_default_threshold_is_a_rapidfuzz_ratio():
    assert 0 < DEFAULT_THRESHOLD <= 100


def test_the_quick_look_keeps_every_pair_that_compare_would_match():
    matched = [c for c in cases() if compare(c.a, c.b).kind != DIFFERENT]
    assert len(matched) > 1000
    for case in matched:
        assert worth_preparing(prepare(case.a), case.b) and worth_preparing(prepare(case.b), case.a), case


def test_the_quick_look_spares_preparing_most_unrelated_sentences():
    sentences = real_sentences(limit=400)
    pairs = list(zip(sentences, sentences[1:]))
    skipped = sum(not worth_preparing(prepare(a), b) for a, b in pairs)
    assert skipped / len(pairs) > 0.8


# ---- clusters ----------------------------------------------------------------------------


def _cluster_sets(texts: list[str], order: list[int]) -> set[frozenset[int]]:
    clusterer = Clusterer(MemoryKeyIndex())
    for i in order:
        clusterer.add(i, texts[i])
    return {frozenset(members) for members in clusterer.clusters(range(len(texts))).values()}


def test_clusters_do_not_depend_on_insertion_order():
    rng = random.Random(7)
    texts = []
    for case in cases()[:400]:
        texts += [case.a, case.b]
    order = list(range(len(texts)))
    first = _cluster_sets(texts, order)
    for _ in range(3):
        rng.shuffle(order)
        assert _cluster_sets(texts, order) == first
    assert any(len(c) > 1 for c in first) and any(len(c) == 1 for c in first)


def test_memory_key_index_keeps_the_first_holders_of_each_key_across_merges(monkeypatch):
    monkeypatch.setattr("claimtrack.dedupe.index.RECENT_KEYS_LIMIT", 50)  # the last run is merged every 50 keys
    monkeypatch.setattr("claimtrack.dedupe.index.TEXT_CHUNK", 64)
    rng = random.Random(3)
    index, expected = MemoryKeyIndex(), {}
    for sentence_id in range(2000):
        keys = rng.sample(range(-300, 300), 4)  # few distinct keys, so many fill up
        for key in keys:
            expected.setdefault(key, []).append(sentence_id)
        text = f"text {sentence_id}"
        position = index.extend([(sentence_id, text, keyed(text))])
        index.add_keys(np.array(keys), np.full(len(keys), position))
        asked = rng.sample(range(-400, 400), 3) + [-(2**63), 2**63 - 1]
        rows, positions = index.holders(np.array(asked))
        found = [(asked[r], (index.ids[p], index.prepared(p).written)) for r, p in zip(rows, positions)]
        held = {key: [holder for k, holder in found if k == key] for key in asked}
        assert held == {key: [(i, f"text {i}") for i in expected.get(key, [])[:MAX_HOLDERS_PER_KEY]] for key in asked}


def _reference_plan(texts: list[str]) -> tuple[list[int], list[set[int]], int]:
    """Twins and candidates of each sentence, added one by one to plain dictionaries, with ``worth_comparing``
    and ``may_be_alike``; and how many pairs worth comparing were not alike."""
    holders: dict[int, list[int]] = {}
    twins, candidates, unlike = [], [], 0
    for i, text in enumerate(texts):
        ready = keyed(text)
        twin = holders.get(ready.twin, [-1])[0]
        twins.append(twin)
        if twin >= 0:
            candidates.append(set())
            continue
        rows = [(key, other) for key in ready.keys for other in holders.get(key, [])]
        worth = worth_comparing(ready, rows, texts.__getitem__)
        alike = {other for other in worth if may_be_alike(ready.prepared, prepare(texts[other]))}
        for other in set(worth) - alike:
            assert compare(ready.prepared, prepare(texts[other])) == Verdict(DIFFERENT, 0.0)
        unlike += len(worth) - len(alike)
        candidates.append(alike)
        for key in (ready.twin, *ready.keys):
            if len(holders.setdefault(key, [])) < MAX_HOLDERS_PER_KEY:
                holders[key].append(i)
    return twins, candidates, unlike


@pytest.mark.parametrize("batch_size", [1, 37, 5000])
def test_batch_plans_find_the_twins_and_candidates_of_adding_one_by_one(monkeypatch, batch_size):
    monkeypatch.setattr("claimtrack.dedupe.index.RECENT_KEYS_LIMIT", 300)
    sentences = real_sentences(limit=300)
    texts = [text for case in cases()[:500] for text in (case.a, case.b)]
    texts += [s for s in sentences for _ in range(3)] + [s + "…" for s in sentences[:50]]
    texts += [f"{s} {s}" for s in sentences[50:110]]  # the same words, so the same bands, at twice the length
    random.Random(5).shuffle(texts)
    index, twins, candidates = MemoryKeyIndex(), [], []
    for start in range(0, len(texts), batch_size):
        batch = [keyed(text) for text in texts[start : start + batch_size]]
        added = zip(range(start, len(texts)), texts[start:], batch)
        first = index.extend(added)
        plan = plan_batch(index, batch, first)
        index.add_keys(plan.keys, plan.holders)
        twins += plan.twins
        candidates += [set(c) for c in plan.candidates]
    expected_twins, expected_candidates, unlike = _reference_plan(texts)
    assert twins == expected_twins
    assert candidates == expected_candidates
    assert sum(t >= 0 for t in twins) > 300 and sum(map(len, candidates)) > 500 and unlike > 50, unlike


def test_adding_in_batches_gives_the_same_clusters(monkeypatch):
    monkeypatch.setattr("claimtrack.dedupe.index.RECENT_KEYS_LIMIT", 500)
    monkeypatch.setattr("claimtrack.dedupe.cluster.CLUSTER_BATCH", 64)
    texts = [text for case in cases()[:400] for text in (case.a, case.b)]
    one_by_one, batched = Clusterer(), Clusterer()
    for i, text in enumerate(texts):
        one_by_one.add(i, text)
    batched.add_many((i, text, None) for i, text in enumerate(texts))
    assert [batched.find(i) for i in range(len(texts))] == [one_by_one.find(i) for i in range(len(texts))]
    assert len(set(map(batched.find, range(len(texts))))) < len(texts)
    assert batched.variants == one_by_one.variants


def test_an_edited_copy_that_shares_one_band_is_clustered_when_it_holds_most_of_the_words():
    original = "After less than two weeks foreign troops were withdrawn and all seemed content with the outcome"
    edited = "After less than two spacious foreign troops were withdrawn and all seemed content with the voluntarily"
    shared = set(keyed(original).keys) & set(keyed(edited).keys)
    assert len(shared) == 1 < MIN_SHARED_KEYS and not any(may_share_an_end(key) for key in shared)
    clusterer = Clusterer()
    clusterer.add(1, original)
    assert clusterer.add(2, edited) == 1


def test_the_word_sketch_tells_how_much_of_the_shorter_sentence_the_other_holds():
    sentences = [
        "Kazakhstan will not recognise the Donetsk and Luhansk republics, President Tokayev said in St Petersburg.",
        "Kazakhstan will not recognise the Donetsk and Luhansk republics.",
        "The Kazakh Defense Ministry canceled a military parade on May 9.",
    ]
    sketches = np.stack([np.frombuffer(keyed(text).sketch, "<u8") for text in sentences])
    held = containment(sketches[[0, 1, 0]], sketches[[1, 0, 2]])
    assert held[0] == held[1] == 1.0
    assert held[2] < MIN_CONTAINMENT


def test_clusterer_records_variants_as_links():
    clusterer = Clusterer()
    clusterer.add(1, "Kazakhstan has refused to recognise the annexation of Crimea in 2014.")
    clusterer.add(2, "Kazakhstan has not refused to recognise the annexation of Crimea in 2014.")
    clusterer.add(3, "UPDATE: Kazakhstan has refused to recognise the annexation of Crimea in 2014\u2026")
    assert clusterer.find(3) == clusterer.find(1) != clusterer.find(2)
    links = {(link.a_id, link.b_id, link.verdict.variant) for link in clusterer.variants}
    assert (2, 1, NEGATION) in links


def test_seed_documents_share_their_teasers_and_nothing_else_merges():
    documents = seed_sentences()
    texts, owners = [], []
    for name, sentences in documents.items():
        texts += sentences
        owners += [name[:3]] * len(sentences)
    clusterer = Clusterer()
    for i, text in enumerate(texts):
        clusterer.add(i, text)
    shared = {match_text(t) for t, o in zip(texts, owners) if o == "000"} & {
        match_text(t) for t, o in zip(texts, owners) if o == "001"
    }
    assert len(shared) >= 5
    for members in clusterer.clusters(range(len(texts))).values():
        matches = {match_text(texts[i]) for i in members}
        if len(members) > 1:
            assert len(matches) == 1 and matches <= shared, [texts[i] for i in members]
    for match in shared:
        ids = [i for i, t in enumerate(texts) if match_text(t) == match]
        assert len({clusterer.find(i) for i in ids}) == 1


# ---- copies in another case ---------------------------------------------------------------


def test_lower_and_upper_cased_copies_of_real_sentences_are_the_same_claim():
    sentences = real_sentences(limit=1500)
    judged = Counter(compare(text, copy).kind for text in sentences for copy in (text.lower(), text.upper()))
    assert judged[SAME] / sum(judged.values()) >= 0.995, judged


@pytest.mark.parametrize(
    "original",
    [
        "WASHINGTON (Reuters) - The U.S. cannot accept a trade deficit of this size with Japan, an official said.",
        "At around 11:25am US east coast time, the Associated Press called the election for Biden.",
        "According to al-Eryani, the rebels are backed by Iran.",
        "On September 13 - two days after the ruling - he said he remained cautiously optimistic.",
        "The attacks occurred at 4:00 A.M. local time and struck the processing plant at Abqaiq.",
        "Friday, January 4, 2019 An apartment building collapsed on Monday in Magnitogorsk, a city in Russia.",
    ],
)
def test_a_copy_in_capitals_or_in_lower_case_is_the_same_claim(original):
    for copy in (original.lower(), original.upper()):
        assert compare(original, copy).kind == SAME, copy


def test_a_shouted_prefix_is_still_dropped():
    assert match_text("UPDATE 2-U.S. STOCKS FALL ON RATE FEARS") == match_text("U.S. stocks fall on rate fears")
    assert match_text("BREAKING NEWS - THE PRIME MINISTER RESIGNS") == match_text("The prime minister resigns")
    assert match_text("washington (reuters) - the u.s. cannot accept it") == match_text("The U.S. cannot accept it")


def test_a_changed_actor_is_still_a_variant_against_a_lower_cased_copy():
    verdict = compare(
        "Officials said Russia would recognise the two breakaway republics in the east.",
        "officials said kazakhstan would recognise the two breakaway republics in the east.",
    )
    assert (verdict.kind, verdict.variant) == (VARIANT, ACTOR)


def test_copies_in_another_case_join_the_original_cluster_in_the_store(tmp_path):
    from claimtrack.pipeline import ingest
    from claimtrack.store import open_store

    wire = (
        "WASHINGTON (Reuters) - The U.S. cannot accept a trade deficit of this size with Japan, "
        "Commerce Secretary Malcolm Baldrige told reporters on Tuesday.\n\n"
        "He said the administration would press Tokyo to open its markets to American chips by 4 p.m. Friday.\n"
    )
    files = []
    for name, text in (("wire.txt", wire), ("forum.txt", wire.upper()), ("feed.txt", wire.lower())):
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append(str(tmp_path / name))
    store = open_store(tmp_path / "claims.db")
    ingest(files, store)
    rows = store.conn.execute("SELECT text, cluster_id FROM sentences WHERE kind = 'claim'").fetchall()
    store.close()
    clusters: dict[int, list[str]] = {}
    for text, cluster_id in rows:
        clusters.setdefault(cluster_id, []).append(text.casefold())
    assert len(rows) == 6
    assert [len(texts) for texts in clusters.values()] == [3, 3], clusters
    assert all(len(set(texts)) == 1 for texts in clusters.values()), clusters  # one text each, case aside
