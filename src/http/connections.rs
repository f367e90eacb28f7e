//! How many TCP connections the gateway holds open, per client address and in total.
//!
//! Every accepted connection takes a [`ConnectionSlot`] before it is served and gives it
//! back when it ends (the slot's `Drop`); a connection over either cap is closed at once,
//! before a byte of it is read. Addresses of trusted reverse proxies count only toward the
//! total: every client behind the proxy shares its address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use ipnet::IpNet;
use prometheus::{IntCounterVec, IntGauge, Opts, Registry};

/// The caps; see `HttpConfig::max_connections` and `max_connections_per_ip`.
#[derive(Debug, Clone)]
pub struct ConnectionCaps {
    pub total: usize,
    pub per_ip: usize,
    /// Peers the per-address cap does not apply to (trusted proxies).
    pub exempt: Vec<IpNet>,
}

/// Why a connection was closed unserved (the `reason` label of the refusal counter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Total,
    PerIp,
}

impl Refusal {
    fn label(self) -> &'static str {
        match self {
            Self::Total => "total",
            Self::PerIp => "per_ip",
        }
    }
}

#[derive(Default)]
struct Counts {
    total: usize,
    by_ip: HashMap<IpAddr, usize>,
}

/// The open-connection counts and their caps; cheap to clone (shared).
#[derive(Clone)]
pub struct ConnectionLimiter {
    caps: Arc<ConnectionCaps>,
    counts: Arc<Mutex<Counts>>,
    open: IntGauge,
    refused: IntCounterVec,
}

impl ConnectionLimiter {
    /// A limiter whose gauge and refusal counter are registered in `registry`.
    pub fn new(caps: ConnectionCaps, registry: &Registry) -> prometheus::Result<Self> {
        let open = IntGauge::new(
            "brandgraph_http_connections",
            "Open TCP connections of the public listener (websockets included).",
        )?;
        let refused = IntCounterVec::new(
            Opts::new(
                "brandgraph_http_connections_refused_total",
                "Connections closed unserved because a connection cap was reached, by cap.",
            ),
            &["reason"],
        )?;
        registry.register(Box::new(open.clone()))?;
        registry.register(Box::new(refused.clone()))?;
        for reason in [Refusal::Total, Refusal::PerIp] {
            refused.with_label_values(&[reason.label()]);
        }
        Ok(Self {
            caps: Arc::new(caps),
            counts: Arc::default(),
            open,
            refused,
        })
    }

    /// A slot for a connection from `peer`, or why there is none (and the refusal counted).
    pub fn admit(&self, peer: IpAddr) -> Result<ConnectionSlot, Refusal> {
        let verdict = self.try_admit(peer);
        match verdict {
            Ok(_) => self.open.inc(),
            Err(refusal) => self.refused.with_label_values(&[refusal.label()]).inc(),
        }
        verdict
    }

    fn try_admit(&self, peer: IpAddr) -> Result<ConnectionSlot, Refusal> {
        let peer = canonical(peer);
        let per_ip = !self.caps.exempt.iter().any(|net| net.contains(&peer));
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if counts.total >= self.caps.total {
            return Err(Refusal::Total);
        }
        if per_ip {
            let held = counts.by_ip.entry(peer).or_default();
            if *held >= self.caps.per_ip {
                return Err(Refusal::PerIp);
            }
            *held += 1;
        }
        counts.total += 1;
        Ok(ConnectionSlot {
            limiter: self.clone(),
            peer: per_ip.then_some(peer),
        })
    }

    fn release(&self, peer: Option<IpAddr>) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.total = counts.total.saturating_sub(1);
        if let Some(peer) = peer
            && let Some(held) = counts.by_ip.get_mut(&peer)
        {
            *held -= 1;
            if *held == 0 {
                counts.by_ip.remove(&peer);
            }
        }
        self.open.dec();
    }
}

/// An IPv4 client reached over an IPv6 socket counts as its IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// One admitted connection; dropping it frees its place.
pub struct ConnectionSlot {
    limiter: ConnectionLimiter,
    /// The address it counts against, unless exempt.
    peer: Option<IpAddr>,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.limiter.release(self.peer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(total: usize, per_ip: usize, exempt: &[&str]) -> ConnectionLimiter {
        let caps = ConnectionCaps {
            total,
            per_ip,
            exempt: exempt.iter().map(|net| net.parse().unwrap()).collect(),
        };
        ConnectionLimiter::new(caps, &Registry::new()).unwrap()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_address_over_its_cap_is_refused_until_one_of_its_connections_ends() {
        let limiter = limiter(10, 2, &[]);
        let first = limiter.admit(ip("10.0.0.1")).unwrap();
        let _second = limiter.admit(ip("10.0.0.1")).unwrap();
        assert_eq!(limiter.admit(ip("10.0.0.1")).err(), Some(Refusal::PerIp));
        assert!(limiter.admit(ip("10.0.0.2")).is_ok());
        drop(first);
        assert!(limiter.admit(ip("10.0.0.1")).is_ok());
        assert_eq!(
            limiter
                .refused
                .with_label_values(&[Refusal::PerIp.label()])
                .get(),
            1
        );
    }

    #[test]
    fn the_total_cap_applies_to_every_address_and_to_trusted_proxies() {
        let limiter = limiter(2, 5, &["10.1.0.0/16"]);
        let _a = limiter.admit(ip("10.1.0.1")).unwrap();
        let _b = limiter.admit(ip("10.0.0.9")).unwrap();
        assert_eq!(limiter.admit(ip("10.1.0.1")).err(), Some(Refusal::Total));
        assert_eq!(limiter.admit(ip("10.0.0.8")).err(), Some(Refusal::Total));
        assert_eq!(limiter.open.get(), 2);
    }

    #[test]
    fn a_trusted_proxy_is_not_held_to_the_per_address_cap() {
        let limiter = limiter(10, 1, &["10.1.0.0/16"]);
        let _slots: Vec<_> = (0..5)
            .map(|_| limiter.admit(ip("10.1.2.3")).unwrap())
            .collect();
        let _one = limiter.admit(ip("10.0.0.1")).unwrap();
        assert_eq!(limiter.admit(ip("10.0.0.1")).err(), Some(Refusal::PerIp));
    }

    #[test]
    fn ipv4_mapped_addresses_count_as_their_ipv4_address() {
        let limiter = limiter(10, 1, &[]);
        let _v4 = limiter.admit(ip("192.0.2.1")).unwrap();
        assert_eq!(
            limiter.admit(ip("::ffff:192.0.2.1")).err(),
            Some(Refusal::PerIp)
        );
    }
}
