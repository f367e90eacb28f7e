//! A process-wide cache of users' brand roles, so most requests need no membership query.
//!
//! It is kept correct by the realtime side: every `brand_members` change becomes a change
//! event, and the hub invalidates the user's entry when it publishes it. While the realtime
//! listener is not connected those events cannot arrive, so the cache is cleared and
//! bypassed until it is back. A load that raced with an invalidation is not stored
//! (generation check). Entries expire after [`TTL`] as a safety net, and the cache holds
//! at most [`CAPACITY`] users (moka evicts the least useful beyond that).

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use moka::sync::Cache;
use uuid::Uuid;

use super::viewer::Memberships;

pub const TTL: Duration = Duration::from_secs(30);
pub const CAPACITY: u64 = 100_000;

pub struct MembershipCache {
    entries: Cache<Uuid, Arc<Memberships>>,
    /// Bumped by every invalidation; a load started before a bump is not stored.
    generation: AtomicU64,
    enabled: AtomicBool,
    /// Orders stores against invalidations (reads do not take it).
    writes: Mutex<()>,
}

impl Default for MembershipCache {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl MembershipCache {
    pub fn with_capacity(capacity: u64) -> Self {
        Self {
            entries: Cache::builder()
                .max_capacity(capacity)
                .time_to_live(TTL)
                .build(),
            generation: AtomicU64::new(0),
            enabled: AtomicBool::new(false),
            writes: Mutex::new(()),
        }
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    pub fn get(&self, user: Uuid) -> Option<Arc<Memberships>> {
        if !self.enabled.load(Ordering::SeqCst) {
            return None;
        }
        self.entries.get(&user)
    }

    /// Stores a load that started at `generation`, unless something was invalidated since.
    pub fn put(&self, user: Uuid, memberships: Arc<Memberships>, generation: u64) {
        let _writes = self.writes.lock().unwrap_or_else(|e| e.into_inner());
        if self.enabled.load(Ordering::SeqCst) && self.generation() == generation {
            self.entries.insert(user, memberships);
        }
    }

    pub fn invalidate(&self, user: Uuid) {
        let _writes = self.writes.lock().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.entries.invalidate(&user);
    }

    /// Forgets every user (a brand was archived or restored: its members' roles changed
    /// meaning at once).
    pub fn invalidate_all(&self) {
        let _writes = self.writes.lock().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.entries.invalidate_all();
    }

    /// On when change events flow, off (and emptied) when they cannot.
    pub fn set_enabled(&self, enabled: bool) {
        let _writes = self.writes.lock().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.enabled.store(enabled, Ordering::SeqCst);
        if !enabled {
            self.entries.invalidate_all();
        }
    }

    /// Users currently cached (approximate; for metrics and tests).
    pub fn len(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_holds_at_most_its_capacity() {
        let cache = MembershipCache::with_capacity(100);
        cache.set_enabled(true);
        for _ in 0..1_000 {
            cache.put(Uuid::new_v4(), Arc::default(), cache.generation());
        }
        assert!(cache.len() <= 100, "{} entries", cache.len());
    }

    #[test]
    fn a_load_that_raced_an_invalidation_is_not_stored() {
        let cache = MembershipCache::default();
        cache.set_enabled(true);
        let user = Uuid::new_v4();
        let generation = cache.generation();
        cache.invalidate(Uuid::new_v4());
        cache.put(user, Arc::default(), generation);
        assert!(cache.get(user).is_none());
    }
}
