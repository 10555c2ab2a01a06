"""OpenTelemetry traces and metrics: in-process readers in tests, OTLP when the env asks."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.metrics import Counter, Histogram, Meter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    MetricExporter,
    MetricReader,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import Tracer

SERVICE_NAME = "ai-api"


@dataclass(frozen=True)
class Telemetry:
    """The tracer and instruments the service records with; no global state is touched."""

    tracer: Tracer
    meter: Meter
    request_duration: Histogram
    model_tokens: Counter
    cache_lookups: Counter
    tracer_provider: TracerProvider
    meter_provider: MeterProvider

    def shutdown(self) -> None:
        """Flush and stop the exporters."""
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


def build_telemetry(
    span_exporter: SpanExporter | None = None, metric_reader: MetricReader | None = None
) -> Telemetry:
    """Build providers that export to the given in-process exporter and reader.

    With neither given and ``OTEL_EXPORTER_OTLP_ENDPOINT`` set, spans and metrics go over
    OTLP/HTTP to that collector (needs ``pip install opentelemetry-exporter-otlp-proto-http``).
    With neither given and no endpoint, nothing is exported.

    Raises:
        RuntimeError: An OTLP endpoint is set but the exporter package is missing.

    """
    resource = Resource.create({"service.name": SERVICE_NAME})
    readers: list[MetricReader] = [metric_reader] if metric_reader else []
    tracer_provider = TracerProvider(resource=resource)
    if span_exporter is not None:
        tracer_provider.add_span_processor(SimpleSpanProcessor(span_exporter))
    elif metric_reader is None and os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        otlp_spans, otlp_metrics = _otlp_exporters()
        tracer_provider.add_span_processor(BatchSpanProcessor(otlp_spans))
        readers.append(PeriodicExportingMetricReader(otlp_metrics))
    meter_provider = MeterProvider(resource=resource, metric_readers=readers)
    meter = meter_provider.get_meter(SERVICE_NAME)
    return Telemetry(
        tracer=tracer_provider.get_tracer(SERVICE_NAME),
        meter=meter,
        request_duration=meter.create_histogram(
            "http.server.request.duration", unit="s", description="Time to answer a request"
        ),
        model_tokens=meter.create_counter(
            "ai_api.model.tokens", unit="{token}", description="Model tokens, by tenant"
        ),
        cache_lookups=meter.create_counter(
            "ai_api.cache.lookups", description="Completion cache lookups, by hit"
        ),
        tracer_provider=tracer_provider,
        meter_provider=meter_provider,
    )


def _otlp_exporters() -> tuple[SpanExporter, MetricExporter]:
    try:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError as error:
        raise RuntimeError(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but the OTLP exporter is not installed: "
            "`pip install opentelemetry-exporter-otlp-proto-http`, or unset the variable."
        ) from error
    return OTLPSpanExporter(), OTLPMetricExporter()


class TraceIdFilter(logging.Filter):
    """Add the current trace id to every log record, so logs and traces join up."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Set ``record.trace_id`` (32 hex digits, or ``-`` outside a span)."""
        context = trace.get_current_span().get_span_context()
        record.trace_id = f"{context.trace_id:032x}" if context.is_valid else "-"
        return True
