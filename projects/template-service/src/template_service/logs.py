"""JSON logging with a request id carried by a context variable."""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

LOGGER_NAME = "template_service"
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Stamp every record with the current request's id (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add ``record.request_id``; never drops a record."""
        record.request_id = request_id_var.get()
        return True


def configure_logging(level: str = "INFO", stream: TextIO | None = None) -> logging.Logger:
    """Send the service's logs to ``stream`` as one JSON object per line.

    Calling it again replaces the handler, so tests and reloads never duplicate lines.

    Args:
        level: A logging level name such as ``INFO``.
        stream: Where to write; standard error by default.

    Returns:
        The service's logger.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}{request_id}",
            style="{",
            rename_fields={"levelname": "level", "asctime": "time", "name": "logger"},
        )
    )
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger(LOGGER_NAME)
    for old in list(logger.handlers):
        logger.removeHandler(old)
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    return logger


def get_logger(name: str) -> logging.Logger:
    """A child of the service's logger, e.g. ``get_logger("decorator")``."""
    return logging.getLogger(f"{LOGGER_NAME}.{name}")
