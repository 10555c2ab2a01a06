"""Shared fixtures: the packaged battery and the two test-double models."""

from __future__ import annotations

import pytest
from labkit.llm import FakeChatModel

from red_team_harness.battery import Attack, load_battery
from red_team_harness.doubles import cautious_model, obedient_model


@pytest.fixture(scope="session")
def battery() -> list[Attack]:
    return load_battery()


@pytest.fixture
def obedient() -> FakeChatModel:
    return obedient_model()


@pytest.fixture
def cautious() -> FakeChatModel:
    return cautious_model()
