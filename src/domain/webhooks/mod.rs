//! Inbound webhooks: signed deliveries from platforms, stored once per delivery id and
//! processed by [`processor`] with retries (seed 002 §7 `webhook_events`).
//!
//! A delivery is `POST /webhooks/{provider}` with
//! - `X-Webhook-Id`: the provider's delivery id (the idempotency key, per provider);
//! - `X-Webhook-Timestamp`: Unix seconds, within the configured tolerance of now;
//! - `X-Webhook-Signature`: `sha256=` + hex HMAC-SHA256 of `"{timestamp}.{body}"` under
//!   the provider's secret;
//! - a JSON body `{"type": "...", "brandId": "<uuid>", "data": {...}}`.

pub mod handlers;
pub mod intake;
pub mod processor;
pub mod signature;

use std::sync::Arc;

use tokio::sync::Notify;

use crate::config::WebhookConfig;

/// What the route and the processor share: the configuration and a wake-up for the
/// processor of this process (others find new rows on their next poll).
#[derive(Clone)]
pub struct Webhooks {
    pub config: Arc<WebhookConfig>,
    pub wake: Arc<Notify>,
}

impl Webhooks {
    pub fn new(config: WebhookConfig) -> Self {
        Self {
            config: Arc::new(config),
            wake: Arc::new(Notify::new()),
        }
    }
}
