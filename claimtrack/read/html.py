"""HTML to text and metadata: trafilatura's main text as light Markdown, else the visible text.

``extract_html`` asks trafilatura for the page's main text and renders its XML body as blocks
separated by a blank line, headings as ``# ...`` and list items as ``- ...`` (``1. ...`` in an
ordered list); text between blocks is a paragraph of its own. When trafilatura
finds nothing (or fails), a tolerant parser (``VisibleTextParser``) keeps every visible piece of
text and the page's ``og:`` metadata instead.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from html.parser import HTMLParser
from typing import Any

from claimtrack.read.errors import Unreadable
from claimtrack.read.metadata import INLINE_WHITESPACE, Metadata, clean_metadata_value, normalise_date

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
LINE_BREAK_MARK = "\x00"  # stands for <lb/> while whitespace is collapsed; removed from the markup first
PRESERVED_LINE_TAGS = frozenset({"code", "quote"})  # trafilatura keeps <pre> line breaks in these
EXTRACTED_BLOCK_TAGS = frozenset({"p", "head", "list", "table", "quote", "code", "div"})  # blocks of trafilatura's XML
SPACED_INLINE_TAGS = EXTRACTED_BLOCK_TAGS | {"item", "row", "cell"}  # a page shows them apart from the text around
OWN_LIST_LABEL = re.compile(r"\(?(?:\d{1,3}|[A-Za-z])[.)]\s")  # an item that carries its label ("1. ", "a) ")

logger = logging.getLogger(__name__)


def extract_html(html: str) -> tuple[str, Metadata]:
    """Main text (light Markdown) and page metadata; visible text when trafilatura finds none.

    The markup is taken as decoded: the text is normalised after extraction, never before.
    """
    html = html.replace(LINE_BREAK_MARK, "")
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
    return "\n\n".join(block for block in _container_blocks(body) if block.strip())


def _container_blocks(element: Any) -> list[str]:
    """The blocks of an element that holds blocks, in order: each child block, and the loose text
    between them (its own text, inline children and tails) as paragraphs of their own."""
    blocks: list[str] = []
    loose: list[str] = [element.text or ""]
    for child in element:
        if _tag(child) in EXTRACTED_BLOCK_TAGS:
            blocks.append(_collapsed(loose))
            blocks.extend(_render_block(child))
            loose = [child.tail or ""]
        else:
            loose.extend(_child_pieces(child, None))
    blocks.append(_collapsed(loose))
    return blocks


def _render_block(element: Any) -> list[str]:
    tag = _tag(element)
    if tag == "head":
        heading = _inline_text(element).replace("\n", " ")
        return [f"{'#' * _heading_level(element.get('rend'))} {heading}"] if heading else []
    if tag == "list":
        return ["\n".join(_list_lines(element))]
    if tag == "table":
        rows = [" | ".join(_inline_text(cell) for cell in _own(row, "cell")) for row in _own(element, "row")]
        return ["\n".join(row for row in rows if row.strip())]
    if tag in PRESERVED_LINE_TAGS and not any(_tag(child) in EXTRACTED_BLOCK_TAGS for child in element):
        kept = "".join(_inline_pieces(element, None)).replace(LINE_BREAK_MARK, "\n")
        return ["\n".join(line.strip() for line in kept.split("\n"))]
    return _container_blocks(element)


def _list_lines(element: Any) -> list[str]:
    """One line per item, numbered in an ordered list; a list nested in an item follows it."""
    ordered = (element.get("rend") or "").lower() == "ol"
    lines: list[str] = []
    for number, item in enumerate((child for child in element if _tag(child) == "item"), start=1):
        nested: list[Any] = []
        text = _inline_text(item, nested)
        if text:
            marker = "" if ordered and OWN_LIST_LABEL.match(text) else f"{number}. " if ordered else "- "
            lines.append(marker + text)
        for inner in nested:
            lines.extend(_list_lines(inner))
    return lines


def _own(element: Any, tag: str) -> list[Any]:
    """The rows of a table or the cells of a row, not those of a table nested in it."""
    parent_tag = _tag(element)
    return [found for found in element.iter(tag) if next(found.iterancestors(parent_tag), None) is element]


def _tag(element: Any) -> str:
    return element.tag if isinstance(element.tag, str) else ""


def _heading_level(rend: str | None) -> int:
    return HTML_HEADING_LEVELS.get((rend or "").lower(), 2)


def _inline_text(element: Any, nested_lists: list[Any] | None = None) -> str:
    """Text of an element with runs of whitespace collapsed; ``<lb/>`` keeps its line break.

    Lists within it are collected in ``nested_lists`` when given, else inlined as "a; b; c".
    """
    return _collapsed(_inline_pieces(element, nested_lists))


def _collapsed(pieces: Iterable[str]) -> str:
    joined = "".join(pieces)
    if joined.isspace() or not joined:  # the gap between two blocks, most often
        return ""
    if LINE_BREAK_MARK not in joined:
        return INLINE_WHITESPACE.sub(" ", joined).strip()
    segments = joined.split(LINE_BREAK_MARK)
    return "\n".join(INLINE_WHITESPACE.sub(" ", segment).strip() for segment in segments).strip()


def _inline_pieces(element: Any, nested_lists: list[Any] | None) -> Iterator[str]:
    """Text pieces in document order; a block within the element is set apart by spaces."""
    if element.text:
        yield element.text
    for child in element:
        yield from _child_pieces(child, nested_lists)


def _child_pieces(child: Any, nested_lists: list[Any] | None) -> Iterator[str]:
    """The text pieces of a child element, then its tail."""
    tag = _tag(child)
    if tag == "lb":
        yield LINE_BREAK_MARK
    elif tag == "list" and nested_lists is not None:
        nested_lists.append(child)
    elif tag == "list":
        yield f" {'; '.join(_inline_text(item) for item in child if _tag(item) == 'item')} "
    elif tag in SPACED_INLINE_TAGS:
        yield " "
        yield from _inline_pieces(child, nested_lists)
        yield " "
    else:
        yield from _inline_pieces(child, nested_lists)
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
