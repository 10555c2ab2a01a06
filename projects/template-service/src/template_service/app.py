"""The FastAPI application, built by ``create_app`` (uvicorn's ``--factory``)."""

from __future__ import annotations

from typing import Literal, TextIO

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from template_service import __version__
from template_service.decorator import CachedChatModel, TelemetryChatModel
from template_service.factory import build_chat_model
from template_service.logs import configure_logging, get_logger, request_id_var
from template_service.middleware import RequestIdMiddleware
from template_service.ports import ChatModel
from template_service.result import Err, Ok
from template_service.service import SummaryErrorKind, summarise
from template_service.settings import Settings, get_settings
from template_service.strategy import get_strategy

ERROR_STATUS = {
    SummaryErrorKind.EMPTY_TEXT: 422,
    SummaryErrorKind.TEXT_TOO_LONG: 413,
    SummaryErrorKind.EMPTY_ANSWER: 502,
    SummaryErrorKind.PROVIDER_UNAVAILABLE: 503,
}


class Health(BaseModel):
    """What ``GET /health`` answers."""

    status: Literal["ok"] = "ok"
    version: str
    provider: str
    model: str


class SummariseRequest(BaseModel):
    """The body of ``POST /v1/summarise``."""

    text: str = Field(min_length=1, max_length=100_000, description="The text to summarise.")
    style: Literal["one_line", "bullets"] = "one_line"
    max_words: int = Field(40, ge=5, le=200, description="The longest summary, in words.")


class UsageOut(BaseModel):
    """Tokens in and out."""

    input_tokens: int
    output_tokens: int


class SummariseResponse(BaseModel):
    """The answer of ``POST /v1/summarise``."""

    summary: str
    style: str
    model: str
    usage: UsageOut
    cached: bool
    request_id: str


def wrap_chat_model(chat_model: ChatModel, settings: Settings) -> TelemetryChatModel:
    """Compose the decorators: telemetry outside, so it sees cache hits and their latency."""
    return TelemetryChatModel(CachedChatModel(chat_model, maxsize=settings.cache_size))


def create_app(
    settings: Settings | None = None,
    chat_model: ChatModel | None = None,
    log_stream: TextIO | None = None,
) -> FastAPI:
    """Build the app; read settings now if none are given.

    Args:
        settings: The service's settings; ``get_settings()`` when omitted.
        chat_model: The chat model adapter; built by the factory from settings when omitted.
            Tests pass a ``FakeChatModel`` here.
        log_stream: Where the JSON logs go; standard error when omitted.
    """
    settings = settings or get_settings()
    configure_logging(settings.log_level, log_stream)
    provider = settings.chat_provider if chat_model is None else type(chat_model).__name__
    wrapped = wrap_chat_model(chat_model or build_chat_model(settings), settings)

    app = FastAPI(title=settings.app_name, version=__version__)
    app.state.settings = settings
    app.state.chat_model = wrapped
    app.add_middleware(RequestIdMiddleware)
    logger = get_logger("app")

    @app.get("/health")
    def health() -> Health:
        """Liveness: the process answers and knows its model."""
        return Health(version=__version__, provider=provider, model=wrapped.model)

    @app.post(
        "/v1/summarise",
        responses={
            status: {"description": kind.value.replace("_", " ")}
            for kind, status in ERROR_STATUS.items()
        },
    )
    def summarise_text(body: SummariseRequest) -> SummariseResponse:
        """Summarise a text in one line or as bullet points."""
        result = summarise(
            body.text,
            strategy=get_strategy(body.style),
            chat_model=wrapped,
            max_words=body.max_words,
            max_input_words=settings.max_input_words,
        )
        match result:
            case Ok(summary):
                logger.info("summarised", extra={"style": summary.style, "cached": summary.cached})
                return SummariseResponse(
                    summary=summary.text,
                    style=summary.style,
                    model=summary.model,
                    usage=UsageOut(
                        input_tokens=summary.usage.input_tokens,
                        output_tokens=summary.usage.output_tokens,
                    ),
                    cached=summary.cached,
                    request_id=request_id_var.get(),
                )
            case Err(error):
                logger.warning("summarise failed", extra={"error": error.kind.value})
                raise HTTPException(
                    status_code=ERROR_STATUS[error.kind],
                    detail={"error": error.kind.value, "message": error.message},
                )

    return app
