//! Creating, editing, archiving and restoring brands. Every change writes an audit row
//! with the fields before and after, in the same transaction, so the audit trail is the
//! brand's change history.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Set,
    Statement,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::auth::{Role, Viewer};
use crate::domain::access::require_role;
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::error::{ApiError, ApiResult};
use entity::{brand_members, brands};

/// Brand fields a client sets; `None` keeps the current value.
#[derive(Default, Clone)]
pub struct BrandFields {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub logo_url: Option<String>,
    pub primary_color: Option<String>,
    pub website_url: Option<String>,
    pub industry: Option<String>,
    pub description: Option<String>,
    pub voice_summary: Option<String>,
    pub visual_summary: Option<String>,
    pub tone_keywords: Option<Vec<String>>,
    pub brand_kit: Option<Value>,
    pub search_language: Option<String>,
}

fn valid_slug(slug: &str) -> bool {
    (1..=100).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

fn check(fields: &BrandFields) -> ApiResult<()> {
    if let Some(name) = &fields.name
        && (name.trim().is_empty() || name.len() > 200)
    {
        return Err(ApiError::bad_input(
            "name",
            "name must be 1 to 200 characters",
        ));
    }
    if let Some(slug) = &fields.slug
        && !valid_slug(slug)
    {
        return Err(ApiError::bad_input(
            "slug",
            "slug must be lowercase letters, digits and inner dashes (at most 100)",
        ));
    }
    if let Some(color) = &fields.primary_color {
        let hex = color.strip_prefix('#').unwrap_or_default();
        if !(hex.len() == 6 || hex.len() == 3) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ApiError::bad_input(
                "primaryColor",
                "primaryColor must be a hex colour such as #3b82f6",
            ));
        }
    }
    if let Some(kit) = &fields.brand_kit
        && !kit.is_object()
    {
        return Err(ApiError::bad_input(
            "brandKit",
            "brandKit must be an object",
        ));
    }
    Ok(())
}

/// Applies the fields that are set.
fn apply(active: &mut brands::ActiveModel, fields: BrandFields) {
    if let Some(v) = fields.name {
        active.name = Set(v.trim().to_string());
    }
    if let Some(v) = fields.slug {
        active.slug = Set(v);
    }
    if let Some(v) = fields.logo_url {
        active.logo_url = Set(Some(v));
    }
    if let Some(v) = fields.primary_color {
        active.primary_color = Set(Some(v));
    }
    if let Some(v) = fields.website_url {
        active.website_url = Set(Some(v));
    }
    if let Some(v) = fields.industry {
        active.industry = Set(Some(v));
    }
    if let Some(v) = fields.description {
        active.description = Set(Some(v));
    }
    if let Some(v) = fields.voice_summary {
        active.voice_summary = Set(Some(v));
    }
    if let Some(v) = fields.visual_summary {
        active.visual_summary = Set(Some(v));
    }
    if let Some(v) = fields.tone_keywords {
        active.tone_keywords = Set(Some(v));
    }
    if let Some(v) = fields.brand_kit {
        active.brand_kit = Set(Some(v));
    }
}

/// The brand's text search configuration; must exist in PostgreSQL (e.g. `english`).
async fn set_search_language(
    db: &impl ConnectionTrait,
    brand: Uuid,
    language: &str,
) -> ApiResult<()> {
    let known = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT 1 FROM pg_ts_config WHERE cfgname = $1",
            [language.into()],
        ))
        .await?
        .is_some();
    if !known {
        return Err(ApiError::bad_input(
            "searchLanguage",
            "not a text search configuration of this database (e.g. simple, english, german)",
        ));
    }
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE brands SET search_language = $2::regconfig WHERE id = $1",
        [brand.into(), language.into()],
    ))
    .await?;
    Ok(())
}

async fn audit_brand(
    db: &impl ConnectionTrait,
    ctx: &AuditContext,
    action: &str,
    brand: Uuid,
    before: Option<&brands::Model>,
    after: Option<&brands::Model>,
) -> ApiResult<()> {
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: Some(brand),
            action,
            resource_type: "brand",
            resource_id: brand.to_string(),
            metadata: json!({ "before": before, "after": after }),
        },
    )
    .await
}

/// Whether the viewer administers some brand of `tenant` (or is the service role).
async fn administers_tenant(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    tenant: Uuid,
) -> ApiResult<bool> {
    if viewer.is_service() {
        return Ok(true);
    }
    let Some(user) = viewer.user_id() else {
        return Ok(false);
    };
    Ok(brand_members::Entity::find()
        .filter(brand_members::Column::UserId.eq(user))
        .filter(brand_members::Column::Role.is_in(["owner", "admin"]))
        .filter(
            brand_members::Column::BrandId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(brands::Column::Id)
                    .from(brands::Entity)
                    .and_where(brands::Column::TenantId.eq(tenant))
                    .to_owned(),
            ),
        )
        .one(db)
        .await?
        .is_some())
}

/// Creates a brand in a tenant the caller administers; the creator becomes its owner.
pub async fn create(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    tenant: Uuid,
    fields: BrandFields,
) -> ApiResult<brands::Model> {
    viewer.require_authenticated()?;
    check(&fields)?;
    if !administers_tenant(db, viewer, tenant).await? {
        // Same answer whether the tenant exists or not.
        return Err(ApiError::NotFound("tenant"));
    }
    let (Some(_), Some(_)) = (&fields.name, &fields.slug) else {
        return Err(ApiError::bad_input(
            "name",
            "a new brand needs a name and a slug",
        ));
    };
    let language = fields.search_language.clone();
    let mut active = brands::ActiveModel {
        id: Set(Uuid::new_v4()),
        tenant_id: Set(Some(tenant)),
        created_by: Set(viewer.user_id()),
        ..Default::default()
    };
    apply(&mut active, fields);
    let brand = active.insert(db).await?;
    if let Some(language) = language {
        set_search_language(db, brand.id, &language).await?;
    }
    if let Some(user) = viewer.user_id() {
        brand_members::ActiveModel {
            id: Set(Uuid::new_v4()),
            user_id: Set(user),
            brand_id: Set(brand.id),
            role: Set(Role::Owner.as_str().into()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    audit_brand(db, ctx, "brand.create", brand.id, None, Some(&brand)).await?;
    Ok(brand)
}

async fn lock(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<brands::Model> {
    crate::domain::brands::lock_row(db, brands::Entity::find_by_id(id), "brand").await
}

/// Edits a brand (admins and above).
pub async fn update(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
    fields: BrandFields,
) -> ApiResult<brands::Model> {
    require_role(viewer, id, Role::Admin).await?;
    check(&fields)?;
    let before = lock(db, id).await?;
    let language = fields.search_language.clone();
    let mut active: brands::ActiveModel = before.clone().into();
    apply(&mut active, fields);
    let after = active.update(db).await?;
    if let Some(language) = language {
        set_search_language(db, id, &language).await?;
    }
    audit_brand(db, ctx, "brand.update", id, Some(&before), Some(&after)).await?;
    Ok(after)
}

/// Archives a brand (owners, or the service role): it disappears from every read path.
pub async fn archive(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
) -> ApiResult<brands::Model> {
    require_role(viewer, id, Role::Owner).await?;
    let before = lock(db, id).await?;
    let mut active: brands::ActiveModel = before.clone().into();
    active.archived_at = Set(Some(chrono::Utc::now().fixed_offset()));
    active.archived_by = Set(viewer.user_id());
    let after = active.update(db).await?;
    audit_brand(db, ctx, "brand.archive", id, Some(&before), Some(&after)).await?;
    Ok(after)
}

/// The caller's role in a brand whether or not it is archived.
async fn role_including_archived(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    brand: Uuid,
) -> ApiResult<Option<Role>> {
    if viewer.is_service() {
        return Ok(Some(Role::Owner));
    }
    let Some(user) = viewer.user_id() else {
        return Ok(None);
    };
    let row = brand_members::Entity::find()
        .filter(brand_members::Column::UserId.eq(user))
        .filter(brand_members::Column::BrandId.eq(brand))
        .one(db)
        .await?;
    Ok(row.and_then(|m| m.role.parse().ok()))
}

/// Restores an archived brand (its owners, or the service role).
pub async fn restore(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
) -> ApiResult<brands::Model> {
    viewer.require_authenticated()?;
    match role_including_archived(db, viewer, id).await? {
        None => return Err(ApiError::NotFound("brand")),
        Some(role) if role < Role::Owner => {
            return Err(ApiError::Forbidden("only owners restore a brand".into()));
        }
        Some(_) => {}
    }
    let before = lock(db, id).await?;
    if before.archived_at.is_none() {
        return Err(ApiError::Conflict("the brand is not archived".into()));
    }
    let mut active: brands::ActiveModel = before.clone().into();
    active.archived_at = Set(None);
    active.archived_by = Set(None);
    let after = active.update(db).await?;
    audit_brand(db, ctx, "brand.restore", id, Some(&before), Some(&after)).await?;
    Ok(after)
}

/// Deletes a brand and everything in it (the service role only; audited, and the audit
/// row outlives the brand).
pub async fn delete(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
) -> ApiResult<Uuid> {
    viewer.require_authenticated()?;
    if !viewer.is_service() {
        return Err(ApiError::Forbidden(
            "only the service role deletes brands; archive it instead".into(),
        ));
    }
    let before = lock(db, id).await?;
    audit_brand(db, ctx, "brand.delete", id, Some(&before), None).await?;
    // The analytics rows go first, while the brand still exists: their delete trigger
    // recomputes the brand's daily rollups, and run by the brand's own cascade it would
    // re-insert rollup keys for a brand already gone (a foreign-key failure).
    db.execute_raw(sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        "DELETE FROM analytics_metrics WHERE brand_id = $1",
        [id.into()],
    ))
    .await?;
    brands::Entity::delete_by_id(id).exec(db).await?;
    Ok(id)
}
