"""Adapter: provider APIs with different response shapes, all behind the ``ChatModel`` port."""

from template_service.adapter.extractive import ExtractiveChatModel
from template_service.adapter.fake import FakeChatModel
from template_service.adapter.http_providers import AnthropicChatModel, OpenAIChatModel

__all__ = ["AnthropicChatModel", "ExtractiveChatModel", "FakeChatModel", "OpenAIChatModel"]
