"""The OAuth2 password grant, and authorisation-bypass attempts that must all be refused."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable

import jwt
import pytest

from ai_api.auth import SCOPES
from conftest import PASSWORD, SECRET, Account, Harness

Make = Callable[..., Account]
BODY = {"text": "Postgres keeps the data. Redis keeps the counters. The API keeps its promises."}


def password_grant(username: str, password: str, scope: str = "") -> dict[str, str]:
    """The OAuth2 password grant's fields; clients send them as a form (RFC 6749 4.3)."""
    return {"grant_type": "password", "username": username, "password": password, "scope": scope}


def test_does_a_login_give_a_token_with_the_requested_scopes(
    harness: Harness, make_account: Make
) -> None:
    account = make_account()
    answer = harness.client.post(
        "/v1/auth/token", data=password_grant(account.username, PASSWORD, "summaries:read")
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["token_type"] == "bearer"
    assert answer.json()["scope"] == "summaries:read"
    assert answer.headers["Cache-Control"] == "no-store"
    token = answer.json()["access_token"]
    refused = harness.client.post(
        "/v1/summaries", json=BODY, headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status_code == 403
    assert "summaries:write" in refused.json()["detail"]
    assert refused.headers["WWW-Authenticate"] == (
        'Bearer error="insufficient_scope", scope="summaries:write"'
    )


def test_does_a_login_without_scope_get_all_the_users_scopes(
    harness: Harness, make_account: Make
) -> None:
    account = make_account()
    answer = harness.client.post("/v1/auth/token", data=password_grant(account.username, PASSWORD))
    assert answer.status_code == 200, answer.text
    assert answer.json()["scope"].split() == sorted(SCOPES)
    headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    assert harness.client.post("/v1/summaries", json=BODY, headers=headers).status_code == 201


def test_is_a_json_login_refused_because_the_grant_is_a_form(
    harness: Harness, make_account: Make
) -> None:
    account = make_account()
    answer = harness.client.post(
        "/v1/auth/token", json={"username": account.username, "password": PASSWORD}
    )
    assert answer.status_code == 422
    assert {error["loc"][-1] for error in answer.json()["detail"]} == {"username", "password"}


def test_is_an_unknown_scope_refused_with_the_known_ones(
    harness: Harness, make_account: Make
) -> None:
    account = make_account()
    answer = harness.client.post(
        "/v1/auth/token",
        data=password_grant(account.username, PASSWORD, "summaries:read admin:everything"),
    )
    assert answer.status_code == 400
    assert "admin:everything" in answer.json()["detail"]
    assert "billing:read" in answer.json()["detail"]


def test_does_the_openapi_schema_describe_the_password_flow(harness: Harness) -> None:
    schema = harness.client.get("/openapi.json").json()
    flow = schema["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]["password"]
    assert flow["tokenUrl"] == "/v1/auth/token"
    assert flow["scopes"] == SCOPES
    token_body = schema["paths"]["/v1/auth/token"]["post"]["requestBody"]["content"]
    assert list(token_body) == ["application/x-www-form-urlencoded"]
    invoices = schema["paths"]["/v1/invoices/{period}"]["get"]
    assert invoices["security"] == [{"OAuth2PasswordBearer": ["billing:read"]}]


@pytest.mark.parametrize("username_suffix", ["", "-nobody"])
def test_does_a_wrong_password_or_unknown_user_get_the_same_401(
    harness: Harness, make_account: Make, username_suffix: str
) -> None:
    account = make_account()
    answer = harness.client.post(
        "/v1/auth/token", data=password_grant(account.username + username_suffix, "wrong")
    )
    assert answer.status_code == 401
    assert answer.json()["detail"] == "unknown user or wrong password"


def test_is_a_request_without_a_token_refused(harness: Harness) -> None:
    answer = harness.client.post("/v1/summaries", json=BODY)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert "bearer token" in answer.json()["detail"]


def test_is_an_expired_token_refused(harness: Harness, make_account: Make) -> None:
    token = make_account().token(ttl_s=60, now=time.time() - 3600)
    answer = harness.client.get(
        "/v1/invoices/2026-01", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 401
    assert "expired" in answer.json()["detail"]


def _forge(claims: dict[str, object], header: dict[str, str]) -> str:
    def part(data: dict[str, object] | dict[str, str]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


def test_are_forged_tokens_refused(harness: Harness, make_account: Make) -> None:
    account = make_account()
    claims = jwt.decode(account.token(), SECRET, algorithms=["HS256"], issuer="ai-api")
    forgeries = {
        "other key": jwt.encode(claims, "an-attackers-secret-also-32-chars-long!!", "HS256"),
        "alg none": _forge(claims, {"alg": "none", "typ": "JWT"}),
        "edited scope": ".".join(
            [
                account.token({"summaries:read"}).split(".")[0],
                base64.urlsafe_b64encode(json.dumps({**claims, "scope": "billing:read"}).encode())
                .rstrip(b"=")
                .decode(),
                account.token({"summaries:read"}).split(".")[2],
            ]
        ),
        "other issuer": jwt.encode({**claims, "iss": "evil"}, SECRET, "HS256"),
        "garbage": "not-a-jwt",
    }
    for name, token in forgeries.items():
        answer = harness.client.get(
            "/v1/invoices/2026-01", headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 401, f"{name}: {answer.status_code} {answer.text}"
        assert answer.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"', name


def test_does_a_token_without_the_scope_get_403(harness: Harness, make_account: Make) -> None:
    account = make_account()
    answer = harness.client.get("/v1/invoices/2026-01", headers=account.headers({"summaries:read"}))
    assert answer.status_code == 403
    assert "billing:read" in answer.json()["detail"]


def test_does_tenant_b_never_see_tenant_a_summary(harness: Harness, make_account: Make) -> None:
    tenant_a, tenant_b = make_account(), make_account()
    created = harness.client.post("/v1/summaries", json=BODY, headers=tenant_a.headers())
    assert created.status_code == 201, created.text
    path = f"/v1/summaries/{created.json()['id']}"
    assert harness.client.get(path, headers=tenant_a.headers()).status_code == 200
    stolen = harness.client.get(path, headers=tenant_b.headers())
    assert stolen.status_code == 404
    assert "summary" not in stolen.json()


def test_does_an_idempotency_key_never_replay_across_tenants(
    harness: Harness, make_account: Make
) -> None:
    tenant_a, tenant_b = make_account(), make_account()
    first = harness.client.post(
        "/v1/summaries", json=BODY, headers=tenant_a.headers(idempotency_key="same-key-42")
    )
    second = harness.client.post(
        "/v1/summaries", json=BODY, headers=tenant_b.headers(idempotency_key="same-key-42")
    )
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert "Idempotent-Replayed" not in second.headers
