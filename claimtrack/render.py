"""Output: rich tables for people; JSON, JSON Lines and CSV for programs."""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterable, Sequence
from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

HIGHLIGHT_START, HIGHLIGHT_END = "\x02", "\x03"  # markers FTS5 highlight() puts around matches
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATA_CELL = re.compile(r"-?\d+(?:\.\d+)?|--\d\d(?:-\d\d)?")  # a negative number, a partial date (--06, --06-15)


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def highlighted(marked: str) -> Text:
    """Rich text with the search matches between FTS5 markers in bold yellow."""
    text = Text()
    bold = False
    for piece in marked.replace(HIGHLIGHT_END, HIGHLIGHT_START).split(HIGHLIGHT_START):
        text.append(piece, style="bold yellow" if bold else None)
        bold = not bold
    return text


def short_source(source: str) -> str:
    """A URL as it is; a path by its file name, which is what people recognise."""
    return source if "://" in source else source.replace("\\", "/").rsplit("/", 1)[-1]


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def table(rows: Sequence[dict], columns: Sequence[str], title: str | None = None, **column_styles) -> Table:
    result = Table(title=title, show_lines=False, expand=False)
    for column in columns:
        result.add_column(column.replace("_", " "), **column_styles.get(column, {}))
    for row in rows:
        result.add_row(*(row[c] if isinstance(row.get(c), Text) else cell(row.get(c)) for c in columns))
    return result


def write_json(rows: Iterable[dict], out: IO[str]) -> None:
    """A JSON array streamed row by row, valid for any text."""
    out.write("[")
    for index, row in enumerate(rows):
        out.write(",\n" if index else "\n")
        out.write(json.dumps(row, ensure_ascii=False))
    out.write("\n]\n")


def write_jsonl(rows: Iterable[dict], out: IO[str]) -> None:
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_csv(rows: Iterable[dict], columns: Sequence[str], out: IO[str]) -> None:
    """CSV with lists joined by "; " and cells a spreadsheet would run as formulas neutralised."""
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(cell(row.get(c))) for c in columns])


def safe_cell(value: str) -> str:
    """A text cell that a spreadsheet would run as a formula, made text by a leading quote.

    A number or a date is data, however it starts: ``--06`` is June of an unknown year.
    """
    if value.startswith(FORMULA_STARTS) and not DATA_CELL.fullmatch(value):
        return "'" + value
    return value


def marked_value(text: str, value: str | None) -> Text:
    """The text with the first occurrence of `value` in bold red: what changed in a variant."""
    result = Text(text)
    if value:
        start = text.find(value)
        if start >= 0:
            result.stylize("bold red", start, start + len(value))
    return result


def variants_table(links: Sequence[dict]) -> Table:
    """Variant pairs side by side, the earlier claim on the left, what differs highlighted."""
    result = Table(title="variants", show_lines=True)
    for column in ("kind", "earlier", "later"):
        result.add_column(column, ratio=None if column == "kind" else 1)
    for link in links:
        sides = []
        for side, value in (("a", link["a_value"]), ("b", link["b_value"])):
            claim = link[side]
            label = Text(f"#{claim['id']} {short_source(claim['source'])} {claim['date'] or ''}\n", style="dim")
            sides.append(label + marked_value(claim["text"], value))
        result.add_row(link["kind"], *sides)
    return result


def bar_chart(series: Sequence[dict], title: str, width: int = 40) -> Table:
    """A count per period drawn as bars."""
    most = max((row["count"] for row in series), default=0) or 1
    chart = Table(title=title, show_header=False, box=None)
    chart.add_column(justify="right")
    chart.add_column(justify="right")
    chart.add_column()
    for row in series:
        bar = "█" * max(1, round(width * row["count"] / most))
        chart.add_row(row["period"], str(row["count"]), Text(bar, style="cyan"))
    return chart


def read_records(path) -> list[dict]:
    """Rows of a CSV file, or the objects of a JSON list."""
    from pathlib import Path

    from .errors import InputError

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read {path}: {error}") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(f"{path} is not valid JSON: {error}") from None
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise InputError(f"{path} must hold a JSON list of objects")
        return data
    return list(csv.DictReader(text.splitlines()))


def print_json(value) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def related_evidence(evidence: dict) -> str:
    """Why a claim is related, in a few words: similarity, then what the two claims share."""
    parts = [f"similarity {evidence['similarity']:.2f}"]
    for key, label in (("shared_countries", "countries"), ("shared_actors", "actors"), ("shared_terms", "terms")):
        if evidence.get(key):
            parts.append(f"{label}: {', '.join(evidence[key][:6])}")
    if evidence.get("date_conflict"):
        parts.append("dates differ")
    if evidence.get("number_conflict"):
        parts.append("numbers differ")
    return "; ".join(parts)
