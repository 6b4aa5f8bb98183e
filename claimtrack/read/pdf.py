"""Text and metadata of a PDF file, through pypdf.

Only the text layer is read: a scanned PDF (images of pages, no text) is an
error with its reason, never an empty document. Pages are joined by a single
line break, so a paragraph running over a page break can be unwrapped whole.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from dataclasses import dataclass, field

MIN_TEXT_CHARACTERS = 1  # fewer letters or digits than this in the whole file: no text layer
FILE_NAME_TITLE = re.compile(r"(?:\.[A-Za-z0-9]{2,5}|^untitled)$", re.IGNORECASE)  # "Microsoft Word - draft.docx"
ALPHANUMERIC = re.compile(r"\w")

logger = logging.getLogger(__name__)


class PdfError(Exception):
    """A PDF whose text cannot be read; the message is the reason shown."""


@dataclass(frozen=True, slots=True)
class PdfText:
    text: str
    metadata: dict[str, str] = field(default_factory=dict)  # title, publisher (the author), date (ISO)


def extract_pdf(raw: bytes) -> PdfText:
    """Text of every page (joined by a line break) and the title, author and creation date."""
    from pypdf import PdfReader  # slow to import; only PDFs need it
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfError("encrypted PDF (needs a password)")
        pages = [_page_text(page, number) for number, page in enumerate(reader.pages, start=1)]
        metadata = pdf_metadata(reader)
    except PdfError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, NotImplementedError) as exc:
        raise PdfError(f"cannot read PDF: {exc}") from None
    text = "\n".join(page for page in pages if page.strip())
    if len(ALPHANUMERIC.findall(text)) < MIN_TEXT_CHARACTERS:
        raise PdfError("no text layer (scanned PDF?)")
    return PdfText(text, metadata)


def _page_text(page, number: int) -> str:
    try:
        return page.extract_text() or ""
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on broken content streams
        raise PdfError(f"cannot extract the text of page {number}: {exc}") from None


def pdf_metadata(reader) -> dict[str, str]:
    """Title, author (as publisher) and creation date from the document information."""
    info = reader.metadata
    if info is None:
        return {}
    found: dict[str, str] = {}
    title = _clean(_safe(lambda: info.title))
    if title and not FILE_NAME_TITLE.search(title):
        found["title"] = title
    author = _clean(_safe(lambda: info.author))
    if author:
        found["publisher"] = author
    created = _safe(lambda: info.creation_date)
    if isinstance(created, dt.datetime):
        found["date"] = created.date().isoformat()
    return found


def _safe(read_value):
    """A metadata value, or None when the PDF spells it in a way pypdf cannot parse."""
    try:
        return read_value()
    except Exception as exc:  # noqa: BLE001 - a broken date or string must not cost the text
        logger.debug("unreadable PDF metadata value: %s", exc)
        return None


def _clean(value) -> str | None:
    if not isinstance(value, str):
        return None
    cleaned = " ".join(value.replace("\x00", "").split())
    return cleaned or None
