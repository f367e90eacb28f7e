//! Work that runs beside serving requests. Everything here coordinates through
//! PostgreSQL only (leases, `SKIP LOCKED`), so any number of processes can run it.
//!
//! - [`publish_worker`]: the reference worker that publishes claimed jobs to platforms.
//! - [`rotate_secrets`]: re-seals every token under the current key.
//! - [`goal_status`]: settles goals whose deadline passed (started by the gateway).
//! - [`escalations`]: raises escalations of overdue approvals (started by the gateway).
//! - [`webhook_processor`]: processes inbound webhook deliveries (started by the gateway).
//! - [`lead_rescore`]: rescores a brand's leads after its scoring rules changed (started
//!   by the gateway).
//!
//! (Change-event retention runs inside the realtime side: `realtime::retention`.)

pub mod escalations;
pub mod goal_status;
pub mod lead_rescore;
pub mod publish_worker;
pub mod rotate_secrets;
pub mod webhook_processor;

/// Takes the transaction-scoped advisory lock `key` if no other session holds it: the
/// periodic passes use it so that only one process runs a pass at a time.
pub(crate) async fn try_lock(
    txn: &sea_orm::DatabaseTransaction,
    key: i64,
) -> Result<bool, sea_orm::DbErr> {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    Ok(txn
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_try_advisory_xact_lock($1)",
            [key.into()],
        ))
        .await?
        .map(|row| row.try_get_by_index(0))
        .transpose()?
        .unwrap_or(false))
}
