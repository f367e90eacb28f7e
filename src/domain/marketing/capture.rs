//! Lead capture: public form keys (admins create, list, change and revoke them) and the
//! one capture path shared by `POST /forms/{formKey}` and the `captureLead` mutation.
//!
//! A capture never reveals whether the person was already a lead: a new address
//! creates a lead, a known one (same brand, address in any case) only gets a
//! `form_submitted` activity; both answer alike. A key can only create leads: nothing
//! read through it leaves the gateway.

use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, IntoActiveModel,
    Set, Statement,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{CompanySize, LeadActivityType, campaigns, leads::email, optional_text, slug};
use crate::auth::{Role, Viewer};
use crate::domain::access::require_role;
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::domain::brands::lock_visible_with_role;
use crate::error::{ApiError, ApiResult};
use entity::{lead_form_keys, leads};

/// Most allowed origins of one key.
pub const MAX_ORIGINS: usize = 20;

/// An origin as browsers send it: `scheme://host[:port]`, no path; or `*` for any.
pub fn origin(text: &str) -> ApiResult<String> {
    let text = text.trim().trim_end_matches('/');
    if text == "*" {
        return Ok(text.into());
    }
    let bad = || {
        ApiError::bad_input(
            "allowedOrigins",
            format!("{text:?} is not an origin like https://www.example.com"),
        )
    };
    let (scheme, authority) = text.split_once("://").ok_or_else(bad)?;
    let host_ok = !authority.is_empty()
        && authority.len() <= 253
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !matches!(scheme, "http" | "https") || !host_ok {
        return Err(bad());
    }
    Ok(text.to_ascii_lowercase())
}

fn origins(list: Vec<String>) -> ApiResult<Vec<String>> {
    if list.is_empty() || list.len() > MAX_ORIGINS {
        return Err(ApiError::bad_input(
            "allowedOrigins",
            format!("list 1 to {MAX_ORIGINS} origins (or `*` for any)"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for item in list {
        let item = origin(&item)?;
        if !out.contains(&item) {
            out.push(item);
        }
    }
    Ok(out)
}

/// Whether a browser page on `origin` may post to the key.
pub fn admits_origin(key: &lead_form_keys::Model, origin: &str) -> bool {
    key.allowed_origins
        .iter()
        .any(|allowed| allowed == "*" || allowed.eq_ignore_ascii_case(origin))
}

/// A new form key.
pub struct NewFormKey {
    pub brand_id: Uuid,
    pub name: String,
    pub allowed_origins: Vec<String>,
    pub source: Option<String>,
    pub campaign_id: Option<Uuid>,
}

/// Changes to a form key; `None` leaves a field as it is.
#[derive(Default)]
pub struct FormKeyChanges {
    pub name: Option<String>,
    pub allowed_origins: Option<Vec<String>>,
    pub source: Option<String>,
    pub campaign_id: Option<Uuid>,
}

fn summary(row: &lead_form_keys::Model) -> Value {
    json!({
        "name": row.name,
        "allowed_origins": row.allowed_origins,
        "source": row.source,
        "campaign_id": row.campaign_id,
        "revoked": row.revoked_at.is_some(),
    })
}

async fn audit_key(
    db: &impl ConnectionTrait,
    ctx: &AuditContext,
    action: &str,
    row: &lead_form_keys::Model,
    metadata: Value,
) -> ApiResult<()> {
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: Some(row.brand_id),
            action,
            resource_type: "lead_form_key",
            resource_id: row.id.to_string(),
            metadata,
        },
    )
    .await
}

async fn campaign_of_brand(
    db: &impl ConnectionTrait,
    brand: Uuid,
    campaign: Option<Uuid>,
) -> ApiResult<Option<Uuid>> {
    match campaign {
        Some(id) if !campaigns::exists_in_brand(db, brand, id).await? => Err(ApiError::bad_input(
            "campaignId",
            "no such campaign in the key's brand",
        )),
        other => Ok(other),
    }
}

async fn lock_for_admin(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> ApiResult<lead_form_keys::Model> {
    lock_visible_with_role(
        db,
        viewer,
        lead_form_keys::Entity::find_by_id(id),
        lead_form_keys::Column::BrandId,
        "lead form key",
        Role::Admin,
    )
    .await
}

/// Creates a publishable key (admins and owners): `lfk_` and 32 random hex digits.
pub async fn create_key(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    new: NewFormKey,
) -> ApiResult<lead_form_keys::Model> {
    require_role(viewer, new.brand_id, Role::Admin).await?;
    let campaign = campaign_of_brand(db, new.brand_id, new.campaign_id).await?;
    let row = lead_form_keys::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(new.brand_id),
        key: Set(format!("lfk_{}", Uuid::new_v4().simple())),
        name: Set(super::required_text("name", &new.name, 100)?),
        allowed_origins: Set(origins(new.allowed_origins)?),
        source: Set(slug("source", new.source.as_deref().unwrap_or("website"))?),
        campaign_id: Set(campaign),
        created_by: Set(viewer.user_id()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit_key(db, audit_ctx, "lead_form_key.create", &row, summary(&row)).await?;
    Ok(row)
}

/// Changes a key's name, origins, source or campaign (admins and owners).
pub async fn update_key(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    id: Uuid,
    changes: FormKeyChanges,
) -> ApiResult<lead_form_keys::Model> {
    let row = lock_for_admin(db, viewer, id).await?;
    let campaign = match changes.campaign_id {
        Some(c) => Some(campaign_of_brand(db, row.brand_id, Some(c)).await?),
        None => None,
    };
    let before = summary(&row);
    let mut active = row.into_active_model();
    if let Some(name) = changes.name {
        active.name = Set(super::required_text("name", &name, 100)?);
    }
    if let Some(list) = changes.allowed_origins {
        active.allowed_origins = Set(origins(list)?);
    }
    if let Some(source) = changes.source {
        active.source = Set(slug("source", &source)?);
    }
    if let Some(campaign) = campaign {
        active.campaign_id = Set(campaign);
    }
    let row = active.update(db).await?;
    let after = summary(&row);
    audit_key(
        db,
        audit_ctx,
        "lead_form_key.update",
        &row,
        json!({ "before": before, "after": after }),
    )
    .await?;
    Ok(row)
}

/// Revokes a key (admins and owners); from then on it captures nothing. Revoking a
/// revoked key changes nothing.
pub async fn revoke_key(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    id: Uuid,
) -> ApiResult<lead_form_keys::Model> {
    let row = lock_for_admin(db, viewer, id).await?;
    if row.revoked_at.is_some() {
        return Ok(row);
    }
    let mut active = row.into_active_model();
    active.revoked_at = Set(Some(chrono::Utc::now().fixed_offset()));
    let row = active.update(db).await?;
    audit_key(db, audit_ctx, "lead_form_key.revoke", &row, summary(&row)).await?;
    Ok(row)
}

/// A brand's keys, newest first (the caller has checked the admin role).
pub async fn keys_of_brand(
    db: &impl ConnectionTrait,
    brand: Uuid,
) -> ApiResult<Vec<lead_form_keys::Model>> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    Ok(lead_form_keys::Entity::find()
        .filter(lead_form_keys::Column::BrandId.eq(brand))
        .order_by_desc(lead_form_keys::Column::CreatedAt)
        .order_by_desc(lead_form_keys::Column::Id)
        .all(db)
        .await?)
}

/// The live key with this text: not revoked, of a brand that is not archived.
pub async fn live_key(
    db: &impl ConnectionTrait,
    key: &str,
) -> ApiResult<Option<lead_form_keys::Model>> {
    if key.len() != 36 || !key.starts_with("lfk_") {
        return Ok(None);
    }
    Ok(
        lead_form_keys::Model::find_by_statement(Statement::from_sql_and_values(
            DbBackend::Postgres,
            // Row-level security shows a form key only to the statement that presents it
            // (`brandgraph.form_key`, set before the lateral lookup runs: `OFFSET 0` keeps
            // it from being flattened into a join the planner could reorder), and no
            // brand row: `rls.is_archived` answers for the brand.
            "SELECT k.* FROM (SELECT set_config('brandgraph.kind', 'form', true) AS kind,
                                     set_config('brandgraph.form_key', $1, true) AS key) AS viewer
               CROSS JOIN LATERAL (
                 SELECT k.* FROM lead_form_keys k
                  WHERE k.key = viewer.key AND k.revoked_at IS NULL
                    AND NOT rls.is_archived(k.brand_id)
                 OFFSET 0) AS k",
            [key.into()],
        ))
        .one(db)
        .await?,
    )
}

/// What a person submitted (already size-checked by the caller's parser).
#[derive(Debug, Default, Clone)]
pub struct Submission {
    pub email: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub job_title: Option<String>,
    pub industry: Option<String>,
    pub company_size: Option<String>,
    /// A free message; it becomes the activity's description.
    pub message: Option<String>,
}

/// Where a capture lands.
pub struct Target {
    pub brand_id: Uuid,
    pub source: String,
    pub campaign_id: Option<Uuid>,
    /// The key it came through (none for `captureLead`).
    pub form_key_id: Option<Uuid>,
    /// Who captured it (none for an anonymous form).
    pub created_by: Option<Uuid>,
}

/// The outcome: the lead and whether it was created now.
pub struct Captured {
    pub lead: leads::Model,
    pub created: bool,
}

/// Checked submission fields, ready to insert.
struct Fields {
    email: String,
    name: String,
    phone: Option<String>,
    company: Option<String>,
    job_title: Option<String>,
    industry: Option<String>,
    company_size: Option<String>,
    message: Option<String>,
}

fn fields(submission: Submission) -> ApiResult<Fields> {
    let address = email(&submission.email)?;
    let name = match optional_text("name", submission.name, 200)? {
        Some(name) => name,
        // A newsletter form may ask for the address only.
        None => address
            .split_once('@')
            .map(|(local, _)| local.to_string())
            .unwrap_or_default(),
    };
    let company_size = match optional_text("company_size", submission.company_size, 20)? {
        Some(size) => Some(
            CompanySize::parse(&size.to_ascii_lowercase())
                .ok_or_else(|| {
                    ApiError::bad_input(
                        "company_size",
                        "company_size is one of startup, small, medium, enterprise",
                    )
                })?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    Ok(Fields {
        email: address,
        name,
        phone: optional_text("phone", submission.phone, 50)?,
        company: optional_text("company", submission.company, 200)?,
        job_title: optional_text("job_title", submission.job_title, 200)?,
        industry: optional_text("industry", submission.industry, 200)?,
        company_size,
        message: optional_text("message", submission.message, 2000)?,
    })
}

/// Creates the lead, or finds the brand's lead with that address, and logs a
/// `form_submitted` activity on it, in the caller's transaction (whose triggers score the
/// lead, index it for search and emit its change event).
pub async fn capture(
    db: &impl ConnectionTrait,
    audit_ctx: &AuditContext,
    target: Target,
    submission: Submission,
) -> ApiResult<Captured> {
    let f = fields(submission)?;
    let source = slug("source", &target.source)?;
    let inserted = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO leads (brand_id, name, email, phone, company, job_title, industry,
                                company_size, source, campaign_id, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (brand_id, lower(email)) DO NOTHING
             RETURNING id",
            [
                target.brand_id.into(),
                f.name.into(),
                f.email.clone().into(),
                f.phone.into(),
                f.company.into(),
                f.job_title.into(),
                f.industry.into(),
                f.company_size.into(),
                source.into(),
                target.campaign_id.into(),
                target.created_by.into(),
            ],
        ))
        .await?
        .map(|row| row.try_get_by_index::<Uuid>(0))
        .transpose()?;
    let created = inserted.is_some();
    let lead_id = match inserted {
        Some(id) => id,
        // Taken: by a committed lead, or by one whose insert we waited for.
        None => db
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT id FROM leads WHERE brand_id = $1 AND lower(email) = lower($2)",
                [target.brand_id.into(), f.email.into()],
            ))
            .await?
            .map(|row| row.try_get_by_index::<Uuid>(0))
            .transpose()?
            .ok_or_else(|| ApiError::Conflict("a concurrent change won; retry".into()))?,
    };
    let metadata = match target.form_key_id {
        Some(key) => json!({ "via": "form", "form_key_id": key }),
        None => json!({ "via": "api" }),
    };
    entity::lead_activities::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(target.brand_id),
        lead_id: Set(lead_id),
        r#type: Set(LeadActivityType::FormSubmitted.as_str().to_string()),
        description: Set(f.message),
        metadata: Set(metadata),
        created_by: Set(target.created_by),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        audit_ctx,
        AuditEntry {
            brand_id: Some(target.brand_id),
            action: "lead.capture",
            resource_type: "lead",
            resource_id: lead_id.to_string(),
            metadata: json!({ "created": created, "form_key_id": target.form_key_id }),
        },
    )
    .await?;
    let lead = leads::Entity::find_by_id(lead_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("lead"))?;
    Ok(Captured { lead, created })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_and_host_only() {
        assert_eq!(
            origin("https://Shop.Example.com/").unwrap(),
            "https://shop.example.com"
        );
        assert_eq!(
            origin("http://localhost:3000").unwrap(),
            "http://localhost:3000"
        );
        assert_eq!(origin("*").unwrap(), "*");
        for bad in [
            "example.com",
            "ftp://example.com",
            "https://",
            "https://a.com/path",
            "https://a b.com",
        ] {
            assert!(origin(bad).is_err(), "{bad}");
        }
        assert!(origins(vec![]).is_err());
    }

    #[test]
    fn a_submission_without_a_name_is_named_after_its_address() {
        let f = fields(Submission {
            email: "ana.lima@example.com".into(),
            company_size: Some("Enterprise".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(f.name, "ana.lima");
        assert_eq!(f.company_size.as_deref(), Some("enterprise"));
        assert!(
            fields(Submission {
                email: "x@y.io".into(),
                company_size: Some("huge".into()),
                ..Default::default()
            })
            .is_err()
        );
    }
}
