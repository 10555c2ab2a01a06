"""Map an HTTP status from any provider to the typed ``LLMError`` hierarchy."""

from __future__ import annotations

from labkit.errors import (
    LLMAuthError,
    LLMBadRequest,
    LLMError,
    LLMProviderDown,
    LLMRateLimited,
    LLMTimeout,
)


def error_for_status(status: int | None, provider: str, detail: str, key_name: str) -> LLMError:
    """Build the ``LLMError`` for an HTTP ``status``, with a message that says what to do.

    Args:
        status: The HTTP status, or None when the connection itself failed.
        provider: The provider's name, for the message (``openai``, ``anthropic`` …).
        detail: The provider's own error message.
        key_name: The environment variable that holds this provider's key.

    """
    said = f"{provider} answered HTTP {status}: {detail}"
    if status is None:
        return LLMProviderDown(f"could not reach {provider}: {detail}. Check the URL and network.")
    if status == 408:
        return LLMTimeout(f"{said}. Retry, or pass a larger timeout=.")
    if status == 429:
        return LLMRateLimited(f"{said}. Wait and retry, or lower the request rate.")
    if status in (401, 403):
        return LLMAuthError(f"{said}. Check {key_name} (its value is never printed).")
    if 400 <= status < 500:
        return LLMBadRequest(f"{said}. Fix the request; retrying will not help.")
    return LLMProviderDown(f"{said}. The provider failed; retry later.")


def is_httpx_error(error: Exception, name: str) -> bool:
    """Tell whether ``error`` is ``httpx.<name>`` or ``httpx2.<name>`` (SDKs use either)."""
    return any(
        cls.__name__ == name and cls.__module__.partition(".")[0] in ("httpx", "httpx2")
        for cls in type(error).__mro__
    )


def timeout_error(provider: str) -> LLMTimeout:
    """Build the ``LLMTimeout`` for a call that ran past its ``timeout``."""
    return LLMTimeout(f"{provider} did not answer in time; retry, or pass a larger timeout=.")
