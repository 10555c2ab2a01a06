"""The chat model port (``ChatModel``) and its adapters; provider SDKs load on first use."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from labkit.llm.adapter import ChatModelBase
from labkit.llm.base import (
    ChatModel,
    ChatRequest,
    Completion,
    Message,
    MessageLike,
    ResponseFormat,
    StreamDelta,
    Tool,
    ToolCall,
    Usage,
)
from labkit.llm.fake import FakeChatModel
from labkit.llm.pricing import PRICES, Price, cost_usd

if TYPE_CHECKING:
    from labkit.llm.anthropic import AnthropicChatModel
    from labkit.llm.gemini import GeminiChatModel
    from labkit.llm.local import LocalChatModel
    from labkit.llm.openai_compat import OpenAIChatModel

_ADAPTERS = {
    "AnthropicChatModel": "labkit.llm.anthropic",
    "GeminiChatModel": "labkit.llm.gemini",
    "LocalChatModel": "labkit.llm.local",
    "OpenAIChatModel": "labkit.llm.openai_compat",
}

__all__ = [
    "PRICES",
    "AnthropicChatModel",
    "ChatModel",
    "ChatModelBase",
    "ChatRequest",
    "Completion",
    "FakeChatModel",
    "GeminiChatModel",
    "LocalChatModel",
    "Message",
    "MessageLike",
    "OpenAIChatModel",
    "Price",
    "ResponseFormat",
    "StreamDelta",
    "Tool",
    "ToolCall",
    "Usage",
    "cost_usd",
]


def __getattr__(name: str) -> Any:
    """Import an adapter (and its SDK or torch) only when it is first asked for."""
    if name in _ADAPTERS:
        return getattr(import_module(_ADAPTERS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
