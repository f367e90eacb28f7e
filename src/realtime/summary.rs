//! Live aggregates: one computation per key, shared by every subscriber of that key.
//! After a relevant change the aggregate is recomputed once the burst has settled (at
//! most one recompute per [`COALESCE`] per key) and pushed to all.
//!
//! A key ([`LiveKey`]) says which events of which brand move its aggregate and how to
//! compute it: the brand's `analyticsSummary` for one window ([`SummaryKey`]) and a
//! campaign's summary ([`CampaignSummaryKey`]).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection};
use tokio::sync::{broadcast::error::RecvError, watch};
use uuid::Uuid;

use super::events::{ChangeEvent, Topic};
use super::hub::Hub;
use crate::domain::marketing::rollup::{self, CampaignSummary};
use crate::loaders::analytics::{Summary, SummaryKey, summaries_from_rows, summary_statement};

/// Bursts of changes within this window cost one recompute.
pub const COALESCE: Duration = Duration::from_millis(100);

/// What a live aggregate is computed for.
pub trait LiveKey: Clone + Eq + Hash + Send + Sync + 'static {
    /// The aggregate.
    type Value: Send + Sync + 'static;
    /// The topic whose events may move it.
    fn topic(&self) -> Topic;
    /// The brand whose events may move it.
    fn brand(&self) -> Uuid;
    /// Whether this event of the topic and brand moves it.
    fn relevant(&self, event: &ChangeEvent) -> bool;
    /// Computes it now; `None` when that failed (logged; the last value stays).
    fn compute(&self, db: &DatabaseConnection) -> impl Future<Output = Option<Self::Value>> + Send;
}

/// A computed aggregate, numbered so subscribers can tell pushes apart.
#[derive(Debug)]
pub struct Computed<V> {
    pub version: u64,
    pub summary: V,
}

pub type Slot<V> = watch::Receiver<Option<Arc<Computed<V>>>>;
type Feed<V> = watch::Sender<Option<Arc<Computed<V>>>>;

/// The shared computations, by key. The map holds each computation's sender, never a
/// receiver: a computation ends when its last subscriber's receiver is dropped.
pub struct Summaries<K: LiveKey> {
    live: Arc<Mutex<HashMap<K, Feed<K::Value>>>>,
}

impl<K: LiveKey> Clone for Summaries<K> {
    fn clone(&self) -> Self {
        Self {
            live: self.live.clone(),
        }
    }
}

impl<K: LiveKey> Default for Summaries<K> {
    fn default() -> Self {
        Self {
            live: Arc::default(),
        }
    }
}

impl<K: LiveKey> Summaries<K> {
    /// A receiver of the key's aggregates; starts the computation if nobody watches it yet.
    pub fn watch(&self, hub: &Hub, db: &DatabaseConnection, key: K) -> Slot<K::Value> {
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
    fn forget_if_unwatched(&self, key: &K) -> bool {
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

impl LiveKey for SummaryKey {
    type Value = Summary;

    fn topic(&self) -> Topic {
        Topic::Analytics
    }

    fn brand(&self) -> Uuid {
        self.brand
    }

    fn relevant(&self, event: &ChangeEvent) -> bool {
        match &self.platform {
            None => true,
            Some(platform) => event.payload["platform"].as_str() == Some(platform.as_str()),
        }
    }

    async fn compute(&self, db: &DatabaseConnection) -> Option<Summary> {
        let statement = summary_statement(&[self.brand], self.days, self.platform.as_deref());
        match db.query_all_raw(statement).await {
            Ok(rows) => match summaries_from_rows(rows) {
                Ok(mut by_brand) => Some(by_brand.remove(&self.brand).unwrap_or_default()),
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
}

/// One campaign's summary: its rollup row, re-read after each change of that row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CampaignSummaryKey {
    pub brand: Uuid,
    pub campaign: Uuid,
}

impl LiveKey for CampaignSummaryKey {
    type Value = CampaignSummary;

    fn topic(&self) -> Topic {
        Topic::CampaignSummary
    }

    fn brand(&self) -> Uuid {
        self.brand
    }

    fn relevant(&self, event: &ChangeEvent) -> bool {
        event.entity_id == Some(self.campaign)
    }

    async fn compute(&self, db: &DatabaseConnection) -> Option<CampaignSummary> {
        match rollup::load(db, self.campaign).await {
            Ok(summary) => summary,
            Err(err) => {
                tracing::error!(error = ?err, "reading a live campaign summary failed");
                None
            }
        }
    }
}

async fn compute<K: LiveKey>(
    hub: Hub,
    db: DatabaseConnection,
    key: K,
    tx: Feed<K::Value>,
    summaries: Summaries<K>,
) {
    let mut changes = hub.subscribe(key.topic(), key.brand());
    let mut version = 0;
    let mut dirty = true;
    loop {
        if dirty {
            dirty = false;
            if let Some(summary) = key.compute(&db).await {
                version += 1;
                tx.send_replace(Some(Arc::new(Computed { version, summary })));
            }
        }
        tokio::select! {
            () = tx.closed() => if summaries.forget_if_unwatched(&key) { return } else { continue },
            change = changes.recv() => match change {
                Ok(event) if key.relevant(&event) => dirty = true,
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
