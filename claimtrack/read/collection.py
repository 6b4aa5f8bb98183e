"""Collections: JSON Lines, JSON and CSV files that hold many documents, one per record.

Each record becomes its own Document, named ``PATH#ID`` (its id field) or
``PATH#N`` (its line in a JSON Lines file, its row in a CSV file counting the
header as row 1, its place in a JSON list). A bad record is reported with that
name and skipped; the records around it are read.

JSON Lines and CSV files are streamed record by record, so a collection of any
size is never held in memory; a ``.json`` file is one JSON value and is loaded
whole (up to the read stage's file size limit).

Fields are found by their common names (``text``/``content``/``body``...) or
named by the user (``fields={"text": "article_body"}``). Metadata precedence,
highest first: command-line overrides, the record, then the collection file's
sidecar and manifest entry (values shared by all its records).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from claimtrack.errors import InputError
from claimtrack.models import Document, ReadFailure
from claimtrack.read.decode import looks_like_html, read_file_bytes
from claimtrack.read.document import document_from_text
from claimtrack.read.errors import Unreadable
from claimtrack.read.metadata import Metadata, clean_metadata_value, normalise_date

JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv",)
MAX_RECORD_BYTES = 50 * 1024 * 1024  # one record (line or CSV row) larger than this is refused
READ_CHUNK_BYTES = 1024 * 1024
CSV_SNIFF_CHARACTERS = 4096
CSV_DELIMITERS = ",;\t|"
FIELD_NAMES = ("text", "title", "date", "url", "publisher")
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "content", "body", "full_text", "fulltext", "article", "maintext", "article_text", "message"),
    "title": ("title", "headline", "subject"),
    "date": (
        "date",
        "published",
        "published_at",
        "publication_date",
        "pubdate",
        "date_published",
        "datetime",
        "created_at",
    ),
    "url": ("url", "link", "href", "canonical_url", "uri"),
    "publisher": ("publisher", "source", "site", "site_name", "sitename", "outlet", "domain"),
}
ID_ALIASES = ("id", "_id", "uuid", "guid", "doc_id", "document_id", "article_id")
RECORD_DATE_SOURCE = "record"
LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # a JSON escape like "\\ud800" that pairs with nothing


def check_fields(fields: Mapping[str, str] | None) -> dict[str, str]:
    """Validate user-named fields: known keys, non-empty names."""
    checked: dict[str, str] = {}
    for key, name in (fields or {}).items():
        if key not in FIELD_NAMES:
            raise InputError(f"unknown record field {key!r} (use one of: {', '.join(FIELD_NAMES)})")
        if name is None or not str(name).strip():
            continue
        checked[key] = str(name).strip()
    return checked


def iter_collection(
    path: Path,
    layers: list[tuple[str, Metadata]],
    fields: Mapping[str, str] | None = None,
) -> Iterator[Document | ReadFailure]:
    """One Document or ReadFailure per record of a collection file.

    ``layers`` are the metadata layers above and below the record: command-line
    overrides first, then the file's sidecar and manifest entry.
    """
    named = check_fields(fields)
    suffix = path.suffix.lower()
    records = (
        _json_lines_records(path) if suffix in JSON_LINES_SUFFIXES
        else _csv_records(path) if suffix in CSV_SUFFIXES
        else _json_records(path)
    )  # fmt: skip
    seen_ids: dict[str, str] = {}
    try:
        for place, record in records:
            yield _record_document(path, place, record, layers, named, seen_ids)
    except Unreadable as exc:
        yield ReadFailure(str(path), str(exc))


def _record_document(
    path: Path,
    place: str,
    record: Any,
    layers: list[tuple[str, Metadata]],
    named: Mapping[str, str],
    seen_ids: dict[str, str],
) -> Document | ReadFailure:
    if isinstance(record, ReadFailure):
        return ReadFailure(f"{path}#{place}", record.reason)
    if not isinstance(record, dict):
        return ReadFailure(f"{path}#{place}", f"record is a JSON {type(record).__name__}, not an object")
    record = _without_lone_surrogates(record)
    record_id = record_identifier(record)
    source = f"{path}#{record_id or place}"
    try:
        if record_id is not None:
            if record_id in seen_ids:
                raise Unreadable(f"id {record_id!r} already used by the record at {seen_ids[record_id]}")
            seen_ids[record_id] = place
        text, metadata = record_fields(record, named)
        fmt = "html" if looks_like_html(text.encode("utf-8", errors="ignore")) else "text"
        digest = hashlib.sha256(
            json.dumps(record, sort_keys=True, ensure_ascii=False, default=str).encode()
        ).hexdigest()
        return document_from_text(text, source, fmt, [layers[0], (RECORD_DATE_SOURCE, metadata), *layers[1:]], digest)
    except Unreadable as exc:
        return ReadFailure(source, str(exc))


def _without_lone_surrogates(value: Any) -> Any:
    """A JSON value with each unpaired surrogate replaced by U+FFFD, as undecodable bytes are in files.

    Unpaired, they cannot be encoded as UTF-8: not hashed, stored nor printed.
    """
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_lone_surrogates(key): _without_lone_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    return value


def record_identifier(record: Mapping[str, Any]) -> str | None:
    lowered = {str(key).lower(): value for key, value in record.items()}
    for alias in ID_ALIASES:
        value = lowered.get(alias)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return None


def record_fields(record: Mapping[str, Any], named: Mapping[str, str]) -> tuple[str, Metadata]:
    """The record's text and metadata, by the user's field names or else the common ones."""
    text_value = _field(record, "text", named)
    if isinstance(text_value, list) and all(isinstance(item, str) for item in text_value):
        text_value = "\n\n".join(text_value)
    if not isinstance(text_value, str) or not text_value.strip():
        wanted = named.get("text") or ", ".join(FIELD_ALIASES["text"][:3])
        raise Unreadable(f"record has no text (looked for: {wanted})")
    metadata: Metadata = {}
    for key in ("title", "url", "publisher"):
        value = clean_metadata_value(_field(record, key, named))
        if value:
            metadata[key] = value
    raw_date = _field(record, "date", named)
    if clean_metadata_value(raw_date):
        date = record_date(raw_date)
        if date is None:
            raise Unreadable(f"date {raw_date!r} is not YYYY-MM-DD (name another field with --date-field)")
        metadata["date"] = date
    return text_value, metadata


def record_date(value: Any) -> str | None:
    """ISO 8601 (a time is cut off) or an RFC 2822 date ("Fri, 04 Jan 2019 10:00:00 +0000")."""
    date = normalise_date(value)
    if date is None and isinstance(value, str):
        import email.utils

        try:
            date = email.utils.parsedate_to_datetime(value).date().isoformat()
        except (TypeError, ValueError, IndexError):
            return None
    return date


def _field(record: Mapping[str, Any], key: str, named: Mapping[str, str]) -> Any:
    lowered = {str(name).lower(): value for name, value in record.items()}
    if key in named:
        return record.get(named[key], lowered.get(named[key].lower()))
    return next((lowered[alias] for alias in FIELD_ALIASES[key] if lowered.get(alias) not in (None, "")), None)


# ---------------------------------------------------------------- record streams


def _json_lines_records(path: Path) -> Iterator[tuple[str, Any]]:
    """(line number, parsed object or ReadFailure) per non-blank line, read one line at a time."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from None
    with handle:
        for number, line in enumerate(_bounded_lines(handle), start=1):
            if line is None:
                yield str(number), ReadFailure("", f"record larger than {MAX_RECORD_BYTES // 2**20} MB")
                continue
            if number == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")
            if not line.strip():
                continue
            try:
                yield str(number), json.loads(line.decode("utf-8"))
            except UnicodeDecodeError:
                yield str(number), ReadFailure("", "record is not UTF-8")
            except json.JSONDecodeError as exc:
                yield str(number), ReadFailure("", f"not valid JSON ({exc.msg} at column {exc.colno})")


def _bounded_lines(handle: io.BufferedIOBase) -> Iterator[bytes | None]:
    """Lines of a binary file; None for a line over MAX_RECORD_BYTES (which is skipped unread)."""
    try:
        while True:
            line = handle.readline(MAX_RECORD_BYTES + 1)
            if not line:
                return
            if len(line) > MAX_RECORD_BYTES and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):
                    line = handle.readline(READ_CHUNK_BYTES)
                yield None
                continue
            yield line
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from None


def _json_records(path: Path) -> Iterator[tuple[str, Any]]:
    """Items of a JSON list (or of the one list an object holds, e.g. {"articles": [...]}), loaded whole."""
    raw = read_file_bytes(path)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise Unreadable("JSON file is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise Unreadable(f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if isinstance(data, dict):
        lists = [value for value in data.values() if isinstance(value, list)]
        if len(lists) == 1:
            data = lists[0]
        else:
            data = [data]
    if not isinstance(data, list):
        raise Unreadable("expected a JSON list of records")
    if not data:
        raise Unreadable("JSON list holds no records")
    for number, item in enumerate(data, start=1):
        yield str(number), item


def _csv_records(path: Path) -> Iterator[tuple[str, Any]]:
    """Rows of a UTF-8 CSV file as dictionaries keyed by its header, read one row at a time."""
    csv.field_size_limit(MAX_RECORD_BYTES)  # the default (128 kB) is smaller than many articles
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from None
    with handle:
        try:
            sample = handle.read(CSV_SNIFF_CHARACTERS)
            handle.seek(0)
            reader = csv.DictReader(handle, delimiter=csv_delimiter(sample))
            if not reader.fieldnames:
                raise Unreadable("CSV file has no header row")
            row_number = 1
            for row in reader:
                row_number += 1
                if None in row:
                    yield str(row_number), ReadFailure("", "row has more cells than the header")
                    continue
                yield str(row_number), {key: value for key, value in row.items() if key}
        except UnicodeDecodeError:
            raise Unreadable("CSV file is not UTF-8 (save it as UTF-8)") from None
        except csv.Error as exc:
            raise Unreadable(f"cannot parse CSV: {exc}") from None


def csv_delimiter(sample: str) -> str:
    """The delimiter its header line uses most (a comma when it uses none)."""
    header = sample.split("\n", 1)[0]
    counts = {delimiter: header.count(delimiter) for delimiter in CSV_DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","
