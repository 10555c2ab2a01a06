"""An OpenAI-compatible LLM server with dynamic batching, streaming, limits and metrics."""

__version__ = "0.1.0"
