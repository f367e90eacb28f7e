//! Marks goals whose deadline passed as `missed` (and reached ones as `achieved`) even
//! when no new metrics arrive to trigger a recompute. The update is idempotent, so every
//! gateway process may run it; an advisory lock keeps them from doing the same work at
//! the same moment.

use std::time::Duration;

use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::domain::goals::settle_statuses;

const LOCK: i64 = 0x6272_616e_6467_6f61; // "brandgoa"

/// One pass, if no other process is running one.
pub async fn run_once(db: &DatabaseConnection) -> anyhow::Result<()> {
    let txn = db.begin().await?;
    let locked = super::try_lock(&txn, LOCK).await?;
    if locked {
        settle_statuses(&txn, None)
            .await
            .map_err(|err| anyhow::anyhow!("settling goal statuses: {}", err.message()))?;
    }
    txn.commit().await?;
    Ok(())
}

/// Runs a pass every `every`, forever.
pub async fn run(db: DatabaseConnection, every: Duration) {
    // The first pass waits one period: start-up is busy enough.
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        ticks.tick().await;
        if let Err(err) = run_once(&db).await {
            tracing::warn!(error = %err, "goal status pass failed");
        }
    }
}
