//! Runs the escalation evaluation ([`crate::domain::workflows::escalations::evaluate`])
//! periodically. Every gateway process runs it; a transaction-scoped advisory lock lets
//! one evaluate at a time, and the evaluation itself raises each level once (a unique
//! index), so neither a second process nor a restart duplicates an escalation.

use std::time::Duration;

use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::domain::workflows::escalations::evaluate;

const LOCK: i64 = 0x6272_616e_6465_7363; // "brandesc"

/// One pass, if no other process is running one: `Some(events raised)`, or `None` when
/// another process held the lock.
pub async fn run_once(db: &DatabaseConnection) -> anyhow::Result<Option<u64>> {
    let txn = db.begin().await?;
    let locked = super::try_lock(&txn, LOCK).await?;
    let raised = if locked {
        Some(
            evaluate(&txn)
                .await
                .map_err(|err| anyhow::anyhow!("evaluating escalations: {}", err.message()))?,
        )
    } else {
        None
    };
    txn.commit().await?;
    Ok(raised)
}

/// Runs a pass every `every`, forever.
pub async fn run(db: DatabaseConnection, every: Duration) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        ticks.tick().await;
        match run_once(&db).await {
            Ok(Some(raised)) if raised > 0 => tracing::info!(raised, "escalations raised"),
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "escalation pass failed"),
        }
    }
}
