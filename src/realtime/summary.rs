//! Live `analyticsSummary`: one computation per (brand, days, platform), shared by every
//! subscriber of that key. After an analytics change the summary is recomputed once the
//! burst has settled (at most one recompute per [`COALESCE`] per key) and pushed to all.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection};
use tokio::sync::{broadcast::error::RecvError, watch};

use super::events::Topic;
use super::hub::Hub;
use crate::loaders::analytics::{Summary, SummaryKey, summaries_from_rows, summary_statement};

/// Bursts of changes within this window cost one recompute.
pub const COALESCE: Duration = Duration::from_millis(100);

/// A computed summary, numbered so subscribers can tell pushes apart.
#[derive(Debug, Clone)]
pub struct Computed {
    pub version: u64,
    pub summary: Summary,
}

type Slot = watch::Receiver<Option<Arc<Computed>>>;
type Feed = watch::Sender<Option<Arc<Computed>>>;

/// The shared computations, by key. The map holds each computation's sender, never a
/// receiver: a computation ends when its last subscriber's receiver is dropped.
#[derive(Clone, Default)]
pub struct Summaries {
    live: Arc<Mutex<HashMap<SummaryKey, Feed>>>,
}

impl Summaries {
    /// A receiver of the key's summaries; starts the computation if nobody watches it yet.
    pub fn watch(&self, hub: &Hub, db: &DatabaseConnection, key: SummaryKey) -> Slot {
        let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(feed) = live.get(&key) {
            return feed.subscribe();
        }
        let (tx, rx) = watch::channel(None);
        live.insert(key.clone(), tx.clone());
        tokio::spawn(compute(hub.clone(), db.clone(), key, tx, self.clone()));
        rx
    }

    /// How many computations are running.
    pub fn running(&self) -> usize {
        self.live.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Ends the key's computation unless a subscriber arrived since its last receiver was
    /// dropped (`watch` and this run under the same lock, so none is left without one).
    fn forget_if_unwatched(&self, key: &SummaryKey) -> bool {
        let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        match live.get(key) {
            Some(feed) if feed.receiver_count() > 0 => false,
            _ => {
                live.remove(key);
                true
            }
        }
    }
}

async fn summarize(db: &DatabaseConnection, key: &SummaryKey) -> Option<Summary> {
    let statement = summary_statement(&[key.brand], key.days, key.platform.as_deref());
    match db.query_all_raw(statement).await {
        Ok(rows) => match summaries_from_rows(rows) {
            Ok(mut by_brand) => Some(by_brand.remove(&key.brand).unwrap_or_default()),
            Err(err) => {
                tracing::error!(error = %err, "reading a live summary failed");
                None
            }
        },
        Err(err) => {
            tracing::error!(error = %err, "computing a live summary failed");
            None
        }
    }
}

async fn compute(
    hub: Hub,
    db: DatabaseConnection,
    key: SummaryKey,
    tx: Feed,
    summaries: Summaries,
) {
    let mut changes = hub.subscribe(Topic::Analytics, key.brand);
    let mut version = 0;
    let relevant = |payload: &serde_json::Value| match &key.platform {
        None => true,
        Some(platform) => payload["platform"].as_str() == Some(platform.as_str()),
    };
    let mut dirty = true;
    loop {
        if dirty {
            dirty = false;
            if let Some(summary) = summarize(&db, &key).await {
                version += 1;
                tx.send_replace(Some(Arc::new(Computed { version, summary })));
            }
        }
        tokio::select! {
            () = tx.closed() => if summaries.forget_if_unwatched(&key) { return } else { continue },
            change = changes.recv() => match change {
                Ok(event) if relevant(&event.payload) => dirty = true,
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => dirty = true,
                Err(RecvError::Closed) => {
                    summaries.live.lock().unwrap_or_else(|e| e.into_inner()).remove(&key);
                    return;
                }
            }
        }
        if dirty {
            // Let the rest of the burst arrive, then recompute once for all of it.
            tokio::time::sleep(COALESCE).await;
            while let Ok(_) | Err(tokio::sync::broadcast::error::TryRecvError::Lagged(_)) =
                changes.try_recv()
            {}
        }
    }
}
