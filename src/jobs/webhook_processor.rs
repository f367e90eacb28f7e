//! Processes stored webhook deliveries: woken by this process's route when a delivery
//! arrives, else when the next retry is due, and at least once a second for deliveries
//! other processes stored.

use std::time::Duration;

use sea_orm::DatabaseConnection;

use crate::domain::webhooks::{Webhooks, processor};

const MAX_WAIT: Duration = Duration::from_secs(1);

/// Runs forever.
pub async fn run(db: DatabaseConnection, webhooks: Webhooks) {
    let retry_base = webhooks.config.retry_base();
    loop {
        if let Err(err) = processor::drain(&db, retry_base).await {
            tracing::warn!(error = %err.message(), "webhook processing failed");
        }
        let wait = match processor::next_due_in(&db).await {
            Ok(Some(due)) => due.min(MAX_WAIT),
            Ok(None) => MAX_WAIT,
            Err(err) => {
                tracing::warn!(error = %err.message(), "webhook processing failed");
                MAX_WAIT
            }
        };
        tokio::select! {
            _ = webhooks.wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}
