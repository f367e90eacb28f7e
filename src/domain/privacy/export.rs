//! Export (the rights of access and portability): everything a brand holds about a person
//! as one JSON document, built by one statement — the lead(s) with their activities, the
//! email contact(s) with the campaigns they were sent and the provider's events about
//! them. Columns keep their database names; the document also names the brand, the
//! address asked for and when it was made.

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::Value;
use uuid::Uuid;

use super::{PRIVACY_ROLE, SUBJECT_HASH_SQL, find_subject, subject};
use crate::auth::Viewer;
use crate::domain::access::require_role;
use crate::error::{ApiError, ApiResult};

/// One export: its request and the document.
#[derive(Debug, Clone)]
pub struct PersonExport {
    pub request_id: Uuid,
    pub document: Value,
}

/// Exports what `brand` holds about the person with address `email` (admins and owners).
/// An address the brand holds nothing about gives a document with empty lists.
pub async fn export_person(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    brand: Uuid,
    email: &str,
) -> ApiResult<PersonExport> {
    require_role(viewer, brand, PRIVACY_ROLE).await?;
    let email = subject(email)?;
    let found = find_subject(db, brand, &email).await?;
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!(
                "WITH request AS (
                   INSERT INTO data_export_requests
                     (brand_id, subject_hash, lead_id, contact_id, status, requested_by, completed_at)
                   VALUES ($1, {SUBJECT_HASH_SQL}, $3[1], $4[1], 'completed', $5, now())
                   RETURNING id, subject_hash),
                 logged AS (
                   INSERT INTO privacy_audit_log (brand_id, user_id, event_type, subject_hash, request_id, details)
                   SELECT $1, $5, 'export', subject_hash, id,
                          jsonb_build_object('leads', cardinality($3::uuid[]),
                                             'contacts', cardinality($4::uuid[]))
                     FROM request)
                 SELECT id,
                   jsonb_build_object(
                     'requestId', (SELECT id FROM request),
                     'brandId', $1,
                     'email', $2,
                     'exportedAt', now(),
                     'leads', coalesce((
                       SELECT jsonb_agg(to_jsonb(l) || jsonb_build_object('activities', coalesce((
                                SELECT jsonb_agg(to_jsonb(a) ORDER BY a.created_at, a.id)
                                  FROM lead_activities a WHERE a.lead_id = l.id), '[]'::jsonb))
                              ORDER BY l.created_at, l.id)
                         FROM leads l WHERE l.brand_id = $1 AND l.id = ANY ($3)), '[]'::jsonb),
                     'contacts', coalesce((
                       SELECT jsonb_agg(to_jsonb(c) || jsonb_build_object(
                                'campaigns', coalesce((
                                  SELECT jsonb_agg(to_jsonb(r) || jsonb_build_object('name', e.name, 'subject', e.subject)
                                                   ORDER BY r.created_at)
                                    FROM email_campaign_recipients r
                                    JOIN email_campaigns e ON e.id = r.email_campaign_id
                                   WHERE r.contact_id = c.id), '[]'::jsonb),
                                'events', coalesce((
                                  SELECT jsonb_agg(to_jsonb(ev) ORDER BY ev.occurred_at, ev.id)
                                    FROM email_events ev WHERE ev.contact_id = c.id), '[]'::jsonb))
                              ORDER BY c.created_at, c.id)
                         FROM email_contacts c WHERE c.brand_id = $1 AND c.id = ANY ($4)), '[]'::jsonb))
                 FROM request"
            ),
            [
                brand.into(),
                email.into(),
                found.leads.into(),
                found.contacts.into(),
                viewer.user_id().into(),
            ],
        ))
        .await?
        .ok_or_else(|| ApiError::unexpected("export request", "no row"))?;
    Ok(PersonExport {
        request_id: row.try_get_by_index(0)?,
        document: row.try_get_by_index::<Value>(1)?,
    })
}
