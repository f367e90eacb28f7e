//! Process metrics served at `/metrics` in the Prometheus text format, kept in one
//! `prometheus` registry per app (several apps can share a process, as the tests do).

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};
use sea_orm::DatabaseConnection;

use crate::graphql::audience::Audiences;
use crate::realtime::Realtime;

/// Operation names become label values; past this many distinct names they are counted
/// as `other`, so clients cannot grow the series without bound.
const MAX_OPERATION_NAMES: usize = 200;

pub struct Metrics {
    registry: Registry,
    /// SQL statements sent through the pool.
    pub sql_statements: IntCounter,
    sql_seconds: Histogram,
    /// GraphQL requests over HTTP.
    pub graphql_requests: IntCounter,
    /// HTTP operations answered by a compiled plan instead of the executor.
    pub compiled_operations: IntCounter,
    operation_seconds: HistogramVec,
    errors: IntCounterVec,
    /// Open websocket connections.
    pub websocket_connections: IntGauge,
    live_channels: IntGauge,
    audiences: IntGauge,
    audience_departures: IntCounter,
    compiled_events: IntCounter,
    events_published: IntCounter,
    subscriber_lag: IntCounter,
    events_replayed: IntCounter,
    pool_connections: prometheus::IntGaugeVec,
    listener_reconnects: IntCounter,
    held_back: IntGauge,
    live_summaries: IntGauge,
    subscribers: prometheus::IntGaugeVec,
    operation_names: Mutex<HashSet<String>>,
}

fn counter(registry: &Registry, name: &str, help: &str) -> IntCounter {
    let counter = IntCounter::new(name, help).expect("valid metric");
    registry
        .register(Box::new(counter.clone()))
        .expect("unique metric");
    counter
}

fn gauge(registry: &Registry, name: &str, help: &str) -> IntGauge {
    let gauge = IntGauge::new(name, help).expect("valid metric");
    registry
        .register(Box::new(gauge.clone()))
        .expect("unique metric");
    gauge
}

impl Default for Metrics {
    fn default() -> Self {
        let registry = Registry::new();
        let buckets = vec![
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
        ];
        let sql_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "brandgraph_sql_statement_duration_seconds",
                "Time SQL statements took, as the pool saw it.",
            )
            .buckets(buckets.clone()),
        )
        .expect("valid metric");
        registry
            .register(Box::new(sql_seconds.clone()))
            .expect("unique metric");
        let operation_seconds = HistogramVec::new(
            HistogramOpts::new(
                "brandgraph_graphql_operation_duration_seconds",
                "GraphQL operations by type and name (HTTP and websocket).",
            )
            .buckets(buckets),
            &["type", "name"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(operation_seconds.clone()))
            .expect("unique metric");
        let errors = IntCounterVec::new(
            Opts::new(
                "brandgraph_graphql_errors_total",
                "GraphQL errors by extensions.code.",
            ),
            &["code"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(errors.clone()))
            .expect("unique metric");
        let pool_connections = prometheus::IntGaugeVec::new(
            Opts::new(
                "brandgraph_db_pool_connections",
                "Pool connections by state (open, idle, max).",
            ),
            &["state"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(pool_connections.clone()))
            .expect("unique metric");
        let subscribers = prometheus::IntGaugeVec::new(
            Opts::new(
                "brandgraph_subscribers",
                "Live event-stream subscribers by topic.",
            ),
            &["topic"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(subscribers.clone()))
            .expect("unique metric");
        let build = IntGauge::with_opts(
            Opts::new("brandgraph_build_info", "The running build.")
                .const_label("version", env!("CARGO_PKG_VERSION")),
        )
        .expect("valid metric");
        build.set(1);
        registry.register(Box::new(build)).expect("unique metric");
        Self {
            sql_statements: counter(
                &registry,
                "brandgraph_sql_statements_total",
                "SQL statements run through the pool.",
            ),
            sql_seconds,
            graphql_requests: counter(
                &registry,
                "brandgraph_graphql_requests_total",
                "GraphQL requests over HTTP.",
            ),
            compiled_operations: counter(
                &registry,
                "brandgraph_graphql_compiled_operations_total",
                "HTTP operations answered by a compiled plan (one SQL statement) instead of the executor.",
            ),
            operation_seconds,
            errors,
            websocket_connections: gauge(
                &registry,
                "brandgraph_websocket_connections",
                "Open websocket connections.",
            ),
            live_channels: gauge(
                &registry,
                "brandgraph_live_channels",
                "Live (topic, brand) channels.",
            ),
            audiences: gauge(
                &registry,
                "brandgraph_subscription_audiences",
                "Subscription audiences: operations executed once for all their subscribers.",
            ),
            audience_departures: counter(
                &registry,
                "brandgraph_audience_departures_total",
                "Subscribers that fell behind their audience (or outlived it) and resumed privately.",
            ),
            compiled_events: counter(
                &registry,
                "brandgraph_compiled_events_total",
                "Subscription events rendered by a compiled plan for an audience (one statement each).",
            ),
            events_published: counter(
                &registry,
                "brandgraph_events_published_total",
                "Change events published to subscribers.",
            ),
            subscriber_lag: counter(
                &registry,
                "brandgraph_subscriber_lag_total",
                "Times a subscriber overflowed its buffer and was caught up from the database.",
            ),
            events_replayed: counter(
                &registry,
                "brandgraph_events_replayed_total",
                "Events re-read from the database for replays and catch-ups.",
            ),
            pool_connections,
            listener_reconnects: counter(
                &registry,
                "brandgraph_listener_reconnects_total",
                "Times the realtime listener lost its connection and reconnected.",
            ),
            held_back: gauge(
                &registry,
                "brandgraph_sequencer_held_back",
                "Change events held back above a gap in sequence numbers.",
            ),
            live_summaries: gauge(
                &registry,
                "brandgraph_live_summaries",
                "Shared live analyticsSummary and campaignSummary computations running.",
            ),
            subscribers,
            operation_names: Mutex::new(HashSet::new()),
            registry,
        }
    }
}

impl Metrics {
    /// The registry `/metrics` renders, for metrics kept elsewhere (e.g. the connection caps).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Counts and times every statement `db` (and its clones made afterwards) runs.
    pub fn instrument(self: &Arc<Self>, db: &mut DatabaseConnection) {
        let metrics = self.clone();
        db.set_metric_callback(move |info| {
            metrics.sql_statements.inc();
            metrics.sql_seconds.observe(info.elapsed.as_secs_f64());
        });
    }

    /// Records one GraphQL operation and its errors' codes.
    pub fn observe_operation(
        &self,
        kind: &str,
        name: Option<&str>,
        elapsed: Duration,
        codes: &[String],
    ) {
        let name = match name {
            None => "anonymous".to_string(),
            Some(name) => {
                let mut names = self
                    .operation_names
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                if names.contains(name) || names.len() < MAX_OPERATION_NAMES {
                    names.insert(name.to_string());
                    name.to_string()
                } else {
                    "other".to_string()
                }
            }
        };
        self.operation_seconds
            .with_label_values(&[kind, &name])
            .observe(elapsed.as_secs_f64());
        self.count_errors(codes.iter().map(String::as_str));
    }

    /// Counts errors by `extensions.code`: those raised while executing (through
    /// [`observe_operation`](Self::observe_operation)) and every refusal before execution
    /// (authentication, rate and size limits, parse, validation, persisted queries), on
    /// every transport.
    pub fn count_errors<'a>(&self, codes: impl IntoIterator<Item = &'a str>) {
        for code in codes {
            self.errors.with_label_values(&[code]).inc();
        }
    }

    /// Counts the errors of a response that was refused before execution (see
    /// [`crate::graphql::plain::is_request_error`]); executed ones are counted when timed.
    pub fn count_request_errors(&self, response: &async_graphql::Response) {
        if crate::graphql::plain::is_request_error(response) {
            self.count_errors(response.errors.iter().filter_map(|error| {
                match error.extensions.as_ref()?.get("code")? {
                    async_graphql::Value::String(code) => Some(code.as_str()),
                    _ => None,
                }
            }));
        }
    }

    /// The text exposition, with the hub's and the pool's current values.
    pub fn render(
        &self,
        realtime: &Realtime,
        audiences: &Audiences,
        db: &DatabaseConnection,
    ) -> String {
        let hub = &realtime.hub;
        self.live_summaries
            .set((realtime.summaries.running() + realtime.campaign_summaries.running()) as i64);
        let stats = hub.stats();
        let catch_up = |counter: &IntCounter, value: u64| {
            counter.inc_by(value.saturating_sub(counter.get()));
        };
        catch_up(
            &self.events_published,
            stats.published.load(Ordering::Relaxed),
        );
        catch_up(&self.subscriber_lag, stats.lagged.load(Ordering::Relaxed));
        catch_up(
            &self.events_replayed,
            stats.replayed.load(Ordering::Relaxed),
        );
        catch_up(
            &self.listener_reconnects,
            stats.listener_reconnects.load(Ordering::Relaxed),
        );
        self.held_back
            .set(stats.held_back.load(Ordering::Relaxed) as i64);
        self.live_channels.set(hub.channel_count() as i64);
        self.audiences.set(audiences.count() as i64);
        catch_up(&self.audience_departures, audiences.departures());
        catch_up(&self.compiled_events, audiences.compiled_events());
        self.subscribers.reset();
        for (topic, count) in hub.subscribers_by_topic() {
            self.subscribers
                .with_label_values(&[topic])
                .set(count as i64);
        }
        let pool = db.get_postgres_connection_pool();
        self.pool_connections
            .with_label_values(&["open"])
            .set(pool.size() as i64);
        self.pool_connections
            .with_label_values(&["idle"])
            .set(pool.num_idle() as i64);
        self.pool_connections
            .with_label_values(&["max"])
            .set(pool.options().get_max_connections() as i64);
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}
