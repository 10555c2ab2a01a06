"""The HTTP layer: routes, auth dependencies and error mapping around ``AIService``."""

import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Annotated, Any

import redis
from fastapi import Depends, FastAPI, Header, HTTPException, Path, Request, Response, Security
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm, SecurityScopes
from labkit.errors import LLMError
from labkit.llm import ChatModel
from opentelemetry import trace
from sqlalchemy import create_engine, text

from ai_api.auth import SCOPES, InvalidToken, Principal, read_token
from ai_api.billing import PERIOD_PATTERN
from ai_api.cache import SingleFlightCache
from ai_api.plans import PLANS, Plan
from ai_api.quotas import QuotaExceeded, Quotas
from ai_api.schemas import (
    InvoiceLineOut,
    InvoiceOut,
    PlanOut,
    Problem,
    SummaryOut,
    SummaryRequest,
    TokenResponse,
)
from ai_api.service import AIService, BadCredentials, IdempotencyKeyReused, NotFound
from ai_api.settings import Settings
from ai_api.telemetry import Telemetry, build_telemetry
from ai_api.uow import session_factory

TOKEN_URL = "/v1/auth/token"  # noqa: S105 - a path, not a password
# The OAuth2 password flow in the OpenAPI schema: Swagger UI's "Authorize" button posts the form
# to TOKEN_URL and offers these scopes. auto_error=False so a missing token gets our own message.
_oauth2 = OAuth2PasswordBearer(
    tokenUrl=TOKEN_URL,
    scopes=SCOPES,
    description="The OAuth2 password grant: username, password and space-separated scopes.",
    auto_error=False,
)
_UNAUTHORISED: dict[int | str, dict[str, Any]] = {401: {"model": Problem}, 403: {"model": Problem}}


def _lazy_labkit_model() -> Callable[[], ChatModel]:
    """Load ``labkit.models.chat_model()`` (SmolLM2 by default) on first use, once."""
    lock, loaded = threading.Lock(), list[ChatModel]()

    def get() -> ChatModel:
        with lock:
            if not loaded:
                from labkit.models import chat_model

                loaded.append(chat_model())
            return loaded[0]

    return get


def create_app(
    settings: Settings | None = None,
    *,
    chat_model: ChatModel | None = None,
    plans: Mapping[str, Plan] | None = None,
    telemetry: Telemetry | None = None,
    clock: Callable[[], float] = time.time,
) -> FastAPI:
    """Build the API; every dependency can be replaced, nothing is read at import time.

    Args:
        settings: Read from ``AI_API_*`` variables when omitted.
        chat_model: The model behind ``/v1/summaries``; ``labkit.models.chat_model()``
            (SmolLM2 unless ``LABKIT_CHAT_MODEL`` says otherwise) when omitted.
        plans: Plan limits and prices; ``PLANS`` when omitted.
        telemetry: Where spans and metrics go; OTLP if configured by env, else nowhere.
        clock: Seconds since the epoch, for the quota windows.

    """
    settings = settings or Settings()  # jwt_secret has no default: it must come from the env
    telemetry = telemetry or build_telemetry()
    engine = create_engine(settings.database_url, pool_pre_ping=True, pool_size=10)
    cache_client = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    service = AIService(
        session_factory(engine),
        (lambda: chat_model) if chat_model is not None else _lazy_labkit_model(),
        SingleFlightCache(cache_client, ttl_s=settings.cache_ttl_s),
        Quotas(cache_client, clock),
        plans or PLANS,
        telemetry,
        max_tokens=settings.summary_max_tokens,
    )
    secret = settings.jwt_secret.get_secret_value()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()
        cache_client.close()

    app = FastAPI(
        title="AI API",
        version="1.0.0",
        description="Summaries by an LLM, per tenant: JWT scopes, quotas, idempotency, billing.",
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.engine = engine
    app.state.redis = cache_client
    app.state.settings = settings

    def principal(
        required: SecurityScopes, token: Annotated[str | None, Depends(_oauth2)]
    ) -> Principal:
        """The caller named by the bearer token, if it grants every scope the route needs.

        The ``WWW-Authenticate`` challenges follow RFC 6750: no error code when the token is
        missing, ``invalid_token`` when it is bad, ``insufficient_scope`` with the scopes needed.
        """
        if token is None:
            raise HTTPException(
                401,
                f"send a bearer token from POST {TOKEN_URL}: Authorization: Bearer <token>",
                headers={"WWW-Authenticate": "Bearer"},
            )
        try:
            caller = read_token(token, secret=secret, issuer=settings.jwt_issuer)
        except InvalidToken as error:
            challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            raise HTTPException(401, str(error), headers=challenge) from error
        missing = sorted(set(required.scopes) - caller.scopes)
        if missing:
            needed = required.scope_str
            challenge = {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{needed}"'}
            raise HTTPException(
                403, f"the token lacks the scope(s) {', '.join(missing)}", headers=challenge
            )
        trace.get_current_span().set_attribute("tenant.id", str(caller.tenant_id))
        return caller

    @app.middleware("http")
    async def traced(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        start = time.perf_counter()
        with telemetry.tracer.start_as_current_span(
            f"{request.method} {request.url.path}", kind=trace.SpanKind.SERVER
        ) as span:
            response = await call_next(request)
            route = getattr(request.scope.get("route"), "path", "unmatched")
            span.update_name(f"{request.method} {route}")
            attributes = {
                "http.request.method": request.method,
                "http.route": route,
                "http.response.status_code": response.status_code,
            }
            span.set_attributes(attributes)
        telemetry.request_duration.record(time.perf_counter() - start, attributes)
        return response

    @app.exception_handler(QuotaExceeded)
    def _quota(_: Request, error: QuotaExceeded) -> JSONResponse:
        return JSONResponse(
            {"detail": str(error)}, 429, headers={"Retry-After": str(error.retry_after_s)}
        )

    @app.exception_handler(LLMError)
    def _model_down(_: Request, error: LLMError) -> JSONResponse:
        return JSONResponse(
            {"detail": f"the model is unavailable, retry later: {error}"},
            503,
            headers={"Retry-After": "5"},
        )

    @app.get("/health", tags=["ops"])
    def health() -> dict[str, str]:
        """Liveness and readiness: Postgres and Redis both answer."""
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        cache_client.ping()
        return {"status": "ok"}

    @app.get("/v1/plans", tags=["billing"])
    def list_plans() -> list[PlanOut]:
        """The plans a tenant can be on, with their limits and prices."""
        return [PlanOut(**vars(plan)) for plan in service.plans.values()]

    @app.post(
        TOKEN_URL, tags=["auth"], responses={400: {"model": Problem}, 401: {"model": Problem}}
    )
    def token(
        form: Annotated[OAuth2PasswordRequestForm, Depends()], response: Response
    ) -> TokenResponse:
        """Exchange username and password for a bearer token (the OAuth2 password grant).

        The body is form-encoded (``application/x-www-form-urlencoded``) as RFC 6749 section
        4.3 says: ``username``, ``password`` and an optional space-separated ``scope`` (a
        subset of the user's scopes; all of them when omitted).
        """
        unknown = sorted(set(form.scopes) - SCOPES.keys())
        if unknown:
            raise HTTPException(
                400, f"unknown scope(s) {', '.join(unknown)}; known: {', '.join(sorted(SCOPES))}"
            )
        try:
            issued = service.login(
                form.username,
                form.password,
                form.scopes or None,
                secret=secret,
                issuer=settings.jwt_issuer,
                ttl_s=settings.access_token_ttl_s,
            )
        except BadCredentials as error:
            raise HTTPException(401, str(error), headers={"WWW-Authenticate": "Bearer"}) from error
        response.headers["Cache-Control"] = "no-store"  # RFC 6749 5.1: never cache a token
        return TokenResponse(
            access_token=issued.token,
            expires_in=issued.expires_in,
            scope=" ".join(sorted(issued.scopes)),
        )

    @app.post(
        "/v1/summaries",
        status_code=201,
        tags=["summaries"],
        responses={
            **_UNAUTHORISED,
            422: {"model": Problem},
            429: {"model": Problem},
            503: {"model": Problem},
        },
    )
    def create_summary(
        body: SummaryRequest,
        response: Response,
        caller: Annotated[Principal, Security(principal, scopes=["summaries:write"])],
        idempotency_key: Annotated[
            str | None,
            Header(
                min_length=1,
                max_length=255,
                pattern=r"^[\x21-\x7e]+$",
                description="Retry with the same key to get the first answer again.",
            ),
        ] = None,
    ) -> SummaryOut:
        """Summarise a text with the LLM; metered against the tenant's plan."""
        try:
            outcome = service.summarise(caller, body.text, idempotency_key)
        except IdempotencyKeyReused as error:
            raise HTTPException(422, str(error)) from error
        except NotFound as error:
            raise HTTPException(401, "the token's tenant no longer exists") from error
        response.status_code = outcome.status_code
        if outcome.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return SummaryOut.model_validate(outcome.body)

    @app.get(
        "/v1/summaries/{summary_id}",
        tags=["summaries"],
        responses={**_UNAUTHORISED, 404: {"model": Problem}},
    )
    def read_summary(
        summary_id: uuid.UUID,
        caller: Annotated[Principal, Security(principal, scopes=["summaries:read"])],
    ) -> SummaryOut:
        """One of your tenant's summaries; another tenant's is indistinguishable from none."""
        try:
            return SummaryOut.model_validate(service.get_summary(caller, summary_id))
        except NotFound as error:
            raise HTTPException(404, str(error)) from error

    @app.get(
        "/v1/invoices/{period}",
        tags=["billing"],
        responses={**_UNAUTHORISED, 404: {"model": Problem}},
    )
    def read_invoice(
        period: Annotated[str, Path(pattern=PERIOD_PATTERN, examples=["2025-01"])],
        caller: Annotated[Principal, Security(principal, scopes=["billing:read"])],
    ) -> InvoiceOut:
        """Your tenant's invoice for a month: the plan fee plus metered tokens."""
        try:
            tenant_id, invoice = service.invoice(caller, period)
        except NotFound as error:
            raise HTTPException(404, str(error)) from error
        lines = [InvoiceLineOut(**vars(line)) for line in invoice.lines]
        fields: dict[str, Any] = {k: v for k, v in vars(invoice).items() if k != "lines"}
        return InvoiceOut(
            tenant_id=tenant_id, lines=lines, total_cents=invoice.total_cents, **fields
        )

    return app
