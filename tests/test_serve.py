"""claimtrack serve: the views, Datasette's metadata and canned queries, the install hint,
and the claims page driven in a real headless Chromium."""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from corpora import ROOT, SEEDS
from typer.testing import CliRunner

from claimtrack import serve as serve_module
from claimtrack.cli import app
from claimtrack.errors import InputError
from claimtrack.serve import (
    CANNED_QUERIES,
    INSTALL_HINT,
    TABLES,
    ServeUnavailable,
    build_metadata,
    check_port_free,
    is_loopback,
    prepare_database,
    serve,
)

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1600,1200",
)  # fmt: skip
SERVER_START_TIMEOUT_S = 60  # generous: CI shares two cores
PAGE_TIMEOUT_S = 30
NEW_VIEWS = ("claims_view", "clusters_view", "variants_view", "actor_timeline")
FTS_SHADOW_SUFFIXES = ("data", "idx", "docsize", "config", "content")

TOKAYEV_KZ_SQL = """
SELECT s.id FROM sentences_fts JOIN sentences s ON s.id = sentences_fts.rowid
WHERE sentences_fts MATCH 'Tokayev' AND s.kind = 'claim' AND s.id IN (
    SELECT sa.sentence_id FROM sentence_actors sa JOIN actors a ON a.id = sa.actor_id WHERE a.country = 'KZ')
"""

needs_datasette = pytest.mark.skipif(
    importlib.util.find_spec("datasette") is None, reason="datasette is not installed: pip install '.[serve]'"
)


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("serve") / "claimtrack.db"
    result = CliRunner().invoke(app, ["--db", str(db), "ingest", str(SEEDS)])
    assert result.exit_code == 0, result.output
    prepare_database(db)
    return db


def query(db: Path, sql: str, *params) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def view_columns(db: Path, view: str) -> list[str]:
    return [r["name"] for r in query(db, "SELECT name FROM pragma_table_info(?)", view)]


def tokayev_kz_ids(db: Path) -> set[int]:
    return {row[0] for row in query(db, TOKAYEV_KZ_SQL)}


# ---- views ----------------------------------------------------------------------


def test_claims_view_has_one_row_per_claim_with_actors_and_countries(seeded_db):
    claims = query(seeded_db, "SELECT * FROM claims_view")
    assert len(claims) == query(seeded_db, "SELECT count(*) FROM sentences WHERE kind = 'claim'")[0][0]
    tokayev = [c for c in claims if "Tokayev hopes to cement" in c["text"]]
    assert len(tokayev) == 2  # the Carnegie teaser appears on two pages
    for claim in tokayev:
        assert json.loads(claim["countries"]) == ["KZ"]
        assert "Kassym-Jomart Tokayev" in json.loads(claim["actors"])
        assert claim["sources_count"] == 2 and claim["cluster_size"] == 2
        assert claim["source"].startswith(str(SEEDS))


def test_clusters_and_timeline_views_agree_with_the_tables(seeded_db):
    repeated = query(seeded_db, "SELECT * FROM clusters_view WHERE size >= 2")
    assert repeated and all(r["sources_count"] == 2 for r in repeated)
    assert len(repeated) == query(seeded_db, "SELECT count(*) FROM clusters WHERE size >= 2")[0][0]
    speakers = query(seeded_db, "SELECT DISTINCT actor FROM actor_timeline WHERE role = 'speaker'")
    assert "Kassym-Jomart Tokayev" in {r["actor"] for r in speakers}
    september = query(seeded_db, "SELECT DISTINCT claim_id FROM actor_timeline WHERE month = '2022-09'")
    assert september, "the Samarkand summit claim is dated September 2022"
    query(seeded_db, "SELECT * FROM variants_view")  # the view compiles; the seeds have no variants


def test_views_sql_can_run_again(seeded_db):
    prepare_database(seeded_db)
    names = {r[0] for r in query(seeded_db, "SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert set(NEW_VIEWS) <= names


def test_missing_database_is_refused_not_created(tmp_path):
    with pytest.raises(InputError, match="no database"):
        prepare_database(tmp_path / "absent.db")
    assert not (tmp_path / "absent.db").exists()


# ---- metadata -------------------------------------------------------------------


def test_metadata_describes_every_table_view_and_view_column(seeded_db):
    rows = query(seeded_db, "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')")
    fts = {r["name"] for r in query(seeded_db, "SELECT name FROM sqlite_master WHERE sql LIKE '%USING fts5(%'")}
    shadows = {f"{name}_{suffix}" for name in fts for suffix in FTS_SHADOW_SUFFIXES}
    names = {r["name"] for r in rows if not r["name"].startswith("sqlite_")} - shadows
    tables = build_metadata("claimtrack")["databases"]["claimtrack"]["tables"]
    undescribed = sorted(n for n in names if not tables.get(n, {}).get("description"))
    assert not undescribed
    for view in NEW_VIEWS:
        assert set(view_columns(seeded_db, view)) == set(tables[view]["columns"]), view
        assert tables[view]["title"]


def test_claims_view_has_the_facets_search_and_labels_users_need():
    claims = TABLES["claims_view"]
    assert {"array": "countries"} in claims["facets"] and {"array": "actors"} in claims["facets"]
    assert "source" in claims["facets"] and "year" in claims["facets"]
    assert (claims["fts_table"], claims["fts_pk"]) == ("sentences_fts", "claim_id")
    assert "kind" in TABLES["sentences"]["facets"] and "kind" in TABLES["actors"]["facets"]
    assert TABLES["actors"]["label_column"] == "name"
    assert TABLES["documents"]["label_column"] == "source"
    assert set(CANNED_QUERIES) == {
        "claims_about_country_by_month", "most_repeated_claims", "where_claim_first_appeared", "claims_by_speaker",
        "related_claims_of_a_claim",
    }  # fmt: skip


# ---- without Datasette; defaults ---------------------------------------------------


def test_without_datasette_serve_says_how_to_install_in_one_line(seeded_db, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "datasette", None)  # makes `import datasette` fail
    with pytest.raises(ServeUnavailable) as raised:
        serve(seeded_db, "127.0.0.1", 8001)
    assert str(raised.value) == INSTALL_HINT and "\n" not in INSTALL_HINT
    assert "pip install 'claimtrack[serve]'" in INSTALL_HINT
    with pytest.raises(SystemExit) as exited:
        serve_module.main(["--db", str(seeded_db)])
    assert exited.value.code == 1
    assert capsys.readouterr().err == f"Error: {INSTALL_HINT}\n"


def test_binds_to_loopback_unless_told():
    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def test_a_busy_port_is_a_one_line_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(InputError, match="choose another --port"):
            check_port_free("127.0.0.1", busy.getsockname()[1])


# ---- Datasette in process ------------------------------------------------------------


async def _get_json(datasette, path: str) -> dict:
    response = await datasette.client.get(path)
    assert response.status_code == 200, (path, response.text[:300])
    return response.json()


@needs_datasette
def test_datasette_search_facet_and_canned_queries(seeded_db, tmp_path):
    datasette = serve_module.make_datasette(seeded_db, tmp_path)
    base = "/claimtrack"

    async def fetch() -> dict:
        paths = {
            "tokayev_kz": "/claims_view.json?_search=Tokayev&countries__arraycontains=KZ&_shape=objects",
            "by_month_code": "/claims_about_country_by_month.json?country=KZ&_shape=objects",
            "by_month_name": "/claims_about_country_by_month.json?country=Kazakhstan&_shape=objects",
            "repeated": "/most_repeated_claims.json?_shape=objects",
            "first": "/where_claim_first_appeared.json?words=popular+mandate&_shape=objects",
            "nothing_asked": "/where_claim_first_appeared.json?words=&_shape=objects",
            "speaker": "/claims_by_speaker.json?speaker=Tokayev&_shape=objects",
        }
        results = {name: await _get_json(datasette, base + path) for name, path in paths.items()}
        results["labels"] = (await datasette.client.get(base + "/sentence_actors?role=speaker")).text
        return results

    results = asyncio.run(fetch())
    assert {r["claim_id"] for r in results["tokayev_kz"]["rows"]} == tokayev_kz_ids(seeded_db)
    assert results["by_month_code"]["rows"] == results["by_month_name"]["rows"]
    assert sum(r["claims"] for r in results["by_month_code"]["rows"]) >= len(tokayev_kz_ids(seeded_db))
    repeated = results["repeated"]["rows"]
    assert repeated and all(r["sources_count"] >= 2 for r in repeated)
    [first] = results["first"]["rows"]
    assert first["appearances"] == 2 and first["source"].endswith("000_6240f0bb353a09c8.txt")
    assert results["nothing_asked"]["rows"] == []
    speakers = {r["speaker"] for r in results["speaker"]["rows"]}
    assert speakers == {"Kassym-Jomart Tokayev"}
    assert "Kassym-Jomart Tokayev" in results["labels"]  # actor_id shown with its name


# ---- a real browser --------------------------------------------------------------


def _browser_missing() -> str | None:
    if importlib.util.find_spec("datasette") is None:
        return "datasette is not installed: pip install '.[serve]'"
    if importlib.util.find_spec("selenium") is None:
        return "selenium is not installed: pip install selenium"
    for program in (CHROMIUM, CHROMEDRIVER):
        if not os.access(program, os.X_OK):
            return f"{program} is not installed: apt-get install chromium chromium-driver"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_answering(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}: {log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer within {SERVER_START_TIMEOUT_S}s: {log.read_text()}")


@pytest.fixture
def server(seeded_db, tmp_path):
    port = _free_port()
    log = tmp_path / "server.log"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "claimtrack.cli", "--db", str(seeded_db), "serve", "--host", "127.0.0.1",
             "--port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_answering(base + "/-/versions.json", process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def browser():
    missing = _browser_missing()
    if missing:
        print(f"skipping the browser test: {missing}")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="claimtrack-chromium-")
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(PAGE_TIMEOUT_S)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def assert_navigated_to(browser, query_part):
    """A submit or click returns before the browser has loaded the page it leads to: wait for it."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        WebDriverWait(browser, PAGE_TIMEOUT_S).until(
            lambda driver: query_part in driver.current_url
            and driver.execute_script("return document.readyState") == "complete"
        )
    except TimeoutException:
        raise AssertionError(f"{query_part!r} not in {browser.current_url!r}") from None


def test_claims_page_search_and_country_facet_in_chromium(browser, server, seeded_db):
    from selenium.webdriver.common.by import By

    expected = tokayev_kz_ids(seeded_db)
    browser.get(f"{server}/claimtrack/claims_view")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Claims")
    every_claim = len(browser.find_elements(By.CSS_SELECTOR, "td.col-claim_id"))

    search = browser.find_element(By.NAME, "_search")
    search.send_keys("Tokayev")
    search.submit()
    assert_navigated_to(browser, "_search=Tokayev")
    countries = browser.find_element(By.CSS_SELECTOR, '.facet-info[data-column="countries"]')
    countries.find_element(By.LINK_TEXT, "KZ").click()
    assert_navigated_to(browser, "countries__arraycontains=KZ")

    ids = {int(cell.text) for cell in browser.find_elements(By.CSS_SELECTOR, "td.col-claim_id")}
    texts = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "td.col-text")]
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "serve_claims_kz.png"))
    assert ids == expected and len(expected) < every_claim
    assert all("Tokayev" in text for text in texts)
    assert f'{len(expected)} rows where search matches "Tokayev"' in browser.page_source


def test_the_serve_command_without_datasette_is_one_line_and_exit_1(seeded_db, monkeypatch):
    from typer.testing import CliRunner

    from claimtrack.cli import app

    monkeypatch.setitem(sys.modules, "datasette", None)
    result = CliRunner().invoke(app, ["--db", str(seeded_db), "serve"])
    assert result.exit_code == 1
    assert result.output == f"Error: {INSTALL_HINT}\n"
