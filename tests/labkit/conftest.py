"""labkit's unit tests turn every warning into an error."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every labkit test with ``filterwarnings("error")``."""
    for item in items:
        if "tests/labkit/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.filterwarnings("error"), append=False)
