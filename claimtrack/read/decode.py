"""Bytes in, text out: a file's bytes, BOMs, binary sniffing, charset detection, normalisation.

``read_file_bytes`` reads a regular file within the size limit; ``decode_bytes`` turns bytes into
text (a BOM, then binary sniffing, UTF-8 (also when a few bytes are not: those alone are replaced),
a declared charset, then detection with charset-normalizer); ``normalise_text`` is the one
normalisation every later offset refers to.
``looks_like_html`` tells an HTML page from its first bytes.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import unicodedata
from pathlib import Path
from typing import Any

import charset_normalizer

from claimtrack.read.errors import Unreadable

MAX_FILE_BYTES = 200 * 1024 * 1024
BINARY_SNIFF_BYTES = 8192
HTML_CHARSET_SNIFF_BYTES = 4096
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
UTF8_NAMES = frozenset({"utf-8", "utf_8"})
# Mostly UTF-8: as many well-formed non-ASCII characters as malformed byte runs, or a quarter as
# many in a page that declares UTF-8. Text in a legacy code page forms a well-formed sequence only
# by chance (a capital letter before « or “ in cp1251): a few for hundreds of malformed runs.
MOSTLY_UTF8_SHARE = 1.0
DECLARED_UTF8_SHARE = 0.25
STRAY_BYTE_FALLBACK = "cp1252"  # a byte that is not UTF-8 in a UTF-8 text is most often a Western code page's
STRAY_BYTE_ERRORS = "claimtrack-stray-bytes"
REPLACEMENT = "\ufffd"
HTML_START = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE | re.DOTALL)


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

    Text that is mostly UTF-8 is read as UTF-8 with only its stray bytes replaced, whatever a page
    declares. ``encoding`` is what a transport declared (an HTTP Content-Type charset); a BOM still wins.
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
    declared = _codec_name(encoding) or (declared_html_charset(raw) if fmt == "html" else None)
    if is_mostly_utf8(raw, DECLARED_UTF8_SHARE if declared in UTF8_NAMES else MOSTLY_UTF8_SHARE):
        return raw.decode("utf-8", errors=STRAY_BYTE_ERRORS)
    if declared and declared not in UTF8_NAMES:
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
    return _codec_name(match.group(1).decode("ascii", errors="ignore")) if match else None


def _codec_name(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def is_mostly_utf8(raw: bytes, share: float) -> bool:
    """Whether bytes that are not all UTF-8 are still UTF-8 text with some stray bytes: at least
    ``share`` well-formed non-ASCII characters for each malformed byte run."""
    lenient = raw.decode("utf-8", errors="replace")
    malformed = lenient.count(REPLACEMENT) - raw.count(REPLACEMENT.encode())
    well_formed = len(lenient) - len(lenient.encode("ascii", errors="ignore")) - malformed
    return well_formed > 0 and well_formed >= share * malformed


def _stray_bytes(error: UnicodeError) -> tuple[str, int]:
    """Each byte of a malformed UTF-8 run read as cp1252 ("sch\\xf6n" is "schön"); U+FFFD where it has none."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    stray = error.object[error.start : error.end]
    return stray.decode(STRAY_BYTE_FALLBACK, errors="replace"), error.end


codecs.register_error(STRAY_BYTE_ERRORS, _stray_bytes)


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


def looks_like_html(raw: bytes) -> bool:
    head = raw[:HTML_CHARSET_SNIFF_BYTES]
    for bom, encoding in BOMS:
        if head.startswith(bom):
            head_text = head[len(bom) :].decode(encoding, errors="ignore")
            break
    else:
        head_text = head.decode("latin-1")
    return bool(HTML_START.match(head_text))


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
