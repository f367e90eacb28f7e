//! Token buckets (governor's GCRA) per caller: one per user, one per client IP for
//! anonymous callers. The service role (the trusted backend) is not limited.
//! Used by HTTP requests and by every operation on a websocket.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};
use uuid::Uuid;

use crate::auth::Principal;
use crate::config::RateLimitConfig;
use crate::error::ApiError;

/// Whose bucket an operation is taken from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateKey {
    /// The trusted backend: not limited.
    Service,
    User(Uuid),
    Anonymous(IpAddr),
}

impl RateKey {
    pub fn of(principal: Option<&Principal>, client_ip: IpAddr) -> Self {
        match principal {
            Some(Principal::Service { .. }) => Self::Service,
            Some(Principal::User { id, .. }) => Self::User(*id),
            None => Self::Anonymous(client_ip),
        }
    }
}

#[derive(Clone)]
pub struct RateLimiter {
    users: Option<Arc<DefaultKeyedRateLimiter<Uuid>>>,
    anonymous: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
}

fn quota(per_sec: u32, burst: u32) -> Option<Quota> {
    let per_sec = NonZeroU32::new(per_sec)?;
    let burst = NonZeroU32::new(burst.max(1)).unwrap_or(per_sec);
    Some(Quota::per_second(per_sec).allow_burst(burst))
}

impl RateLimiter {
    /// Builds the buckets and starts a task that forgets idle callers, so memory stays
    /// bounded by the callers of the last minutes.
    pub fn start(config: &RateLimitConfig) -> Self {
        let limiter = Self {
            users: quota(config.rate_limit_per_sec, config.rate_limit_burst)
                .map(|q| Arc::new(DefaultKeyedRateLimiter::keyed(q))),
            anonymous: quota(
                config.anonymous_rate_limit_per_sec,
                config.anonymous_rate_limit_burst,
            )
            .map(|q| Arc::new(DefaultKeyedRateLimiter::keyed(q))),
        };
        // The task holds weak references: it ends with the last clone of the limiter.
        let users = limiter.users.as_ref().map(Arc::downgrade);
        let anonymous = limiter.anonymous.as_ref().map(Arc::downgrade);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(60));
            loop {
                every.tick().await;
                let (users, anonymous) = (
                    users.as_ref().and_then(std::sync::Weak::upgrade),
                    anonymous.as_ref().and_then(std::sync::Weak::upgrade),
                );
                if users.is_none() && anonymous.is_none() {
                    return;
                }
                if let Some(users) = users {
                    users.retain_recent();
                }
                if let Some(anonymous) = anonymous {
                    anonymous.retain_recent();
                }
            }
        });
        limiter
    }

    /// Takes one operation from `key`'s bucket, or says how long to wait.
    pub fn check(&self, key: RateKey) -> Result<(), Duration> {
        // The limiter's own clock: building a clock per call calibrates it (`cpuid`, a
        // VM exit on virtual machines), which profiles showed at ~10 % of a request.
        let refused = match key {
            RateKey::Service => return Ok(()),
            RateKey::User(id) => self.users.as_ref().and_then(|l| {
                l.check_key(&id)
                    .err()
                    .map(|not_until| not_until.wait_time_from(l.clock().now()))
            }),
            RateKey::Anonymous(ip) => self.anonymous.as_ref().and_then(|l| {
                l.check_key(&ip)
                    .err()
                    .map(|not_until| not_until.wait_time_from(l.clock().now()))
            }),
        };
        refused.map_or(Ok(()), Err)
    }
}

/// The client error for a refused operation: `RATE_LIMITED` with the wait in whole seconds.
pub fn rate_limited(wait: Duration) -> ApiError {
    ApiError::RateLimited(format!(
        "too many requests; retry in {} s",
        retry_after_secs(wait)
    ))
}

/// Whole seconds to wait (at least 1), for `Retry-After`.
pub fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}
