"""Passwords (argon2 via pwdlib) and access tokens (JWT via PyJWT) carrying tenant and scopes."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from functools import cache

import jwt
from pwdlib import PasswordHash

SCOPES: dict[str, str] = {
    "summaries:write": "Ask the model for new summaries (metered).",
    "summaries:read": "Read your tenant's summaries.",
    "billing:read": "Read your tenant's invoices.",
}
ALGORITHM = "HS256"
_password_hash = PasswordHash.recommended()


class InvalidToken(Exception):
    """The bearer token is missing, malformed, forged, expired or for another issuer."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user, their tenant, and the scopes their token grants."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID
    scopes: frozenset[str]


def hash_password(password: str) -> str:
    """Hash ``password`` with argon2id; the result embeds its own salt and parameters."""
    return _password_hash.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """True if ``password`` matches ``password_hash``."""
    return _password_hash.verify(password, password_hash)


@cache
def decoy_password_hash() -> str:
    """A hash no password matches, to verify against when the user does not exist.

    Checking a password costs the same whether or not the username is known, so the login's
    response time does not tell an attacker which usernames exist.
    """
    return hash_password(uuid.uuid4().hex)


def issue_token(
    principal: Principal, *, secret: str, issuer: str, ttl_s: int, now: float | None = None
) -> str:
    """Sign an access token for ``principal`` that expires after ``ttl_s`` seconds."""
    issued_at = int(time.time() if now is None else now)
    claims = {
        "sub": str(principal.user_id),
        "tid": str(principal.tenant_id),
        "scope": " ".join(sorted(principal.scopes)),
        "iss": issuer,
        "iat": issued_at,
        "exp": issued_at + ttl_s,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(token: str, *, secret: str, issuer: str) -> Principal:
    """Verify the signature, expiry and issuer of ``token`` and return who it names.

    Raises:
        InvalidToken: Anything is wrong; the message says what, without echoing the token.

    """
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=issuer,
            options={"require": ["exp", "iat", "iss", "sub", "tid"]},
        )
        return Principal(
            user_id=uuid.UUID(claims["sub"]),
            tenant_id=uuid.UUID(claims["tid"]),
            scopes=frozenset(str(claims.get("scope", "")).split()),
        )
    except jwt.ExpiredSignatureError as error:
        raise InvalidToken("the token has expired; ask /v1/auth/token for a new one") from error
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise InvalidToken(f"the token is not valid: {error}") from error
