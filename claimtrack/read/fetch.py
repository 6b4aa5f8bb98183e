"""Fetch web pages politely: robots.txt, a clear user agent, time and size limits, retries.

A ``Fetcher`` holds one HTTP client and the robots.txt rules of the sites it
has visited, for one run; use it as a context manager. Redirects are followed
by hand, hop by hop, so robots.txt is asked about every address visited.
robots.txt follows RFC 9309: missing (4xx) means everything is allowed,
unreachable (5xx, network error) means nothing is.
"""

from __future__ import annotations

import time
import urllib.parse
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message

import httpx

from claimtrack import __version__

PROJECT_URL = "a command-line claim tracker"
USER_AGENT = f"claimtrack/{__version__} ({PROJECT_URL})"
ROBOTS_AGENT = "claimtrack"  # the product token robots.txt rules name
CONNECT_TIMEOUT_SECONDS = 10.0
READ_TIMEOUT_SECONDS = 30.0
MAX_PAGE_BYTES = 20 * 1024 * 1024
MAX_ROBOTS_BYTES = 512 * 1024  # RFC 9309 asks crawlers to read at least 500 KiB
MAX_REDIRECTS = 5
MAX_RETRIES = 3  # after the first attempt, on 429, 5xx, time-outs and dropped connections
BACKOFF_SECONDS = 1.0  # doubled after every retry
MAX_RETRY_AFTER_SECONDS = 60.0  # a longer Retry-After is cut to this
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,application/pdf;q=0.8"
FORMAT_BY_CONTENT_TYPE = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "application/pdf": "pdf",
}
URL_SCHEMES = ("http", "https")


class FetchError(Exception):
    """A page that could not be fetched; the message is the reason shown."""


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str  # as asked for
    final_url: str  # after redirects
    format: str | None  # html | text | markdown | pdf; None when the server did not say
    charset: str | None  # from the Content-Type header
    body: bytes


def is_url(text: str) -> bool:
    return urllib.parse.urlsplit(text.strip()).scheme.lower() in URL_SCHEMES and "://" in text


def check_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme.lower() not in URL_SCHEMES or not parts.hostname:
        raise FetchError(f"not an http(s) address: {url!r}")
    return urllib.parse.urlunsplit(parts._replace(fragment=""))


class Fetcher:
    """Fetches pages for one run; robots.txt rules are remembered per site."""

    def __init__(
        self,
        *,
        max_bytes: int = MAX_PAGE_BYTES,
        retries: int = MAX_RETRIES,
        backoff_seconds: float = BACKOFF_SECONDS,
        timeout: httpx.Timeout | None = None,
        sleep: Callable[[float], None] = time.sleep,
        trust_env: bool = True,
    ) -> None:
        self.max_bytes = max_bytes
        self.retries = retries
        self.backoff_seconds = backoff_seconds
        self.sleep = sleep
        self.robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self.client = httpx.Client(
            headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
            timeout=timeout or httpx.Timeout(READ_TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT_SECONDS),
            follow_redirects=False,
            trust_env=trust_env,
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def fetch(self, url: str) -> FetchedPage:
        """The page at ``url`` after redirects, or FetchError with the reason."""
        address = check_url(url)
        for _ in range(MAX_REDIRECTS + 1):
            self.check_robots(address)
            status, headers, body = self._get(address, self.max_bytes)
            if status in REDIRECT_STATUSES and headers.get("location"):
                address = check_url(urllib.parse.urljoin(address, headers["location"]))
                continue
            if status != 200:
                raise FetchError(f"HTTP {status} {httpx.codes.get_reason_phrase(status)}".rstrip())
            fmt, charset = page_format(headers.get("content-type", ""))
            return FetchedPage(url, address, fmt, charset, body)
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")

    def check_robots(self, url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.robots:
            self.robots[origin] = self._load_robots(origin)
        rules = self.robots[origin]
        if rules is not None and not rules.can_fetch(ROBOTS_AGENT, url):
            raise FetchError("robots.txt does not allow fetching this page")

    def _load_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | None:
        """The site's rules; None when it has no robots.txt (everything allowed)."""
        robots_url = address = f"{origin}/robots.txt"
        try:
            for _ in range(MAX_REDIRECTS + 1):
                status, headers, body = self._get(address, MAX_ROBOTS_BYTES, truncate=True)
                if status not in REDIRECT_STATUSES or not headers.get("location"):
                    break
                address = check_url(urllib.parse.urljoin(address, headers["location"]))
        except FetchError as exc:
            raise FetchError(f"robots.txt unreachable ({exc}); not fetching") from None
        if status >= 500 or status == 429:
            raise FetchError(f"robots.txt unreachable (HTTP {status}); not fetching")
        if status >= 400 or status in REDIRECT_STATUSES:
            return None
        rules = urllib.robotparser.RobotFileParser(robots_url)
        rules.parse(body.decode("utf-8", errors="replace").splitlines())
        return rules

    def _get(self, url: str, limit: int, truncate: bool = False) -> tuple[int, httpx.Headers, bytes]:
        """Status, headers and body of one GET, retried with back-off on 429, 5xx and network errors."""
        for attempt in range(self.retries + 1):
            last_try = attempt == self.retries
            try:
                with self.client.stream("GET", url) as response:
                    if response.status_code in RETRY_STATUSES and not last_try:
                        self.sleep(self._delay(attempt, response.headers.get("retry-after")))
                        continue
                    return response.status_code, response.headers, _read_limited(response, limit, truncate)
            except httpx.TimeoutException:
                reason = "timed out"
            except httpx.TransportError as exc:
                reason = f"cannot connect: {exc}" if str(exc) else "cannot connect"
            if last_try:
                raise FetchError(reason)
            self.sleep(self._delay(attempt, None))
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns or raises

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after), MAX_RETRY_AFTER_SECONDS)
        return self.backoff_seconds * 2**attempt


def _read_limited(response: httpx.Response, limit: int, truncate: bool) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit and not truncate:
        raise FetchError(f"page too large ({int(declared) / 2**20:.1f} MB, limit {limit // 2**20} MB)")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            if truncate:
                break
            raise FetchError(f"page too large (over {limit // 2**20} MB)")
    return b"".join(chunks)[:limit]


def page_format(content_type: str) -> tuple[str | None, str | None]:
    """The read format for a Content-Type header (None when there is none), and the charset it names."""
    if not content_type.strip():
        return None, None
    header = Message()
    header["content-type"] = content_type
    media_type = header.get_content_type().lower()
    if media_type not in FORMAT_BY_CONTENT_TYPE:
        raise FetchError(f"unsupported content type {media_type}")
    charset = header.get_param("charset")
    return FORMAT_BY_CONTENT_TYPE[media_type], charset if isinstance(charset, str) else None
