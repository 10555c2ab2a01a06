"""Replay recorded provider HTTP responses through the real SDKs, with no network."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

RECORDINGS = Path(__file__).resolve().parents[2] / "fixtures" / "recordings"


class Replay:
    """An ``httpx`` transport that answers every request with one recording.

    A recording is ``<provider>/<name>.json``: the request it answers (method and path) and
    the response (status, headers, and a JSON ``body`` or a ``body_file`` holding the raw
    server-sent events). Requests are kept in ``requests`` for the test to inspect.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.recording = json.loads((RECORDINGS / f"{name}.json").read_text())
        self.requests: list[httpx.Request] = []

    def client(self, http: ModuleType = httpx) -> Any:
        """A client whose transport is this replay; hand it to the SDK.

        Args:
            http: ``httpx``, or ``httpx2`` for the SDKs built on it (anthropic).
        """

        def respond(request: Any) -> Any:
            self.requests.append(request)
            status, headers, content = self._response()
            return http.Response(status, headers=headers, content=content)

        return http.Client(transport=http.MockTransport(respond))

    @property
    def sent(self) -> dict[str, Any]:
        """The JSON body of the last request the SDK sent."""
        body: dict[str, Any] = json.loads(self.requests[-1].content)
        return body

    def verify(self) -> None:
        """Every request went where the recording says, and at least one was made."""
        expected = self.recording["request"]
        assert self.requests, f"{self.name}: the SDK sent no request"
        for request in self.requests:
            assert (request.method, request.url.path) == (expected["method"], expected["path"])

    def _response(self) -> tuple[int, dict[str, str], bytes]:
        response = self.recording["response"]
        if "body_file" in response:
            content = (RECORDINGS / self.name).parent.joinpath(response["body_file"]).read_bytes()
        else:
            content = json.dumps(response["body"]).encode()
        return response["status"], response["headers"], content


@pytest.fixture
def replay() -> Iterator[Callable[[str], Replay]]:
    """Load a recording by name (``"openai/chat"``); its requests are verified afterwards."""
    replays: list[Replay] = []

    def load(name: str) -> Replay:
        replays.append(Replay(name))
        return replays[-1]

    yield load
    for used in replays:
        used.verify()


@pytest.fixture
def timing_out() -> Callable[[ModuleType], Any]:
    """Make a client (of ``httpx`` or ``httpx2``) whose every request times out."""

    def client(http: ModuleType) -> Any:
        def respond(request: Any) -> Any:
            raise http.ReadTimeout("timed out (simulated)", request=request)

        return http.Client(transport=http.MockTransport(respond))

    return client
