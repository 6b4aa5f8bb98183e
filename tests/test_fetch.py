"""Fetching web pages from a local server: robots.txt, redirects, retries, limits, formats."""

from __future__ import annotations

import http.server
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from claimtrack import __version__
from claimtrack.errors import InputError
from claimtrack.models import Document, ReadFailure
from claimtrack.read import iter_documents, read_url, read_url_list
from claimtrack.read.fetch import USER_AGENT, Fetcher, FetchError

SEED_PARAGRAPH = (
    (Path(__file__).resolve().parent.parent / "seeds" / "002_f973ec99fde247a6.txt")
    .read_text(encoding="utf-8")
    .split("\n\n")[3]
)

ARTICLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Kazakhstan's drift from Moscow | Geopolitical Monitor</title>
<meta property="og:site_name" content="Geopolitical Monitor">
<meta property="article:published_time" content="2022-06-21T08:30:00+00:00">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Kazakhstan's drift from Moscow</h1><p>{paragraph}</p></article>
<footer>© 2022 Geopolitical Monitor</footer></body></html>"""

ROBOTS = "User-agent: *\nDisallow: /private/\n"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        server = self.server
        server.requests.append((self.path, self.headers.get("User-Agent")))
        route = server.routes.get(self.path)
        if route is None:
            self._send(404, "text/plain", b"not found")
            return
        if callable(route):
            route = route(server)
        status, headers, body = route
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def flaky(server) -> tuple[int, dict, bytes]:
    """503 with Retry-After on the first call, the page on the next."""
    server.flaky_calls += 1
    if server.flaky_calls == 1:
        return 503, {"Content-Type": "text/plain", "Retry-After": "0"}, b"busy"
    return 200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE.format(paragraph="Back again.").encode()


def serve(routes: dict) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.routes = routes
    server.requests = []
    server.flaky_calls = 0
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return server


@pytest.fixture
def site(monkeypatch) -> Iterator[tuple[str, http.server.ThreadingHTTPServer]]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    html = {"Content-Type": "text/html; charset=utf-8"}
    server = serve({
        "/robots.txt": (200, {"Content-Type": "text/plain"}, ROBOTS.encode()),
        "/article": (200, html, ARTICLE.format(paragraph=SEED_PARAGRAPH).encode("utf-8")),
        "/old-address": (301, {"Location": "/article"}, b""),
        "/to-private": (302, {"Location": "/private/draft"}, b""),
        "/loop": (302, {"Location": "/loop"}, b""),
        "/private/draft": (200, html, ARTICLE.format(paragraph="Secret.").encode()),
        "/wire.txt": (200, {"Content-Type": "text/plain; charset=windows-1251"},
                      textwrap.fill(SEED_PARAGRAPH.replace("’", "'"), 68).encode("cp1251")),
        "/flaky": flaky,
        "/down": (503, {"Content-Type": "text/plain"}, b"down"),
        "/image.png": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n"),
        "/huge": (200, html, b"<p>" + b"x" * 5000 + b"</p>"),
    })  # fmt: skip
    yield f"http://127.0.0.1:{server.server_address[1]}", server
    server.shutdown()
    server.server_close()


def fetcher(**kwargs) -> Fetcher:
    return Fetcher(retries=kwargs.pop("retries", 2), sleep=kwargs.pop("sleep", lambda seconds: None), **kwargs)


def test_html_page_becomes_a_document_named_by_its_address(site):
    base, server = site
    with fetcher() as client:
        document = read_url(f"{base}/article", fetcher=client)
    assert isinstance(document, Document), document
    assert document.source == document.url == f"{base}/article"
    assert SEED_PARAGRAPH in document.text and "Home" not in document.text
    assert (document.publisher, document.date, document.format) == ("Geopolitical Monitor", "2022-06-21", "html")
    assert server.requests[0] == ("/robots.txt", USER_AGENT)
    assert USER_AGENT.startswith(f"claimtrack/{__version__} (")


def test_redirect_is_followed_and_the_final_address_kept_as_url(site):
    base, _ = site
    with fetcher() as client:
        document = read_url(f"{base}/old-address", fetcher=client)
    assert (document.source, document.url) == (f"{base}/old-address", f"{base}/article")


def test_robots_txt_disallow_is_honoured_also_after_a_redirect(site):
    base, server = site
    with fetcher() as client:
        assert read_url(f"{base}/private/draft", fetcher=client) == ReadFailure(
            f"{base}/private/draft", "robots.txt does not allow fetching this page"
        )
        assert read_url(f"{base}/to-private", fetcher=client).reason == "robots.txt does not allow fetching this page"
    assert "/private/draft" not in [path for path, _ in server.requests]
    assert [path for path, _ in server.requests].count("/robots.txt") == 1  # asked once per site


def test_retry_after_503_then_success(site):
    base, _ = site
    waits: list[float] = []
    with fetcher(sleep=waits.append) as client:
        document = read_url(f"{base}/flaky", fetcher=client)
    assert isinstance(document, Document) and document.text.endswith("Back again.")
    assert waits == [0.0]  # the server's Retry-After


def test_failures_have_reasons(site):
    base, _ = site
    waits: list[float] = []
    with fetcher(sleep=waits.append, max_bytes=1000) as client:
        reasons = {path: read_url(f"{base}{path}", fetcher=client).reason
                   for path in ("/down", "/missing", "/image.png", "/huge", "/loop")}  # fmt: skip
    assert reasons == {
        "/down": "HTTP 503 Service Unavailable",
        "/missing": "HTTP 404 Not Found",
        "/image.png": "unsupported content type image/png",
        "/huge": "page too large (0.0 MB, limit 0 MB)",
        "/loop": "more than 5 redirects",
    }
    assert waits == [1.0, 2.0]  # exponential back-off on the 503


def test_plain_text_page_uses_the_declared_charset_and_is_unwrapped(site):
    base, _ = site
    with fetcher() as client:
        document = read_url(f"{base}/wire.txt", fetcher=client)
    assert document.text == SEED_PARAGRAPH.replace("’", "'") and document.format == "text"


def test_unreachable_robots_txt_means_nothing_is_fetched(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    server = serve({"/robots.txt": (500, {"Content-Type": "text/plain"}, b"oops")})
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with fetcher(retries=0) as client:
            with pytest.raises(FetchError, match=r"robots.txt unreachable \(HTTP 500\)"):
                client.fetch(f"{base}/article")
    finally:
        server.shutdown()
        server.server_close()


def test_connection_refused_is_a_failure(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    server = serve({})
    base = f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    with fetcher(retries=0) as client:
        failure = read_url(f"{base}/article", fetcher=client)
    assert isinstance(failure, ReadFailure) and failure.reason.startswith("robots.txt unreachable (cannot connect")


def test_iter_documents_reads_addresses_from_a_url_list(site, tmp_path, monkeypatch):
    base, _ = site
    monkeypatch.setattr("claimtrack.read.fetch.BACKOFF_SECONDS", 0.0)
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# reading list\n{base}/article\n\n{base}/private/draft\n{base}/article\n", encoding="utf-8")
    urls = read_url_list(listing)
    assert urls == [f"{base}/article", f"{base}/private/draft"]
    results = list(iter_documents(urls, overrides={"publisher": "My notes"}))
    assert [type(r).__name__ for r in results] == ["Document", "ReadFailure"]
    assert results[0].publisher == "My notes"


def test_url_list_with_a_bad_line_is_an_input_error(tmp_path):
    listing = tmp_path / "urls.txt"
    listing.write_text("https://example.org/a\nftp://example.org/b\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2: not an http"):
        read_url_list(listing)
