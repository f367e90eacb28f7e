//! Email contacts: imported in bounded batches (idempotent by address within the brand)
//! and unsubscribed by members or by the provider's webhooks. An import never
//! re-subscribes a contact who unsubscribed, bounced or complained.

use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Statement};
use serde_json::json;
use uuid::Uuid;

use super::{SubscriptionStatus, WRITE_ROLE, address, events, tags};
use crate::auth::Viewer;
use crate::domain::access::require_role;
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::domain::brands::lock_visible;
use crate::domain::marketing::optional_text;
use crate::error::{ApiError, ApiResult};
use entity::email_contacts;

/// The most contacts one import takes.
pub const MAX_IMPORT: usize = 1000;

/// One contact of an import.
pub struct ContactInput {
    pub email: String,
    pub name: Option<String>,
    pub company: Option<String>,
    pub tags: Vec<String>,
}

/// What an import did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportCounts {
    /// New contacts.
    pub created: i32,
    /// Known contacts whose name, company or tags changed.
    pub updated: i32,
    /// Known contacts the import did not change.
    pub unchanged: i32,
    /// Rows whose address appeared earlier in the same batch (ignoring case).
    pub duplicates: i32,
}

/// Imports up to [`MAX_IMPORT`] contacts into a brand (members and above), in one
/// statement. A known address (ignoring case) is updated: a name or company given
/// replaces the old one, tags are added. New contacts are subscribed and linked to the
/// brand's lead of the same address, if there is one. An invalid row refuses the whole
/// batch, naming its index.
pub async fn import(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    brand: Uuid,
    rows: Vec<ContactInput>,
) -> ApiResult<ImportCounts> {
    require_role(viewer, brand, WRITE_ROLE).await?;
    if rows.is_empty() || rows.len() > MAX_IMPORT {
        return Err(ApiError::bad_input(
            "contacts",
            format!("import 1 to {MAX_IMPORT} contacts at a time"),
        ));
    }
    let mut counts = ImportCounts::default();
    let mut seen = std::collections::HashSet::new();
    let mut batch = Vec::with_capacity(rows.len());
    for (index, row) in rows.into_iter().enumerate() {
        let at = |err: ApiError| match err {
            ApiError::BadUserInput { message, field } => ApiError::BadUserInput {
                message: format!("contacts[{index}]: {message}"),
                field,
            },
            other => other,
        };
        let email = address("email", &row.email).map_err(at)?;
        if !seen.insert(email.to_lowercase()) {
            counts.duplicates += 1;
            continue;
        }
        batch.push(json!({
            "email": email,
            "name": optional_text("name", row.name, 200).map_err(at)?,
            "company": optional_text("company", row.company, 200).map_err(at)?,
            "tags": tags("tags", row.tags).map_err(at)?,
        }));
    }
    let total = batch.len() as i32;
    let result = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "WITH input AS (
               SELECT x.email, x.name, x.company, coalesce(x.tags, '{}') AS tags
                 FROM jsonb_to_recordset($2) AS x(email text, name text, company text, tags text[])),
             written AS (
               INSERT INTO email_contacts AS c (brand_id, email, name, company, tags, lead_id, created_by)
               SELECT $1, i.email, i.name, i.company, i.tags,
                      (SELECT l.id FROM leads l WHERE l.brand_id = $1 AND lower(l.email) = lower(i.email)),
                      $3
                 FROM input i
               ON CONFLICT (brand_id, lower(email)) DO UPDATE SET
                 name = coalesce(EXCLUDED.name, c.name),
                 company = coalesce(EXCLUDED.company, c.company),
                 tags = ARRAY(SELECT DISTINCT t FROM unnest(c.tags || EXCLUDED.tags) AS t ORDER BY t)
               WHERE (coalesce(EXCLUDED.name, c.name), coalesce(EXCLUDED.company, c.company))
                       IS DISTINCT FROM (c.name, c.company)
                  OR NOT (EXCLUDED.tags <@ c.tags)
               RETURNING (xmax = 0) AS created)
             SELECT count(*) FILTER (WHERE created)::int, count(*) FILTER (WHERE NOT created)::int
               FROM written",
            [
                brand.into(),
                serde_json::Value::Array(batch).into(),
                viewer.user_id().into(),
            ],
        ))
        .await?
        .ok_or_else(|| ApiError::unexpected("contact import", "no row"))?;
    counts.created = result.try_get_by_index(0)?;
    counts.updated = result.try_get_by_index(1)?;
    counts.unchanged = total - counts.created - counts.updated;
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: Some(brand),
            action: "email_contact.import",
            resource_type: "brand",
            resource_id: brand.to_string(),
            metadata: json!({ "created": counts.created, "updated": counts.updated,
                              "unchanged": counts.unchanged, "duplicates": counts.duplicates }),
        },
    )
    .await?;
    Ok(counts)
}

/// Unsubscribes a contact (members and above); unsubscribing again changes nothing. The
/// contact's lead, if any, gets an `email_unsubscribed` activity.
pub async fn unsubscribe(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
    reason: Option<String>,
) -> ApiResult<email_contacts::Model> {
    let reason = optional_text("reason", reason, 1000)?;
    let row = lock_visible(
        db,
        viewer,
        email_contacts::Entity::find_by_id(id),
        email_contacts::Column::BrandId,
        "email contact",
    )
    .await?;
    require_role(viewer, row.brand_id, WRITE_ROLE).await?;
    if row.subscription_status != SubscriptionStatus::Subscribed.as_str() {
        return Ok(row);
    }
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE email_contacts SET subscription_status = 'unsubscribed', status_changed_at = now()
          WHERE id = $1",
        [id.into()],
    ))
    .await?;
    let lead = events::lead_of(db, row.brand_id, row.lead_id, &row.email).await?;
    if let Some(lead) = lead {
        events::add_lead_activity(
            db,
            row.brand_id,
            lead,
            "email_unsubscribed",
            viewer.user_id(),
            json!({ "contact_id": id, "reason": reason, "by": "member" }),
        )
        .await?;
    }
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: Some(row.brand_id),
            action: "email_contact.unsubscribe",
            resource_type: "email_contact",
            resource_id: id.to_string(),
            metadata: json!({ "reason": reason }),
        },
    )
    .await?;
    email_contacts::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("email contact"))
}
