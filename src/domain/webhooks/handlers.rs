//! What a delivery does. Every statement is scoped to the delivery's brand, so a
//! delivery for one brand cannot touch another's rows.
//!
//! - `post.published` `{jobId, platform, platformPostId, url?}`: the publish job is
//!   published and the post recorded in `social_posts`;
//! - `post.failed` `{jobId, reason}`: the publish job is dead with the platform's reason;
//! - `review.created` `{platform, reviewId, rating?, text?, reviewerName?}`: a
//!   `platform_reviews` row (a re-sent review updates it);
//! - `email.delivered`, `email.opened`, `email.clicked`, `email.bounced`,
//!   `email.unsubscribed`, `email.complained` `{email, emailCampaignId?, eventId?, url?}`:
//!   see [`crate::domain::email::events`].
//!
//! Other types are stored and marked `ignored`.

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::email::{self, events::EmailEvent};
use crate::domain::publishing::jobs;
use entity::webhook_events;

/// How a delivery ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Processed,
    Ignored,
}

/// A handler failure: recorded on the event and retried.
pub type Failure = String;

fn text<'a>(data: &'a Value, field: &str, max: usize) -> Result<&'a str, Failure> {
    data[field]
        .as_str()
        .filter(|v| !v.is_empty() && v.len() <= max)
        .ok_or_else(|| format!("data.{field} must be a string of 1 to {max} characters"))
}

fn optional_text(data: &Value, field: &str, max: usize) -> Option<String> {
    data[field].as_str().map(|v| v.chars().take(max).collect())
}

fn db_failure(err: sea_orm::DbErr) -> Failure {
    format!("database: {err}")
}

pub async fn handle(
    db: &impl ConnectionTrait,
    event: &webhook_events::Model,
) -> Result<Outcome, Failure> {
    let Some(brand) = event.brand_id else {
        return Err("the event has no brand".into());
    };
    let data = &event.payload["data"];
    match event.event_type.as_str() {
        "post.published" => post_published(db, brand, data).await,
        "post.failed" => post_failed(db, brand, data).await,
        "review.created" => review_created(db, brand, data).await,
        other => match EmailEvent::from_webhook_type(other) {
            Some(kind) => email::events::handle(db, brand, kind, event).await,
            None => Ok(Outcome::Ignored),
        },
    }
}

fn job_id(data: &Value) -> Result<Uuid, Failure> {
    text(data, "jobId", 100)?
        .parse()
        .map_err(|_| "data.jobId must be a UUID".to_string())
}

async fn post_published(
    db: &impl ConnectionTrait,
    brand: Uuid,
    data: &Value,
) -> Result<Outcome, Failure> {
    let job = job_id(data)?;
    let platform = text(data, "platform", 50)?;
    let post_id = text(data, "platformPostId", 255)?;
    let url = optional_text(data, "url", 2000);
    let updated = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE publish_jobs SET status = 'published', published_at = coalesce(published_at, now()),
                    platform_post_id = $3, platform_post_url = coalesce($4, platform_post_url),
                    lease_expires_at = NULL, last_error_code = NULL, last_error_message = NULL
              WHERE id = $1 AND brand_id = $2 AND status <> 'cancelled'
                AND NOT (status = 'published' AND platform_post_id IS NOT DISTINCT FROM $3)
              RETURNING id",
            [job.into(), brand.into(), post_id.into(), url.clone().into()],
        ))
        .await
        .map_err(db_failure)?;
    if updated.is_some() {
        let row = jobs::find(db, job).await.map_err(|e| e.message())?;
        jobs::log(db, &row, "published", Some(post_id), None)
            .await
            .map_err(|e| e.message())?;
        if let Some(item) = row.content_item_id {
            db.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "UPDATE content_items SET status = 'published', published_at = now()
                  WHERE id = $1 AND brand_id = $2 AND status IN ('approved', 'scheduled')
                    AND NOT EXISTS (SELECT 1 FROM publish_jobs
                                     WHERE content_item_id = $1 AND status NOT IN ('published', 'cancelled'))",
                [item.into(), brand.into()],
            ))
            .await
            .map_err(db_failure)?;
        }
    } else {
        let exists = db
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT 1 FROM publish_jobs WHERE id = $1 AND brand_id = $2",
                [job.into(), brand.into()],
            ))
            .await
            .map_err(db_failure)?;
        if exists.is_none() {
            return Err(format!("no publish job {job} in this brand"));
        }
    }
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO social_posts (brand_id, platform, platform_post_id, content, status)
         VALUES ($1, $2, $3, $4, 'published')
         ON CONFLICT (brand_id, platform, platform_post_id)
         DO UPDATE SET content = EXCLUDED.content, status = 'published'",
        [
            brand.into(),
            platform.into(),
            post_id.into(),
            serde_json::json!({ "jobId": job, "url": url }).into(),
        ],
    ))
    .await
    .map_err(db_failure)?;
    Ok(Outcome::Processed)
}

async fn post_failed(
    db: &impl ConnectionTrait,
    brand: Uuid,
    data: &Value,
) -> Result<Outcome, Failure> {
    let job = job_id(data)?;
    let reason = optional_text(data, "reason", 2000)
        .unwrap_or_else(|| "reported failed by the platform".into());
    let updated = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE publish_jobs SET status = 'dead', dlq_reason = $3, dlq_at = now(),
                    last_error_code = 'PLATFORM_REPORTED', last_error_message = $3, lease_expires_at = NULL
              WHERE id = $1 AND brand_id = $2 AND status NOT IN ('cancelled', 'dead')
              RETURNING id",
            [job.into(), brand.into(), reason.clone().into()],
        ))
        .await
        .map_err(db_failure)?;
    match updated {
        Some(_) => {
            let row = jobs::find(db, job).await.map_err(|e| e.message())?;
            jobs::log(db, &row, "dead", None, Some(&reason))
                .await
                .map_err(|e| e.message())?;
            Ok(Outcome::Processed)
        }
        None => {
            let exists = db
                .query_one_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT 1 FROM publish_jobs WHERE id = $1 AND brand_id = $2",
                    [job.into(), brand.into()],
                ))
                .await
                .map_err(db_failure)?;
            match exists {
                Some(_) => Ok(Outcome::Processed),
                None => Err(format!("no publish job {job} in this brand")),
            }
        }
    }
}

async fn review_created(
    db: &impl ConnectionTrait,
    brand: Uuid,
    data: &Value,
) -> Result<Outcome, Failure> {
    let platform = text(data, "platform", 50)?;
    let review = text(data, "reviewId", 255)?;
    let rating = match &data["rating"] {
        Value::Null => None,
        value => Some(
            value
                .as_i64()
                .filter(|r| (1..=5).contains(r))
                .ok_or("data.rating must be 1 to 5")? as i32,
        ),
    };
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO platform_reviews (brand_id, platform, review_id, rating, review_text, reviewer_name)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (brand_id, platform, review_id)
         DO UPDATE SET rating = EXCLUDED.rating, review_text = EXCLUDED.review_text,
                       reviewer_name = EXCLUDED.reviewer_name",
        [
            brand.into(),
            platform.into(),
            review.into(),
            rating.into(),
            optional_text(data, "text", 10_000).into(),
            optional_text(data, "reviewerName", 255).into(),
        ],
    ))
    .await
    .map_err(db_failure)?;
    Ok(Outcome::Processed)
}
