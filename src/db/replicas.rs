//! Read replicas with read-your-writes.
//!
//! Query operations over HTTP read from a streaming replica; mutations, websocket
//! operations (subscriptions and their replays), the realtime listener and background
//! jobs use the primary. Which pool a read gets is decided once per operation by
//! [`ReadRouter::read`]:
//!
//! - A replica is usable while its last poll succeeded and its replay lag is at most
//!   `BRANDGRAPH_REPLICA_MAX_LAG_MS`. Every poll interval (100 ms by default) the router
//!   reads the primary's `pg_current_wal_lsn()` and each replica's
//!   `pg_last_wal_replay_lsn()`. The lag is measured in time, not bytes: the router keeps
//!   when it first saw each primary position ([`WalHistory`]), and a replica's lag is how
//!   long ago the primary reached the first position the replica has not replayed (zero
//!   when it has replayed everything seen; an idle primary does not make it look late).
//! - Read-your-writes: after a viewer's mutation commits, the primary's
//!   `pg_current_wal_lsn()` is recorded for that viewer (a *mark*; in this process's
//!   memory). That viewer's reads go to a replica only once the replica's replayed
//!   position has passed the mark; until then, they go to the primary. A mark is kept at
//!   most `BRANDGRAPH_REPLICA_PIN_MS` (never less than the maximum lag: a usable replica
//!   has by then replayed the write). Marks are per process: behind a load balancer
//!   without affinity, a viewer's next read can land on another gateway, which has no mark
//!   for it; it then reads from a replica at most the maximum lag behind. Pin viewers to
//!   a gateway, or keep the maximum lag small, where that matters.
//! - A read whose replica fails (stopped, restarted, unreachable) is answered by the
//!   primary, and that replica is skipped until a poll succeeds again.
//!
//! Metrics (with replicas configured): `brandgraph_db_reads_total{target}` (query
//! operations per database),
//! `brandgraph_db_replica_lag_seconds{target}`, `brandgraph_db_replica_up{target}`,
//! `brandgraph_db_replica_fallbacks_total`.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use prometheus::{GaugeVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use uuid::Uuid;

use crate::auth::Principal;
use crate::config::DatabaseConfig;

/// The label of the primary in the metrics.
pub const PRIMARY: &str = "primary";

/// Who wrote: the key of a read-your-writes mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Writer {
    Service,
    User(Uuid),
}

impl Writer {
    /// The writer a caller is; `None` for anonymous callers (they cannot write).
    pub fn of(principal: Option<&Principal>) -> Option<Self> {
        match principal? {
            Principal::Service { .. } => Some(Self::Service),
            Principal::User { id, .. } => Some(Self::User(*id)),
        }
    }
}

/// The pool one operation reads from.
#[derive(Clone)]
pub struct Route {
    pub db: DatabaseConnection,
    /// Which replica, or `None` for the primary.
    replica: Option<usize>,
}

impl Route {
    pub fn is_replica(&self) -> bool {
        self.replica.is_some()
    }
}

/// What the last poll of a replica found.
#[derive(Clone, Copy, Debug, Default)]
struct Status {
    up: bool,
    replay: u64,
    lag: Duration,
}

struct Replica {
    label: String,
    db: DatabaseConnection,
    status: Mutex<Status>,
}

impl Replica {
    fn status(&self) -> Status {
        *self.status.lock().unwrap_or_else(|e| e.into_inner())
    }
    fn set(&self, status: Status) {
        *self.status.lock().unwrap_or_else(|e| e.into_inner()) = status;
    }
}

/// A viewer's last write: its position on the primary, and until when it is kept.
#[derive(Clone, Copy, Debug)]
struct Mark {
    lsn: u64,
    until: Instant,
}

struct RouterMetrics {
    reads: IntCounterVec,
    lag: GaugeVec,
    up: IntGaugeVec,
    fallbacks: IntCounter,
}

impl RouterMetrics {
    fn register(registry: &Registry) -> anyhow::Result<Self> {
        let reads = IntCounterVec::new(
            Opts::new(
                "brandgraph_db_reads_total",
                "Query operations by the database they read from (primary or a replica).",
            ),
            &["target"],
        )?;
        let lag = GaugeVec::new(
            Opts::new(
                "brandgraph_db_replica_lag_seconds",
                "How long ago the primary wrote the oldest change a replica has not replayed.",
            ),
            &["target"],
        )?;
        let up = IntGaugeVec::new(
            Opts::new(
                "brandgraph_db_replica_up",
                "1 while a replica answers its polls and is within the maximum lag.",
            ),
            &["target"],
        )?;
        let fallbacks = IntCounter::new(
            "brandgraph_db_replica_fallbacks_total",
            "Reads a replica failed and the primary answered.",
        )?;
        registry.register(Box::new(reads.clone()))?;
        registry.register(Box::new(lag.clone()))?;
        registry.register(Box::new(up.clone()))?;
        registry.register(Box::new(fallbacks.clone()))?;
        Ok(Self {
            reads,
            lag,
            up,
            fallbacks,
        })
    }
}

/// Chooses the pool of each read; see the module documentation.
pub struct ReadRouter {
    primary: DatabaseConnection,
    replicas: Vec<Replica>,
    max_lag: Duration,
    pin: Duration,
    poll_interval: Duration,
    marks: Mutex<HashMap<Writer, Mark>>,
    history: Mutex<WalHistory>,
    next: AtomicUsize,
    metrics: RouterMetrics,
}

impl ReadRouter {
    /// A router over `primary` and the configured replicas (connected lazily), with its
    /// metrics in `registry`. With replicas, it polls them once before returning and then
    /// every poll interval, until the router is dropped.
    pub async fn start(
        config: &DatabaseConfig,
        primary: DatabaseConnection,
        registry: &Registry,
    ) -> anyhow::Result<Arc<Self>> {
        let mut replicas = Vec::new();
        for (index, url) in config.replicas.replica_urls.iter().enumerate() {
            replicas.push(Replica {
                label: target_label(url, index),
                db: super::connect_replica(config, url).await?,
                status: Mutex::default(),
            });
        }
        let router = Arc::new(Self {
            primary,
            replicas,
            max_lag: config.replicas.max_lag(),
            pin: config.replicas.pin(),
            poll_interval: config.replicas.poll_interval(),
            marks: Mutex::default(),
            history: Mutex::default(),
            next: AtomicUsize::new(0),
            metrics: RouterMetrics::register(registry)?,
        });
        if !router.replicas.is_empty() {
            router.poll().await;
            tokio::spawn(poll_until_dropped(Arc::downgrade(&router)));
        }
        Ok(router)
    }

    pub fn has_replicas(&self) -> bool {
        !self.replicas.is_empty()
    }

    /// The primary, for operations that write (not counted as a read).
    pub fn primary(&self) -> Route {
        Route {
            db: self.primary.clone(),
            replica: None,
        }
    }

    /// The pool a query operation of `writer` reads from: a usable replica that has
    /// replayed the writer's last write, else the primary.
    pub fn read(&self, writer: Option<Writer>) -> Route {
        if self.replicas.is_empty() {
            return self.primary();
        }
        let route = self.choose(writer);
        let label = route
            .replica
            .map_or(PRIMARY, |index| self.replicas[index].label.as_str());
        self.metrics.reads.with_label_values(&[label]).inc();
        route
    }

    fn choose(&self, writer: Option<Writer>) -> Route {
        let now = Instant::now();
        let required = writer
            .and_then(|writer| self.marks().get(&writer).copied())
            .filter(|mark| mark.until > now)
            .map_or(0, |mark| mark.lsn);
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..self.replicas.len())
            .map(|offset| (start + offset) % self.replicas.len())
            .find(|&index| {
                let status = self.replicas[index].status();
                status.up && status.lag <= self.max_lag && status.replay >= required
            })
            .map_or_else(
                || self.primary(),
                |index| Route {
                    db: self.replicas[index].db.clone(),
                    replica: Some(index),
                },
            )
    }

    /// Records that `writer`'s mutation has committed: its reads stay on the primary until
    /// a replica has replayed the primary's current position. If that position cannot be
    /// read, the writer stays on the primary for the whole bound.
    pub async fn wrote(&self, writer: Writer) {
        if self.replicas.is_empty() {
            return;
        }
        let lsn = match current_lsn(&self.primary).await {
            Some(lsn) => {
                self.history().record(lsn, Instant::now(), self.keep());
                lsn
            }
            None => u64::MAX,
        };
        let until = Instant::now() + self.pin;
        let mut marks = self.marks();
        let mark = marks.entry(writer).or_insert(Mark { lsn, until });
        mark.lsn = mark.lsn.max(lsn);
        mark.until = until;
    }

    /// A read on `route` failed: if it was a replica's, that replica is skipped until a
    /// poll succeeds again, and the caller answers from the primary.
    pub fn failed(&self, route: &Route) {
        if let Some(index) = route.replica {
            let replica = &self.replicas[index];
            replica.set(Status {
                up: false,
                ..replica.status()
            });
            self.metrics
                .up
                .with_label_values(&[replica.label.as_str()])
                .set(0);
            self.metrics.fallbacks.inc();
            tracing::warn!(replica = %replica.label, "a read failed on a replica; the primary answers");
        }
    }

    /// Counts a read that moved from a replica to the primary.
    pub fn count_primary_read(&self) {
        self.metrics.reads.with_label_values(&[PRIMARY]).inc();
    }

    /// How long primary positions are remembered: longer than any lag that still counts.
    fn keep(&self) -> Duration {
        self.max_lag * 2 + Duration::from_secs(1)
    }

    fn marks(&self) -> std::sync::MutexGuard<'_, HashMap<Writer, Mark>> {
        self.marks.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn history(&self) -> std::sync::MutexGuard<'_, WalHistory> {
        self.history.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One round of polls: the primary's position, then every replica's, at once.
    async fn poll(&self) {
        let deadline = (self.poll_interval * 5).max(Duration::from_secs(1));
        if let Ok(Some(lsn)) = tokio::time::timeout(deadline, current_lsn(&self.primary)).await {
            self.history().record(lsn, Instant::now(), self.keep());
        }
        let replays = futures_util::future::join_all(
            self.replicas
                .iter()
                .map(|replica| tokio::time::timeout(deadline, replay_lsn(&replica.db))),
        )
        .await;
        let now = Instant::now();
        // The least replayed position among usable replicas.
        let mut lowest_usable = None::<u64>;
        for (replica, replay) in self.replicas.iter().zip(replays) {
            let label = [replica.label.as_str()];
            let status = match replay {
                Ok(Ok(Some(replay))) => {
                    let lag = self.history().lag(replay, now);
                    Status {
                        up: true,
                        replay,
                        lag,
                    }
                }
                Ok(Ok(None)) => {
                    tracing::warn!(replica = %replica.label, "not a standby (no replay position): skipped");
                    Status::default()
                }
                Ok(Err(err)) => {
                    tracing::debug!(replica = %replica.label, error = %err, "replica poll failed");
                    Status::default()
                }
                Err(_) => Status::default(),
            };
            replica.set(status);
            let usable = status.up && status.lag <= self.max_lag;
            self.metrics
                .up
                .with_label_values(&label)
                .set(i64::from(usable));
            self.metrics
                .lag
                .with_label_values(&label)
                .set(status.lag.as_secs_f64());
            if usable {
                lowest_usable = Some(lowest_usable.map_or(status.replay, |l| l.min(status.replay)));
            }
        }
        // Marks every usable replica has passed, or past their bound, are done with (with
        // no replica usable, they are kept until their bound).
        self.marks()
            .retain(|_, mark| mark.until > now && lowest_usable.is_none_or(|r| r < mark.lsn));
    }
}

async fn poll_until_dropped(router: Weak<ReadRouter>) {
    loop {
        let Some(router) = router.upgrade() else {
            return;
        };
        let interval = router.poll_interval;
        router.poll().await;
        drop(router);
        tokio::time::sleep(interval).await;
    }
}

async fn current_lsn(db: &DatabaseConnection) -> Option<u64> {
    lsn_of(db, "SELECT pg_current_wal_lsn()::text").await.ok()?
}

async fn replay_lsn(db: &DatabaseConnection) -> Result<Option<u64>, sea_orm::DbErr> {
    lsn_of(db, "SELECT pg_last_wal_replay_lsn()::text").await
}

async fn lsn_of(db: &DatabaseConnection, sql: &str) -> Result<Option<u64>, sea_orm::DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await?;
    Ok(row
        .and_then(|row| row.try_get_by_index::<Option<String>>(0).ok().flatten())
        .and_then(|text| parse_lsn(&text)))
}

/// A `pg_lsn` in its text form (`16/B374D848`) as a number.
pub fn parse_lsn(text: &str) -> Option<u64> {
    let (high, low) = text.trim().split_once('/')?;
    let high = u64::from_str_radix(high, 16).ok()?;
    let low = u64::from_str_radix(low, 16).ok()?;
    (high <= u64::from(u32::MAX) && low <= u64::from(u32::MAX)).then_some(high << 32 | low)
}

/// A replica's metrics label: its `host:port` (never its credentials).
fn target_label(url: &str, index: usize) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    if host.is_empty() {
        format!("replica{index}")
    } else {
        host.to_string()
    }
}

/// When the router first saw each position of the primary's WAL (only increases are
/// kept, so an idle primary adds nothing).
#[derive(Debug, Default)]
pub struct WalHistory {
    samples: VecDeque<(u64, Instant)>,
}

impl WalHistory {
    /// Notes that the primary was at `lsn` at `now`; forgets positions older than `keep`,
    /// except the newest.
    pub fn record(&mut self, lsn: u64, now: Instant, keep: Duration) {
        if self.samples.back().is_none_or(|&(last, _)| lsn > last) {
            self.samples.push_back((lsn, now));
        }
        while self.samples.len() > 1
            && self
                .samples
                .front()
                .is_some_and(|&(_, at)| now.duration_since(at) > keep)
        {
            self.samples.pop_front();
        }
    }

    /// How far behind a replica that has replayed up to `replay` is at `now`: the age of
    /// the oldest position seen on the primary that it has not replayed.
    pub fn lag(&self, replay: u64, now: Instant) -> Duration {
        self.samples
            .iter()
            .find(|&&(lsn, _)| lsn > replay)
            .map_or(Duration::ZERO, |&(_, at)| now.duration_since(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsns_parse_from_their_text_form_in_order() {
        assert_eq!(parse_lsn("0/0"), Some(0));
        assert_eq!(parse_lsn("16/B374D848"), Some(0x16_B374_D848));
        assert!(parse_lsn("1/0") > parse_lsn("0/FFFFFFFF"));
        assert_eq!(parse_lsn("nonsense"), None);
        assert_eq!(parse_lsn("1/G"), None);
    }

    #[test]
    fn a_replica_that_replayed_everything_seen_has_no_lag_even_when_the_primary_is_idle() {
        let start = Instant::now();
        let mut history = WalHistory::default();
        history.record(100, start, Duration::from_secs(10));
        let later = start + Duration::from_secs(60);
        history.record(100, later, Duration::from_secs(10));
        assert_eq!(history.lag(100, later), Duration::ZERO);
        assert_eq!(history.lag(150, later), Duration::ZERO);
    }

    #[test]
    fn lag_is_the_age_of_the_oldest_position_not_replayed() {
        let start = Instant::now();
        let keep = Duration::from_secs(100);
        let mut history = WalHistory::default();
        history.record(100, start, keep);
        history.record(200, start + Duration::from_secs(1), keep);
        history.record(300, start + Duration::from_secs(2), keep);
        let now = start + Duration::from_secs(5);
        assert_eq!(history.lag(150, now), Duration::from_secs(4));
        assert_eq!(history.lag(99, now), Duration::from_secs(5));
        assert_eq!(history.lag(300, now), Duration::ZERO);
    }

    #[test]
    fn old_positions_are_forgotten_but_the_newest_is_kept() {
        let start = Instant::now();
        let keep = Duration::from_secs(2);
        let mut history = WalHistory::default();
        history.record(100, start, keep);
        history.record(200, start + Duration::from_secs(1), keep);
        let now = start + Duration::from_secs(30);
        history.record(200, now, keep);
        // A replica still before 200 is as late as the newest position's age.
        assert_eq!(history.lag(150, now), Duration::from_secs(29));
        assert_eq!(history.samples.len(), 1);
    }

    #[test]
    fn replica_labels_name_the_host_never_the_credentials() {
        assert_eq!(
            target_label(
                "postgres://app:s3cret@db-2:5433/brandgraph?sslmode=require",
                0
            ),
            "db-2:5433"
        );
        assert_eq!(
            target_label("postgres://127.0.0.1:6543/x", 1),
            "127.0.0.1:6543"
        );
        assert_eq!(target_label("postgres:///x", 2), "replica2");
    }
}
