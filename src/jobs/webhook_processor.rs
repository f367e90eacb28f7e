//! Processes stored webhook deliveries: woken by this process's route when a delivery
//! arrives, and polling for retries and for deliveries other processes stored.

use std::time::Duration;

use sea_orm::DatabaseConnection;

use crate::domain::webhooks::{Webhooks, processor};

/// Runs forever.
pub async fn run(db: DatabaseConnection, webhooks: Webhooks) {
    let retry_base = webhooks.config.retry_base();
    let poll = retry_base.min(Duration::from_secs(1));
    loop {
        if let Err(err) = processor::drain(&db, retry_base).await {
            tracing::warn!(error = %err.message(), "webhook processing failed");
        }
        tokio::select! {
            _ = webhooks.wake.notified() => {}
            _ = tokio::time::sleep(poll) => {}
        }
    }
}
