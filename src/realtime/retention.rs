//! Pruning of old `change_events`. Only released events (below the watermark) are
//! removed; `realtime_state.pruned_through` remembers the highest seq removed, so a cursor
//! older than that is answered with `CURSOR_EXPIRED` instead of a silent gap.
//!
//! `change_events` is partitioned by day (migration `017`): a pass creates the coming
//! days' partitions, drops the days that ended before the retention window, and deletes
//! row by row only what sits outside a day partition (the default partition) or in the
//! day that straddles the cutoff. One process at a time (an advisory lock); the others
//! skip the pass.
//!
//! The gateway's database role owns nothing and may not delete from the change log, so
//! each step is a `SECURITY DEFINER` function of migration `023_least_privilege`.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};

use super::hub::Hub;

/// The advisory lock one retention pass holds.
const RETENTION_LOCK: i64 = 0x6267_7265_7465_6e74;

/// Days of partitions created ahead of today.
const DAYS_AHEAD: i32 = 3;

/// Removes events older than `retention` below the watermark; returns how many.
pub async fn prune_once(
    db: &DatabaseConnection,
    hub: &Hub,
    retention: Duration,
) -> Result<u64, sea_orm::DbErr> {
    let txn = db.begin().await?;
    if !crate::jobs::try_lock(&txn, RETENTION_LOCK).await? {
        return Ok(0);
    }
    // Creating or dropping a partition locks the whole table against writers: wait at
    // most this long for them (the next pass tries again) rather than queue every writer
    // behind us.
    txn.execute_unprepared("SET LOCAL lock_timeout = '2s'")
        .await?;
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT create_change_event_partitions($1)",
        [DAYS_AHEAD.into()],
    ))
    .await?;
    let dropped = txn
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT drop_expired_change_event_partitions(now() - make_interval(secs => $1), $2)",
            [retention.as_secs_f64().into(), hub.watermark().into()],
        ))
        .await?
        .and_then(|r| r.try_get_by_index::<i64>(0).ok())
        .unwrap_or(0);
    txn.commit().await?;
    Ok(dropped as u64 + delete_rows(db, hub, retention).await?)
}

/// Deletes, row by row, old events that no dropped partition took (through
/// `prune_change_events`: the gateway's role may not delete from the change log itself).
async fn delete_rows(
    db: &impl ConnectionTrait,
    hub: &Hub,
    retention: Duration,
) -> Result<u64, sea_orm::DbErr> {
    let statement = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT prune_change_events(now() - make_interval(secs => $1), $2)",
        [retention.as_secs_f64().into(), hub.watermark().into()],
    );
    let row = db.query_one_raw(statement).await?;
    Ok(row
        .and_then(|r| r.try_get_by_index::<i64>(0).ok())
        .unwrap_or(0) as u64)
}

/// The highest pruned seq: cursors below it may have lost events.
pub async fn pruned_through(db: &DatabaseConnection) -> Result<i64, sea_orm::DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT value FROM realtime_state WHERE key = 'pruned_through'",
        ))
        .await?;
    Ok(row
        .and_then(|r| r.try_get_by_index::<i64>(0).ok())
        .unwrap_or(0))
}

/// The highest seq any event has had: the newest committed event's, or the highest pruned
/// one's when every event has been pruned. A cursor above it was never handed out.
pub async fn newest_seq(db: &DatabaseConnection) -> Result<i64, sea_orm::DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT greatest((SELECT max(seq) FROM change_events), \
                    (SELECT value FROM realtime_state WHERE key = 'pruned_through'), 0)",
        ))
        .await?;
    Ok(row
        .and_then(|r| r.try_get_by_index::<i64>(0).ok())
        .unwrap_or(0))
}

/// Prunes every `every` until the process ends.
pub async fn run(db: DatabaseConnection, hub: Hub, retention: Duration, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        match prune_once(&db, &hub, retention).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "pruned old change events"),
            Err(err) => tracing::warn!(error = %err, "pruning change events failed"),
        }
    }
}
