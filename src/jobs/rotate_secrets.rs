//! `brandgraph secrets rotate`: re-seals every stored token under the current key, in
//! batches of one transaction each. Resumable (a row's key id says whether it is done)
//! and safe to run from several processes at once (rows are claimed `SKIP LOCKED`).

use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::domain::publishing::secrets::rotate_batch;
use crate::secrets::Keyring;

/// Rotates until no row is sealed with an old key; returns how many rows were re-sealed.
pub async fn rotate_all(
    db: &DatabaseConnection,
    keyring: &Keyring,
    batch: u64,
) -> anyhow::Result<u64> {
    let mut total = 0;
    loop {
        let txn = db.begin().await?;
        let done = rotate_batch(&txn, keyring, batch.max(1)).await?;
        txn.commit().await?;
        total += done;
        if done == 0 {
            return Ok(total);
        }
        tracing::info!(
            rotated = total,
            "re-sealed secrets under key {}",
            keyring.current_id()
        );
    }
}
