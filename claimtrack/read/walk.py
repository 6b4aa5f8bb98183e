"""Walking the inputs: paths, folders, standard input, web addresses and lists of them.

``iter_documents`` turns what the user named into Documents and ReadFailures: a folder is walked
in sorted order (hidden entries skipped), a collection file gives one Document per record, a
web address is fetched, ``-`` is standard input. ``iter_inputs`` walks the same way but leaves
each document file to be read later (a ``FileToRead``), so that another process can read it.
``read_document`` reads one file, with its sidecar and manifest entry, and ``read_url_list``
reads a file of web addresses.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from claimtrack.errors import InputError
from claimtrack.models import Document, ReadFailure
from claimtrack.read.collection import check_fields as check_record_fields
from claimtrack.read.collection import iter_collection
from claimtrack.read.decode import MAX_FILE_BYTES, looks_like_html, read_file_bytes
from claimtrack.read.document import document_from_bytes
from claimtrack.read.errors import Unreadable
from claimtrack.read.metadata import (
    MANIFEST_CSV_NAME,
    MANIFEST_JSON_NAME,
    SIDECAR_SUFFIX,
    Manifest,
    Metadata,
    check_overrides,
    load_manifest,
    load_sidecar,
    retrieved_day,
)

STDIN_PATH = "-"
STDIN_SOURCE = "<stdin>"
FORMAT_BY_SUFFIX = {  # input formats; a Document's format is text, markdown or html
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
    ".eml": "email",
}
COLLECTION_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv")  # see claimtrack.read.collection
PDF_SIGNATURE = b"%PDF-"
URL_LIST_COMMENT = "#"


# ---------------------------------------------------------------- public API


@dataclasses.dataclass(frozen=True, slots=True)
class FileToRead:
    """A document file the walk found, with what its metadata needs, read when ``read`` is called."""

    path: Path
    overrides: Metadata
    manifest_entry: Metadata

    def read(self) -> Document | ReadFailure:
        return _read_safely(self.path, self.overrides, {self.path.name: self.manifest_entry})


def iter_documents(
    paths: Iterable[str],
    overrides: Mapping[str, str] | None = None,
    fields: Mapping[str, str] | None = None,
) -> Iterator[Document | ReadFailure]:
    """Yield one Document or ReadFailure per file found under ``paths``, per record of a collection
    and per web address (``http://``, ``https://``).

    ``fields`` names the record fields of collections: keys text, title, date, url, publisher.
    Raises InputError at once (before reading anything) for bad overrides or fields.
    """
    return (item.read() if isinstance(item, FileToRead) else item for item in iter_inputs(paths, overrides, fields))


def iter_inputs(
    paths: Iterable[str],
    overrides: Mapping[str, str] | None = None,
    fields: Mapping[str, str] | None = None,
) -> Iterator[Document | ReadFailure | FileToRead]:
    """What ``iter_documents`` yields, except that document files are left to read (``FileToRead``).

    Collections, standard input and web addresses are read here, as they are walked.
    Raises InputError at once (before reading anything) for bad overrides or fields.
    """
    checked = check_overrides(overrides)
    checked_fields = check_fields(fields)
    return _iter_checked(list(paths), checked, checked_fields)


def read_url_list(path: str | Path) -> list[str]:
    """Web addresses from a file, one a line; blank lines and ``#`` comments skipped, repeats dropped.

    Raises InputError for an unreadable file or a line that is not an http(s) address.
    """
    from claimtrack.read.fetch import is_url  # httpx is slow to import; only web addresses need it

    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read URL list {path}: {getattr(exc, 'strerror', None) or exc}") from None
    urls: list[str] = []
    for number, line in enumerate(lines, start=1):
        address = line.strip()
        if not address or address.startswith(URL_LIST_COMMENT):
            continue
        if not is_url(address):
            raise InputError(f"{path}, line {number}: not an http(s) address: {address!r}")
        if address not in urls:
            urls.append(address)
    return urls


def read_url(url: str, overrides: Mapping[str, str] | None = None, fetcher: Any = None) -> Document | ReadFailure:
    """Fetch one web page (HTML, plain text, Markdown or PDF) as a Document named by its address.

    ``fetcher`` is a ``claimtrack.read.fetch.Fetcher`` to share between pages; one is made when not given.
    """
    from claimtrack.read.fetch import Fetcher, FetchError  # httpx is slow to import; only web addresses need it

    try:
        checked = check_overrides(overrides)
        if fetcher is None:
            with Fetcher() as own_fetcher:
                page = own_fetcher.fetch(url)
        else:
            page = fetcher.fetch(url)
        fmt = page.format or sniff_format(page.body)
        layers = [("cli", checked), ("fetch", {"url": page.final_url})]
        return document_from_bytes(page.body, url, fmt, layers, encoding=page.charset)
    except (Unreadable, InputError, FetchError) as exc:
        return ReadFailure(url, str(exc))


def read_document(
    path: Path,
    overrides: Mapping[str, str] | None = None,
    manifest: Manifest | None = None,
) -> Document | ReadFailure:
    """Read one file; ``manifest`` is looked up in the file's folder when not given."""
    source = str(path)
    try:
        checked = check_overrides(overrides)
        if is_metadata_file(path):
            raise Unreadable("metadata file (sidecar or manifest), not a document")
        if is_collection_name(path.name):
            raise Unreadable("a collection of many documents: read it with iter_documents")
        raw = read_file_bytes(path)
        if manifest is None:
            manifest = load_manifest(path.parent)
        layers = [
            ("cli", checked),
            ("sidecar", load_sidecar(path)),
            ("manifest", dict(manifest.get(path.name, {}))),
        ]
        document = document_from_bytes(raw, source, detect_format(path, raw), layers)
        retrieved = retrieved_day(layers)
        if retrieved:
            return dataclasses.replace(document, modified=retrieved, modified_from="retrieved")
        return dataclasses.replace(document, modified=file_date(path), modified_from="file time")
    except (Unreadable, InputError) as exc:
        return ReadFailure(source, str(exc))


def file_date(path: Path) -> str | None:
    """The day the file was last modified (local time), ISO 8601."""
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime).date().isoformat()
    except (OSError, ValueError, OverflowError):
        return None


def read_stdin(overrides: Mapping[str, str] | None = None) -> Document | ReadFailure:
    """Read standard input as one document (HTML when it starts like a page)."""
    try:
        raw = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise Unreadable(f"input too large (over {MAX_FILE_BYTES // 2**20} MB)")
        return document_from_bytes(raw, STDIN_SOURCE, sniff_format(raw), [("cli", check_overrides(overrides))])
    except (Unreadable, InputError) as exc:
        return ReadFailure(STDIN_SOURCE, str(exc))
    except OSError as exc:
        return ReadFailure(STDIN_SOURCE, f"cannot read standard input: {exc.strerror or exc}")


# ---------------------------------------------------------------- walking


def _iter_checked(
    paths: list[str], overrides: Metadata, fields: Mapping[str, str]
) -> Iterator[Document | ReadFailure | FileToRead]:
    with contextlib.ExitStack() as resources:
        fetchers: list[Any] = []  # one Fetcher for the run, made at the first address
        manifests: dict[Path, Manifest | ReadFailure] = {}
        seen: set[str] = set()
        for given in paths:
            if given == STDIN_PATH:
                yield read_stdin(overrides)
            elif is_url_path(given):
                if given not in seen:
                    seen.add(given)
                    if not fetchers:
                        from claimtrack.read.fetch import Fetcher  # httpx is slow to import

                        fetchers.append(resources.enter_context(Fetcher()))
                    yield read_url(given, overrides, fetchers[0])
            else:
                yield from _iter_path(Path(given), overrides, fields, manifests, seen)


def _iter_path(
    given: Path,
    overrides: Metadata,
    fields: Mapping[str, str],
    manifests: dict[Path, Manifest | ReadFailure],
    seen: set[str],
) -> Iterator[Document | ReadFailure | FileToRead]:
    for found in iter_document_paths(given):
        if isinstance(found, ReadFailure):
            yield found
            continue
        identity = os.path.abspath(found)
        if identity in seen:
            continue
        seen.add(identity)
        manifest = _cached_manifest(manifests, found.parent)
        if isinstance(manifest, ReadFailure):
            yield ReadFailure(str(found), manifest.reason)
        elif is_collection_name(found.name) and not is_metadata_file(found):
            yield from read_collection(found, overrides, fields, manifest)
        else:
            yield FileToRead(found, overrides, dict(manifest.get(found.name, {})))


def _read_safely(path: Path, overrides: Metadata, manifest: Manifest) -> Document | ReadFailure:
    """A bug met in one file (a library raising what it never should) is that file's failure only."""
    try:
        return read_document(path, overrides, manifest)
    except Exception as exc:  # noqa: BLE001 - reported with its type, never silent
        return ReadFailure(str(path), f"cannot read: {type(exc).__name__}: {exc}")


def read_collection(
    path: Path,
    overrides: Metadata,
    fields: Mapping[str, str] | None = None,
    manifest: Manifest | None = None,
) -> Iterator[Document | ReadFailure]:
    """One Document or ReadFailure per record of a JSON Lines, JSON or CSV file."""
    try:
        if path.is_symlink() and not path.exists():
            raise Unreadable(f"broken symbolic link (points to {os.readlink(path)})")
        if not path.is_file():
            raise Unreadable("not a regular file")
        if manifest is None:
            manifest = load_manifest(path.parent)
        below = [("sidecar", load_sidecar(path)), ("manifest", dict(manifest.get(path.name, {})))]
    except Unreadable as exc:
        yield ReadFailure(str(path), str(exc))
        return
    yield from iter_collection(path, [("cli", overrides), *below], fields)


def check_fields(fields: Mapping[str, str] | None) -> dict[str, str]:
    return check_record_fields(fields) if fields else {}


def is_url_path(given: str) -> bool:
    return given.lower().startswith(("http://", "https://"))


def _cached_manifest(cache: dict[Path, Manifest | ReadFailure], folder: Path) -> Manifest | ReadFailure:
    if folder not in cache:
        try:
            cache[folder] = load_manifest(folder)
        except Unreadable as exc:
            cache[folder] = ReadFailure(str(folder), str(exc))
    return cache[folder]


def iter_document_paths(path: Path) -> Iterator[Path | ReadFailure]:
    """The files a path names: itself, or the document files under a folder."""
    if path.is_dir():
        found_any = False
        for found in walk_folder(path):
            found_any = True
            yield found
        if not found_any:
            suffixes = " ".join(sorted({*FORMAT_BY_SUFFIX, *COLLECTION_SUFFIXES}))
            yield ReadFailure(str(path), f"folder holds no document files ({suffixes})")
    elif path.exists() or path.is_symlink():
        yield path
    else:
        yield ReadFailure(str(path), "no such file or folder")


def walk_folder(folder: Path) -> Iterator[Path | ReadFailure]:
    """Document files under ``folder`` in sorted path order; hidden entries skipped.

    Symbolic links to folders are not followed (they may loop).
    """
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as exc:
        yield ReadFailure(str(folder), f"cannot list folder: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        entry_path = folder / entry.name
        if entry.is_dir(follow_symlinks=False):
            yield from walk_folder(entry_path)
        elif is_document_name(entry.name):
            yield entry_path


def is_document_name(name: str) -> bool:
    lowered = name.lower()
    suffix = Path(lowered).suffix
    return (suffix in FORMAT_BY_SUFFIX or suffix in COLLECTION_SUFFIXES) and not is_metadata_name(lowered)


def is_collection_name(name: str) -> bool:
    return Path(name.lower()).suffix in COLLECTION_SUFFIXES


def is_metadata_name(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith(SIDECAR_SUFFIX) or lowered in (MANIFEST_JSON_NAME, MANIFEST_CSV_NAME)


def is_metadata_file(path: Path) -> bool:
    return is_metadata_name(path.name)


def detect_format(path: Path, raw: bytes) -> str:
    """The input format: a PDF signature wins over the suffix, then the suffix, then sniffing."""
    if raw.startswith(PDF_SIGNATURE):
        return "pdf"
    return FORMAT_BY_SUFFIX.get(path.suffix.lower()) or sniff_format(raw)


def sniff_format(raw: bytes) -> str:
    """pdf, html or text, from the bytes alone."""
    if raw.startswith(PDF_SIGNATURE):
        return "pdf"
    return "html" if looks_like_html(raw) else "text"
