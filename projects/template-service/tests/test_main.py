"""`python -m template_service` serves the app factory with settings from the environment."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn

from template_service.__main__ import main


def test_does_main_run_uvicorn_with_the_factory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Does main() hand uvicorn the app factory, the host and port from settings, no access log?"""
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    monkeypatch.setenv("TEMPLATE_SERVICE_PORT", "8123")
    main()
    (args, kwargs), *_ = calls
    assert args == ("template_service.app:create_app",)
    assert kwargs["factory"] is True
    assert (kwargs["host"], kwargs["port"], kwargs["access_log"]) == ("127.0.0.1", 8123, False)
