"""Document dates through a real ingest: CLI, dateline, blog stamp, and never today's date."""

import json
import os
from datetime import datetime

from corpora import WIKINEWS
from typer.testing import CliRunner

from claimtrack.cli import app


def ingest_json(db, *args):
    result = CliRunner().invoke(app, ["--db", str(db), "ingest", *args, "--json"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["--db", str(db), "sources", "--json"])
    return {os.path.basename(s["source"]): s for s in json.loads(result.stdout)}


def test_wikinews_document_dates_come_from_their_datelines(tmp_path):
    records = [json.loads(line) for line in WIKINEWS.read_text(encoding="utf-8").splitlines()]
    folder = tmp_path / "wikinews"
    folder.mkdir()
    for record in records:
        (folder / f"{record['id']}.txt").write_text(record["text"], encoding="utf-8")
    sources = ingest_json(tmp_path / "w.db", str(folder))
    dated = [r for r in records if sources[f"{r['id']}.txt"]["date_source"] == "dateline"]
    right = [r for r in dated if sources[f"{r['id']}.txt"]["date"] == r["date"]]
    # 122 articles of 2020 carry no date anywhere in their text: they must stay undated, not guessed.
    undated = [r for r in records if not sources[f"{r['id']}.txt"]["date"]]
    assert len(dated) + len(undated) == len(records)
    assert len(right) >= 0.99 * len(dated) and len(dated) >= 170
    assert all(r["date"].startswith("2020") for r in undated)


def test_a_blog_stamp_is_resolved_against_the_files_own_date(tmp_path):
    post = tmp_path / "post.txt"
    post.write_text("Central Asia is coming into its own\n\nin #asia2 years ago\n\nKazakhstan moved troops.\n")
    saved = datetime(2024, 5, 1, 12).timestamp()
    os.utime(post, (saved, saved))
    source = ingest_json(tmp_path / "b.db", str(post))["post.txt"]
    assert (source["date"], source["date_source"]) == ("2022", "relative-stamp (file time)")


def test_a_dateline_beats_the_blog_stamp_and_the_command_line_beats_both(tmp_path):
    post = tmp_path / "post.txt"
    post.write_text("Friday, January 4, 2019\n\nposted 2 years ago\n\nKazakhstan moved troops.\n")
    assert ingest_json(tmp_path / "a.db", str(post))["post.txt"]["date"] == "2019-01-04"
    overridden = ingest_json(tmp_path / "c.db", str(post), "--date", "2020-02-02")["post.txt"]
    assert (overridden["date"], overridden["date_source"]) == ("2020-02-02", "cli")


def test_a_document_that_states_no_date_stays_undated(tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("Kazakhstan moved its troops to the Russian border.\n")
    source = ingest_json(tmp_path / "n.db", str(note))["note.txt"]
    assert source["date"] is None and source["date_source"] is None


def test_a_manifests_retrieved_day_beats_the_file_time_and_sources_says_so(tmp_path):
    post = tmp_path / "post.txt"
    post.write_text("Central Asia is coming into its own\n\nin #asia2 years ago\n\nKazakhstan moved troops.\n")
    cloned = datetime(2026, 12, 2, 18).timestamp()
    os.utime(post, (cloned, cloned))
    manifest = [{"file": "post.txt", "publisher": "Steemit", "retrieved": "2024-09-15"}]
    (tmp_path / "sources.json").write_text(json.dumps(manifest), encoding="utf-8")
    source = ingest_json(tmp_path / "r.db", str(post))["post.txt"]
    assert (source["date"], source["date_source"]) == ("2022", "relative-stamp (retrieved)")
    table = CliRunner().invoke(app, ["--db", str(tmp_path / "r.db"), "sources"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "relative-stamp (retrieved)" in table.stdout


def test_retrieved_counts_back_days_and_months_and_must_be_a_day(tmp_path):
    (tmp_path / "yesterday.txt").write_text("Astana update\n\nposted yesterday\n\nThe border reopened.\n")
    (tmp_path / "months.txt").write_text("Astana update\n\n3 months ago\n\nThe border reopened.\n")
    (tmp_path / "sources.csv").write_text(
        "file,retrieved\nyesterday.txt,2023-03-01T09:30:00Z\nmonths.txt,2023-02-10\n", encoding="utf-8"
    )
    sources = ingest_json(tmp_path / "d.db", str(tmp_path))
    assert sources["yesterday.txt"]["date"] == "2023-02-28"
    assert sources["months.txt"]["date"] == "2022-11"
    (tmp_path / "sources.csv").write_text("file,retrieved\nmonths.txt,2023-02\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "e.db"), "ingest", str(tmp_path / "months.txt")])
    assert "retrieved '2023-02' is not a day (YYYY-MM-DD)" in result.output
