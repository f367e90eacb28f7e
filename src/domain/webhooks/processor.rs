//! Claiming and settling stored deliveries. Claims are `FOR UPDATE SKIP LOCKED` with a
//! lease, so any number of processes may process; a process that dies mid-delivery
//! leaves a lease that expires and the delivery is claimed again (its attempt counted).

use std::time::Duration;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, FromQueryResult, Statement, TransactionTrait,
};

use super::handlers::{self, Outcome};
use crate::error::ApiResult;
use entity::webhook_events;

const LEASE: Duration = Duration::from_secs(60);

/// Claims up to `limit` due deliveries (new, due retries, expired leases), counting the
/// attempt; deliveries whose lease expired on their last attempt go dead.
pub async fn claim(db: &DatabaseConnection, limit: u64) -> ApiResult<Vec<webhook_events::Model>> {
    db.execute_raw(Statement::from_string(
        DbBackend::Postgres,
        "UPDATE webhook_events SET status = 'dead', lease_expires_at = NULL,
                last_error = coalesce(last_error, 'the processor stopped during the last attempt')
          WHERE status = 'processing' AND lease_expires_at < now() AND attempt_count >= max_attempts",
    ))
    .await?;
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE webhook_events SET status = 'processing', attempt_count = attempt_count + 1,
                    lease_expires_at = now() + make_interval(secs => $2)
              WHERE id IN (SELECT id FROM webhook_events
                            WHERE ((status IN ('received', 'retrying') AND next_attempt_at <= now())
                                   OR (status = 'processing' AND lease_expires_at < now()))
                              AND attempt_count < max_attempts
                            ORDER BY next_attempt_at
                            LIMIT $1
                            FOR UPDATE SKIP LOCKED)
              RETURNING *",
            [(limit as i64).into(), (LEASE.as_secs_f64()).into()],
        ))
        .await?;
    Ok(rows
        .iter()
        .map(|row| webhook_events::Model::from_query_result(row, ""))
        .collect::<Result<_, _>>()?)
}

/// Runs the delivery's handler in its own transaction and records the outcome: done, or
/// a retry after `retry_base * 2^(attempt-1)`, or dead when out of attempts.
pub async fn process(
    db: &DatabaseConnection,
    event: &webhook_events::Model,
    retry_base: Duration,
) -> ApiResult<()> {
    let txn = db.begin().await?;
    match handlers::handle(&txn, event).await {
        Ok(outcome) => {
            let status = match outcome {
                Outcome::Processed => "processed",
                Outcome::Ignored => "ignored",
            };
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "UPDATE webhook_events SET status = $2, delivered_at = now(), lease_expires_at = NULL,
                        last_error = NULL
                  WHERE id = $1 AND status = 'processing' AND attempt_count = $3",
                [event.id.into(), status.into(), event.attempt_count.into()],
            ))
            .await?;
            txn.commit().await?;
        }
        Err(failure) => {
            txn.rollback().await?;
            let exponent = (event.attempt_count - 1).clamp(0, 16) as u32;
            let delay = retry_base.saturating_mul(2u32.pow(exponent));
            let failure: String = failure.chars().take(2000).collect();
            tracing::warn!(event = %event.id, attempt = event.attempt_count, error = %failure, "webhook delivery failed");
            db.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "UPDATE webhook_events
                    SET status = CASE WHEN attempt_count >= max_attempts THEN 'dead' ELSE 'retrying' END,
                        next_attempt_at = clock_timestamp() + make_interval(secs => $3),
                        last_error = $2, lease_expires_at = NULL
                  WHERE id = $1 AND status = 'processing' AND attempt_count = $4",
                [
                    event.id.into(),
                    failure.into(),
                    delay.as_secs_f64().into(),
                    event.attempt_count.into(),
                ],
            ))
            .await?;
        }
    }
    Ok(())
}

/// Claims and processes until nothing is due; returns how many were processed.
pub async fn drain(db: &DatabaseConnection, retry_base: Duration) -> ApiResult<usize> {
    let mut done = 0;
    loop {
        let batch = claim(db, 20).await?;
        if batch.is_empty() {
            return Ok(done);
        }
        for event in &batch {
            process(db, event, retry_base).await?;
            done += 1;
        }
    }
}

/// How long until the next retry or lease expiry is due, if any is pending.
pub async fn next_due_in(db: &DatabaseConnection) -> ApiResult<Option<Duration>> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            // No `greatest(0, …)` here: GREATEST skips NULLs, so with nothing pending it
            // answered 0 and the processor polled in a tight loop.
            "SELECT extract(epoch FROM min(CASE WHEN status = 'processing'
                                               THEN lease_expires_at
                                               ELSE next_attempt_at END) - clock_timestamp())::float8
               FROM webhook_events WHERE status IN ('received', 'retrying', 'processing')",
        ))
        .await?;
    let seconds: Option<f64> = match row {
        Some(row) => row.try_get_by_index(0)?,
        None => None,
    };
    Ok(seconds.map(|seconds| Duration::from_secs_f64(seconds.max(0.0))))
}
