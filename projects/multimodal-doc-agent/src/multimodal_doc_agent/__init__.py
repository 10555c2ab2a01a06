"""Multimodal document agent: parse PDFs (text, tables, OCR), retrieve, cite page + box."""

__version__ = "0.1.0"
