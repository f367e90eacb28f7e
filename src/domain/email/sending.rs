//! Email through the publishing pipeline: an email campaign goes out as one publish job
//! on its brand's `mailchimp` connection, so it gets the pipeline's leases, retries with
//! backoff, dead-letter queue, worker API and live job status. The audience is written
//! when a worker claims the job, from the contacts subscribed at that moment: an
//! unsubscribed, bounced or complaining contact is never handed to a worker.

use chrono::{DateTime, FixedOffset};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;
use uuid::Uuid;

use crate::domain::audit::AuditContext;
use crate::domain::publishing::{job_status, jobs};
use crate::error::{ApiError, ApiResult};
use entity::{email_campaigns, publish_jobs};

/// The connector that sends email.
pub const CONNECTOR: &str = "mailchimp";

fn sql(text: &str, values: Vec<sea_orm::Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Postgres, text, values)
}

/// The campaign's job that has not started yet (pending or retrying), if any, locked.
///
/// Callers hold the email campaign's row; a worker claiming the job holds the job's row
/// and then (through the trigger) wants the campaign's. `NOWAIT` turns that crossing into
/// an immediate `CONFLICT` ("retry the request") instead of a deadlock.
async fn queued_job(db: &impl ConnectionTrait, campaign: Uuid) -> ApiResult<Option<Uuid>> {
    let row = db
        .query_one_raw(sql(
            "SELECT id FROM publish_jobs WHERE email_campaign_id = $1 AND status IN ('pending', 'retrying')
              ORDER BY created_at DESC LIMIT 1 FOR UPDATE NOWAIT",
            vec![campaign.into()],
        ))
        .await?;
    Ok(match row {
        Some(row) => Some(row.try_get_by_index(0)?),
        None => None,
    })
}

/// Queues the campaign's job to run at `at`: moves its queued job, or creates one on the
/// brand's oldest active `mailchimp` connection. No such connection is `BAD_USER_INPUT`
/// on `connection`.
pub async fn queue(
    db: &impl ConnectionTrait,
    campaign: &email_campaigns::Model,
    at: DateTime<FixedOffset>,
    created_by: Option<Uuid>,
) -> ApiResult<publish_jobs::Model> {
    if let Some(id) = queued_job(db, campaign.id).await? {
        db.execute_raw(sql(
            "UPDATE publish_jobs SET publish_at = $2, scheduled_for = $2, next_retry_at = NULL WHERE id = $1",
            vec![id.into(), at.into()],
        ))
        .await?;
        return jobs::find(db, id).await;
    }
    let created = db
        .query_one_raw(sql(
            "INSERT INTO publish_jobs (tenant_id, brand_id, email_campaign_id, campaign_id, connection_id,
                                       idempotency_key, content_type, title, body, metadata, publish_at,
                                       scheduled_for, max_attempts, created_by, status)
             SELECT c.tenant_id, e.brand_id, e.id, e.campaign_id, c.id,
                    md5('email:' || e.id::text || ':' || c.id::text)::uuid, 'email', e.subject,
                    e.html_content,
                    jsonb_build_object('from_name', e.from_name, 'from_address', e.from_address,
                                       'plain_text', e.plain_text),
                    $2, $2, cp.max_retry_attempts, $3, 'pending'
               FROM email_campaigns e
               JOIN connections c ON c.brand_id = e.brand_id AND c.status = 'active'
               JOIN connector_platforms cp ON cp.id = c.platform_id AND cp.is_enabled
                                          AND cp.platform_name = $4
              WHERE e.id = $1
              ORDER BY c.created_at, c.id
              LIMIT 1
             ON CONFLICT (connection_id, idempotency_key) DO UPDATE SET
               publish_at = EXCLUDED.publish_at, scheduled_for = EXCLUDED.scheduled_for,
               title = EXCLUDED.title, body = EXCLUDED.body, metadata = EXCLUDED.metadata,
               status = 'pending', next_retry_at = NULL, dlq_reason = NULL, dlq_at = NULL,
               lease_expires_at = NULL,
               max_attempts = publish_jobs.attempt_count + EXCLUDED.max_attempts
             WHERE publish_jobs.status IN ('dead', 'cancelled')
             RETURNING id",
            vec![
                campaign.id.into(),
                at.into(),
                created_by.map(|u| u.to_string()).into(),
                CONNECTOR.into(),
            ],
        ))
        .await?;
    let Some(created) = created else {
        return Err(ApiError::bad_input(
            "connection",
            "the brand has no active mailchimp connection to send email with; connect one with connectPlatform",
        ));
    };
    let job = jobs::find(db, created.try_get_by_index(0)?).await?;
    jobs::log(db, &job, job_status::PENDING, None, None).await?;
    Ok(job)
}

/// Gives a queued job the campaign's current subject, body and sender.
pub async fn refresh_queued(
    db: &impl ConnectionTrait,
    campaign: &email_campaigns::Model,
) -> ApiResult<()> {
    db.execute_raw(sql(
        "UPDATE publish_jobs j SET title = e.subject, body = e.html_content, campaign_id = e.campaign_id,
                metadata = jsonb_build_object('from_name', e.from_name, 'from_address', e.from_address,
                                              'plain_text', e.plain_text)
           FROM email_campaigns e
          WHERE e.id = $1 AND j.email_campaign_id = e.id AND j.status IN ('pending', 'retrying')",
        vec![campaign.id.into()],
    ))
    .await?;
    Ok(())
}

/// Cancels the campaign's jobs that have not gone out (pending, retrying, dead). A job a
/// worker holds right now is `CONFLICT`.
pub async fn cancel_jobs(
    db: &impl ConnectionTrait,
    campaign: &email_campaigns::Model,
    ctx: &AuditContext,
) -> ApiResult<()> {
    let rows = db
        .query_all_raw(sql(
            "SELECT id, status FROM publish_jobs WHERE email_campaign_id = $1 FOR UPDATE NOWAIT",
            vec![campaign.id.into()],
        ))
        .await?;
    for row in rows {
        let id: Uuid = row.try_get_by_index(0)?;
        let status: String = row.try_get_by_index(1)?;
        match status.as_str() {
            job_status::PROCESSING => {
                return Err(ApiError::Conflict(
                    "a worker is sending this email campaign right now".into(),
                ));
            }
            job_status::PENDING | job_status::RETRYING | job_status::DEAD => {
                db.execute_raw(sql(
                    "UPDATE publish_jobs SET status = 'cancelled', lease_expires_at = NULL WHERE id = $1",
                    vec![id.into()],
                ))
                .await?;
                let job = jobs::find(db, id).await?;
                jobs::log(db, &job, job_status::CANCELLED, None, None).await?;
                jobs::audit_job(db, ctx, "publish_job.cancel", &job, json!({})).await?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// One address a worker sends to.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub contact_id: Uuid,
    pub email: String,
    pub name: Option<String>,
}

/// The audience of an email job at the moment it is claimed: the campaign's brand's
/// subscribed contacts (with any of its audience tags, when it has some), recorded in
/// `email_campaign_recipients` so provider events can be counted per recipient. A
/// contact recorded by an earlier attempt who has unsubscribed since is left out.
pub async fn recipients_for_claim(
    db: &impl ConnectionTrait,
    job: &publish_jobs::Model,
) -> ApiResult<Vec<Recipient>> {
    let Some(campaign) = job.email_campaign_id else {
        return Ok(Vec::new());
    };
    db.execute_raw(sql(
        "INSERT INTO email_campaign_recipients (email_campaign_id, contact_id, brand_id)
         SELECT e.id, c.id, e.brand_id
           FROM email_campaigns e
           JOIN email_contacts c ON c.brand_id = e.brand_id
          WHERE e.id = $1 AND c.subscription_status = 'subscribed'
            AND (cardinality(e.audience_tags) = 0 OR c.tags && e.audience_tags)
         ON CONFLICT DO NOTHING",
        vec![campaign.into()],
    ))
    .await?;
    let rows = db
        .query_all_raw(sql(
            "SELECT c.id, c.email, c.name
               FROM email_campaign_recipients r
               JOIN email_contacts c ON c.id = r.contact_id
              WHERE r.email_campaign_id = $1 AND c.subscription_status = 'subscribed'
              ORDER BY lower(c.email)",
            vec![campaign.into()],
        ))
        .await?;
    let recipients = rows
        .iter()
        .map(|row| {
            Ok(Recipient {
                contact_id: row.try_get_by_index(0)?,
                email: row.try_get_by_index(1)?,
                name: row.try_get_by_index(2)?,
            })
        })
        .collect::<Result<Vec<_>, sea_orm::DbErr>>()?;
    db.execute_raw(sql(
        "UPDATE email_campaigns SET recipient_count = $2 WHERE id = $1",
        vec![campaign.into(), (recipients.len() as i32).into()],
    ))
    .await?;
    Ok(recipients)
}
