"""Fixtures: the three real local backends, wired into a toolbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from langgraph_agent import default_toolbox
from langgraph_agent.tools import Toolbox


@pytest.fixture
def toolbox(tmp_path: Path) -> Iterator[Toolbox]:
    box = default_toolbox(str(tmp_path / "shop.db"))
    yield box
    box.database.close()
    box.tickets.close()
