"""Metadata of a document, from every source that gives it, and how the sources are merged.

The sources, highest precedence first: command-line overrides (``check_overrides``), a sidecar
``NAME.meta.json`` (``load_sidecar``), a manifest ``sources.json`` / ``sources.csv`` in the file's
folder (``load_manifest``), then what the file itself says (Markdown front matter here, HTML
metadata, PDF document information, e-mail headers elsewhere, cleaned by ``checked_own_metadata``).
``merge_metadata`` keeps the first value given for each key. Values are one line of NFKC text
(``clean_metadata_value``); dates are ISO and never guessed (``normalise_date``). A sidecar or
manifest may also say when the page was saved (``retrieved``, a day): a blog stamp such as
"2 years ago" is counted back from it rather than from the file's modification time.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from claimtrack.errors import InputError
from claimtrack.read.decode import normalise_text
from claimtrack.read.errors import Unreadable

SIDECAR_SUFFIX = ".meta.json"
MANIFEST_JSON_NAME = "sources.json"
MANIFEST_CSV_NAME = "sources.csv"
METADATA_KEYS = ("title", "publisher", "url", "date")
RETRIEVED_KEY = "retrieved"  # the day a page was saved: what its blog stamp ("2 years ago") counts back from
FRONT_MATTER_ALIASES = {
    "title": ("title",),
    "publisher": ("publisher", "source", "site", "site_name", "sitename"),
    "url": ("url", "link", "canonical_url"),
    "date": ("date", "published", "pubdate", "published_at", "publication_date"),
}
FRONT_MATTER_FENCE = "---"
FRONT_MATTER_CLOSERS = ("---", "...")
ISO_DATE = re.compile(r"\A(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ].*)?\Z")
CLI_DATE = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")
INLINE_WHITESPACE = re.compile(r"\s+")

Metadata = dict[str, str]
Manifest = Mapping[str, Metadata]


def check_overrides(overrides: Mapping[str, str] | None) -> Metadata:
    """Validate command-line metadata: known keys only, date as YYYY-MM-DD."""
    checked: Metadata = {}
    for key, value in (overrides or {}).items():
        if key not in METADATA_KEYS:
            raise InputError(f"unknown metadata field {key!r} (use one of: {', '.join(METADATA_KEYS)})")
        cleaned = clean_metadata_value(value)
        if cleaned is None:
            continue
        if key == "date":
            cleaned = _strict_cli_date(cleaned)
        checked[key] = cleaned
    return checked


def clean_metadata_value(value: Any) -> str | None:
    """One line of NFKC text, or None when empty."""
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        return None
    cleaned = INLINE_WHITESPACE.sub(" ", normalise_text(str(value))).strip()
    return cleaned or None


def normalise_date(value: Any) -> str | None:
    """An ISO date (YYYY, YYYY-MM or YYYY-MM-DD; a time is cut off), or None."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    match = ISO_DATE.match(value.strip())
    if not match:
        return None
    year, month, day = match.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return "-".join(part for part in (year, month, day) if part)


def _strict_cli_date(value: str) -> str:
    if CLI_DATE.match(value):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise InputError(f"date {value!r} is not a calendar date in the form YYYY-MM-DD")


def checked_own_metadata(found: Mapping[str, Any]) -> Metadata:
    """What a file says of itself, cleaned; a date that is not a date is left out, never guessed."""
    metadata: Metadata = {}
    for key in METADATA_KEYS:
        value = normalise_date(found.get(key)) if key == "date" else clean_metadata_value(found.get(key))
        if value:
            metadata[key] = value
    return metadata


def merge_metadata(layers: list[tuple[str, Metadata]]) -> tuple[Metadata, str | None]:
    """First value given wins for each key; returns it with the origin of the date."""
    merged: Metadata = {}
    date_source = None
    for origin, metadata in layers:
        for key in METADATA_KEYS:
            value = metadata.get(key)
            if value and key not in merged:
                merged[key] = value
                if key == "date":
                    date_source = origin
    return merged, date_source


# ---------------------------------------------------------------- metadata files


def load_sidecar(path: Path) -> Metadata:
    """Metadata from ``NAME.EXT.meta.json`` or else ``NAME.meta.json`` beside the file."""
    for candidate in (path.with_name(path.name + SIDECAR_SUFFIX), path.with_name(path.stem + SIDECAR_SUFFIX)):
        if candidate.is_file():
            where = f"sidecar {candidate.name}"
            data = _load_json(candidate, where)
            if not isinstance(data, dict):
                raise Unreadable(f"{where}: expected a JSON object")
            return checked_metadata(data, where)
    return {}


def load_manifest(folder: Path) -> Manifest:
    """File name -> metadata from ``sources.json`` and ``sources.csv`` (JSON wins) in ``folder``."""
    manifest: dict[str, Metadata] = {}
    csv_path = folder / MANIFEST_CSV_NAME
    if csv_path.is_file():
        manifest.update(_manifest_from_csv(csv_path))
    json_path = folder / MANIFEST_JSON_NAME
    if json_path.is_file():
        for name, metadata in _manifest_from_json(json_path).items():
            manifest[name] = {**manifest.get(name, {}), **metadata}
    return manifest


def _manifest_from_json(path: Path) -> dict[str, Metadata]:
    where = f"manifest {path}"
    data = _load_json(path, where)
    if isinstance(data, dict):
        entries = [{**entry, "file": name} if isinstance(entry, dict) else entry for name, entry in data.items()]
    elif isinstance(data, list):
        entries = data
    else:
        raise Unreadable(f"{where}: expected a list of objects or an object keyed by file name")
    return _manifest_entries(entries, where)


def _manifest_from_csv(path: Path) -> dict[str, Metadata]:
    where = f"manifest {path}"
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise Unreadable(f"{where}: {exc}") from None
    return _manifest_entries(rows, where)


def _manifest_entries(entries: list[Any], where: str) -> dict[str, Metadata]:
    manifest: dict[str, Metadata] = {}
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str) or not entry["file"].strip():
            raise Unreadable(f'{where}: entry {number} has no "file"')
        manifest[Path(entry["file"].strip()).name] = checked_metadata(entry, f"{where}, entry {number}")
    return manifest


def _load_json(path: Path, where: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise Unreadable(f"{where}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Unreadable(f"{where}: not valid JSON ({exc})") from None


def checked_metadata(data: Mapping[str, Any], where: str) -> Metadata:
    """Known keys of user-written metadata, and the day the page was retrieved; a date that is not
    ISO is an error, not a guess."""
    metadata: Metadata = {}
    for key in METADATA_KEYS:
        value = clean_metadata_value(data.get(key))
        if value is None:
            continue
        if key == "date":
            date = normalise_date(value)
            if date is None:
                raise Unreadable(f"{where}: date {value!r} is not YYYY-MM-DD")
            value = date
        metadata[key] = value
    retrieved = clean_metadata_value(data.get(RETRIEVED_KEY))
    if retrieved is not None:
        day = normalise_date(retrieved)
        if day is None or len(day) != len("YYYY-MM-DD"):
            raise Unreadable(f"{where}: retrieved {retrieved!r} is not a day (YYYY-MM-DD)")
        metadata[RETRIEVED_KEY] = day
    return metadata


def retrieved_day(layers: list[tuple[str, Metadata]]) -> str | None:
    """The day the page was saved, from the first layer that says it."""
    return next((layer[RETRIEVED_KEY] for _, layer in layers if layer.get(RETRIEVED_KEY)), None)


# ---------------------------------------------------------------- Markdown


def split_front_matter(text: str) -> tuple[str, Metadata]:
    """Remove YAML front matter from the start of a Markdown text and read its metadata.

    Text whose opening block is not a YAML mapping is left as it is.
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        return text, {}
    closing = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() in FRONT_MATTER_CLOSERS), None)
    if closing is None:
        return text, {}
    try:
        data = yaml.safe_load("\n".join(lines[1:closing]))
    except yaml.YAMLError:
        return text, {}
    if not isinstance(data, dict):
        return text, {}
    rest = "\n".join(lines[closing + 1 :]).lstrip("\n")
    return rest, front_matter_metadata(data)


def front_matter_metadata(data: Mapping[Any, Any]) -> Metadata:
    lowered = {str(key).lower(): value for key, value in data.items()}
    metadata: Metadata = {}
    for key, aliases in FRONT_MATTER_ALIASES.items():
        raw_value = next((lowered[a] for a in aliases if lowered.get(a) not in (None, "")), None)
        value = normalise_date(raw_value) if key == "date" else clean_metadata_value(raw_value)
        if value:
            metadata[key] = value
    return metadata
