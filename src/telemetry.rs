//! Logging (`RUST_LOG`-style filter, plain text or JSON lines) and, when configured,
//! OpenTelemetry traces: with `OTEL_EXPORTER_OTLP_ENDPOINT` (or `_TRACES_ENDPOINT`) set,
//! spans go to that OTLP/HTTP collector (the standard `OTEL_*` variables apply). A
//! trace holds the HTTP request, its GraphQL operation, each dataloader batch and each
//! SQL statement; an incoming W3C `traceparent` becomes the parent.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Logging, plus OTLP traces when the environment asks for them.
pub fn init(default_filter: &str, json: bool) {
    init_with(default_filter, json, otlp_provider());
}

fn otlp_provider() -> Option<SdkTracerProvider> {
    let configured = [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ]
    .iter()
    .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
    if !configured {
        return None;
    }
    match opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .build()
    {
        Ok(exporter) => Some(
            SdkTracerProvider::builder()
                .with_batch_exporter(exporter)
                .with_resource(
                    opentelemetry_sdk::Resource::builder()
                        .with_service_name("brandgraph")
                        .build(),
                )
                .build(),
        ),
        Err(err) => {
            eprintln!("OTLP exporter not started: {err}");
            None
        }
    }
}

/// The spans traced: the gateway's own, the HTTP layer's and SeaORM's statements.
fn traced() -> Targets {
    Targets::new()
        .with_target("brandgraph", Level::INFO)
        .with_target("tower_http", Level::INFO)
        .with_target("sea_orm", Level::TRACE)
}

/// Logging, and traces to `provider` when given (tests pass an in-memory exporter).
pub fn init_with(default_filter: &str, json: bool, provider: Option<SdkTracerProvider>) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let logs = if json {
        tracing_subscriber::fmt::layer()
            .json()
            .with_writer(std::io::stderr)
            .boxed()
    } else {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .boxed()
    };
    let traces = provider.map(|provider| {
        opentelemetry::global::set_text_map_propagator(
            opentelemetry_sdk::propagation::TraceContextPropagator::new(),
        );
        let tracer = provider.tracer("brandgraph");
        opentelemetry::global::set_tracer_provider(provider);
        tracing_opentelemetry::layer()
            .with_tracer(tracer)
            .with_filter(traced())
    });
    // A second init (tests build many apps in one process) is harmless.
    let _ = tracing_subscriber::registry()
        .with(logs.with_filter(filter))
        .with(traces)
        .try_init();
}

/// The trace id of the current span, when traces are on.
pub fn current_trace_id() -> Option<String> {
    use opentelemetry::trace::TraceContextExt;
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    let context = tracing::Span::current().context();
    let span = context.span();
    let id = span.span_context().trace_id();
    (id != opentelemetry::trace::TraceId::INVALID).then(|| id.to_string())
}
