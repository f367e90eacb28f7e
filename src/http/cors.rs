//! Which browser origins may call the API: CORS for HTTP, the same list for websockets
//! (a websocket is not subject to CORS, so a page on any site could otherwise open one
//! with the visitor's cookies or stored token: cross-site websocket hijacking).

use std::time::Duration;

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The configured origins, parsed once.
#[derive(Clone, Debug, Default)]
pub struct OriginPolicy {
    any: bool,
    allowed: Vec<HeaderValue>,
    headers: Vec<HeaderName>,
}

impl OriginPolicy {
    pub fn new(origins: &[String]) -> anyhow::Result<Self> {
        let mut policy = Self::default();
        for origin in origins.iter().map(|o| o.trim()).filter(|o| !o.is_empty()) {
            if origin == "*" {
                policy.any = true;
            } else {
                let origin = origin.trim_end_matches('/');
                policy.allowed.push(
                    HeaderValue::from_str(origin)
                        .map_err(|_| anyhow::anyhow!("invalid CORS origin {origin:?}"))?,
                );
            }
        }
        policy.headers = Self::parse_headers(&crate::config::http::default_cors_allow_headers())?;
        Ok(policy)
    }

    /// The request headers pages on allowed origins may send (instead of the default).
    pub fn allow_headers(mut self, names: &[String]) -> anyhow::Result<Self> {
        self.headers = Self::parse_headers(names)?;
        Ok(self)
    }

    fn parse_headers(names: &[String]) -> anyhow::Result<Vec<HeaderName>> {
        names
            .iter()
            .map(|name| name.trim())
            .filter(|name| !name.is_empty())
            .map(|name| {
                HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| anyhow::anyhow!("invalid CORS request header {name:?}"))
            })
            .collect()
    }

    /// Whether a request with these headers may proceed: requests without `Origin` do
    /// not come from a browser page, and the gateway's own pages (GraphiQL, the dashboard)
    /// are same-origin; both are allowed.
    pub fn admits(&self, headers: &HeaderMap) -> bool {
        let Some(origin) = headers.get(header::ORIGIN) else {
            return true;
        };
        let same_origin = origin
            .to_str()
            .ok()
            .and_then(|o| o.split_once("://").map(|(_, authority)| authority))
            .zip(headers.get(header::HOST).and_then(|h| h.to_str().ok()))
            .is_some_and(|(authority, host)| authority.eq_ignore_ascii_case(host));
        same_origin || self.any || self.allowed.contains(origin)
    }

    /// The CORS layer: preflights answered and cacheable for 10 minutes. `*` never
    /// comes with credentials; listed origins may send the `Authorization` header.
    pub fn layer(&self) -> CorsLayer {
        let base = CorsLayer::new()
            .allow_methods([Method::GET, Method::POST])
            .allow_headers(self.headers.clone())
            .expose_headers([header::RETRY_AFTER, "x-request-id".parse().expect("name")])
            .max_age(Duration::from_secs(600));
        if self.any {
            base.allow_origin(AllowOrigin::any())
        } else {
            base.allow_origin(AllowOrigin::list(self.allowed.clone()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: &str, host: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ORIGIN, origin.parse().unwrap());
        headers.insert(header::HOST, host.parse().unwrap());
        headers
    }

    #[test]
    fn same_origin_and_listed_origins_are_admitted_others_not() {
        let policy = OriginPolicy::new(&["https://app.example".into()]).unwrap();
        assert!(policy.admits(&headers("http://127.0.0.1:8080", "127.0.0.1:8080")));
        assert!(policy.admits(&headers("https://app.example", "api.example")));
        assert!(!policy.admits(&headers("https://evil.example", "api.example")));
        assert!(!policy.admits(&headers("https://api.example.evil", "api.example")));
    }
}
