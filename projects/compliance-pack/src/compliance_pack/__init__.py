"""Compliance pack: a DPIA-lite and data-flow diagram from a YAML description, and redaction."""

__version__ = "0.1.0"
