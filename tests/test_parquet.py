"""`export --format parquet`: the claim records as typed Parquet columns that DuckDB and pyarrow read back."""

import json
import sys

import duckdb
import pyarrow.parquet as pq
import pytest
from corpora import SEEDS
from typer.testing import CliRunner

from claimtrack import parquet
from claimtrack.cli import app
from claimtrack.store import CLAIM_RECORD_FIELDS


def run(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("parquet") / "claimtrack.db"
    result = run("--db", str(db), "ingest", str(SEEDS), "--json")
    assert result.exit_code == 0, result.output
    return str(db)


def export_json(db: str, *filters: str) -> list[dict]:
    result = run("--db", db, "export", "--format", "json", *filters)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def export_parquet(db: str, target, *filters: str):
    result = run("--db", db, "export", "--format", "parquet", "--output", str(target), *filters)
    assert result.exit_code == 0, result.output
    assert not target.with_name(target.name + ".partial").exists()
    return target


def duckdb_rows(path) -> list[dict]:
    with duckdb.connect() as conn:
        cursor = conn.execute("SELECT * FROM read_parquet(?)", [str(path)])
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


@pytest.mark.parametrize(
    "filters",
    [(), ("--country", "KZ", "--all"), ("--actor", "Tokayev", "--since", "2022")],
    ids=["clusters", "kz-every-appearance", "tokayev-since-2022"],
)
def test_duckdb_and_pyarrow_read_back_the_rows_of_the_json_export(seeded_db, tmp_path, filters):
    expected = export_json(seeded_db, *filters)
    path = export_parquet(seeded_db, tmp_path / "claims.parquet", *filters)
    assert len(expected) >= 3
    assert duckdb_rows(path) == expected
    assert pq.read_table(path).to_pylist() == expected


def test_every_appearance_about_kazakhstan_keeps_lists_ints_and_partial_dates_typed(seeded_db, tmp_path):
    path = str(export_parquet(seeded_db, tmp_path / "kz.parquet", "--country", "KZ", "--all"))
    expected = export_json(seeded_db, "--country", "KZ", "--all")
    with duckdb.connect() as conn:
        described = conn.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall()
        without_kz = conn.execute(
            "SELECT count(*) FROM read_parquet(?) WHERE NOT list_contains(countries, 'KZ')", [path]
        ).fetchone()[0]
        naming_tokayev = conn.execute(
            "SELECT count(*) FROM (SELECT unnest(actors) AS actor FROM read_parquet(?)) WHERE actor = ?",
            [path, "Kassym-Jomart Tokayev"],
        ).fetchone()[0]
        partial_dates = conn.execute(
            "SELECT list(date ORDER BY id) FROM read_parquet(?) WHERE date LIKE '--%'", [path]
        ).fetchone()[0]
    types = {name: column_type for name, column_type, *_ in described}
    assert list(types) == list(CLAIM_RECORD_FIELDS)
    assert {types[name] for name in ("id", "cluster_id", "sources_count", "position", "variants_count")} == {"BIGINT"}
    assert types["actors"] == types["countries"] == "VARCHAR[]"
    assert types["date"] == types["doc_date"] == "VARCHAR"
    assert without_kz == 0
    assert naming_tokayev == sum("Kassym-Jomart Tokayev" in record["actors"] for record in expected) > 0
    by_id = sorted(expected, key=lambda record: record["id"])
    assert partial_dates == [r["date"] for r in by_id if (r["date"] or "").startswith("--")]
    assert partial_dates


def test_more_records_than_a_row_group_holds_are_written_in_several_row_groups(seeded_db, tmp_path, monkeypatch):
    monkeypatch.setattr(parquet, "ROW_GROUP_SIZE", 16)
    expected = export_json(seeded_db, "--all")
    path = export_parquet(seeded_db, tmp_path / "every.parquet", "--all")
    metadata = pq.ParquetFile(path).metadata
    sizes = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
    assert len(expected) > 3 * 16
    assert sizes == [16] * (len(expected) // 16) + ([len(expected) % 16] if len(expected) % 16 else [])
    assert duckdb_rows(path) == expected


def test_a_filter_that_matches_nothing_writes_an_empty_file_with_the_columns(seeded_db, tmp_path):
    path = export_parquet(seeded_db, tmp_path / "none.parquet", "--source", "no-such-wire-service.example")
    table = pq.read_table(path)
    assert table.num_rows == 0
    assert table.schema.names == list(CLAIM_RECORD_FIELDS)


def test_parquet_to_standard_output_is_refused_in_one_line(seeded_db):
    result = run("--db", seeded_db, "export", "--format", "parquet", "--country", "KZ")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "Error: --format parquet writes a file, not standard output: give --output FILE.parquet"
    ]


def test_without_pyarrow_parquet_fails_in_one_line_naming_the_extra(seeded_db, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    target = tmp_path / "claims.parquet"
    result = run("--db", seeded_db, "export", "--format", "parquet", "--output", str(target))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "Error: --format parquet needs pyarrow: pip install 'claimtrack[parquet]'"
    ]
    assert not target.exists()
    assert run("--db", seeded_db, "export", "--format", "jsonl").exit_code == 0
