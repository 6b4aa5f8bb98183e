"""schema.org `Claim` objects (JSON-LD), one per cluster, for fact-checking tools."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO

from .store import Store

CONTEXT = "https://schema.org"
SCHEMA_TYPES = {
    "person": "Person",
    "organisation": "Organization",
    "country": "Country",
    "place": "Place",
    "region": "Place",
}
BATCH = 200


def creative_work(document: dict) -> dict:
    work = {"@type": "CreativeWork", "name": document["title"] or document["source"]}
    if document["url"]:
        work["url"] = document["url"]
    if document["publisher"]:
        work["publisher"] = {"@type": "Organization", "name": document["publisher"]}
    if document["date"]:
        work["datePublished"] = document["date"]
    return work


def thing(actor: dict) -> dict:
    result = {"@type": SCHEMA_TYPES[actor["kind"]], "name": actor["name"]}
    if actor["country"]:
        if actor["kind"] == "country":
            result["identifier"] = actor["country"]
        elif actor["kind"] == "person":
            result["nationality"] = {"@type": "Country", "identifier": actor["country"]}
        else:
            result["location"] = {"@type": "Country", "identifier": actor["country"]}
    return result


def claim(record: dict, appearances: list[dict], actors: list[dict]) -> dict:
    works = [creative_work(document) for document in appearances]
    result = {
        "@type": "Claim",
        "@id": f"#cluster-{record['cluster_id'] or 'claim-' + str(record['id'])}",
        "text": record["text"],
        "appearance": works,
    }
    if works:
        result["firstAppearance"] = works[0]
    speakers = [thing(a) for a in actors if a["role"] == "speaker"]
    subjects = [thing(a) for a in actors if a["role"] == "subject"]
    if speakers:
        result["author"] = speakers
    if subjects:
        result["about"] = subjects
    if record["date"] and not record["date"].startswith("--"):
        result["temporalCoverage"] = record["date"]
    return result


def claims(store: Store, records: Iterable[dict]) -> Iterator[dict]:
    batch: list[dict] = []
    for record in records:
        batch.append(record)
        if len(batch) == BATCH:
            yield from _claims(store, batch)
            batch = []
    yield from _claims(store, batch)


def _claims(store: Store, records: list[dict]) -> Iterator[dict]:
    if not records:
        return
    actors = store.claim_actors([r["id"] for r in records])
    for record in records:
        appearances = store.appearances(record["cluster_id"]) if record["cluster_id"] else []
        yield claim(record, appearances, actors.get(record["id"], []))


def write_jsonld(items: Iterable[dict], out: IO[str]) -> None:
    """One JSON-LD document whose graph is streamed item by item."""
    out.write(json.dumps({"@context": CONTEXT})[:-1] + ', "@graph": [')
    for index, item in enumerate(items):
        out.write(",\n" if index else "\n")
        out.write(json.dumps(item, ensure_ascii=False))
    out.write("\n]}\n")
