//! Process counters served at `/metrics` in the Prometheus text format.

use std::fmt::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sea_orm::DatabaseConnection;

use crate::realtime::Hub;

#[derive(Debug, Default)]
pub struct Metrics {
    /// SQL statements sent through the pool.
    pub sql_statements: AtomicU64,
    /// GraphQL requests over HTTP.
    pub graphql_requests: AtomicU64,
}

impl Metrics {
    /// Counts every statement `db` (and its clones made afterwards) runs.
    pub fn instrument(self: &Arc<Self>, db: &mut DatabaseConnection) {
        let metrics = self.clone();
        db.set_metric_callback(move |_| {
            metrics.sql_statements.fetch_add(1, Ordering::Relaxed);
        });
    }

    pub fn render(&self, hub: &Hub) -> String {
        let stats = hub.stats();
        let mut out = String::new();
        for (name, help, value) in [
            (
                "brandgraph_sql_statements_total",
                "SQL statements run through the pool.",
                self.sql_statements.load(Ordering::Relaxed),
            ),
            (
                "brandgraph_graphql_requests_total",
                "GraphQL requests over HTTP.",
                self.graphql_requests.load(Ordering::Relaxed),
            ),
            (
                "brandgraph_events_published_total",
                "Change events published to subscribers.",
                stats.published.load(Ordering::Relaxed),
            ),
            (
                "brandgraph_subscriber_lag_total",
                "Times a subscriber overflowed its buffer and was caught up from the database.",
                stats.lagged.load(Ordering::Relaxed),
            ),
            (
                "brandgraph_events_replayed_total",
                "Events re-read from the database for replays and catch-ups.",
                stats.replayed.load(Ordering::Relaxed),
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP brandgraph_live_channels Live (topic, brand) channels.\n# TYPE brandgraph_live_channels gauge\nbrandgraph_live_channels {}",
            hub.channel_count()
        );
        out
    }
}
