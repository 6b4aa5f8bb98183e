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
JSON and CSV files holding one document per record, ``claimtrack.read.collection``),
PDF files (``claimtrack.read.pdf``), e-mail messages (``claimtrack.read.mail``) and web
addresses (``claimtrack.read.fetch``). The slow-to-import libraries behind them
(httpx, lxml, pypdf, trafilatura) are imported only when needed.

Metadata precedence, highest first: command-line overrides, a sidecar
``NAME.meta.json``, a manifest ``sources.json`` / ``sources.csv`` in the file's
folder, then what the file itself says (Markdown front matter, HTML metadata,
PDF document information, e-mail headers).
A value given as null or empty counts as "not given" and does not hide a lower
source. Dates are never guessed: an unknown date stays ``None``. A sidecar or manifest
may say when a page was saved (``retrieved``, a day): a blog stamp ("2 years ago") counts
back from it, else from the file's modification date (``Document.modified``).

One job a module; each imports only modules listed above it:

- ``errors``: ``Unreadable``, the reason a file, record or page cannot become a Document
- ``decode``: a file's bytes, and bytes to text (BOMs, binary sniffing, charset detection,
  ``normalise_text``)
- ``metadata``: overrides, sidecars, manifests, front matter; cleaning and merging metadata
- ``html``: HTML to light Markdown and page metadata (trafilatura, else the visible text)
- ``pdf``, ``mail``: the text and metadata of a PDF file, of an e-mail message
- ``document``: a ``Document`` built from bytes or decoded text
- ``collection``: one ``Document`` per record of a JSON Lines, JSON or CSV file
- ``fetch``: web pages fetched politely (robots.txt, limits, retries)
- ``walk``: paths, folders, standard input and web addresses; ``iter_documents``, ``iter_inputs``
"""

from __future__ import annotations

from claimtrack.read.decode import decode_bytes, normalise_text
from claimtrack.read.document import document_from_bytes, document_from_text
from claimtrack.read.errors import Unreadable
from claimtrack.read.metadata import (
    Manifest,
    Metadata,
    check_overrides,
    clean_metadata_value,
    merge_metadata,
    normalise_date,
)
from claimtrack.read.walk import (
    FileToRead,
    iter_documents,
    iter_inputs,
    read_collection,
    read_document,
    read_stdin,
    read_url,
    read_url_list,
)

__all__ = [
    "FileToRead",
    "Manifest",
    "Metadata",
    "Unreadable",
    "check_overrides",
    "clean_metadata_value",
    "decode_bytes",
    "document_from_bytes",
    "document_from_text",
    "iter_documents",
    "iter_inputs",
    "merge_metadata",
    "normalise_date",
    "normalise_text",
    "read_collection",
    "read_document",
    "read_stdin",
    "read_url",
    "read_url_list",
]
