//! Fan-out of released change events to subscribers, per (topic, brand).
//!
//! The listener publishes events in seq order together with the *watermark*: every seq
//! below it is final (released or proven never to exist). A subscriber stream is built on
//! that guarantee: it subscribes to its channel first, then replays `(cursor, watermark)`
//! from `change_events`, then follows the channel, skipping anything at or below its
//! cursor. When it falls behind and its bounded channel buffer overflows (`Lagged`), it
//! catches up from `change_events` the same way. Nothing is skipped, nothing repeats,
//! and order is by seq.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{broadcast, watch};
use uuid::Uuid;

use super::events::{ChangeEvent, Topic};
use crate::auth::MembershipCache;

/// The state of the LISTEN side, for `/readyz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListenerStatus {
    Starting,
    Ready,
    Reconnecting,
}

impl ListenerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Starting => "starting",
            Self::Ready => "ready",
            Self::Reconnecting => "reconnecting",
        }
    }
}

/// Counters for operators.
#[derive(Debug, Default)]
pub struct HubStats {
    /// Events published.
    pub published: AtomicU64,
    /// Times a subscriber overflowed its buffer and was caught up from the database.
    pub lagged: AtomicU64,
    /// Events a lagging subscriber re-read from the database.
    pub replayed: AtomicU64,
    /// Times the listener lost its connection and reconnected.
    pub listener_reconnects: AtomicU64,
    /// Events the sequencer holds back above a gap right now.
    pub held_back: AtomicU64,
}

type Key = (Topic, Uuid);

struct Inner {
    channels: Mutex<HashMap<Key, broadcast::Sender<Arc<ChangeEvent>>>>,
    memberships: Arc<MembershipCache>,
    watermark: watch::Sender<i64>,
    status: watch::Sender<ListenerStatus>,
    buffer: usize,
    stats: HubStats,
}

/// Cheap to clone; all clones share one hub.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

impl Hub {
    /// `buffer` is each channel's capacity: how far a subscriber may fall behind before it
    /// is caught up from the database.
    /// `memberships` is the cache (owned by `auth`) this hub invalidates as membership
    /// changes are published.
    pub fn new(buffer: usize, memberships: Arc<MembershipCache>) -> Self {
        Self {
            inner: Arc::new(Inner {
                channels: Mutex::new(HashMap::new()),
                memberships,
                watermark: watch::Sender::new(0),
                status: watch::Sender::new(ListenerStatus::Starting),
                buffer: buffer.max(1),
                stats: HubStats::default(),
            }),
        }
    }

    pub fn stats(&self) -> &HubStats {
        &self.inner.stats
    }

    pub fn status(&self) -> ListenerStatus {
        *self.inner.status.borrow()
    }

    pub fn set_status(&self, status: ListenerStatus) {
        // Membership changes reach the cache only through published events.
        self.inner
            .memberships
            .set_enabled(status == ListenerStatus::Ready);
        self.inner.status.send_replace(status);
    }

    /// Resolves once the listener is connected and has its starting position.
    pub async fn ready(&self) {
        let mut status = self.inner.status.subscribe();
        let _ = status.wait_for(|s| *s == ListenerStatus::Ready).await;
    }

    /// Every seq below this is final.
    pub fn watermark(&self) -> i64 {
        *self.inner.watermark.borrow()
    }

    /// A receiver that changes whenever the watermark moves.
    pub fn watch_watermark(&self) -> watch::Receiver<i64> {
        self.inner.watermark.subscribe()
    }

    /// The live channel of one topic and brand, created on first use.
    pub fn subscribe(&self, topic: Topic, brand: Uuid) -> broadcast::Receiver<Arc<ChangeEvent>> {
        let mut channels = self
            .inner
            .channels
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        channels
            .entry((topic, brand))
            .or_insert_with(|| broadcast::Sender::new(self.inner.buffer))
            .subscribe()
    }

    /// Number of live channels (for tests and metrics).
    pub fn channel_count(&self) -> usize {
        self.inner.channels.lock().map(|c| c.len()).unwrap_or(0)
    }

    /// Live subscribers per topic (receivers of the topic's channels).
    pub fn subscribers_by_topic(&self) -> HashMap<&'static str, usize> {
        let channels = self
            .inner
            .channels
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let mut counts = HashMap::new();
        for ((topic, _), sender) in channels.iter() {
            *counts.entry(topic.as_str()).or_default() += sender.receiver_count();
        }
        counts
    }

    /// Sends released events (in seq order) to their channels, drops channels nobody
    /// listens to any more, then moves the watermark to `watermark`.
    pub fn publish(&self, events: Vec<ChangeEvent>, watermark: i64) {
        if !events.is_empty() {
            let mut channels = self
                .inner
                .channels
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            for event in events {
                self.inner.stats.published.fetch_add(1, Ordering::Relaxed);
                if event.topic == Topic::Membership
                    && let Some(user) = event.entity_id
                {
                    self.inner.memberships.invalidate(user);
                }
                if event.topic == Topic::Brand {
                    self.inner.memberships.invalidate_all();
                }
                let Some(brand) = event.brand_id else {
                    continue;
                };
                let key = (event.topic, brand);
                if let Some(sender) = channels.get(&key)
                    && sender.send(Arc::new(event)).is_err()
                {
                    channels.remove(&key);
                }
            }
            channels.retain(|_, sender| sender.receiver_count() > 0);
        }
        self.inner.watermark.send_if_modified(|current| {
            let moved = watermark > *current;
            if moved {
                *current = watermark;
            }
            moved
        });
    }
}
