"""Browse the database in a web page: Datasette with claimtrack's views and metadata.

Datasette is an optional extra (`pip install 'claimtrack[serve]'`). This module
builds Datasette's metadata (titles, descriptions, facets, full-text search,
foreign-key labels, canned queries) and runs Datasette on the database in this
process (uvicorn), so Ctrl-C or SIGTERM stops everything. The metadata follows
Datasette 0.6x, where facets and canned queries live in metadata.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import socket
import sqlite3
import sys
import tempfile
from pathlib import Path

from .errors import ClaimtrackError, InputError
from .store import open_store
from .store.schema import MONTH_OF

INSTALL_HINT = "claimtrack serve needs Datasette, an optional extra: pip install 'claimtrack[serve]'"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
PAGE_SIZE = 50
FACET_SIZE = 10
SQL_TIME_LIMIT_MS = 5_000
FACET_TIME_LIMIT_MS = 2_000  # array facets over JSON columns are the slowest part of a page
CANNED_QUERY_LIMIT = 200
ASSETS_MOUNT = "claimtrack-assets"  # must differ from every database name

# Datasette 0.6x lists column descriptions above the table, pushing the rows off
# the first screen: show each as a tooltip on its column heading instead.
STYLESHEET = """
dl.column-descriptions { display: none; }
th[data-column-description] { text-decoration: underline dotted; cursor: help; position: relative; }
th[data-column-description]:hover::after {
    content: attr(data-column-description); position: absolute; left: 0; top: 100%; z-index: 10;
    width: 18em; padding: 0.4em 0.6em; background: #fffbe6; border: 1px solid #ccc;
    font-weight: normal; white-space: normal; color: #222;
}
td.col-text, td.col-a_text, td.col-b_text { min-width: 28em; }
"""

_COUNTRY_MATCH = """(a.country = upper(:country) OR a.country IN (
    SELECT x_actor.country FROM actor_aliases x JOIN actors x_actor ON x_actor.id = x.actor_id
    WHERE x.alias = :country))"""

CANNED_QUERIES: dict[str, dict] = {
    "claims_about_country_by_month": {
        "title": "Claims about a country, by month",
        "description": "How many claims name a country (ISO code like KZ, or a name like Kazakhstan), "
        "month by month; undated claims last.",
        "sql": f"""
SELECT {MONTH_OF.format(d="coalesce(s.date, d.date)")} AS month,
       count(DISTINCT s.id) AS claims,
       count(DISTINCT coalesce(s.cluster_id, -s.id)) AS distinct_claims,
       count(DISTINCT s.document_id) AS documents,
       min(s.text) AS example
FROM sentences s
JOIN documents d ON d.id = s.document_id
JOIN sentence_actors sa ON sa.sentence_id = s.id
JOIN actors a ON a.id = sa.actor_id
WHERE s.kind = 'claim' AND {_COUNTRY_MATCH}
GROUP BY month
ORDER BY month IS NULL, month""",
    },
    "related_claims_of_a_claim": {
        "title": "Related claims of a claim",
        "description": "The claims that state the same thing as a claim (its id) in other words, as last found "
        "by claimtrack related; run `claimtrack related ID` to find them.",
        "sql": """
SELECT r.rank, round(r.score, 3) AS score, r.related_id, o.text, d.source, r.evidence
FROM related_claims r
JOIN sentences o ON o.id = r.related_id
JOIN documents d ON d.id = o.document_id
WHERE r.claim_id = :claim_id
ORDER BY r.rank""",
    },
    "most_repeated_claims": {
        "title": "The most repeated claims",
        "description": "Claims that appear in more than one place, most documents first.",
        "sql": f"""
SELECT c.id AS cluster_id, r.text, c.sources_count, c.size AS appearances,
       c.first_seen, c.last_seen, d.source AS first_source, d.title AS first_title
FROM clusters c
JOIN sentences r ON r.id = c.representative_id
JOIN documents d ON d.id = r.document_id
WHERE c.size >= 2
ORDER BY c.sources_count DESC, c.size DESC, c.id
LIMIT {CANNED_QUERY_LIMIT}""",
    },
    "where_claim_first_appeared": {
        "title": "Where a claim first appeared",
        "description": "For claims containing all these words: the earliest document that states "
        "each one (by document date, then ingestion order) and how often it was repeated.",
        "sql": f"""
WITH hits AS (
    SELECT DISTINCT coalesce(s.cluster_id, -s.id) AS claim_group
    FROM sentences_fts JOIN sentences s ON s.id = sentences_fts.rowid
    WHERE :words != '' AND sentences_fts MATCH escape_fts(:words) AND s.kind = 'claim'
), appearances AS (
    SELECT s.id AS claim_id, s.text, d.source, d.title, d.publisher, d.url, d.date AS doc_date,
           count(*) OVER (PARTITION BY coalesce(s.cluster_id, -s.id)) AS appearances,
           row_number() OVER (PARTITION BY coalesce(s.cluster_id, -s.id)
                              ORDER BY d.date IS NULL, d.date, s.document_id, s.position) AS nth
    FROM sentences s JOIN documents d ON d.id = s.document_id
    WHERE s.kind = 'claim' AND coalesce(s.cluster_id, -s.id) IN (SELECT claim_group FROM hits)
)
SELECT claim_id, text, source, title, publisher, url, doc_date, appearances
FROM appearances WHERE nth = 1
ORDER BY appearances DESC, doc_date IS NULL, doc_date, claim_id
LIMIT {CANNED_QUERY_LIMIT}""",
    },
    "claims_by_speaker": {
        "title": "Claims by speaker",
        "description": "What a person or organisation is reported as saying (a name or part of "
        "one; leave empty for every speaker).",
        "sql": f"""
SELECT a.name AS speaker, coalesce(s.date, d.date) AS date, s.text, d.source, d.title,
       s.id AS claim_id
FROM sentence_actors sa
JOIN actors a ON a.id = sa.actor_id
JOIN sentences s ON s.id = sa.sentence_id
JOIN documents d ON d.id = s.document_id
WHERE sa.role = 'speaker' AND s.kind = 'claim'
  AND (:speaker = '' OR a.name LIKE '%' || :speaker || '%'
       OR a.id IN (SELECT actor_id FROM actor_aliases WHERE alias = :speaker))
ORDER BY a.name, coalesce(s.date, d.date) IS NULL, coalesce(s.date, d.date), s.id
LIMIT {CANNED_QUERY_LIMIT}""",
    },
}

_CLAIM_COLUMNS = {
    "claim_id": "The claim's id, as `claimtrack show` takes it.",
    "text": "The claim as written in the document.",
    "source": "The document's path or URL as ingested.",
    "title": "The document's title.",
    "publisher": "Who published the document.",
    "actors": "People, organisations and places the claim names (JSON list).",
    "speakers": "Who the claim is attributed to (JSON list).",
    "countries": "ISO 3166-1 alpha-2 codes of the countries the claim concerns (JSON list).",
    "date": "The date the claim refers to: YYYY, YYYY-MM, YYYY-MM-DD, or --MM(-DD) without a year.",
    "year": "The year of that date, when it has one.",
    "doc_date": "The document's publication date.",
    "cluster_id": "The cluster of repetitions of this claim.",
    "cluster_size": "How many times the claim appears, counting every repetition.",
    "sources_count": "How many documents state the claim.",
    "url": "The document's URL.",
    "document_id": "The document's id.",
    "position": "The sentence's position in its document.",
}

TABLES: dict[str, dict] = {
    "claims_view": {
        "title": "Claims",
        "description": "Every claim with its document, actors, countries, date and how often it is repeated. "
        "Search the text, or narrow by country, actor, source or year.",
        "columns": _CLAIM_COLUMNS,
        "facets": [{"array": "countries"}, {"array": "actors"}, "source", "year"],
        "fts_table": "sentences_fts",
        "fts_pk": "claim_id",
    },
    "clusters_view": {
        "title": "Repeated claims",
        "description": "Each cluster of the same claim: its first wording, how many times and in how many "
        "documents it appears, and when.",
        "columns": {
            "cluster_id": "The cluster's id.",
            "text": "The claim as first stated.",
            "size": "How many times the claim appears.",
            "sources_count": "How many documents state it.",
            "first_seen": "The earliest document date among its appearances.",
            "last_seen": "The latest document date among its appearances.",
            "first_source": "The document where it first appears.",
            "first_title": "That document's title.",
            "variants": "Pairs of its wordings that differ in a number, a negation, an actor or a date.",
            "representative_claim_id": "The claim id of the first appearance.",
        },
        "facets": ["sources_count", "first_source"],
    },
    "variants_view": {
        "title": "Variants",
        "description": "Near-identical claims that differ in one telling detail: a number, a negation, "
        "an actor or a date.",
        "columns": {
            "kind": "What differs: number, negation, actor or date.",
            "a_value": "The detail in the first claim.",
            "b_value": "The detail in the second claim.",
            "a_text": "The first claim.",
            "b_text": "The second claim.",
            "similarity": "How alike the two wordings are, 0 to 100.",
            "a_source": "The first claim's document.",
            "b_source": "The second claim's document.",
            "a_claim_id": "The first claim's id.",
            "b_claim_id": "The second claim's id.",
        },
        "facets": ["kind"],
    },
    "actor_timeline": {
        "title": "Actor timeline",
        "description": "One row per actor named in a claim, with the claim's date: follow a person, "
        "organisation or country over time.",
        "columns": {
            "actor": "The actor's canonical name.",
            "actor_kind": "person, organisation, country, place or region.",
            "country": "The actor's country (ISO code).",
            "role": "speaker (the claim is theirs) or subject (the claim is about them).",
            "date": "The claim's date, else its document's.",
            "month": "YYYY-MM of that date, when it has one.",
            "text": "The claim.",
            "source": "The document.",
            "title": "The document's title.",
            "claim_id": "The claim's id.",
            "named_as": "The words the document uses for the actor.",
        },
        "facets": ["actor", "role", "actor_kind", "country", "month"],
    },
    "claims": {
        "title": "Claims (plain)",
        "description": "The claims view the command line uses: one row per claim, without actors.",
        "facets": ["publisher"],
    },
    "documents": {
        "title": "Documents",
        "description": "Every document ingested, with its metadata and full cleaned text.",
        "columns": {
            "source": "The path or URL the document was read from.",
            "title": "The document's title.",
            "publisher": "Who published it.",
            "url": "Where it was published.",
            "date": "Publication date, YYYY-MM-DD.",
            "date_source": "Where the date came from.",
            "format": "text, markdown or html.",
            "content_hash": "Hash of the text; an unchanged file is not ingested again.",
            "text": "The document's text.",
            "ingested_at": "When it was stored (UTC).",
        },
        "facets": ["publisher", "format"],
        "label_column": "source",
    },
    "sentences": {
        "title": "Sentences",
        "description": "Every sentence of every document, with its kind: claim, heading, question or boilerplate.",
        "columns": {
            "document_id": "The document the sentence comes from.",
            "position": "Its position in the document.",
            "char_start": "Where it starts in the document's text.",
            "char_end": "Where it ends in the document's text.",
            "text": "The sentence.",
            "kind": "claim, heading, question or boilerplate.",
            "reason": "Why it was given that kind.",
            "cluster_id": "The cluster of its repetitions (claims only).",
            "date": "The date the sentence refers to.",
            "date_precision": "day, month, year or partial.",
            "date_text": "The words the date was read from.",
            "date_source": "text (stated in the sentence) or document (the document's date).",
        },
        "facets": ["kind", "date_precision"],
        "label_column": "text",
    },
    "clusters": {
        "title": "Clusters",
        "description": "Groups of sentences that state the same claim.",
        "columns": {
            "representative_id": "The first appearance of the claim.",
            "size": "How many sentences the cluster holds.",
            "sources_count": "How many documents they come from.",
            "first_seen": "The earliest document date.",
            "last_seen": "The latest document date.",
        },
        "facets": ["sources_count"],
    },
    "variants": {
        "title": "Variant pairs",
        "description": "Pairs of claims that differ in one detail (see Variants for a readable form).",
        "columns": {
            "a_id": "The first claim.",
            "b_id": "The second claim.",
            "kind": "number, negation, actor or date.",
            "a_value": "The detail in the first claim.",
            "b_value": "The detail in the second claim.",
            "similarity": "How alike the wordings are, 0 to 100.",
        },
        "facets": ["kind"],
    },
    "actors": {
        "title": "Actors",
        "description": "People, organisations, countries, places and regions named in claims.",
        "columns": {
            "name": "The canonical name.",
            "kind": "person, organisation, country, place or region.",
            "country": "ISO 3166-1 alpha-2 code of the actor's country.",
            "curated": "1 when the actor comes from claimtrack's curated list.",
        },
        "facets": ["kind", "country"],
        "label_column": "name",
    },
    "actor_aliases": {
        "title": "Actor aliases",
        "description": "Other names of each actor (spellings, transliterations, short forms).",
        "columns": {"alias": "A name as documents write it.", "actor_id": "The actor it means."},
    },
    "sentence_actors": {
        "title": "Actors in sentences",
        "description": "Which actors each claim names, and whether as speaker or subject.",
        "columns": {
            "sentence_id": "The claim.",
            "actor_id": "The actor.",
            "role": "speaker or subject.",
            "surface": "The words the document uses.",
        },
        "facets": ["role"],
    },
    "dedupe_index": {
        "description": "The deduplication index: each claim's prepared words and the blocking keys it holds.",
        "hidden": True,
    },
    "related_view": {
        "title": "Related claims",
        "description": "Claims that state the same thing in other words, as last found by claimtrack related "
        "(or show): each claim with its related claims, best first.",
        "columns": {
            "claim_id": "The claim.",
            "claim_text": "Its text.",
            "rank": "1 for its best related claim.",
            "score": "How likely the two state the same claim, 0 to 1.",
            "related_id": "The related claim.",
            "related_text": "Its text.",
            "related_source": "The related claim's document.",
            "evidence": "What the two share: similarity, countries, actors, terms; and what conflicts.",
            "found_at": "When claimtrack found it.",
        },
    },
    "related_claims": {
        "description": "The related claims last found for a claim (read it through related_view).",
        "hidden": True,
    },
    "claim_vectors": {"description": "Each claim's vector (int8), for related claims.", "hidden": True},
    "vector_blocks": {"description": "The claims' binary codes, many a row, for a fast first pass.", "hidden": True},
    "vector_block_ids": {"description": "The claim ids of each block of codes.", "hidden": True},
    "vector_encoder": {"description": "The encoder the vectors were made with.", "hidden": True},
    "search_terms": {"description": "A copy of the terms of the full-text index, for fuzzy search.", "hidden": True},
    "search_terms_source": {"description": "The index structure search_terms was copied from.", "hidden": True},
    "schema_version": {
        "description": "Migrations applied to this database.",
        "hidden": True,
    },
    "sentences_fts": {"description": "Full-text index of sentences."},
    "sentences_fts_vocab": {"description": "The terms of the full-text index.", "hidden": True},
}


class ServeUnavailable(ClaimtrackError):
    """Datasette, an optional extra, is not installed."""


def require_datasette() -> None:
    try:
        import datasette  # noqa: F401
    except ImportError:
        raise ServeUnavailable(INSTALL_HINT) from None


def database_name(db_path: Path) -> str:
    """The name Datasette gives a database file: its name without the suffix."""
    return Path(db_path).stem


def build_metadata(db_name: str) -> dict:
    """Datasette 0.6x metadata for claimtrack's database named `db_name`."""
    return {
        "title": "claimtrack",
        "description": "Claims found in ingested documents: search them, narrow them by country, "
        "actor, source and date, and see where each first appeared.",
        "extra_css_urls": [f"/{ASSETS_MOUNT}/claimtrack.css"],
        "databases": {
            db_name: {
                "description": "Start with Claims; Repeated claims and Actor timeline answer "
                "the other common questions, as do the queries below.",
                "tables": TABLES,
                "queries": CANNED_QUERIES,
            }
        },
    }


def prepare_database(db_path: Path) -> None:
    """Check the file is claimtrack's database and migrate it (the browsing views are migration 2)."""
    if not Path(db_path).is_file():
        raise InputError(f"there is no database at {db_path}: run claimtrack ingest first")
    open_store(db_path).close()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def write_stylesheet(folder: Path) -> None:
    (folder / "claimtrack.css").write_text(STYLESHEET, encoding="utf-8")


def datasette_settings() -> dict:
    return {
        "default_page_size": PAGE_SIZE,
        "default_facet_size": FACET_SIZE,
        "sql_time_limit_ms": SQL_TIME_LIMIT_MS,
        "facet_time_limit_ms": FACET_TIME_LIMIT_MS,
        "suggest_facets": False,
    }


def make_datasette(db_path: Path, assets_folder: Path):
    """A Datasette instance on the database, configured for claimtrack; started up."""
    require_datasette()
    from datasette.app import Datasette

    datasette = Datasette(
        [str(db_path)],
        metadata=build_metadata(database_name(db_path)),
        static_mounts=[(ASSETS_MOUNT, str(assets_folder))],
        settings=datasette_settings(),
    )
    asyncio.run(datasette.invoke_startup())
    return datasette


def claims_url(db_path: Path, host: str, port: int) -> str:
    shown_host = f"[{host}]" if ":" in host else host
    return f"http://{shown_host}:{port}/{database_name(db_path)}/claims_view"


def check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise InputError(f"cannot listen on {host}:{port} ({error.strerror}); choose another --port") from None


def serve(db_path: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve the database in Datasette, in this process, until Ctrl-C or SIGTERM."""
    require_datasette()
    import uvicorn

    db_path = Path(db_path)
    prepare_database(db_path)
    check_port_free(host, port)
    if not is_loopback(host):
        print(f"Warning: serving on {host}: anyone who can reach it can read the whole database",
              file=sys.stderr)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="claimtrack-serve-") as folder:
        write_stylesheet(Path(folder))
        datasette = make_datasette(db_path, Path(folder))
        print(f"claims: {claims_url(db_path, host, port)}  (Ctrl-C stops)", file=sys.stderr, flush=True)
        uvicorn.run(datasette.app(), host=host, port=port, log_level="warning", lifespan="on", workers=1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m claimtrack.serve", description=serve.__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    options = parser.parse_args(argv)
    try:
        serve(options.db, options.host, options.port)
    except (ClaimtrackError, sqlite3.Error) as error:
        print(f"Error: {error}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
