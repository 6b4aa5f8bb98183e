"""E-mail messages (``.eml``): body, subject, sender and date; quoted replies left out.

A reply quotes the message it answers ("> ..." lines under "On ... wrote:").
Those words are someone else's, already counted where they were first written,
so they are cut from the body here, in the read stage. The cut is auditable:
``split_quoted_reply`` returns what it removed, the read stage logs how many
lines it cut from which message, and the message file itself (named by the
document's source, its bytes fingerprinted by the content hash) is untouched.
"""

from __future__ import annotations

import email.policy
import email.utils
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser

from lxml import html as lxml_html

QUOTED_LINE = re.compile(r"\s*>")
# "On Mon, 5 Jun 2023, Jane <jane@example.org> wrote:" and its kin in other languages.
ATTRIBUTION = re.compile(
    r"(?:\bwrote|\bwrites|\bschrieb|\ba écrit|\bescribió|\bha scritto|\bnapisał|\bнаписал[аи]?)\s*:\s*$"
    r"|@\S+\.\w+.*:\s*$",
    re.IGNORECASE,
)
MAX_ATTRIBUTION_LINES = 3  # mail clients wrap a long "On ... wrote:" over two or three lines
ORIGINAL_MESSAGE = re.compile(r"\s*-{2,}\s*(?:original message|forwarded by)\b.*$", re.IGNORECASE)
FLOWED_SIGNATURE = "-- "


class MailError(Exception):
    """A message with nothing to read; the message is the reason shown."""


@dataclass(frozen=True, slots=True)
class MailBody:
    text: str
    is_html: bool
    metadata: dict[str, str] = field(default_factory=dict)  # title, publisher, date (ISO)
    quoted_lines_removed: int = 0


def parse_email(raw: bytes) -> MailBody:
    """Body without quoted replies (plain text preferred, else HTML) and the header metadata."""
    message = BytesParser(policy=email.policy.default).parsebytes(raw)
    if not isinstance(message, EmailMessage):  # pragma: no cover - the default policy always gives one
        raise MailError("not an e-mail message")
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        raise MailError("e-mail has no text or HTML body")
    try:
        content = part.get_content()
    except (LookupError, ValueError) as exc:
        raise MailError(f"cannot decode the e-mail body: {exc}") from None
    if not isinstance(content, str):
        raise MailError("e-mail body is not text")
    metadata = header_metadata(message)
    if part.get_content_subtype() == "html":
        return MailBody(without_quoted_html(content), True, metadata)
    if part.get_param("format", "", header="content-type").lower() == "flowed":
        content = unflow(content, delsp=part.get_param("delsp", "", header="content-type").lower() == "yes")
    kept, removed = split_quoted_reply(content)
    return MailBody(kept, False, metadata, len(removed))


def header_metadata(message: EmailMessage) -> dict[str, str]:
    """Subject as title, sender (display name, else address) as publisher, Date as date."""
    found: dict[str, str] = {}
    subject = " ".join(str(message.get("subject", "")).split())
    if subject:
        found["title"] = subject
    name, address = email.utils.parseaddr(str(message.get("from", "")))
    if name or address:
        found["publisher"] = name or address
    date = message_date(str(message.get("date", "")))
    if date:
        found["date"] = date
    return found


def message_date(value: str) -> str | None:
    """The calendar day of a Date header, in the sender's own time zone."""
    if not value.strip():
        return None
    try:
        return email.utils.parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def split_quoted_reply(text: str) -> tuple[str, list[str]]:
    """The text without quoted lines, their "On ... wrote:" header and a forwarded original.

    Returns the kept text and the removed lines, in order.
    """
    lines = text.split("\n")
    removed_at: set[int] = set()
    for index, line in enumerate(lines):
        if ORIGINAL_MESSAGE.match(line):
            removed_at.update(range(index, len(lines)))
            break
        if QUOTED_LINE.match(line):
            removed_at.add(index)
            removed_at.update(attribution_lines(lines, index))
    kept = "\n".join(line for index, line in enumerate(lines) if index not in removed_at)
    return kept, [lines[index] for index in sorted(removed_at)]


def attribution_lines(lines: list[str], quote_index: int) -> list[int]:
    """Indexes of the "On ... wrote:" lines just above a quoted line (a blank line may sit between)."""
    above = quote_index - 1
    if above >= 0 and not lines[above].strip():
        above -= 1
    if above < 0 or QUOTED_LINE.match(lines[above]) or not ATTRIBUTION.search(lines[above]):
        return []
    first = above
    while (
        first > 0
        and above - first + 1 < MAX_ATTRIBUTION_LINES
        and lines[first - 1].strip()
        and not lines[first - 1].rstrip().endswith((".", "!", "?"))
    ):
        first -= 1
    if not lines[first].lstrip().lower().startswith(("on ", "le ", "am ", "el ", "il ", "w dniu", "в ")):
        first = above
    return list(range(first, quote_index))


def unflow(text: str, delsp: bool = False) -> str:
    """RFC 3676 format=flowed: a line ending in a space continues on the next line."""
    out: list[str] = []
    carry = ""
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if line.startswith(" "):  # space-stuffing
            line = line[1:]
        if line.endswith(" ") and line != FLOWED_SIGNATURE and not QUOTED_LINE.match(line):
            carry += line[:-1] if delsp else line
            continue
        out.append(carry + line)
        carry = ""
    if carry:
        out.append(carry)
    return "\n".join(out)


def without_quoted_html(html: str) -> str:
    """The HTML body with quoted replies (``<blockquote>`` and the line introducing it) removed."""
    try:
        tree = lxml_html.document_fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return html
    for quote in tree.xpath("//blockquote"):
        previous = quote.getprevious()
        if previous is not None and ATTRIBUTION.search(previous.text_content().strip()):
            previous.drop_tree()
        quote.drop_tree()
    return lxml_html.tostring(tree, encoding="unicode")
