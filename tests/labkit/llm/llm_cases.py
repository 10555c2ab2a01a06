"""Inputs shared by the adapter tests: one tool every recording was made with."""

from __future__ import annotations

from labkit.llm import Tool

WEATHER = Tool(
    "get_weather",
    "Get the current weather for a city.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
