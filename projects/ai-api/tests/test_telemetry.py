"""Traces and metrics are recorded in process: one server span per request, model spans."""

from __future__ import annotations

import logging
from collections.abc import Callable

from opentelemetry.sdk.metrics.export import HistogramDataPoint

from ai_api.telemetry import TraceIdFilter
from conftest import Account, Harness

Make = Callable[..., Account]


def test_do_requests_leave_spans_and_metrics(harness: Harness, make_account: Make) -> None:
    account = make_account()
    harness.client.post(
        "/v1/summaries", json={"text": "trace me please"}, headers=account.headers()
    )
    spans = {span.name: span for span in harness.spans.get_finished_spans()}
    server = spans["POST /v1/summaries"]
    assert server.attributes is not None
    assert server.attributes["http.response.status_code"] == 201
    assert server.attributes["tenant.id"] == str(account.tenant_id)
    model = spans["llm.complete"]
    assert model.attributes is not None
    assert model.attributes["gen_ai.usage.output_tokens"] == 3
    assert model.context is not None
    assert server.context is not None
    assert model.context.trace_id == server.context.trace_id
    data = harness.metrics.get_metrics_data()
    assert data is not None
    metrics = {
        m.name: m for rm in data.resource_metrics for sm in rm.scope_metrics for m in sm.metrics
    }
    points = metrics["http.server.request.duration"].data.data_points
    assert any(isinstance(p, HistogramDataPoint) and p.count >= 1 for p in points)
    assert "ai_api.model.tokens" in metrics


def test_does_a_log_record_carry_the_trace_id(harness: Harness) -> None:
    record = logging.LogRecord("ai_api", logging.INFO, __file__, 1, "hello", None, None)
    with harness.app.state.service.telemetry.tracer.start_as_current_span("work") as span:
        TraceIdFilter().filter(record)
    assert record.__dict__["trace_id"] == f"{span.get_span_context().trace_id:032x}"
