"""Building ``Document`` records: from bytes (``document_from_bytes``) or decoded text (``document_from_text``).

Text and Markdown are unwrapped (``claimtrack.unwrap``), Markdown loses its front matter, HTML
is reduced to its main text, PDF files and e-mail messages give their text and the metadata they
hold. The metadata layers given (overrides, sidecar, manifest...) are merged above the
document's own.
"""

from __future__ import annotations

import hashlib
import logging

from claimtrack.models import Document
from claimtrack.read.decode import decode_bytes, normalise_text
from claimtrack.read.errors import Unreadable
from claimtrack.read.html import extract_html
from claimtrack.read.metadata import Metadata, checked_own_metadata, merge_metadata, split_front_matter
from claimtrack.read.pdf import PdfError, extract_pdf
from claimtrack.unwrap import unwrap_text

UNWRAPPED_FORMATS = frozenset({"text", "markdown"})

logger = logging.getLogger(__name__)


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
    if fmt == "html":
        text, page = html_main_text(text)
        return _document(source, text, fmt, [*layers, ("html", page)], content_hash)
    text = normalise_text(text)
    if not text.strip():
        raise Unreadable("empty file")
    own: tuple[str, Metadata] = ("", {})
    if fmt == "markdown":
        text, front = split_front_matter(text)
        own = ("front-matter", front)
        if not text.strip():
            raise Unreadable("empty file (nothing after the front matter)")
    if fmt in UNWRAPPED_FORMATS:
        text = unwrap_text(text)
    return _document(source, text, fmt, [*layers, own], content_hash)


def html_main_text(markup: str) -> tuple[str, Metadata]:
    """The page's main text, normalised, and its metadata.

    The markup itself is not normalised: NFKC would change what the extractor sees (a full-width
    "＜" in the text becomes the "<" of a tag).
    """
    if not markup.strip():
        raise Unreadable("empty file")
    body, page = extract_html(markup)
    text = normalise_text(body)
    if not text.strip():
        raise Unreadable("no visible text in HTML page")
    return text, page


def _pdf_document(raw: bytes, source: str, layers: list[tuple[str, Metadata]], digest: str) -> Document:
    try:
        extracted = extract_pdf(raw)
    except PdfError as exc:
        raise Unreadable(str(exc)) from None
    text = unwrap_text(normalise_text(extracted.text), typeset=True)
    if not text.strip():
        raise Unreadable("no text layer (scanned PDF?)")
    return _document(source, text, "text", [*layers, ("pdf", checked_own_metadata(extracted.metadata))], digest)


def _email_document(raw: bytes, source: str, layers: list[tuple[str, Metadata]], digest: str) -> Document:
    from claimtrack.read.mail import MailError, parse_email  # lxml is slow to import; only e-mail needs it

    try:
        message = parse_email(raw)
    except MailError as exc:
        raise Unreadable(str(exc)) from None
    if message.quoted_lines_removed:
        logger.info("%s: removed %d lines of quoted reply", source, message.quoted_lines_removed)
    own = ("email", checked_own_metadata(message.metadata))
    if message.is_html:
        body, page = extract_html(message.text)
        text, fmt, below = normalise_text(body), "html", [own, ("html", page)]
    else:
        text, fmt, below = unwrap_text(normalise_text(message.text)), "text", [own]
    if not text.strip():
        raise Unreadable(
            "e-mail has no text of its own (only quoted reply)" if message.quoted_lines_removed else "empty e-mail"
        )
    return _document(source, text, fmt, [*layers, *below], digest)


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
