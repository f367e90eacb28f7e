//! The worker protocol (service role only): claim due jobs with a lease, then complete,
//! fail or release each. Workers are other processes (an automation tool, or
//! `brandgraph publish-worker`); the database is the only coordination.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use secrecy::SecretString;
use serde_json::json;
use uuid::Uuid;

use super::jobs::{audit_job, find, log};
use super::secrets::{self, ACCESS_TOKEN};
use super::{connector, job_status};
use crate::auth::Viewer;
use crate::domain::audit::AuditContext;
use crate::domain::email::sending::{self, Recipient};
use crate::error::{ApiError, ApiResult};
use crate::secrets::Keyring;
use entity::publish_jobs;

/// How failed jobs wait before their next attempt: exponential from `base`, capped at
/// `max`, with jitter so failures of one burst do not retry in lockstep.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub base: Duration,
    pub max: Duration,
}

impl RetryPolicy {
    /// The wait after the `attempt`-th attempt failed: between half and all of
    /// `base * 2^(attempt - 1)` (capped), so each wait is longer than the one before.
    pub fn delay(&self, attempt: i32) -> Duration {
        let exponent = attempt.clamp(1, 30) as u32 - 1;
        let full = self
            .base
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(self.max);
        // A v4 UUID's random bits are a fine source for jitter (not for secrets).
        let random = (Uuid::new_v4().as_u128() & 0xffff) as f64 / 65_536.0;
        full.mul_f64(0.5 + 0.5 * random)
    }
}

/// A job handed to a worker, with the token it needs (the only place a token leaves).
pub struct Claimed {
    pub job: publish_jobs::Model,
    pub platform: String,
    pub access_token: SecretString,
    /// For an email campaign's job: who to send it to (subscribed contacts only).
    pub recipients: Vec<Recipient>,
}

fn require_service(viewer: &Viewer) -> ApiResult<()> {
    viewer.require_authenticated()?;
    if viewer.is_service() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only the service role runs publish workers".into(),
        ))
    }
}

fn ids_of(rows: &[sea_orm::QueryResult]) -> ApiResult<Vec<Uuid>> {
    rows.iter()
        .map(|row| row.try_get_by_index::<Uuid>(0).map_err(ApiError::from))
        .collect()
}

/// Claims up to `limit` due jobs of `platform` for `lease`. Jobs whose lease expired are
/// due again. Each connector platform row (one per tenant) admits at most
/// `rate_limit_requests` claims per `rate_limit_window_seconds`; claims of one platform
/// are serialised by an advisory lock so concurrent workers cannot both spend the
/// same budget.
#[allow(clippy::too_many_arguments)]
pub async fn claim(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    keyring: Option<&Keyring>,
    platform: &str,
    limit: i32,
    lease: Duration,
    worker: &str,
) -> ApiResult<Vec<Claimed>> {
    require_service(viewer)?;
    let keyring = super::require_keyring(keyring)?;
    let platform = connector(platform)?;
    if !(1..=100).contains(&limit) {
        return Err(ApiError::bad_input("limit", "limit must be 1 to 100"));
    }
    let sql = |sql: &str, values: Vec<sea_orm::Value>| {
        Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
    };
    db.execute_raw(sql(
        "SELECT pg_advisory_xact_lock(hashtext('brandgraph.publish.' || $1))",
        vec![platform.into()],
    ))
    .await?;

    // A lease that ran out on the last attempt sends the job to the dead-letter queue.
    let expired = db
        .query_all_raw(sql(
            "UPDATE publish_jobs j SET status = 'dead', lease_expires_at = NULL, dlq_at = now(),
                    dlq_reason = 'the worker''s lease expired on the last attempt'
               FROM connections c JOIN connector_platforms cp ON cp.id = c.platform_id
              WHERE c.id = j.connection_id AND cp.platform_name = $1 AND j.status = 'processing'
                AND j.lease_expires_at < clock_timestamp() AND j.attempt_count >= j.max_attempts
             RETURNING j.id",
            vec![platform.into()],
        ))
        .await?;
    for id in ids_of(&expired)? {
        let job = find(db, id).await?;
        log(db, &job, job_status::DEAD, None, job.dlq_reason.as_deref()).await?;
        audit_job(
            db,
            ctx,
            "publish_job.dead",
            &job,
            json!({ "reason": job.dlq_reason }),
        )
        .await?;
    }

    let budgets = db
        .query_all_raw(sql(
            "SELECT cp.id, cp.rate_limit_requests - (
                      SELECT count(*) FROM publishing_logs l
                        JOIN publish_jobs j ON j.id = l.job_id
                        JOIN connections c ON c.id = j.connection_id
                       WHERE c.platform_id = cp.id AND l.status = 'processing'
                         AND l.created_at > clock_timestamp() - make_interval(secs => cp.rate_limit_window_seconds))
               FROM connector_platforms cp WHERE cp.platform_name = $1 AND cp.is_enabled",
            vec![platform.into()],
        ))
        .await?;
    let mut remaining = std::collections::HashMap::new();
    for row in &budgets {
        let id: Uuid = row.try_get_by_index(0)?;
        let left: i64 = row.try_get_by_index(1)?;
        remaining.insert(id, left.max(0));
    }

    let candidates = db
        .query_all_raw(sql(
            "SELECT j.id, c.platform_id FROM publish_jobs j
               JOIN connections c ON c.id = j.connection_id
               JOIN connector_platforms cp ON cp.id = c.platform_id
              WHERE cp.platform_name = $1 AND cp.is_enabled AND c.status = 'active'
                AND ((j.status IN ('pending', 'retrying')
                      AND coalesce(j.next_retry_at, j.publish_at, j.created_at) <= clock_timestamp())
                  OR (j.status = 'processing' AND j.lease_expires_at < clock_timestamp()))
              ORDER BY coalesce(j.next_retry_at, j.publish_at, j.created_at), j.id
              LIMIT $2
              FOR UPDATE OF j SKIP LOCKED",
            vec![platform.into(), limit.into()],
        ))
        .await?;
    let mut chosen = Vec::new();
    for row in &candidates {
        let id: Uuid = row.try_get_by_index(0)?;
        let platform_id: Uuid = row.try_get_by_index(1)?;
        if let Some(left) = remaining.get_mut(&platform_id)
            && *left > 0
        {
            *left -= 1;
            chosen.push(id);
        }
    }
    if chosen.is_empty() {
        return Ok(Vec::new());
    }
    db.execute_raw(sql(
        "UPDATE publish_jobs SET status = 'processing', attempt_count = attempt_count + 1,
                lease_expires_at = clock_timestamp() + make_interval(secs => $2),
                claimed_by = $3, next_retry_at = NULL
          WHERE id = ANY($1)",
        vec![
            chosen.clone().into(),
            lease.as_secs_f64().into(),
            worker.chars().take(255).collect::<String>().into(),
        ],
    ))
    .await?;
    let mut claimed = Vec::with_capacity(chosen.len());
    for id in chosen {
        let job = find(db, id).await?;
        log(db, &job, job_status::PROCESSING, None, None).await?;
        audit_job(
            db,
            ctx,
            "publish_job.claim",
            &job,
            json!({ "worker": worker, "attempt": job.attempt_count }),
        )
        .await?;
        db.execute_raw(sql(
            "UPDATE connections SET last_used_at = now() WHERE id = $1",
            vec![job.connection_id.into()],
        ))
        .await?;
        // A job whose token cannot be had goes to the dead-letter queue; it must not
        // block the other jobs of the claim.
        let unusable = match secrets::read(db, keyring, job.connection_id, ACCESS_TOKEN).await {
            Ok(Some(access_token)) => {
                let recipients = sending::recipients_for_claim(db, &job).await?;
                claimed.push(Claimed {
                    job,
                    platform: platform.to_string(),
                    access_token,
                    recipients,
                });
                continue;
            }
            Ok(None) => "the connection has no access token",
            Err(err) => {
                tracing::error!(job = %job.id, connection = %job.connection_id, code = err.code(),
                    "the access token cannot be decrypted (wrong key, or a ciphertext moved between rows)");
                "the connection's access token cannot be decrypted"
            }
        };
        let job = dead_letter(db, &job, unusable).await?;
        audit_job(
            db,
            ctx,
            "publish_job.dead",
            &job,
            json!({ "reason": job.dlq_reason }),
        )
        .await?;
    }
    Ok(claimed)
}

async fn lock_job(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<publish_jobs::Model> {
    use sea_orm::EntityTrait;
    crate::domain::brands::lock_row(db, publish_jobs::Entity::find_by_id(id), "publish job").await
}

async fn dead_letter(
    db: &impl ConnectionTrait,
    job: &publish_jobs::Model,
    reason: &str,
) -> ApiResult<publish_jobs::Model> {
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE publish_jobs SET status = 'dead', dlq_reason = $2, dlq_at = now(),
                lease_expires_at = NULL WHERE id = $1",
        [job.id.into(), reason.into()],
    ))
    .await?;
    let job = find(db, job.id).await?;
    log(db, &job, job_status::DEAD, None, Some(reason)).await?;
    Ok(job)
}

/// Records a publication. Completing a published job again with the same post id is a
/// no-op, so a worker may retry its call safely. The content item becomes `published`
/// once every job of it (cancelled ones aside) is.
pub async fn complete(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
    platform_post_id: String,
    url: Option<String>,
) -> ApiResult<publish_jobs::Model> {
    require_service(viewer)?;
    let job = lock_job(db, id).await?;
    if job.status == job_status::PUBLISHED
        && job.platform_post_id.as_deref() == Some(platform_post_id.as_str())
    {
        return Ok(job);
    }
    if job.status != job_status::PROCESSING {
        return Err(ApiError::Conflict(format!(
            "only a processing job can be completed; this one is {}",
            job.status
        )));
    }
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE publish_jobs SET status = 'published', published_at = now(), platform_post_id = $2,
                platform_post_url = $3, lease_expires_at = NULL, last_error_code = NULL,
                last_error_message = NULL WHERE id = $1",
        [id.into(), platform_post_id.clone().into(), url.into()],
    ))
    .await?;
    let job = find(db, id).await?;
    log(
        db,
        &job,
        job_status::PUBLISHED,
        Some(&platform_post_id),
        None,
    )
    .await?;
    audit_job(
        db,
        ctx,
        "publish_job.published",
        &job,
        json!({ "platform_post_id": platform_post_id }),
    )
    .await?;
    if let Some(item) = job.content_item_id {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE content_items SET status = 'published', published_at = now()
              WHERE id = $1 AND status IN ('approved', 'scheduled')
                AND NOT EXISTS (SELECT 1 FROM publish_jobs
                                 WHERE content_item_id = $1 AND status NOT IN ('published', 'cancelled'))",
            [item.into()],
        ))
        .await?;
    }
    Ok(job)
}

/// Records a failed attempt: a retryable failure with attempts left waits for its
/// retry; anything else goes to the dead-letter queue with the reason.
#[allow(clippy::too_many_arguments)]
pub async fn fail(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    policy: RetryPolicy,
    id: Uuid,
    code: String,
    message: String,
    retryable: bool,
) -> ApiResult<publish_jobs::Model> {
    require_service(viewer)?;
    let job = lock_job(db, id).await?;
    if job.status != job_status::PROCESSING {
        return Err(ApiError::Conflict(format!(
            "only a processing job can fail; this one is {}",
            job.status
        )));
    }
    let code: String = code.chars().take(50).collect();
    let message: String = message.chars().take(2000).collect();
    let retry = retryable && job.attempt_count < job.max_attempts;
    let delay = retry.then(|| policy.delay(job.attempt_count));
    let entry = json!({ "attempt": job.attempt_count, "code": code, "message": message,
                        "retryable": retryable, "at": chrono::Utc::now(),
                        "retry_in_ms": delay.map(|d| d.as_millis() as u64) });
    let (status, delay_ms, dlq_reason) = if let Some(delay) = delay {
        (job_status::RETRYING, delay.as_millis() as f64, None)
    } else if retryable {
        (
            job_status::DEAD,
            0.0,
            Some(format!(
                "out of attempts ({}): {message}",
                job.attempt_count
            )),
        )
    } else {
        (job_status::DEAD, 0.0, Some(message.clone()))
    };
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE publish_jobs SET status = $2, last_error_code = $3, last_error_message = $4,
                error_history = coalesce(error_history, '[]'::jsonb) || jsonb_build_array($5::jsonb),
                next_retry_at = CASE WHEN $2 = 'retrying'
                                     THEN clock_timestamp() + make_interval(secs => $6 / 1000.0) END,
                dlq_reason = $7, dlq_at = CASE WHEN $2 = 'dead' THEN now() END,
                lease_expires_at = NULL
          WHERE id = $1",
        [
            id.into(),
            status.into(),
            code.clone().into(),
            message.clone().into(),
            entry.into(),
            delay_ms.into(),
            dlq_reason.into(),
        ],
    ))
    .await?;
    let job = find(db, id).await?;
    log(db, &job, status, None, Some(&message)).await?;
    audit_job(
        db,
        ctx,
        "publish_job.failed",
        &job,
        json!({ "code": code, "retryable": retryable, "status": status }),
    )
    .await?;
    Ok(job)
}

/// Gives a claimed job back unattempted (a worker shutting down): it is due again at
/// once and the attempt does not count.
pub async fn release(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
) -> ApiResult<publish_jobs::Model> {
    require_service(viewer)?;
    let job = lock_job(db, id).await?;
    if job.status != job_status::PROCESSING {
        return Err(ApiError::Conflict(format!(
            "only a processing job can be released; this one is {}",
            job.status
        )));
    }
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE publish_jobs SET status = CASE WHEN attempt_count > 1 THEN 'retrying' ELSE 'pending' END,
                attempt_count = greatest(attempt_count - 1, 0), lease_expires_at = NULL, claimed_by = NULL
          WHERE id = $1",
        [id.into()],
    ))
    .await?;
    let job = find(db, id).await?;
    log(db, &job, &job.status.clone(), None, None).await?;
    audit_job(db, ctx, "publish_job.release", &job, json!({})).await?;
    Ok(job)
}
