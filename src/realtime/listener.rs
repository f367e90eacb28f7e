//! The one dedicated PostgreSQL connection per process that LISTENs for wake-ups (or, in
//! poll mode, just polls), reads new rows of `change_events`, puts them in order with the
//! [`Sequencer`] and publishes them to the [`Hub`].
//!
//! A dropped connection is noticed at once when the server closes it (the connection
//! task ends), within a few seconds otherwise (TCP keepalives and a periodic read with a
//! timeout). The listener then reconnects with backoff and continues from its sequencer
//! position, so nothing committed in between is lost.

use std::str::FromStr;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, Client, NoTls};

use super::events::{COLUMNS, ChangeEvent};
use super::hub::{Hub, ListenerStatus};
use super::sequencer::Sequencer;
use crate::config::RealtimeMode;

pub const CHANNEL: &str = "brandgraph_events";
const READ_LIMIT: i64 = 1000;

#[derive(Debug, Clone)]
pub struct ListenerConfig {
    pub database_url: String,
    pub mode: RealtimeMode,
    pub poll_interval: Duration,
}

/// Runs forever: connect, read, publish; reconnect with backoff on any failure.
pub async fn run(hub: Hub, config: ListenerConfig) {
    let mut sequencer: Option<Sequencer> = None;
    let mut backoff = Duration::from_millis(50);
    loop {
        match session(&hub, &config, &mut sequencer, &mut backoff).await {
            Ok(()) => return,
            Err(err) => {
                hub.set_status(ListenerStatus::Reconnecting);
                tracing::warn!(error = %err, retry_in_ms = backoff.as_millis() as u64, "realtime listener disconnected");
                hub.stats()
                    .listener_reconnects
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
}

#[derive(Debug)]
struct ListenerError(String);

impl std::fmt::Display for ListenerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<tokio_postgres::Error> for ListenerError {
    fn from(err: tokio_postgres::Error) -> Self {
        match err.as_db_error() {
            Some(db) => Self(format!("{}: {}", db.code().code(), db.message())),
            None => Self(err.to_string()),
        }
    }
}

async fn connect(config: &ListenerConfig) -> Result<(Client, mpsc::Receiver<()>), ListenerError> {
    let mut pg = tokio_postgres::Config::from_str(&config.database_url)?;
    // It reads every brand's events: the service kind of row-level security
    // (`db::row_security`), for the session (a direct connection, never pooled).
    pg.application_name("brandgraph-listener")
        .options("-c brandgraph.kind=service")
        .connect_timeout(Duration::from_secs(5))
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(5))
        .keepalives_interval(Duration::from_secs(1))
        .keepalives_retries(3);
    let (client, mut connection) = pg.connect(NoTls).await?;
    // Wake-ups go through a channel of one: a pending wake-up already covers new ones.
    let (wake, wakes) = mpsc::channel(1);
    tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(_)) => {
                    let _ = wake.try_send(());
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(error = %err, "realtime connection failed");
                    break;
                }
            }
        }
        // Dropping `wake` tells the session that the connection is gone.
    });
    Ok((client, wakes))
}

async fn session(
    hub: &Hub,
    config: &ListenerConfig,
    sequencer: &mut Option<Sequencer>,
    backoff: &mut Duration,
) -> Result<(), ListenerError> {
    let (client, mut wakes) = connect(config).await?;
    if config.mode == RealtimeMode::Notify {
        client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    }
    if sequencer.is_none() {
        *sequencer = Some(starting_position(&client).await?);
    }
    let Some(sequencer) = sequencer.as_mut() else {
        return Err(ListenerError("no starting position".into()));
    };
    hub.publish(Vec::new(), sequencer.next_seq());
    hub.set_status(ListenerStatus::Ready);
    *backoff = Duration::from_millis(50);
    tracing::info!(next_seq = sequencer.next_seq(), mode = ?config.mode, "realtime listener ready");

    loop {
        let read = tokio::time::timeout(
            Duration::from_secs(5),
            read_and_publish(&client, sequencer, hub),
        );
        read.await
            .map_err(|_| ListenerError("read timed out".into()))??;
        let wait = if sequencer.has_gap() {
            Duration::from_millis(10)
        } else if config.mode == RealtimeMode::Poll {
            config.poll_interval
        } else {
            Duration::from_secs(1)
        };
        tokio::select! {
            woke = wakes.recv() => {
                if woke.is_none() {
                    return Err(ListenerError("connection closed".into()));
                }
            }
            () = tokio::time::sleep(wait) => {}
        }
        if wakes.is_closed() && wakes.is_empty() {
            return Err(ListenerError("connection closed".into()));
        }
    }
}

/// Where to start: after the highest seq visible now, once every transaction that was in
/// progress at that moment has finished (a lower seq of theirs could still appear; from
/// then on it is settled and reachable through replay).
async fn starting_position(client: &Client) -> Result<Sequencer, ListenerError> {
    let max_seq: i64 = client
        .query_one("SELECT coalesce(max(seq), 0) FROM change_events", &[])
        .await?
        .get(0);
    // Taken after the read, for the reason given in `read`.
    let snapshot = in_flight(client).await?;
    let started = tokio::time::Instant::now();
    while !settled(client, &snapshot).await? {
        if started.elapsed() > Duration::from_secs(10) {
            tracing::warn!("transactions older than the listener are still open; starting anyway");
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(Sequencer::new(max_seq))
}

/// The transactions holding an xid right now, as a comma-separated list.
///
/// Every transaction holds an exclusive lock on its own xid until it has ended and its
/// commit is visible, so `pg_locks` lists exactly the writers still in flight. (The
/// in-progress list of `pg_current_snapshot()` is not enough: since PostgreSQL 14 it omits
/// running transactions newer than the last completed one.)
async fn in_flight(client: &Client) -> Result<String, ListenerError> {
    let row = client
        .query_one(
            "SELECT coalesce(string_agg(transactionid::text, ','), '') FROM pg_locks
              WHERE locktype = 'transactionid' AND mode = 'ExclusiveLock' AND granted",
            &[],
        )
        .await?;
    Ok(row.get(0))
}

/// Whether every transaction of an [`in_flight`] list has ended.
async fn settled(client: &Client, in_flight: &str) -> Result<bool, ListenerError> {
    if in_flight.is_empty() {
        return Ok(true);
    }
    let row = client
        .query_one(
            "SELECT NOT EXISTS (
               SELECT 1 FROM pg_locks
                WHERE locktype = 'transactionid' AND mode = 'ExclusiveLock' AND granted
                  AND transactionid::text = ANY (string_to_array($1, ',')))",
            &[&in_flight],
        )
        .await?;
    Ok(row.get(0))
}

async fn read(client: &Client, from: i64) -> Result<(Vec<ChangeEvent>, String), ListenerError> {
    let rows = client
        .query(
            &format!("SELECT {COLUMNS} FROM change_events WHERE seq >= $1 ORDER BY seq LIMIT {READ_LIMIT}"),
            &[&from],
        )
        .await?;
    // The in-flight list is taken *after* the read: a seq missing below a row the read saw
    // was allocated by a transaction that had started before the read, so if it is still
    // running it is in this list, and once the list has drained a later read sees
    // everything it committed.
    let snapshot = in_flight(client).await?;
    let mut events = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Some(event) = ChangeEvent::from_row(row)? {
            events.push(event);
        }
    }
    Ok((events, snapshot))
}

async fn read_and_publish(
    client: &Client,
    sequencer: &mut Sequencer,
    hub: &Hub,
) -> Result<(), ListenerError> {
    loop {
        // Check whether the current gap's writers finished *before* reading, so the read
        // below sees everything they committed.
        let gap_settled = match sequencer.gap_snapshot() {
            Some(snapshot) => settled(client, snapshot).await?,
            None => false,
        };
        let gap_at = sequencer.next_seq();
        let (events, snapshot) = read(client, gap_at).await?;
        let full = events.len() as i64 == READ_LIMIT;
        let mut released = sequencer.accept(events, &snapshot);
        if gap_settled && sequencer.has_gap() && sequencer.next_seq() == gap_at {
            let resumed = sequencer.abandon_gap(&snapshot);
            if let Some(first) = resumed.first() {
                tracing::debug!(
                    from = gap_at,
                    to = first.seq - 1,
                    "skipped seqs that will never commit"
                );
            }
            released.extend(resumed);
        }
        let progressed = !released.is_empty();
        hub.stats().held_back.store(
            sequencer.held_count() as u64,
            std::sync::atomic::Ordering::Relaxed,
        );
        hub.publish(released, sequencer.next_seq());
        // A full page means more rows wait; read on while that makes progress.
        if !(full && progressed) {
            return Ok(());
        }
    }
}
