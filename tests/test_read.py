"""Tests for the read stage: bytes, folders and metadata in, Documents out."""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import os
import sys
from pathlib import Path

import pytest
from corpora import SEEDS, WIKINEWS
from hypothesis import given, settings
from hypothesis import strategies as st

from claimtrack.errors import InputError
from claimtrack.models import Document, ReadFailure
from claimtrack.read import decode, iter_documents, normalise_text, read_document

RUSSIAN = (
    "Президент Казахстана заявил в пятницу, что его страна не признает самопровозглашённые "
    "республики на востоке Украины. Аналитики в Алматы считают это решение редким публичным "
    "разрывом с Кремлём, который долгое время считал Казахстан своим самым надёжным союзником.\n"
)
FRENCH = (
    "Le président du Kazakhstan a déclaré vendredi que son pays ne reconnaîtrait pas les "
    "républiques autoproclamées. À Almaty, les analystes y voient une rupture publique très rare "
    "avec le Kremlin, après trente années d'une alliance présentée comme indéfectible.\n"
)

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Kazakhstan turns down Moscow's request | The Steppe Observer</title>
<meta property="og:title" content="Kazakhstan turns down Moscow's request">
<meta property="og:site_name" content="The Steppe Observer">
<meta property="article:published_time" content="2022-06-21T08:30:00+00:00">
<link rel="canonical" href="https://steppe-observer.example/2022/06/kazakhstan-request">
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World news</a></li>
<li><a href="/opinion">Opinion pieces</a></li>
<li><a href="/subscribe">Subscribe to our newsletter</a></li></ul></nav></header>
<main><article>
<h1>Kazakhstan turns down Moscow's request</h1>
<p>Kazakhstan's President Kassym-Jomart Tokayev said on Friday that his country would not recognise
the self-proclaimed republics in Luhansk and Donetsk, a rare public break with the Kremlin.</p>
<h2>A long relationship under strain</h2>
<p>The two countries share the world's second-longest continuous land border, and Kazakhstan has been
a member of the Moscow-led Collective Security Treaty Organization since 1992.</p>
<p>Analysts in Almaty said the decision reflected growing unease among the political elite about the
war in Ukraine and its effect on trade through the Eurasian Economic Union.</p>
<ul><li>Trade with Russia fell by a fifth in the second quarter.</li>
<li>Kazakhstan sent humanitarian aid to Kyiv in March.</li></ul>
</article></main>
<section id="comments" class="comments"><h3>3 comments</h3>
<div class="comment"><p>Great article, totally agree with the author about everything here!</p></div>
<div class="comment"><p>This is fake news spread by western media to divide us.</p></div>
</section>
<footer><p>© 2022 The Steppe Observer. All rights reserved.</p><p>Privacy policy · Terms of use</p></footer>
</body></html>
"""


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def read_ok(path: Path, **kwargs) -> Document:
    result = read_document(path, **kwargs)
    assert isinstance(result, Document), result
    return result


def read_failed(path: Path, **kwargs) -> ReadFailure:
    result = read_document(path, **kwargs)
    assert isinstance(result, ReadFailure), result
    return result


# ---------------------------------------------------------------- decoding


def test_utf8_bom_is_stripped_and_hash_is_of_raw_bytes(tmp_path):
    raw = codecs.BOM_UTF8 + b"Tokayev met Putin in Astana.\n"
    document = read_ok(write(tmp_path / "a.txt", raw))
    assert document.text == "Tokayev met Putin in Astana."
    assert document.content_hash == hashlib.sha256(raw).hexdigest()
    assert document.format == "text"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-be"])
def test_utf16_and_utf32_with_bom(tmp_path, encoding):
    bom = {"utf-16-be": codecs.BOM_UTF16_BE, "utf-32-be": codecs.BOM_UTF32_BE}.get(encoding, b"")
    path = write(tmp_path / "a.txt", bom + RUSSIAN.encode(encoding))
    assert read_ok(path).text == RUSSIAN.strip()


def test_windows_1251_russian_is_detected(tmp_path):
    assert read_ok(write(tmp_path / "ru.txt", RUSSIAN.encode("cp1251"))).text == RUSSIAN.strip()


def test_koi8r_russian_is_detected(tmp_path):
    assert read_ok(write(tmp_path / "ru.txt", RUSSIAN.encode("koi8_r"))).text == RUSSIAN.strip()


def test_latin1_french_is_detected(tmp_path):
    assert read_ok(write(tmp_path / "fr.txt", FRENCH.encode("latin-1"))).text == FRENCH.strip()


def test_short_latin1_text_prefers_western_encoding_on_a_tie(tmp_path):
    assert read_ok(write(tmp_path / "fr.txt", "Déjà vu à Paris.".encode("latin-1"))).text == "Déjà vu à Paris."


def test_cp1252_corpus_articles_round_trip():
    """English news with a few curly quotes, dashes and accents must not turn into mac_roman or cp1250."""
    with WIKINEWS.open(encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for line in handle]
    wrong = [
        text[:40]
        for text in texts
        if (raw := text.encode("cp1252", errors="replace")) and decode.decode_bytes(raw) != raw.decode("cp1252")
    ]
    assert wrong == []


def test_polish_windows_1250_is_detected(tmp_path):
    text = "Prezydent Polski spotkał się w środę z przywódcami państw bałtyckich w Wilnie. Zażółć gęślą jaźń."
    assert read_ok(write(tmp_path / "pl.txt", text.encode("cp1250"))).text == text


GERMAN_PAGE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>Görlitz feiert sein Altstadtfest</title></head><body><article>
<h1>Görlitz feiert sein Altstadtfest</h1>
<p>Die Altstadt von Görlitz ist schön wie nie, sagte der Oberbürgermeister am Freitag vor rund
zweitausend Gästen auf dem Untermarkt. Die Straßen waren für den Verkehr gesperrt.</p>
<p>Im Café Zum Löwen – gleich neben dem Rathaus – gab es Kuchen für alle Besucher des Festes.</p>
</article></body></html>"""


def with_cp1252_bytes(page: str, words: list[str]) -> bytes:
    """The page in UTF-8, but the given words in cp1252, as when a snippet is pasted from an old system."""
    raw = page.encode("utf-8")
    for word in words:
        raw = raw.replace(word.encode("utf-8"), word.encode("cp1252"))
    return raw


def test_a_page_declaring_utf8_with_three_stray_bytes_is_read_as_utf8(tmp_path):
    raw = with_cp1252_bytes(GERMAN_PAGE, ["Café", "Löwen", " – gleich"])
    assert raw.count(b"\xe9") == raw.count(b"\xf6") == raw.count(b"\x96") == 1
    document = read_ok(write(tmp_path / "goerlitz.html", raw))
    assert "Die Altstadt von Görlitz ist schön wie nie" in document.text
    assert "Im Café Zum Löwen – gleich neben dem Rathaus" in document.text
    assert document.title == "Görlitz feiert sein Altstadtfest"


def test_utf8_text_with_a_few_bad_bytes_loses_only_those_bytes(tmp_path):
    raw = FRENCH.encode("utf-8").replace(b"rupture", b"rupture\x81").replace("À".encode(), "À".encode("cp1252"))
    document = read_ok(write(tmp_path / "fr.txt", raw))
    assert document.text == FRENCH.strip().replace("rupture", "rupture\ufffd")


def test_mostly_utf8_beats_a_transport_declaring_latin1():
    raw = with_cp1252_bytes(GERMAN_PAGE, ["Café"])
    assert "ist schön wie nie" in decode.decode_bytes(raw, "html", encoding="iso-8859-1")


def test_a_page_in_one_legacy_code_page_is_still_detected_whatever_it_declares(tmp_path):
    russian = RUSSIAN.replace("Кремлём", "«Кремлём»").replace("Аналитики", "«АНАЛИТИКИ»")
    for raw in (russian.encode("cp1251"), f'<meta charset="utf-8">{russian}'.encode("cp1251")):
        assert decode.decode_bytes(raw, "html").endswith(russian)
    german = "Die Straße „Am Löwentor“ in Görlitz bleibt gesperrt, sagte der Oberbürgermeister. Grüße!"
    assert read_ok(write(tmp_path / "de.txt", german.encode("cp1252"))).text == german


def test_html_declared_charset_is_used(tmp_path):
    html = f'<html><head><meta charset="windows-1251"><title>Новости</title></head><body><p>{RUSSIAN}</p></body></html>'
    document = read_ok(write(tmp_path / "ru.html", html.encode("cp1251")))
    assert document.text == RUSSIAN.strip()
    assert document.title == "Новости"


@pytest.mark.parametrize(
    ("magic", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "ZIP archive"),
    ],
)
def test_binary_signatures_are_refused(tmp_path, magic, kind):
    failure = read_failed(write(tmp_path / "looks.txt", magic + b"plain words after the header"))
    assert failure.reason == f"binary file ({kind})"


def test_nul_bytes_without_bom_mean_binary(tmp_path):
    path = write(tmp_path / "a.txt", "Kazakhstan".encode("utf-16-le"))
    assert read_failed(path).reason == "binary file (contains NUL bytes)"


def test_bytes_no_encoding_explains_are_binary(tmp_path):
    failure = read_failed(write(tmp_path / "noise.txt", bytes(range(1, 256)) * 20))
    assert failure.reason.startswith("binary file")


@pytest.mark.parametrize("raw", [b"", b"  \n\t\r\n  ", codecs.BOM_UTF16_LE + " \n".encode("utf-16-le")])
def test_empty_and_whitespace_files_fail(tmp_path, raw):
    assert read_failed(write(tmp_path / "empty.txt", raw)).reason == "empty file"


def test_file_over_the_size_limit_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(decode, "MAX_FILE_BYTES", 10)
    failure = read_failed(write(tmp_path / "big.txt", "Astana hosted the summit in September."))
    assert failure.reason.startswith("file too large")


# ---------------------------------------------------------------- normalisation


def test_normalisation_newlines_nfkc_controls_trailing_spaces():
    raw = "\n\nFirst\u00a0line  \r\nsecond\u200b line\x07\rﬁnal “quoted” words\t\n\n"
    assert normalise_text(raw) == "First line\nsecond line\nfinal “quoted” words"


def test_document_text_is_already_normalised_so_offsets_hold(tmp_path):
    raw = "Astana\u00a0said:\u2028“We will not”\x0c\r\nﬁve  \n".encode("utf-8")
    document = read_ok(write(tmp_path / "a.txt", raw))
    assert document.text == "Astana said:\n“We will not”\n\nfive"
    assert normalise_text(document.text) == document.text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_normalisation_is_idempotent(text):
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert "\r" not in once and not any(line != line.rstrip() for line in once.split("\n"))


# ---------------------------------------------------------------- folders and paths


def test_folder_is_walked_recursively_in_sorted_order(tmp_path):
    for name in ["b.txt", "a.md", "sub/c.html", "sub/deeper/d.markdown", "z.htm", "A.TXT"]:
        write(tmp_path / name, "<html><body><p>Words in a page.</p></body></html>" if "htm" in name else "Words.")
    for name in [".hidden.txt", ".git/e.txt", "notes.yaml", "image.png", "b.txt.meta.json", "sources.json"]:
        write(tmp_path / name, "{}")
    sources = [Path(d.source).relative_to(tmp_path).as_posix() for d in iter_documents([str(tmp_path)])]
    assert sources == ["A.TXT", "a.md", "b.txt", "sub/c.html", "sub/deeper/d.markdown", "z.htm"]


def test_formats_follow_the_suffix(tmp_path):
    write(tmp_path / "a.md", "# Heading\n\nText.")
    write(tmp_path / "b.htm", "<p>Text in a paragraph.</p>")
    write(tmp_path / "c.txt", "# Not a heading, just text.")
    formats = [d.format for d in iter_documents([str(tmp_path)])]
    assert formats == ["markdown", "html", "text"]


def test_missing_path_and_empty_folder_give_failures(tmp_path):
    (tmp_path / "empty").mkdir()
    results = list(iter_documents([str(tmp_path / "missing.txt"), str(tmp_path / "empty")]))
    assert results == [
        ReadFailure(str(tmp_path / "missing.txt"), "no such file or folder"),
        ReadFailure(
            str(tmp_path / "empty"),
            "folder holds no document files (.csv .eml .htm .html .json .jsonl .markdown .md .ndjson .pdf .txt .xhtml)",
        ),
    ]


def test_one_bad_file_does_not_stop_the_batch(tmp_path):
    write(tmp_path / "a.txt", "Kazakhstan cancelled the parade.")
    write(tmp_path / "b.txt", b"")
    write(tmp_path / "c.txt", b"%PDF-1.4 binary")
    write(tmp_path / "d.txt", "Uzbekistan sent aid.")
    kinds = [type(r).__name__ for r in iter_documents([str(tmp_path)])]
    assert kinds == ["Document", "ReadFailure", "ReadFailure", "Document"]


def test_the_same_file_named_twice_is_read_once(tmp_path):
    path = write(tmp_path / "a.txt", "Words.")
    assert len(list(iter_documents([str(tmp_path), str(path)]))) == 1


def test_broken_symlink_fails_with_reason(tmp_path):
    link = tmp_path / "gone.txt"
    link.symlink_to(tmp_path / "target.txt")
    [failure] = list(iter_documents([str(tmp_path)]))
    assert isinstance(failure, ReadFailure)
    assert failure.reason.startswith("broken symbolic link")


def test_unreadable_file_reports_the_os_reason(tmp_path, monkeypatch):
    path = write(tmp_path / "secret.txt", "Words.")

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert read_failed(path).reason == "cannot read: Permission denied"


def test_fifo_is_not_read(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert read_failed(fifo).reason == "not a regular file"


def test_explicit_metadata_file_is_not_a_document(tmp_path):
    path = write(tmp_path / "sources.json", "[]")
    assert "metadata file" in read_failed(path).reason


# ---------------------------------------------------------------- standard input


def fake_stdin(monkeypatch, raw: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))


def test_stdin_text(monkeypatch):
    raw = "Kazakhstan moved troops to the border.\r\n".encode("cp1251")
    fake_stdin(monkeypatch, raw)
    [document] = list(iter_documents(["-"], {"publisher": "Reader"}))
    assert document.source == "<stdin>"
    assert document.text == "Kazakhstan moved troops to the border."
    assert document.format == "text"
    assert document.publisher == "Reader"


def test_stdin_html_is_recognised(monkeypatch):
    fake_stdin(monkeypatch, ARTICLE_HTML.encode())
    [document] = list(iter_documents(["-"]))
    assert document.format == "html"
    assert document.title == "Kazakhstan turns down Moscow's request"


def test_empty_stdin_fails(monkeypatch):
    fake_stdin(monkeypatch, b"")
    assert list(iter_documents(["-"])) == [ReadFailure("<stdin>", "empty file")]


# ---------------------------------------------------------------- metadata


def test_metadata_precedence_cli_sidecar_manifest_front_matter(tmp_path):
    write(
        tmp_path / "a.md",
        "---\ntitle: Front title\nsource: Front publisher\nlink: https://front.example\n"
        "date: 2022-01-01\n---\n\n# Heading\n\nBody text.\n",
    )
    write(
        tmp_path / "sources.json",
        json.dumps(
            [
                {
                    "file": "a.md",
                    "publisher": "Manifest publisher",
                    "url": "https://manifest.example",
                    "date": "2022-02-02",
                }
            ]
        ),
    )
    write(tmp_path / "a.md.meta.json", json.dumps({"url": "https://sidecar.example", "date": "2022-03-03"}))
    path = tmp_path / "a.md"

    document = read_ok(path, overrides={"date": "2022-04-04"})
    assert (document.title, document.publisher, document.url) == (
        "Front title",
        "Manifest publisher",
        "https://sidecar.example",
    )
    assert (document.date, document.date_source) == ("2022-04-04", "cli")
    assert document.text == "# Heading\n\nBody text."
    assert (read_ok(path).date, read_ok(path).date_source) == ("2022-03-03", "sidecar")

    (tmp_path / "a.md.meta.json").unlink()
    assert (read_ok(path).date, read_ok(path).date_source) == ("2022-02-02", "manifest")

    (tmp_path / "sources.json").unlink()
    document = read_ok(path)
    assert (document.publisher, document.date, document.date_source) == (
        "Front publisher",
        "2022-01-01",
        "front-matter",
    )


def test_stem_sidecar_and_csv_manifest(tmp_path):
    write(tmp_path / "article.txt", "Tokayev spoke in Astana.")
    write(tmp_path / "article.meta.json", json.dumps({"title": "Sidecar title", "date": None}))
    write(tmp_path / "sources.csv", "file,title,publisher,url,date\narticle.txt,CSV title,CSV Publisher,,2021-12\n")
    [document] = list(iter_documents([str(tmp_path)]))
    assert (document.title, document.publisher, document.url) == ("Sidecar title", "CSV Publisher", None)
    assert (document.date, document.date_source) == ("2021-12", "manifest")


def test_manifest_as_mapping(tmp_path):
    write(tmp_path / "a.txt", "Words.")
    write(tmp_path / "sources.json", json.dumps({"a.txt": {"title": "Mapped", "date": "2020-05-06T10:00:00Z"}}))
    document = read_ok(tmp_path / "a.txt")
    assert (document.title, document.date) == ("Mapped", "2020-05-06")


def test_bad_sidecar_and_bad_manifest_dates_are_reported(tmp_path):
    write(tmp_path / "one/a.txt", "Words.")
    write(tmp_path / "one/a.txt.meta.json", "{not json")
    write(tmp_path / "two/b.txt", "Words.")
    write(tmp_path / "two/c.txt", "Words.")
    write(tmp_path / "two/sources.json", json.dumps([{"file": "b.txt", "date": "last Tuesday"}]))
    reasons = [r.reason for r in iter_documents([str(tmp_path)])]
    assert reasons[0].startswith("sidecar a.txt.meta.json: not valid JSON")
    assert reasons[1:] == [reasons[1]] * 2 and "'last Tuesday' is not YYYY-MM-DD" in reasons[1]


def test_no_date_is_invented(tmp_path):
    write(tmp_path / "a.txt", "Published on 5 June 2022, this piece says Kazakhstan moved troops.")
    document = read_ok(tmp_path / "a.txt")
    assert (document.date, document.date_source, document.title) == (None, None, None)
    paragraph = "<p>Kazakhstan refused the request on 5 June 2022, officials said in Astana after long talks.</p>"
    page = (
        f"<html><body><article><p>Posted June 5, 2022</p>{paragraph * 3}</article><footer>© 2023</footer></body></html>"
    )
    assert read_ok(write(tmp_path / "a.html", page)).date is None


def test_bad_overrides_raise_before_reading(tmp_path):
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        iter_documents([str(tmp_path / "missing")], {"date": "2022-13-01"})
    with pytest.raises(InputError, match="unknown metadata field"):
        iter_documents([str(tmp_path / "missing")], {"author": "Someone"})


def test_overrides_apply_to_every_document_read(tmp_path):
    write(tmp_path / "a.txt", "One.")
    write(tmp_path / "b.html", ARTICLE_HTML)
    documents = list(iter_documents([str(tmp_path)], {"publisher": "Desk", "date": "2023-01-31"}))
    assert {(d.publisher, d.date, d.date_source) for d in documents} == {("Desk", "2023-01-31", "cli")}


def test_front_matter_that_is_not_yaml_mapping_stays_text(tmp_path):
    text = "---\nJust a rule, then prose.\n---\nMore prose."
    assert read_ok(write(tmp_path / "a.md", text)).text == text


# ---------------------------------------------------------------- HTML


def test_html_article_main_text_and_metadata(tmp_path):
    document = read_ok(write(tmp_path / "article.html", ARTICLE_HTML))
    assert document.format == "html"
    assert document.title == "Kazakhstan turns down Moscow's request"
    assert document.publisher == "The Steppe Observer"
    assert document.url == "https://steppe-observer.example/2022/06/kazakhstan-request"
    assert (document.date, document.date_source) == ("2022-06-21", "html")
    assert "## A long relationship under strain" in document.text.split("\n")
    assert (
        "The two countries share the world's second-longest continuous land border, and Kazakhstan has been "
        "a member of the Moscow-led Collective Security Treaty Organization since 1992."
    ) in document.text.split("\n")
    assert "- Kazakhstan sent humanitarian aid to Kyiv in March." in document.text
    for dropped in ["Subscribe to our newsletter", "fake news", "All rights reserved", "Privacy policy"]:
        assert dropped not in document.text
    assert normalise_text(document.text) == document.text


def test_malformed_html_gives_its_words(tmp_path):
    html = (
        "<html><p>Unclosed <b>bold <i>mixed</b> text</i><table><tr><td>cell<p>para</table></div></span>Tail &amp; more"
    )
    document = read_ok(write(tmp_path / "bad.html", html))
    assert document.text == "Unclosed bold mixed text cell para Tail & more"


def test_deeply_nested_html_falls_back_to_visible_text(tmp_path):
    sentence = "Kazakhstan refused to recognise the two republics."
    html = "<html><head><title>Deep</title><script>var hidden = 1;</script></head><body>"
    html += "<div>" * 20000 + f"<h2>Deep heading</h2><p>{sentence}</p>" + "</div>" * 20000 + "</body></html>"
    document = read_ok(write(tmp_path / "deep.html", html))
    assert document.text == f"## Deep heading\n\n{sentence}"
    assert document.title == "Deep"


def test_html_extractor_crash_falls_back(tmp_path, monkeypatch):
    def explode(html):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("claimtrack.read.html.extract_with_trafilatura", explode)
    document = read_ok(write(tmp_path / "a.html", ARTICLE_HTML))
    assert "Tokayev said on Friday" in document.text
    assert (document.publisher, document.date) == ("The Steppe Observer", "2022-06-21")


def test_tiny_page_and_page_without_text(tmp_path):
    tiny = read_ok(
        write(tmp_path / "tiny.html", "<html><head><title>Tiny</title></head><body><p>Short note.</p></body></html>")
    )
    assert (tiny.text, tiny.title) == ("Short note.", "Tiny")
    blank = "<html><head><title>Blank</title><style>p {}</style></head><body> <script>x()</script></body></html>"
    assert read_failed(write(tmp_path / "blank.html", blank)).reason == "no visible text in HTML page"


def news_page(body: str, title: str = "Kazakhstan moves troops north") -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f'<nav><a href="/">Home</a> <a href="/world">World</a></nav><article><h1>{title}</h1>{body}</article>'
        "<footer><p>© 2023 The Steppe Observer. All rights reserved.</p></footer></body></html>"
    )


LEAD = "<p>Astana said on Monday that it had moved troops to the northern border, officials told reporters.</p>"
CLOSING = "<p>The defence ministry gave no figure for the troops, and Moscow made no comment on Monday.</p>"


def test_text_directly_in_the_article_between_blocks_is_a_paragraph_of_its_own(tmp_path):
    loose = "Some of the soldiers came from as far away as Almaty, a journey of two days by train."
    in_div = "<div>The first convoy left at dawn on Sunday.<p>It reached Petropavl by the evening.</p>"
    in_div += "Residents said they had seen tanks on the motorway for the first time.</div>"
    document = read_ok(write(tmp_path / "loose.html", news_page(f"{LEAD}{loose}{CLOSING}{in_div}")))
    paragraphs = document.text.split("\n\n")
    assert loose in paragraphs
    for sentence in ("The first convoy left at dawn on Sunday.", "It reached Petropavl by the evening.",
                     "Residents said they had seen tanks on the motorway for the first time."):
        assert sentence in paragraphs


def test_a_list_in_a_quote_becomes_items_after_the_quoted_words(tmp_path):
    quote = "<blockquote>The minister set out the plan on state television: <ul>"
    quote += "<li>a new army base in the north</li><li>a second line of defence along the Irtysh</li></ul></blockquote>"
    document = read_ok(write(tmp_path / "quote.html", news_page(LEAD + quote + CLOSING)))
    assert "The minister set out the plan on state television:\n\n- a new army base in the north\n" in document.text
    assert "- a second line of defence along the Irtysh" in document.text.split("\n")


def test_lists_nested_in_a_paragraph_a_cell_or_a_quote_are_rendered():
    from lxml import etree

    from claimtrack.read.html import render_extracted_body

    body = etree.fromstring(
        "<body><p>The ministry named<list rend='ul'><item>the infantry</item><item>the air defence</item></list>"
        "as the units that moved north.</p>"
        "<table><row><cell>Units:<list rend='ul'><item>infantry from Almaty</item><item>air defence from Astana"
        "</item></list></cell><cell>12,000 soldiers</cell></row></table>"
        "<quote><p>We will defend every metre,</p><list rend='ul'><item>said the minister.</item></list></quote>"
        "<quote>Not one step back.<lb/>Not one metre.</quote></body>"
    )
    assert render_extracted_body(body).split("\n\n") == [
        "The ministry named",
        "- the infantry\n- the air defence",
        "as the units that moved north.",
        "Units: infantry from Almaty; air defence from Astana | 12,000 soldiers",
        "We will defend every metre,",
        "- said the minister.",
        "Not one step back.\nNot one metre.",
    ]


def test_numbered_lists_keep_their_numbers_and_the_text_behind_them(tmp_path):
    plain = "<ol><li>First point</li><li>Second point: a wall along the border by the end of the year.</li></ol>"
    labelled = "<ol><li><span>1.</span><p>The army moves north.</p></li>"
    labelled += "<li><span>2.</span><p>The wall is built.</p></li></ol>"
    document = read_ok(write(tmp_path / "plan.html", news_page(LEAD + plain + CLOSING + labelled)))
    lines = document.text.split("\n")
    assert "1. First point" in lines
    assert "2. Second point: a wall along the border by the end of the year." in lines
    assert ["1. The army moves north.", "2. The wall is built."] == [line for line in lines if "army moves" in line
                                                                   or "wall is built" in line]


def test_markup_is_extracted_before_it_is_normalised(tmp_path):
    """NFKC of the markup would turn the full-width "＜script＞" of the text into a tag that hides the page."""
    body = (
        "<p>Researchers in Almaty said on Tuesday that typing ＜script＞ into the search box of the bank's "
        "website ran code in the visitor's browser.</p><p>The bank said it had fixed the ﬂaw within a day and "
        "that no customer data had been taken.</p>"
    )
    document = read_ok(write(tmp_path / "bank.html", news_page(body, "Almaty bank fixes a flaw")))
    assert "typing <script> into the search box of the bank's website ran code" in document.text
    assert "The bank said it had fixed the flaw within a day" in document.text
    assert normalise_text(document.text) == document.text


# ---------------------------------------------------------------- seeds


def test_seeds_read_with_their_manifest_metadata():
    documents = list(iter_documents([str(SEEDS)]))
    assert all(isinstance(d, Document) for d in documents)
    by_name = {Path(d.source).name[:3]: d for d in documents}
    assert sorted(by_name) == ["000", "001", "002", "003", "004"]
    assert by_name["000"].publisher == by_name["001"].publisher == "Carnegie Endowment for International Peace"
    assert by_name["002"].title == "A New Central Asia? Kazakhstan’s Drift from Moscow"
    assert by_name["002"].publisher == "Geopolitical Monitor"
    assert (by_name["003"].title, by_name["003"].publisher) == ("Central Asia is coming into its own", "Steemit")
    assert by_name["004"].publisher is None
    assert by_name["004"].text.startswith("As a result of the war in Ukraine, Central Asian countries")
    assert all(d.date is None and d.date_source is None for d in documents)
    for document in documents:
        raw = Path(document.source).read_bytes()
        assert document.content_hash == hashlib.sha256(raw).hexdigest()
        assert normalise_text(document.text) == document.text


def test_seed_003_counts_its_stamp_back_from_its_retrieved_day_the_others_from_their_file_time():
    from claimtrack.read.walk import file_date

    documents = {Path(d.source).name[:3]: d for d in iter_documents([str(SEEDS)])}
    assert (documents["003"].modified, documents["003"].modified_from) == ("2024-09-15", "retrieved")
    for name in ("000", "001", "002", "004"):
        document = documents[name]
        assert (document.modified, document.modified_from) == (file_date(Path(document.source)), "file time")


def test_seed_text_keeps_curly_quotes_and_lines():
    document = read_ok(SEEDS / "002_f973ec99fde247a6.txt")
    lines = document.text.split("\n")
    assert lines[0] == "A New Central Asia? Kazakhstan’s Drift from Moscow"
    assert lines[1] == ""
    assert lines[-1] == "Lost your password?"
