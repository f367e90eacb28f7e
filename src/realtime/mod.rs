//! Realtime: change capture read from PostgreSQL and fanned out to subscriptions.
//!
//! Triggers (migration `011_change_capture`) append to `change_events` and NOTIFY; the
//! [`listener`] reads them in order ([`sequencer`]) and publishes to the [`hub`];
//! [`stream`] turns the hub into lossless per-subscriber streams; [`summary`] shares live
//! aggregates; [`retention`] prunes old events.

pub mod events;
pub mod hub;
pub mod listener;
pub mod membership;
pub mod retention;
pub mod sequencer;
pub mod stream;
pub mod summary;

pub use crate::config::RealtimeMode;
pub use hub::{Hub, ListenerStatus};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::auth::MembershipCache;
use crate::config::RealtimeConfig;
use crate::loaders::analytics::SummaryKey;
use summary::{CampaignSummaryKey, Summaries};

/// Everything subscriptions need, shared by the whole process.
#[derive(Clone)]
pub struct Realtime {
    pub hub: Hub,
    /// Live `analyticsSummary` computations.
    pub summaries: Summaries<SummaryKey>,
    /// Live `campaignSummary` computations.
    pub campaign_summaries: Summaries<CampaignSummaryKey>,
    pub config: RealtimeConfig,
    connections: Arc<Mutex<HashMap<Uuid, usize>>>,
}

impl Realtime {
    /// Starts the listener and the pruner. The hub invalidates `memberships` as
    /// `brand_members` changes arrive.
    pub fn start(
        db: &DatabaseConnection,
        database_url: &str,
        config: RealtimeConfig,
        memberships: Arc<MembershipCache>,
    ) -> Self {
        let hub = Hub::new(config.subscriber_buffer, memberships);
        tokio::spawn(listener::run(
            hub.clone(),
            listener::ListenerConfig {
                database_url: database_url.to_string(),
                mode: config.realtime_mode,
                poll_interval: Duration::from_millis(config.poll_interval_ms.max(1)),
            },
        ));
        tokio::spawn(retention::run(
            db.clone(),
            hub.clone(),
            Duration::from_secs(config.event_retention_secs),
            Duration::from_secs(config.prune_interval_secs.max(1)),
        ));
        Self {
            hub,
            summaries: Summaries::default(),
            campaign_summaries: Summaries::default(),
            config,
            connections: Arc::default(),
        }
    }

    /// Counts a websocket connection of `user`; `None` when the user is at the limit.
    /// The connection is released when the guard drops.
    pub fn open_connection(&self, user: Uuid) -> Option<ConnectionGuard> {
        let mut connections = self.connections.lock().unwrap_or_else(|e| e.into_inner());
        let count = connections.entry(user).or_default();
        if *count >= self.config.max_connections_per_user {
            return None;
        }
        *count += 1;
        Some(ConnectionGuard {
            user,
            connections: self.connections.clone(),
        })
    }
}

/// One open websocket connection of a user.
pub struct ConnectionGuard {
    user: Uuid,
    connections: Arc<Mutex<HashMap<Uuid, usize>>>,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        let mut connections = self.connections.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = connections.get_mut(&self.user) {
            *count -= 1;
            if *count == 0 {
                connections.remove(&self.user);
            }
        }
    }
}
