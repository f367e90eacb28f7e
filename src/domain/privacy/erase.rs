//! Erasure (the right to be forgotten). The person's rows stay as tombstones so counts,
//! funnels and rollups stay right — a lead keeps its status, score, source, campaign and
//! dates; a contact its subscription history and its campaign deliveries — but every
//! personal value goes, in one transaction:
//!
//! - `leads`: name becomes `Erased`, email `erased-<id>@erased.invalid`; phone, company,
//!   notes, lost reason and tags are cleared.
//! - `email_contacts`: the same address scheme; name, company, tags and metadata cleared;
//!   a subscribed contact becomes `unsubscribed`, so no audience ever includes it again.
//! - `lead_activities`: description and metadata cleared (type and time kept).
//! - `email_events`: the clicked URL cleared (it may carry the address).
//! - `search_documents`: the lead's and contact's documents deleted, whatever their type.
//! - `change_events`: the payload of every event about the lead or contact, or mentioning
//!   the address, becomes `{"erased": true}`; a replay still returns the event (cursors
//!   stay whole) but nothing personal.
//! - `webhook_events`: the address inside a stored provider payload is replaced by
//!   `erased@erased.invalid`.
//!
//! The two append-only tables (`lead_activities`, `change_events`) are scrubbed by the
//! owner's narrow functions of migration `024_privacy`.

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;
use uuid::Uuid;

use super::{PRIVACY_ROLE, SUBJECT_HASH_SQL, find_subject, subject};
use crate::auth::Viewer;
use crate::domain::access::require_role;
use crate::error::{ApiError, ApiResult};

/// What one erasure did.
#[derive(Debug, Clone, Default)]
pub struct ErasureReport {
    pub request_id: Uuid,
    pub subject_hash: String,
    pub leads: i64,
    pub contacts: i64,
    pub activities: i64,
    pub email_events: i64,
    pub search_documents: i64,
    pub change_events: i64,
    pub webhook_events: i64,
}

async fn count(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> ApiResult<i64> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ))
        .await?
        .ok_or_else(|| ApiError::unexpected("erasure", "no row"))?;
    Ok(row.try_get_by_index(0)?)
}

/// Erases everything `brand` holds about the person with address `email` (admins and
/// owners). Erasing an address the brand holds nothing about records the request and
/// erases nothing; erasing again is harmless.
pub async fn erase_person(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    brand: Uuid,
    email: &str,
) -> ApiResult<ErasureReport> {
    require_role(viewer, brand, PRIVACY_ROLE).await?;
    let email = subject(email)?;
    let found = find_subject(db, brand, &email).await?;
    let leads = found.leads.clone();
    let contacts = found.contacts.clone();
    let mut report = ErasureReport {
        leads: count(
            db,
            "WITH erased AS (
               UPDATE leads SET name = 'Erased', email = 'erased-' || id || '@erased.invalid',
                      phone = NULL, company = NULL, notes = NULL, lost_reason = NULL, tags = '{}'
                WHERE brand_id = $1 AND id = ANY ($2) RETURNING 1)
             SELECT count(*) FROM erased",
            vec![brand.into(), leads.clone().into()],
        )
        .await?,
        contacts: count(
            db,
            "WITH erased AS (
               UPDATE email_contacts SET email = 'erased-' || id || '@erased.invalid',
                      name = NULL, company = NULL, tags = '{}', metadata = '{}'::jsonb,
                      subscription_status = CASE subscription_status
                        WHEN 'subscribed' THEN 'unsubscribed' ELSE subscription_status END,
                      status_changed_at = CASE subscription_status
                        WHEN 'subscribed' THEN now() ELSE status_changed_at END
                WHERE brand_id = $1 AND id = ANY ($2) RETURNING 1)
             SELECT count(*) FROM erased",
            vec![brand.into(), contacts.clone().into()],
        )
        .await?,
        activities: count(
            db,
            "SELECT erase_lead_activities($1, $2)",
            vec![brand.into(), leads.clone().into()],
        )
        .await?,
        email_events: count(
            db,
            "WITH erased AS (
               UPDATE email_events SET url = NULL
                WHERE brand_id = $1 AND contact_id = ANY ($2) AND url IS NOT NULL RETURNING 1)
             SELECT count(*) FROM erased",
            vec![brand.into(), contacts.clone().into()],
        )
        .await?,
        search_documents: count(
            db,
            "WITH erased AS (
               DELETE FROM search_documents WHERE brand_id = $1 AND entity_id = ANY ($2) RETURNING 1)
             SELECT count(*) FROM erased",
            vec![brand.into(), found.entity_ids().into()],
        )
        .await?,
        change_events: count(
            db,
            "SELECT erase_change_event_payloads($1, $2, $3)",
            vec![brand.into(), found.entity_ids().into(), email.clone().into()],
        )
        .await?,
        // Every character but letters, digits and `@` is escaped, so the address is
        // matched literally (ignoring case) wherever it appears in the payload's text.
        webhook_events: count(
            db,
            "WITH erased AS (
               UPDATE webhook_events
                  SET payload = regexp_replace(payload::text,
                        regexp_replace($2, '([^[:alnum:]@])', '\\\\\\1', 'g'),
                        'erased@erased.invalid', 'gi')::jsonb
                WHERE brand_id = $1 AND strpos(lower(payload::text), lower($2)) > 0 RETURNING 1)
             SELECT count(*) FROM erased",
            vec![brand.into(), email.clone().into()],
        )
        .await?,
        ..ErasureReport::default()
    };
    let erased = json!({
        "leads": report.leads, "contacts": report.contacts, "lead_activities": report.activities,
        "email_events": report.email_events, "search_documents": report.search_documents,
        "change_events": report.change_events, "webhook_events": report.webhook_events,
    });
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!(
                "WITH request AS (
                   INSERT INTO data_deletion_requests
                     (brand_id, subject_hash, lead_ids, contact_ids, erased, status, requested_by, completed_at)
                   VALUES ($1, {SUBJECT_HASH_SQL}, $3, $4, $5, 'completed', $6, now())
                   RETURNING id, subject_hash),
                 logged AS (
                   INSERT INTO privacy_audit_log (brand_id, user_id, event_type, subject_hash, request_id, details)
                   SELECT $1, $6, 'erasure', subject_hash, id, $5 FROM request)
                 SELECT id, subject_hash FROM request"
            ),
            [
                brand.into(),
                email.into(),
                leads.into(),
                contacts.into(),
                erased.into(),
                viewer.user_id().into(),
            ],
        ))
        .await?
        .ok_or_else(|| ApiError::unexpected("deletion request", "no row"))?;
    report.request_id = row.try_get_by_index(0)?;
    report.subject_hash = row.try_get_by_index(1)?;
    Ok(report)
}
