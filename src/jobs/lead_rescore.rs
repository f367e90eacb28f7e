//! Rescores a brand's leads after its scoring rules changed.
//!
//! A rule insert, update or delete queues its brand in `lead_rescore_queue` (a trigger,
//! in the rule's own transaction). A pass claims one queued brand with `FOR UPDATE SKIP
//! LOCKED` and a lease, so several gateway processes share the queue without doing the
//! same brand twice; a process that dies mid-pass loses its lease and another takes the
//! brand over. Leads are rescored in id order, a batch per transaction, each lead locked
//! before its score is computed (`rescore_lead`), so a pass never overwrites the score an
//! activity committed meanwhile. The queue row is removed only if no rule changed during
//! the pass (its `generation` is the one claimed); otherwise the brand is done again.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};
use uuid::Uuid;

/// Leads rescored per transaction.
const BATCH: i32 = 500;
/// How long a claim holds before another process may take the brand over; each batch
/// renews it.
const LEASE_SECS: i32 = 60;

/// A claimed brand and the rule generation the pass answers.
struct Claim {
    brand: Uuid,
    generation: i64,
}

async fn claim(db: &DatabaseConnection) -> anyhow::Result<Option<Claim>> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE lead_rescore_queue q SET claimed_until = now() + make_interval(secs => $1)
              WHERE q.brand_id = (SELECT brand_id FROM lead_rescore_queue
                                   WHERE claimed_until IS NULL OR claimed_until < now()
                                   ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED)
              RETURNING q.brand_id, q.generation",
            [LEASE_SECS.into()],
        ))
        .await?;
    Ok(match row {
        Some(row) => Some(Claim {
            brand: row.try_get_by_index(0)?,
            generation: row.try_get_by_index(1)?,
        }),
        None => None,
    })
}

/// Rescores every lead of the claimed brand, then settles its queue row.
async fn rescore(db: &DatabaseConnection, claim: &Claim) -> anyhow::Result<u64> {
    let mut after: Option<Uuid> = None;
    let mut done = 0u64;
    loop {
        let txn = db.begin().await?;
        let last: Option<Uuid> = txn
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT rescore_brand_leads($1, $2, $3)",
                [claim.brand.into(), after.into(), BATCH.into()],
            ))
            .await?
            .map(|row| row.try_get_by_index(0))
            .transpose()?
            .flatten();
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE lead_rescore_queue SET claimed_until = now() + make_interval(secs => $2)
              WHERE brand_id = $1",
            [claim.brand.into(), LEASE_SECS.into()],
        ))
        .await?;
        txn.commit().await?;
        match last {
            Some(id) => {
                after = Some(id);
                done += 1;
            }
            None => break,
        }
    }
    // Done for this generation; a newer one (a rule changed meanwhile) stays queued and
    // claimable at once.
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "WITH settled AS (DELETE FROM lead_rescore_queue WHERE brand_id = $1 AND generation = $2
                          RETURNING 1)
         UPDATE lead_rescore_queue SET claimed_until = NULL
          WHERE brand_id = $1 AND NOT EXISTS (SELECT 1 FROM settled)",
        [claim.brand.into(), claim.generation.into()],
    ))
    .await?;
    Ok(done)
}

/// Claims and rescores queued brands until none is left; returns how many brands it did.
pub async fn run_once(db: &DatabaseConnection) -> anyhow::Result<usize> {
    let mut brands = 0;
    while let Some(claim) = claim(db).await? {
        let batches = rescore(db, &claim).await?;
        tracing::debug!(brand = %claim.brand, batches, "leads rescored");
        brands += 1;
    }
    Ok(brands)
}

/// Runs a pass every `every`, forever.
pub async fn run(db: DatabaseConnection, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(err) = run_once(&db).await {
            tracing::warn!(error = %err, "lead rescoring pass failed");
        }
    }
}
