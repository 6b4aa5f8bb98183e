"""Read stage: files, folders and standard input in, ``Document`` records out.

The text is normalised once, here, so that every later offset refers to
``Document.text``. HTML pages are reduced to their main text and written out
as light Markdown: blocks separated by a blank line, headings as ``# ...``
(one ``#`` per level), list items as ``- ...``. Later stages can therefore treat
Markdown and HTML documents alike.

Plain text, Markdown, PDF and e-mail bodies are unwrapped here too
(``claimtrack.unwrap``): lines of a hard-wrapped paragraph become one line, so
``Document.text`` is the unwrapped text and every later offset refers to it.

Besides files and folders, ``iter_documents`` reads collections (JSON Lines,
JSON and CSV files holding one document per record, ``claimtrack.collection``),
PDF files (``claimtrack.pdf``), e-mail messages (``claimtrack.mail``) and web
addresses (``claimtrack.fetch``). Those modules are imported only when needed.

Metadata precedence, highest first: command-line overrides, a sidecar
``NAME.meta.json``, a manifest ``sources.json`` / ``sources.csv`` in the file's
folder, then what the file itself says (Markdown front matter, HTML metadata,
PDF document information, e-mail headers).
A value given as null or empty counts as "not given" and does not hide a lower
source. Dates are never guessed: an unknown date stays ``None``.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import charset_normalizer
import yaml

from claimtrack.errors import InputError
from claimtrack.models import Document, ReadFailure
from claimtrack.unwrap import unwrap_text

MAX_FILE_BYTES = 200 * 1024 * 1024
BINARY_SNIFF_BYTES = 8192
HTML_CHARSET_SNIFF_BYTES = 4096
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
COLLECTION_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv")  # see claimtrack.collection
UNWRAPPED_FORMATS = frozenset({"text", "markdown"})
PDF_SIGNATURE = b"%PDF-"
URL_LIST_COMMENT = "#"
SIDECAR_SUFFIX = ".meta.json"
MANIFEST_JSON_NAME = "sources.json"
MANIFEST_CSV_NAME = "sources.csv"
METADATA_KEYS = ("title", "publisher", "url", "date")
FRONT_MATTER_ALIASES = {
    "title": ("title",),
    "publisher": ("publisher", "source", "site", "site_name", "sitename"),
    "url": ("url", "link", "canonical_url"),
    "date": ("date", "published", "pubdate", "published_at", "publication_date"),
}
FRONT_MATTER_FENCE = "---"
FRONT_MATTER_CLOSERS = ("---", "...")
BOMS = (  # UTF-32 first: its little-endian BOM begins with the UTF-16 one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
BINARY_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\x28\xb5\x2f\xfd", "zstd archive"),
    (b"\x7fELF", "ELF executable"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Office document"),
)
# Legacy encodings charset-normalizer may choose from, in order of preference
# when it scores several of them equally (common on short texts).
LEGACY_ENCODINGS = (
    "cp1252",
    "cp1251",
    "koi8_r",
    "cp1250",
    "cp1253",
    "cp1254",
    "cp1257",
    "cp1255",
    "cp1256",
    "cp866",
    "mac_cyrillic",
    "iso8859_2",
    "iso8859_5",
    "iso8859_7",
    "iso8859_9",
    "shift_jis",
    "cp932",
    "euc_jp",
    "gb18030",
    "big5",
    "euc_kr",
    "cp874",
    "cp1258",
    "mac_roman",
    "iso8859_15",
    "latin_1",
)
C1_CONTROLS = re.compile(r"[\x80-\x9f]")
MULTIBYTE_ENCODINGS = frozenset({"shift_jis", "cp932", "euc_jp", "gb18030", "big5", "euc_kr"})
MULTIBYTE_MIN_NON_ASCII_SHARE = 0.15
SPARSE_NON_ASCII_SHARE = 0.01  # below this, a text is mostly ASCII with a few special characters
SPARSE_CHAOS_TOLERANCE = 0.01
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b\u2060\ufeff]")
HTML_CHARSET_DECLARATION = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
HTML_START = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE | re.DOTALL)
ISO_DATE = re.compile(r"\A(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ].*)?\Z")
CLI_DATE = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")
INLINE_WHITESPACE = re.compile(r"\s+")
TRAFILATURA_DATE_PARAMS = {"extensive_search": False, "original_date": True}
HIDDEN_HTML_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object", "head"})
BLOCK_HTML_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tr",
        "ul",
    }
)
HTML_HEADING_LEVELS = {f"h{level}": level for level in range(1, 7)}
LINE_BREAK_MARK = "\x00"  # stands for <lb/> while whitespace is collapsed; NUL never survives decoding
PRESERVED_LINE_TAGS = frozenset({"code", "quote"})  # trafilatura keeps <pre> line breaks in these

Metadata = dict[str, str]
Manifest = Mapping[str, Metadata]

logger = logging.getLogger(__name__)


class Unreadable(Exception):
    """A file that cannot become a Document; the message is the reason shown."""


# ---------------------------------------------------------------- public API


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
    checked = check_overrides(overrides)
    checked_fields = check_fields(fields)
    return _iter_checked(list(paths), checked, checked_fields)


def read_url_list(path: str | Path) -> list[str]:
    """Web addresses from a file, one a line; blank lines and ``#`` comments skipped, repeats dropped.

    Raises InputError for an unreadable file or a line that is not an http(s) address.
    """
    from claimtrack.fetch import is_url

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

    ``fetcher`` is a ``claimtrack.fetch.Fetcher`` to share between pages; one is made when not given.
    """
    from claimtrack.fetch import Fetcher, FetchError

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
        if isinstance(document, Document):
            document = dataclasses.replace(document, modified=file_date(path))
        return document
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


# ---------------------------------------------------------------- walking


def _iter_checked(paths: list[str], overrides: Metadata, fields: Mapping[str, str]) -> Iterator[Document | ReadFailure]:
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
                        from claimtrack.fetch import Fetcher

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
) -> Iterator[Document | ReadFailure]:
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
            yield _read_safely(found, overrides, manifest)


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
    from claimtrack.collection import iter_collection

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
    from claimtrack.collection import check_fields as check_record_fields

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


def looks_like_html(raw: bytes) -> bool:
    head = raw[:HTML_CHARSET_SNIFF_BYTES]
    for bom, encoding in BOMS:
        if head.startswith(bom):
            head_text = head[len(bom) :].decode(encoding, errors="ignore")
            break
    else:
        head_text = head.decode("latin-1")
    return bool(HTML_START.match(head_text))


# ---------------------------------------------------------------- bytes


def read_file_bytes(path: Path) -> bytes:
    """The raw bytes of a regular file, or Unreadable with the OS reason."""
    if path.is_symlink() and not path.exists():
        raise Unreadable(f"broken symbolic link (points to {os.readlink(path)})")
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise Unreadable("is a folder")
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise Unreadable(f"file too large ({info.st_size / 2**20:.0f} MB, limit {MAX_FILE_BYTES // 2**20} MB)")
        return path.read_bytes()
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from None


def decode_bytes(raw: bytes, fmt: str = "text", encoding: str | None = None) -> str:
    """Bytes to text: BOM, then binary sniffing, UTF-8, the given or declared charset, detection.

    ``encoding`` is what a transport declared (an HTTP Content-Type charset); a BOM still wins.
    """
    for bom, bom_encoding in BOMS:
        if raw.startswith(bom):
            return raw[len(bom) :].decode(bom_encoding, errors="replace")
    reason = binary_reason(raw)
    if reason:
        raise Unreadable(f"binary file ({reason})")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = encoding or (declared_html_charset(raw) if fmt == "html" else None)
    if declared:
        try:
            return raw.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
    return detect_legacy_encoding(raw)


def binary_reason(raw: bytes) -> str | None:
    for signature, kind in BINARY_SIGNATURES:
        if raw.startswith(signature):
            return kind
    if b"\x00" in raw[:BINARY_SNIFF_BYTES]:
        return "contains NUL bytes"
    return None


def declared_html_charset(raw: bytes) -> str | None:
    match = HTML_CHARSET_DECLARATION.search(raw[:HTML_CHARSET_SNIFF_BYTES])
    if not match:
        return None
    name = match.group(1).decode("ascii", errors="ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def detect_legacy_encoding(raw: bytes) -> str:
    """Decode with the encoding charset-normalizer rates best, preferring common ones on ties.

    Mostly-ASCII bytes are never read as a multi-byte (East Asian) encoding: a few
    stray accented letters are far likelier to be a Western or Cyrillic code page.
    """
    candidates = list(LEGACY_ENCODINGS)
    if non_ascii_share(raw) < MULTIBYTE_MIN_NON_ASCII_SHARE:
        candidates = [name for name in candidates if name not in MULTIBYTE_ENCODINGS]
    matches = list(charset_normalizer.from_bytes(raw, cp_isolation=candidates))
    if not matches:
        raise Unreadable("binary file (no text encoding fits)")
    tied = equally_likely(matches, sparse=non_ascii_share(raw) < SPARSE_NON_ASCII_SHARE)
    encodings = {name for match in tied for name in (match.encoding, *match.could_be_from_charset)}
    return decode_preferred(raw, sorted(encodings, key=_encoding_rank))


def equally_likely(matches: list[Any], sparse: bool) -> list[Any]:
    """The matches as good as the best one; with few non-ASCII bytes, language coherence is noise."""
    best = matches[0]
    if sparse:
        return [m for m in matches if m.chaos <= best.chaos + SPARSE_CHAOS_TOLERANCE]
    return [m for m in matches if m.chaos == best.chaos and m.coherence == best.coherence]


def decode_preferred(raw: bytes, encodings: list[str]) -> str:
    """The first decoding free of C1 control characters (a sure sign of a wrong code page)."""
    decodings = (raw.decode(name, errors="replace") for name in encodings)
    first = next(decodings)
    if not C1_CONTROLS.search(first):
        return first
    return next((text for text in decodings if not C1_CONTROLS.search(text)), first)


def non_ascii_share(raw: bytes) -> float:
    return sum(byte > 0x7F for byte in raw) / len(raw) if raw else 0.0


def _encoding_rank(encoding: str) -> int:
    return LEGACY_ENCODINGS.index(encoding) if encoding in LEGACY_ENCODINGS else len(LEGACY_ENCODINGS)


# ---------------------------------------------------------------- text


def normalise_text(text: str) -> str:
    """Unify newlines, drop control characters, NFKC, strip line ends and edge blank lines.

    Idempotent: normalising a normalised text changes nothing.
    """
    unified = "\n".join(text.splitlines())
    without_controls = CONTROL_CHARACTERS.sub("", unified)
    composed = unicodedata.normalize("NFKC", without_controls)
    lines = [line.rstrip() for line in composed.split("\n")]
    return "\n".join(lines).strip("\n")


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


# ---------------------------------------------------------------- documents


def document_from_bytes(
    raw: bytes,
    source: str,
    fmt: str,
    layers: list[tuple[str, Metadata]],
    encoding: str | None = None,
) -> Document:
    """Build a Document from bytes in input format ``fmt`` (text, markdown, html, pdf, email);
    ``layers`` are (origin, metadata) pairs, highest precedence first."""
    if not raw.strip():
        raise Unreadable("empty file")
    digest = hashlib.sha256(raw).hexdigest()
    if fmt == "pdf":
        return _pdf_document(raw, source, layers, digest)
    if fmt == "email":
        return _email_document(raw, source, layers, digest)
    return document_from_text(decode_bytes(raw, fmt, encoding), source, fmt, layers, digest)


def document_from_text(
    text: str, source: str, fmt: str, layers: list[tuple[str, Metadata]], content_hash: str
) -> Document:
    """Build a Document from decoded text in format text, markdown or html.

    Text and Markdown are unwrapped; HTML is reduced to its main text.
    """
    text = normalise_text(text)
    if not text.strip():
        raise Unreadable("empty file")
    own: tuple[str, Metadata] = ("", {})
    if fmt == "markdown":
        text, front = split_front_matter(text)
        own = ("front-matter", front)
        if not text.strip():
            raise Unreadable("empty file (nothing after the front matter)")
    elif fmt == "html":
        body, page = extract_html(text)
        text = normalise_text(body)
        own = ("html", page)
        if not text.strip():
            raise Unreadable("no visible text in HTML page")
    if fmt in UNWRAPPED_FORMATS:
        text = unwrap_text(text)
    return _document(source, text, fmt, [*layers, own], content_hash)


def _pdf_document(raw: bytes, source: str, layers: list[tuple[str, Metadata]], digest: str) -> Document:
    from claimtrack.pdf import PdfError, extract_pdf

    try:
        extracted = extract_pdf(raw)
    except PdfError as exc:
        raise Unreadable(str(exc)) from None
    text = unwrap_text(normalise_text(extracted.text), typeset=True)
    if not text.strip():
        raise Unreadable("no text layer (scanned PDF?)")
    return _document(source, text, "text", [*layers, ("pdf", checked_own_metadata(extracted.metadata))], digest)


def _email_document(raw: bytes, source: str, layers: list[tuple[str, Metadata]], digest: str) -> Document:
    from claimtrack.mail import MailError, parse_email

    try:
        message = parse_email(raw)
    except MailError as exc:
        raise Unreadable(str(exc)) from None
    if message.quoted_lines_removed:
        logger.info("%s: removed %d lines of quoted reply", source, message.quoted_lines_removed)
    own = ("email", checked_own_metadata(message.metadata))
    if message.is_html:
        body, page = extract_html(normalise_text(message.text))
        text, fmt, below = normalise_text(body), "html", [own, ("html", page)]
    else:
        text, fmt, below = unwrap_text(normalise_text(message.text)), "text", [own]
    if not text.strip():
        raise Unreadable(
            "e-mail has no text of its own (only quoted reply)" if message.quoted_lines_removed else "empty e-mail"
        )
    return _document(source, text, fmt, [*layers, *below], digest)


def checked_own_metadata(found: Mapping[str, Any]) -> Metadata:
    """What a file says of itself, cleaned; a date that is not a date is left out, never guessed."""
    metadata: Metadata = {}
    for key in METADATA_KEYS:
        value = normalise_date(found.get(key)) if key == "date" else clean_metadata_value(found.get(key))
        if value:
            metadata[key] = value
    return metadata


def _document(source: str, text: str, fmt: str, layers: list[tuple[str, Metadata]], content_hash: str) -> Document:
    merged, date_source = merge_metadata(layers)
    return Document(
        source=source,
        text=text,
        format=fmt,
        title=merged.get("title"),
        publisher=merged.get("publisher"),
        url=merged.get("url"),
        date=merged.get("date"),
        date_source=date_source,
        content_hash=content_hash,
    )


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
    """Known keys of user-written metadata; a date that is not ISO is an error, not a guess."""
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
    return metadata


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


# ---------------------------------------------------------------- HTML


def extract_html(html: str) -> tuple[str, Metadata]:
    """Main text (light Markdown) and page metadata; visible text when trafilatura finds none."""
    main_text, metadata = "", {}
    try:
        main_text, metadata = extract_with_trafilatura(html)
    except Exception as exc:  # noqa: BLE001 - any extractor failure falls back to plain text
        logger.debug("trafilatura failed, using visible text: %s", exc)
    if main_text.strip():
        return main_text, metadata
    visible, fallback_metadata = extract_visible_text(html)
    return visible, {**fallback_metadata, **metadata}


def extract_with_trafilatura(html: str) -> tuple[str, Metadata]:
    import trafilatura  # slow to import; only HTML needs it

    result = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        date_extraction_params=dict(TRAFILATURA_DATE_PARAMS),
    )
    if result is None:
        return "", {}
    metadata = {
        "title": clean_metadata_value(_result_field(result, "title")),
        "publisher": clean_metadata_value(_result_field(result, "sitename")),
        "url": clean_metadata_value(_result_field(result, "url")),
        "date": normalise_date(_result_field(result, "date")),
    }
    body = _result_field(result, "body")
    text = render_extracted_body(body) if body is not None else (_result_field(result, "text") or "")
    return text, {key: value for key, value in metadata.items() if value}


def _result_field(result: Any, name: str) -> Any:
    """trafilatura 1.x returns a dict, 2.x a Document object."""
    if isinstance(result, dict):
        return result.get(name)
    return getattr(result, name, None)


def render_extracted_body(body: Any) -> str:
    """trafilatura's XML body as blocks separated by blank lines; headings as ``#``."""
    blocks: list[str] = []
    for element in body:
        blocks.extend(_render_block(element))
    return "\n\n".join(block for block in blocks if block.strip())


def _render_block(element: Any) -> list[str]:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "head":
        heading = _inline_text(element).replace("\n", " ")
        return [f"{'#' * _heading_level(element.get('rend'))} {heading}"] if heading else []
    if tag == "list":
        items = [f"- {_inline_text(item)}" for item in element.iter("item")]
        return ["\n".join(item for item in items if item.strip() != "-")]
    if tag == "table":
        rows = [" | ".join(_inline_text(cell) for cell in row.iter("cell")) for row in element.iter("row")]
        return ["\n".join(row for row in rows if row.strip())]
    if tag in PRESERVED_LINE_TAGS and not any(child.tag == "p" for child in element):
        return ["\n".join(line.strip() for line in "".join(element.itertext()).split("\n"))]
    if len(element) and all(child.tag in ("p", "head", "list", "table", "quote", "div") for child in element):
        return [block for child in element for block in _render_block(child)]
    return [_inline_text(element)]


def _heading_level(rend: str | None) -> int:
    return HTML_HEADING_LEVELS.get((rend or "").lower(), 2)


def _inline_text(element: Any) -> str:
    """Text of an element with runs of whitespace collapsed; ``<lb/>`` keeps its line break."""
    segments = "".join(_inline_pieces(element)).split(LINE_BREAK_MARK)
    return "\n".join(INLINE_WHITESPACE.sub(" ", segment).strip() for segment in segments).strip()


def _inline_pieces(element: Any) -> Iterator[str]:
    """Text pieces in document order, nested lists left out (they are items of their own)."""
    if element.text:
        yield element.text
    for child in element:
        if child.tag == "lb":
            yield LINE_BREAK_MARK
        elif child.tag != "list":
            yield from _inline_pieces(child)
        if child.tail:
            yield child.tail


class VisibleTextParser(HTMLParser):
    """Visible text of any HTML, however broken or deeply nested (no tree is built)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.hidden_depth = 0
        self.in_title = False
        self.title_pieces: list[str] = []
        self.metadata: Metadata = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name.lower(): value or "" for name, value in attrs}
        if tag == "title":
            self.in_title = True
        elif tag == "meta":
            self._read_meta(attributes)
        elif tag == "link" and "canonical" in attributes.get("rel", "").lower():
            self.metadata.setdefault("url", attributes.get("href", ""))
        if tag in HIDDEN_HTML_TAGS:
            self.hidden_depth += 1
        elif tag in HTML_HEADING_LEVELS:
            self.pieces.append(f"\n\n{'#' * HTML_HEADING_LEVELS[tag]} ")
        elif tag in BLOCK_HTML_TAGS:
            self.pieces.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in HIDDEN_HTML_TAGS:
            self.hidden_depth = max(0, self.hidden_depth - 1)
        elif tag in HTML_HEADING_LEVELS or tag in BLOCK_HTML_TAGS:
            self.pieces.append("\n\n" if tag in HTML_HEADING_LEVELS or tag == "p" else "\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_pieces.append(data)
        elif not self.hidden_depth:
            self.pieces.append(INLINE_WHITESPACE.sub(" ", data))

    def _read_meta(self, attributes: Mapping[str, str]) -> None:
        name = (attributes.get("property") or attributes.get("name") or "").lower()
        content = attributes.get("content", "")
        wanted = {
            "og:title": "title",
            "og:site_name": "publisher",
            "og:url": "url",
            "article:published_time": "date",
        }.get(name)
        if wanted and content:
            self.metadata.setdefault(wanted, content)

    def text(self) -> str:
        lines = [line.strip() for line in "".join(self.pieces).split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def extract_visible_text(html: str) -> tuple[str, Metadata]:
    parser = VisibleTextParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception as exc:  # noqa: BLE001 - html.parser rarely fails, but one bad page must not stop a batch
        raise Unreadable(f"cannot parse HTML: {exc}") from None
    found = dict(parser.metadata)
    found.setdefault("title", "".join(parser.title_pieces))
    metadata = {key: clean_metadata_value(value) for key, value in found.items() if key != "date"}
    metadata["date"] = normalise_date(found.get("date"))
    return parser.text(), {key: value for key, value in metadata.items() if value}
