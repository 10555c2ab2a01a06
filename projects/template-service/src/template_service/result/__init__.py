"""The Result pattern: return expected failures as values, keep exceptions for bugs."""

from template_service.result.core import Err, Ok, Result, collect

__all__ = ["Err", "Ok", "Result", "collect"]
