//! Publish jobs: created when approved content is scheduled (or published now), cancelled
//! and retried by managers. Every transition writes a `publishing_logs` row (and the
//! mutations an audit row) in the same transaction.

use chrono::{DateTime, FixedOffset};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Statement};
use serde_json::json;
use uuid::Uuid;

use super::{connector_for_platform, job_status};
use crate::auth::{Role, Viewer};
use crate::domain::access::require_role;
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::error::{ApiError, ApiResult};
use entity::{content_items, publish_jobs};

/// Creates (or moves) one job per active connection of the item's brand whose connector
/// publishes to one of `platforms`, to run at `publish_at`. Idempotent: the key is derived
/// from (content item, connection), so scheduling again moves the time of jobs that have
/// not started rather than adding jobs. `connections` narrows to those connections.
pub async fn upsert_for_item(
    db: &impl ConnectionTrait,
    item: &content_items::Model,
    platforms: &[String],
    connections: Option<&[Uuid]>,
    publish_at: DateTime<FixedOffset>,
    created_by: Option<Uuid>,
) -> ApiResult<Vec<publish_jobs::Model>> {
    let mut connectors: Vec<String> = platforms
        .iter()
        .filter_map(|p| connector_for_platform(p))
        .map(String::from)
        .collect();
    connectors.sort();
    connectors.dedup();
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO publish_jobs (tenant_id, brand_id, content_item_id, connection_id, idempotency_key,
                                       content_type, title, body, media_urls, publish_at, scheduled_for,
                                       max_attempts, created_by, status)
             SELECT c.tenant_id, ci.brand_id, ci.id, c.id, md5(ci.id::text || ':' || c.id::text)::uuid,
                    ci.type, ci.title, coalesce(ci.content->>'body', ci.content->>'text', ci.content::text),
                    ci.media_urls, $3, $3, cp.max_retry_attempts, $4, 'pending'
               FROM content_items ci
               JOIN connections c ON c.brand_id = ci.brand_id AND c.status = 'active'
               JOIN connector_platforms cp ON cp.id = c.platform_id AND cp.is_enabled
              WHERE ci.id = $1 AND cp.platform_name = ANY($2)
                AND ($5::uuid[] IS NULL OR c.id = ANY($5))
             ON CONFLICT (connection_id, idempotency_key) DO UPDATE SET
               publish_at = EXCLUDED.publish_at, scheduled_for = EXCLUDED.scheduled_for,
               title = EXCLUDED.title, body = EXCLUDED.body, media_urls = EXCLUDED.media_urls,
               next_retry_at = NULL
             WHERE publish_jobs.status IN ('pending', 'retrying')
             RETURNING id, (xmax = 0) AS created",
            [
                item.id.into(),
                connectors.into(),
                publish_at.into(),
                created_by.map(|u| u.to_string()).into(),
                connections.map(|ids| ids.to_vec()).into(),
            ],
        ))
        .await?;
    let mut jobs = Vec::with_capacity(rows.len());
    for row in rows {
        let id: Uuid = row.try_get_by_index(0)?;
        let created: bool = row.try_get_by_index(1)?;
        let job = find(db, id).await?;
        if created {
            log(db, &job, job_status::PENDING, None, None).await?;
        }
        jobs.push(job);
    }
    Ok(jobs)
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<publish_jobs::Model> {
    publish_jobs::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("publish job"))
}

/// Appends the transition to `publishing_logs`.
pub async fn log(
    db: &impl ConnectionTrait,
    job: &publish_jobs::Model,
    status: &str,
    platform_post_id: Option<&str>,
    error: Option<&str>,
) -> ApiResult<()> {
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        // clock_timestamp, not the transaction's start: claims count these rows against
        // the platform's rate window, which must see when each claim really happened.
        "INSERT INTO publishing_logs (job_id, brand_id, platform, status, platform_post_id, error_message, created_at)
         SELECT $1, $2, cp.platform_name, $3, $4, $5, clock_timestamp()
           FROM connections c JOIN connector_platforms cp ON cp.id = c.platform_id
          WHERE c.id = $6",
        [
            job.id.into(),
            job.brand_id.into(),
            status.into(),
            platform_post_id.map(String::from).into(),
            error.map(String::from).into(),
            job.connection_id.into(),
        ],
    ))
    .await?;
    Ok(())
}

pub async fn audit_job(
    db: &impl ConnectionTrait,
    ctx: &AuditContext,
    action: &str,
    job: &publish_jobs::Model,
    metadata: serde_json::Value,
) -> ApiResult<()> {
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: job.brand_id,
            action,
            resource_type: "publish_job",
            resource_id: job.id.to_string(),
            metadata,
        },
    )
    .await
}

/// The job, locked for this transaction, if the viewer may see its brand.
async fn lock_visible(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> ApiResult<publish_jobs::Model> {
    crate::domain::brands::lock_visible(
        db,
        viewer,
        publish_jobs::Entity::find_by_id(id),
        publish_jobs::Column::BrandId,
        "publish job",
    )
    .await
}

async fn set_status(
    db: &impl ConnectionTrait,
    job: &publish_jobs::Model,
    status: &str,
    extra_sql: &str,
) -> ApiResult<publish_jobs::Model> {
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        format!("UPDATE publish_jobs SET status = $2{extra_sql} WHERE id = $1"),
        [job.id.into(), status.into()],
    ))
    .await?;
    let job = find(db, job.id).await?;
    log(db, &job, status, None, None).await?;
    Ok(job)
}

/// Publishes approved (or scheduled) content now on the brand's connections for
/// `platforms` (managers and above).
pub async fn publish_now(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    content_id: Uuid,
    connections: Option<Vec<Uuid>>,
) -> ApiResult<Vec<publish_jobs::Model>> {
    let item = crate::domain::content::lock_visible(db, viewer, content_id).await?;
    require_role(viewer, item.brand_id, Role::Manager).await?;
    if !["approved", "scheduled"].contains(&item.status.as_str()) {
        return Err(ApiError::bad_input(
            "contentItemId",
            format!(
                "only approved or scheduled content can be published (it is {})",
                item.status
            ),
        ));
    }
    let all: Vec<String> = super::CONNECTORS.iter().map(|c| c.to_string()).collect();
    let now = chrono::Utc::now().fixed_offset();
    let jobs = upsert_for_item(
        db,
        &item,
        &all,
        connections.as_deref(),
        now,
        viewer.user_id(),
    )
    .await?;
    if jobs.is_empty() {
        return Err(ApiError::bad_input(
            "connectionIds",
            "the brand has no active connection to publish to",
        ));
    }
    for job in &jobs {
        audit_job(
            db,
            ctx,
            "publish_job.publish_now",
            job,
            json!({ "content_item_id": item.id }),
        )
        .await?;
    }
    Ok(jobs)
}

/// Cancels a job that has not been published (managers and above). A job a worker holds
/// right now cannot be cancelled.
pub async fn cancel(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
) -> ApiResult<publish_jobs::Model> {
    let job = lock_visible(db, viewer, id).await?;
    require_role(viewer, job.brand_id.unwrap_or_default(), Role::Manager).await?;
    use job_status::*;
    if ![PENDING, RETRYING, DEAD].contains(&job.status.as_str()) {
        return Err(ApiError::Conflict(format!(
            "a {} job cannot be cancelled",
            job.status
        )));
    }
    let job = set_status(db, &job, CANCELLED, ", lease_expires_at = NULL").await?;
    audit_job(db, ctx, "publish_job.cancel", &job, json!({})).await?;
    Ok(job)
}

/// Puts a dead or cancelled job back in the queue with a fresh retry budget (managers and
/// above).
pub async fn retry(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
) -> ApiResult<publish_jobs::Model> {
    let job = lock_visible(db, viewer, id).await?;
    require_role(viewer, job.brand_id.unwrap_or_default(), Role::Manager).await?;
    use job_status::*;
    if ![DEAD, CANCELLED].contains(&job.status.as_str()) {
        return Err(ApiError::Conflict(format!(
            "only dead or cancelled jobs can be retried; this one is {}",
            job.status
        )));
    }
    let job = set_status(
        db,
        &job,
        PENDING,
        ", dlq_reason = NULL, dlq_at = NULL, next_retry_at = NULL, publish_at = now(),
           max_attempts = attempt_count + (SELECT cp.max_retry_attempts FROM connections c
             JOIN connector_platforms cp ON cp.id = c.platform_id WHERE c.id = publish_jobs.connection_id)",
    )
    .await?;
    audit_job(db, ctx, "publish_job.retry", &job, json!({})).await?;
    Ok(job)
}
