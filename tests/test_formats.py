"""PDF, e-mail and collections (JSON Lines, JSON, CSV) through the read stage."""

from __future__ import annotations

import csv
import datetime as dt
import json
import textwrap
from pathlib import Path

import pytest
from corpora import SEEDS, WIKINEWS

from claimtrack.errors import InputError
from claimtrack.models import Document, ReadFailure
from claimtrack.pipeline import segment
from claimtrack.read import iter_documents, read_document
from claimtrack.read.mail import split_quoted_reply

SEED_PARAGRAPH = (SEEDS / "002_f973ec99fde247a6.txt").read_text(encoding="utf-8").split("\n\n")[3]


def read_ok(path: Path) -> Document:
    result = read_document(path)
    assert isinstance(result, Document), result
    return result


# ---------------------------------------------------------------- PDF (made with fpdf2, a test dependency)


def make_pdf(path: Path, paragraphs: list[str], title: str | None = None, author: str | None = None) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(dt.datetime(2022, 6, 21, 9, 30, tzinfo=dt.UTC))
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for paragraph in paragraphs:
        pdf.multi_cell(0, 5, paragraph.encode("latin-1", errors="replace").decode("latin-1"))
        pdf.ln(4)
    path.write_bytes(bytes(pdf.output()))
    return path


def test_pdf_text_is_unwrapped_and_metadata_read(tmp_path):
    paragraph = SEED_PARAGRAPH.replace("’", "'")
    document = read_ok(make_pdf(tmp_path / "report.pdf", [paragraph], "A New Central Asia", "Geopolitical Monitor"))
    assert document.text == paragraph  # the PDF's lines are one paragraph again
    assert (document.title, document.publisher) == ("A New Central Asia", "Geopolitical Monitor")
    assert (document.date, document.date_source, document.format) == ("2022-06-21", "pdf", "text")
    expected = [s.text for s in segment(Document("x", paragraph))]
    assert [s.text for s in segment(document)] == expected


def test_pdf_is_recognised_by_its_signature_whatever_the_name(tmp_path):
    path = make_pdf(tmp_path / "saved-as.txt", ["Kazakhstan refused to recognise the two republics."])
    assert read_ok(path).text == "Kazakhstan refused to recognise the two republics."


def test_scanned_pdf_without_text_layer_is_a_failure(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")  # a picture of a page, no text
    path = tmp_path / "scan.pdf"
    path.write_bytes(bytes(pdf.output()))
    assert read_document(path) == ReadFailure(str(path), "no text layer (scanned PDF?)")


def test_broken_pdf_is_a_failure_with_reason(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    failure = read_document(path)
    assert isinstance(failure, ReadFailure) and failure.reason.startswith("cannot read PDF")


# ---------------------------------------------------------------- e-mail

REPLY = """From: Aigerim Nurlanova <aigerim@steppe-institute.example>
To: desk@example.org
Subject: Re: Kazakhstan and the breakaway republics
Date: Sat, 18 Jun 2022 23:40:00 +0600
Message-ID: <1@steppe-institute.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Kazakhstan's President Kassym-Jomart Tokayev said on Friday that his country
would not recognise the self-proclaimed republics in Luhansk and Donetsk. It
was a rare public break with the Kremlin.

On Sat, 18 Jun 2022 at 10:15, Desk Editor <desk@example.org>
wrote:
> Did Tokayev really say that Kazakhstan would send troops to Ukraine?
> Moscow claims he promised them in February.
>
>> Earlier thread: the forum opens on Friday.
"""


def test_email_body_without_quoted_reply_and_headers_as_metadata(tmp_path):
    path = tmp_path / "reply.eml"
    path.write_bytes(REPLY.encode("utf-8"))
    document = read_ok(path)
    assert document.text == (
        "Kazakhstan's President Kassym-Jomart Tokayev said on Friday that his country would not recognise "
        "the self-proclaimed republics in Luhansk and Donetsk. It was a rare public break with the Kremlin."
    )
    assert document.title == "Re: Kazakhstan and the breakaway republics"
    assert document.publisher == "Aigerim Nurlanova"
    assert (document.date, document.date_source) == ("2022-06-18", "email")  # the sender's own day


def test_quoted_reply_split_is_auditable():
    body = REPLY.split("\n\n", 1)[1]
    kept, removed = split_quoted_reply(body)
    assert "troops" not in kept and "wrote:" not in kept
    assert removed[:2] == ["On Sat, 18 Jun 2022 at 10:15, Desk Editor <desk@example.org>", "wrote:"]
    assert sum(line.startswith(">") for line in removed) == 4


def test_outlook_original_message_is_cut():
    kept, removed = split_quoted_reply(
        "Agreed, the summit matters.\n\n-----Original Message-----\nFrom: A\nSent: Friday\n\nMoscow wants troops."
    )
    assert kept.strip() == "Agreed, the summit matters." and removed[-1] == "Moscow wants troops."


def test_html_email_goes_through_the_html_path(tmp_path):
    message = (
        "From: desk@example.org\nSubject: Summit\nDate: Mon, 19 Sep 2022 08:00:00 +0000\n"
        "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
        "<html><body><p>The leaders met in Samarkand on September 16 for the summit of the Shanghai "
        "Cooperation Organization.</p><p>On Sunday, Editor &lt;ed@example.org&gt; wrote:</p>"
        "<blockquote><p>Putin promised gas to everyone.</p></blockquote></body></html>\n"
    )
    path = tmp_path / "summit.eml"
    path.write_text(message, encoding="utf-8")
    document = read_ok(path)
    assert document.format == "html" and document.publisher == "desk@example.org"
    assert "Samarkand" in document.text and "Putin" not in document.text and "wrote" not in document.text


def test_html_email_markup_is_extracted_before_it_is_normalised(tmp_path):
    message = (
        "From: alerts@bank.example\nSubject: Security notice\nMIME-Version: 1.0\n"
        "Content-Type: text/html; charset=utf-8\n\n"
        "<html><body><p>Our engineers found that typing ＜script＞ into the search box of the website ran "
        "code in a visitor's browser.</p><p>The flaw was fixed on Tuesday and no customer data was taken, "
        "the bank's security team said.</p></body></html>\n"
    )
    path = tmp_path / "notice.eml"
    path.write_text(message, encoding="utf-8")
    document = read_ok(path)
    assert "typing <script> into the search box of the website ran code" in document.text
    assert "The flaw was fixed on Tuesday and no customer data was taken" in document.text


def test_email_with_only_a_quote_is_a_failure(tmp_path):
    path = tmp_path / "empty-reply.eml"
    path.write_text("Subject: Re: x\nContent-Type: text/plain\n\n> Only the quoted words.\n", encoding="utf-8")
    assert read_document(path) == ReadFailure(str(path), "e-mail has no text of its own (only quoted reply)")


# ---------------------------------------------------------------- collections


def test_wikinews_json_lines_is_295_dated_documents():
    results = list(iter_documents([str(WIKINEWS)]))
    assert len(results) == 295 and all(isinstance(r, Document) for r in results)
    first = results[0]
    assert first.source == f"{WIKINEWS}#wikinews-2019-0000"
    assert (first.date, first.date_source, first.publisher) == ("2019-01-04", "record", "Wikinews")
    assert first.title == "Magnitogorsk apartment building collapses after explosion, dozens dead"
    assert first.url.startswith("https://en.wikinews.org/")
    assert all(r.date and r.date_source == "record" for r in results)
    assert len({r.content_hash for r in results}) == 295


def test_json_lines_bad_records_are_reported_and_skipped(tmp_path):
    records = [json.loads(line) for line in WIKINEWS.open(encoding="utf-8")][:3]
    lines = [
        json.dumps(records[0]),
        "",
        '{"id": "broken", "text": "unterminated',
        json.dumps({"title": "no text here"}),
        json.dumps({**records[1], "date": "last Tuesday"}),
        json.dumps({k: v for k, v in records[2].items() if k != "id"}),
        json.dumps(records[0]),
        "[1, 2]",
    ]
    path = tmp_path / "news.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = [(r.source.split("#")[1], type(r).__name__) for r in iter_documents([str(path)])]
    assert results == [
        ("wikinews-2019-0000", "Document"),
        ("3", "ReadFailure"),  # not valid JSON: named by its line
        ("4", "ReadFailure"),  # no text
        ("wikinews-2019-0001", "ReadFailure"),  # a date that is not a date is not guessed
        ("6", "Document"),  # no id: named by its line
        ("wikinews-2019-0000", "ReadFailure"),  # the same id twice
        ("8", "ReadFailure"),  # not an object
    ]


def test_csv_collection_with_explicit_fields_and_overrides(tmp_path):
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["article_body", "headline", "pub", "permalink", "outlet"])
        writer.writerow([SEED_PARAGRAPH, "A New Central Asia?", "2022-06-20T08:00:00Z", "https://gm.example/a", "GM"])
        writer.writerow(["", "empty row", "2022-06-21", "", "GM"])
        writer.writerow([textwrap.fill(SEED_PARAGRAPH, 66), "Wrapped copy", "", "", ""])
    fields = {"text": "article_body", "title": "headline", "date": "pub", "url": "permalink", "publisher": "outlet"}
    results = list(iter_documents([str(path)], overrides={"publisher": "Geopolitical Monitor"}, fields=fields))
    first, empty, wrapped = results
    assert first.source == f"{path}#2" and first.text == SEED_PARAGRAPH
    assert (first.title, first.date, first.url) == ("A New Central Asia?", "2022-06-20", "https://gm.example/a")
    assert first.publisher == "Geopolitical Monitor"  # the command line wins over the record
    assert empty == ReadFailure(f"{path}#3", "record has no text (looked for: article_body)")
    assert wrapped.text == SEED_PARAGRAPH  # a record's text is unwrapped like a file's


def test_json_list_and_common_field_names(tmp_path):
    path = tmp_path / "feed.json"
    path.write_text(
        json.dumps(
            {
                "articles": [
                    {
                        "guid": "a1",
                        "headline": "Summit",
                        "content": "Leaders met in Samarkand.",
                        "published": "2022-09-16",
                    },
                    {"guid": "a2", "body": ["First paragraph.", "Second paragraph."], "link": "https://x.example/2"},
                ]
            }
        ),
        encoding="utf-8",
    )
    first, second = iter_documents([str(path)])
    assert (first.source, first.title, first.date) == (f"{path}#a1", "Summit", "2022-09-16")
    assert second.text == "First paragraph.\n\nSecond paragraph." and second.url == "https://x.example/2"


def test_folder_walk_reads_collections_but_not_metadata_files(tmp_path):
    (tmp_path / "a.jsonl").write_text(json.dumps({"id": 1, "text": "Words here."}) + "\n", encoding="utf-8")
    (tmp_path / "sources.json").write_text("[]", encoding="utf-8")
    (tmp_path / "b.txt").write_text("More words.", encoding="utf-8")
    assert [r.source for r in iter_documents([str(tmp_path)])] == [f"{tmp_path}/a.jsonl#1", f"{tmp_path}/b.txt"]


def test_unknown_field_is_an_input_error():
    with pytest.raises(InputError, match="unknown record field 'body'"):
        iter_documents(["x.jsonl"], fields={"body": "text"})


def test_a_collection_record_holding_a_page_keeps_the_text_between_its_blocks(tmp_path):
    page = (
        "<html><body><article><h1>Aktau port doubles its oil shipments</h1>"
        "<p>Kazakhstan shipped twice as much oil through the port of Aktau in May as a year earlier.</p>"
        "Most of it went to Baku on tankers chartered by the state company, the port authority said."
        "<ol><li>Tankers now leave every two days.</li><li>A second terminal opens in the autumn.</li></ol>"
        "</article></body></html>"
    )
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps({"id": "aktau-1", "content": page, "date": "2023-06-02"}) + "\n", encoding="utf-8")
    [document] = iter_documents([str(path)])
    assert document.format == "html" and document.date == "2023-06-02"
    assert document.text.split("\n\n")[2:] == [
        "Most of it went to Baku on tankers chartered by the state company, the port authority said.",
        "1. Tankers now leave every two days.\n2. A second terminal opens in the autumn.",
    ]
