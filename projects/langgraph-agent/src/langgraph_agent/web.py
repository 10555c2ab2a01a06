"""The "web": local fixture pages served through ``httpx.MockTransport``; no network.

The agent's HTTP client is a real ``httpx.Client``; only its transport is local. Swapping in
the default transport (and a real allowlist) would point the same code at the internet.
"""

from __future__ import annotations

from importlib import resources
from urllib.parse import urlparse

import httpx
from bs4 import BeautifulSoup

HOST = "docs.shop.example"


def _serve_fixtures(request: httpx.Request) -> httpx.Response:
    name = request.url.path.strip("/") or "index"
    page = resources.files("langgraph_agent").joinpath(f"fixtures/web/{name}.html")
    if "/" in name or not page.is_file():
        return httpx.Response(404, text="not found")
    return httpx.Response(200, text=page.read_text(), headers={"content-type": "text/html"})


class WebReader:
    """Fetch a page from an allowlisted host and return its title and visible text."""

    def __init__(
        self, client: httpx.Client | None = None, allowed_hosts: tuple[str, ...] = (HOST,)
    ) -> None:
        """Use ``client`` (default: one whose transport serves the fixture pages)."""
        self.client = client or httpx.Client(transport=httpx.MockTransport(_serve_fixtures))
        self.allowed_hosts = allowed_hosts

    def fetch(self, url: str, *, max_chars: int = 2000) -> tuple[str, str]:
        """Return ``(title, text)`` of the page at ``url``.

        Raises:
            PermissionError: The host is not on the allowlist.
            httpx.HTTPStatusError: The page does not exist.

        """
        parsed = urlparse(url)
        if parsed.scheme != "https" or parsed.hostname not in self.allowed_hosts:
            raise PermissionError(
                f"{url!r} is not allowed; fetch https:// pages on {', '.join(self.allowed_hosts)}"
            )
        response = self.client.get(url)
        response.raise_for_status()
        soup = BeautifulSoup(response.text, "html.parser")
        for tag in soup(["script", "style", "nav"]):
            tag.decompose()
        title = soup.title.get_text(strip=True) if soup.title else ""
        text = " ".join((soup.body or soup).get_text(" ", strip=True).split())
        return title, text[:max_chars]
