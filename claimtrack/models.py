"""Plain records passed between the pipeline stages.

Every offset is a character index into ``Document.text``: a kept sentence is
always ``document.text[start:end]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter

CLAIM = "claim"
HEADING = "heading"
QUESTION = "question"
BOILERPLATE = "boilerplate"
KINDS = (CLAIM, HEADING, QUESTION, BOILERPLATE)


def pickled_by_fields(cls: type) -> type:
    """Pickle a slotted dataclass as its constructor's arguments.

    Records cross from the worker processes by the hundred thousand, and the default way
    (``__setstate__``) looks up the class's fields again for every record it loads: that was
    most of the cost of loading a processed document.
    """
    values = attrgetter(*(f.name for f in fields(cls)))
    cls.__reduce__ = lambda record: (cls, values(record))
    return cls


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Document:
    """A document as read: its normalised text and its metadata."""

    source: str
    text: str
    format: str = "text"  # text | markdown | html
    title: str | None = None
    publisher: str | None = None
    url: str | None = None
    date: str | None = None  # ISO 8601, as precise as known
    date_source: str | None = None  # cli | sidecar | manifest | html | front-matter | dateline | ...
    content_hash: str = ""
    modified: str | None = None  # the day relative stamps are resolved against ("2 years ago")...
    modified_from: str | None = None  # ...and what it is: "retrieved" (a manifest's save date) or "file time"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ReadFailure:
    """A file that could not be read, and why."""

    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a document; ``dropped`` names the junk rule that removed it."""

    start: int
    end: int
    text: str
    dropped: str | None = None
    standalone: bool = False  # blank line (or document edge) before and after
    heading: bool = False  # marked as a heading by its markup (Markdown "#", HTML <h1>..<h6>)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence (or a dropped line) at its place in the document."""

    position: int
    start: int
    end: int
    text: str
    kind: str = CLAIM
    reason: str | None = None  # why it is not a claim


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ActorMention:
    """An actor named in a sentence, with its role there."""

    name: str  # canonical name
    kind: str  # person | organisation | country | place | region
    country: str | None = None  # ISO 3166-1 alpha-2
    role: str = "subject"  # subject | speaker
    surface: str = ""  # the words as written


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ClaimDate:
    """When a claim says its event happened."""

    date: str  # ISO 8601: YYYY-MM-DD, YYYY-MM, YYYY, or --MM-DD when the year is unknown
    precision: str  # day | month | year | partial
    text: str | None = None  # the phrase, when taken from the text
    source: str = "text"  # text | document


@pickled_by_fields
@dataclass(slots=True)
class ProcessedDocument:
    """A document after every CPU stage: what the store writes in one transaction."""

    document: Document
    sentences: list[Sentence] = field(default_factory=list)
    actors: dict[int, list[ActorMention]] = field(default_factory=dict)  # by position
    dates: dict[int, ClaimDate] = field(default_factory=dict)  # by position
