//! Who is calling from where: the verified token and the client address.
//!
//! `X-Forwarded-For` is believed only when the peer is a configured trusted proxy; then
//! the client is the right-most hop that is not itself a trusted proxy. Anyone else could
//! write any address into the header.

use std::net::{IpAddr, SocketAddr};

use axum::http::{HeaderMap, header};
use ipnet::IpNet;

use crate::auth::{Principal, bearer_token};
use crate::domain::audit::AuditContext;
use crate::error::ApiError;
use crate::rate_limit::RateKey;
use crate::state::AppState;

/// The caller of one HTTP request or websocket connection.
pub struct Caller {
    pub principal: Option<Principal>,
    pub ip: IpAddr,
    pub user_agent: Option<String>,
}

impl Caller {
    pub fn rate_key(&self) -> RateKey {
        RateKey::of(self.principal.as_ref(), self.ip)
    }

    pub fn audit_context(&self) -> AuditContext {
        AuditContext {
            user_id: match &self.principal {
                Some(Principal::User { id, .. }) => Some(*id),
                _ => None,
            },
            ip_address: Some(self.ip.to_string()),
            user_agent: self.user_agent.clone(),
        }
    }
}

/// The client address of a request that arrived from `peer`.
pub fn client_ip(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let peer = peer.ip().to_canonical();
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
        .collect();
    hops.iter()
        .rev()
        .find(|hop| !is_trusted(hop))
        .or(hops.first())
        .copied()
        .unwrap_or(peer)
}

/// The caller's address and user agent; the principal is filled in by authentication.
pub fn identify(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> Caller {
    Caller {
        principal: None,
        ip: client_ip(peer, headers, &state.http.trusted_proxies),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(String::from),
    }
}

/// Verifies an `Authorization` header value: none is anonymous, anything malformed or
/// invalid is `UNAUTHENTICATED`.
pub fn authenticate(
    state: &AppState,
    authorization: Option<&str>,
) -> Result<Option<Principal>, ApiError> {
    bearer_token(authorization)?
        .map(|token| state.jwt.verify(token))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", xff.parse().unwrap());
        headers
    }

    #[test]
    fn forwarded_for_is_ignored_from_untrusted_peers() {
        let peer: SocketAddr = "203.0.113.9:4000".parse().unwrap();
        let ip = client_ip(peer, &headers("1.2.3.4"), &[]);
        assert_eq!(ip, "203.0.113.9".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn the_client_is_the_last_untrusted_hop_behind_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let peer: SocketAddr = "10.0.0.2:4000".parse().unwrap();
        let ip = client_ip(peer, &headers("1.2.3.4, 198.51.100.7, 10.0.0.1"), &trusted);
        assert_eq!(ip, "198.51.100.7".parse::<IpAddr>().unwrap());
    }
}
