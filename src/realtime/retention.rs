//! Pruning of old `change_events`. Only released events (below the watermark) are
//! removed; `realtime_state.pruned_through` remembers the highest seq removed, so a cursor
//! older than that is answered with `CURSOR_EXPIRED` instead of a silent gap.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use super::hub::Hub;

/// Deletes events older than `retention` below the watermark; returns how many.
pub async fn prune_once(
    db: &DatabaseConnection,
    hub: &Hub,
    retention: Duration,
) -> Result<u64, sea_orm::DbErr> {
    let statement = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "WITH gone AS (
           DELETE FROM change_events
            WHERE created_at < now() - make_interval(secs => $1) AND seq < $2
           RETURNING seq)
         UPDATE realtime_state SET value = greatest(value, (SELECT max(seq) FROM gone))
          WHERE key = 'pruned_through' AND EXISTS (SELECT 1 FROM gone)
         RETURNING (SELECT count(*) FROM gone)",
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
