//! A process-wide cache of users' brand roles, so most requests need no membership query.
//!
//! It is kept correct by the realtime side: every `brand_members` change becomes a change
//! event, and the hub invalidates the user's entry when it publishes it. While the realtime
//! listener is not connected those events cannot arrive, so the cache is cleared and
//! bypassed until it is back. A load that raced with an invalidation is not stored
//! (generation check), and entries also expire after [`TTL`] as a safety net.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::viewer::Memberships;

pub const TTL: Duration = Duration::from_secs(30);

#[derive(Default)]
pub struct MembershipCache {
    entries: Mutex<HashMap<Uuid, (Arc<Memberships>, Instant)>>,
    /// Bumped by every invalidation; a load started before a bump is not stored.
    generation: AtomicU64,
    enabled: AtomicBool,
}

impl MembershipCache {
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    pub fn get(&self, user: Uuid) -> Option<Arc<Memberships>> {
        if !self.enabled.load(Ordering::SeqCst) {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(&user)
            .filter(|(_, at)| at.elapsed() < TTL)
            .map(|(memberships, _)| memberships.clone())
    }

    /// Stores a load that started at `generation`, unless something was invalidated since.
    pub fn put(&self, user: Uuid, memberships: Arc<Memberships>, generation: u64) {
        if !self.enabled.load(Ordering::SeqCst) {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if self.generation.load(Ordering::SeqCst) == generation {
            entries.insert(user, (memberships, Instant::now()));
        }
    }

    pub fn invalidate(&self, user: Uuid) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::SeqCst);
        entries.remove(&user);
    }

    /// On when change events flow, off (and emptied) when they cannot.
    pub fn set_enabled(&self, enabled: bool) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.enabled.store(enabled, Ordering::SeqCst);
        if !enabled {
            entries.clear();
        }
    }
}
