"""Schemathesis fuzzes every operation of the OpenAPI schema in process: no 5xx allowed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from ai_api.app import create_app
from ai_api.settings import Settings
from conftest import SECRET, Account, Harness

Make = Callable[..., Account]

# The schema comes from an app that only serves /openapi.json (building one connects to
# nothing); every generated request goes to the test's app, on the real Postgres and Redis.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(Settings(jwt_secret=SECRET)))


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_does_no_generated_request_cause_a_server_error(
    case: Any, harness: Harness, make_account: Make
) -> None:
    headers = make_account(plan="pro").headers()
    case.call_and_validate(app=harness.app, headers=headers, checks=[not_a_server_error])
