//! Strategy briefs (versioned per brand and cycle) and content packages (generated copy
//! awaiting approval; approving one creates a draft content item).

use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, Set, Statement,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{document, ident};
use crate::auth::{Role, Viewer};
use crate::domain::access::require_role;
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::domain::brands::lock_visible;
use crate::error::{ApiError, ApiResult};
use entity::{content_items, content_packages, strategy_briefs};

/// What a brief says.
pub struct BriefInput {
    pub request_id: String,
    pub cycle_id: String,
    pub positioning: Value,
    pub voice: Value,
    pub visual: Value,
    pub competitive: Value,
}

/// Adds the next version (`v1`, `v2`, ...) of the brand's brief for a cycle (admins and
/// above, and the service role).
pub async fn create_brief(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    brand: Uuid,
    input: BriefInput,
) -> ApiResult<strategy_briefs::Model> {
    require_role(viewer, brand, Role::Admin).await?;
    let cycle = ident("cycleId", &input.cycle_id)?.to_string();
    let request = ident("requestId", &input.request_id)?.to_string();
    // Serialises versions of one (brand, cycle); the unique key backs it up.
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock(hashtext($1))",
        [format!("brief:{brand}:{cycle}").into()],
    ))
    .await?;
    let count = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT count(*) FROM strategy_briefs WHERE brand_id = $1 AND cycle_id = $2",
            [brand.into(), cycle.clone().into()],
        ))
        .await?
        .map(|row| row.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0);
    let row = strategy_briefs::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(brand),
        request_id: Set(request),
        cycle_id: Set(cycle),
        version: Set(format!("v{}", count + 1)),
        positioning: Set(document("positioning", input.positioning)?),
        voice: Set(document("voice", input.voice)?),
        visual: Set(document("visual", input.visual)?),
        competitive: Set(document("competitive", input.competitive)?),
        ..Default::default()
    }
    .insert(db)
    .await?;
    record(
        db,
        audit_ctx,
        brand,
        "strategy_brief.create",
        "strategy_brief",
        row.id,
        json!({ "cycle_id": row.cycle_id, "version": row.version }),
    )
    .await?;
    Ok(row)
}

/// A generated package.
pub struct PackageInput {
    pub content_id: String,
    pub request_id: String,
    pub cycle_id: String,
    pub copy: Value,
    pub design_context: Option<Value>,
    pub collaboration_log: Value,
    pub quality_score: Option<f64>,
    pub requires_approval: bool,
}

/// Stores a package (members and above, and the service role); one that requires
/// approval waits as `pending_approval`.
pub async fn create_package(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    brand: Uuid,
    input: PackageInput,
) -> ApiResult<content_packages::Model> {
    require_role(viewer, brand, Role::Member).await?;
    let score = match input.quality_score {
        Some(score) if !(0.0..=10.0).contains(&score) => {
            return Err(ApiError::bad_input(
                "qualityScore",
                "qualityScore must be 0 to 10",
            ));
        }
        Some(score) => Some(
            sea_orm::prelude::Decimal::from_f64_retain((score * 10.0).round() / 10.0)
                .unwrap_or_default()
                .round_dp(1),
        ),
        None => None,
    };
    if !input.copy.is_object() {
        return Err(ApiError::bad_input("copy", "copy must be an object"));
    }
    let content_id = ident("contentId", &input.content_id)?.to_string();
    let insert = content_packages::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(brand),
        content_id: Set(content_id.clone()),
        request_id: Set(ident("requestId", &input.request_id)?.to_string()),
        cycle_id: Set(ident("cycleId", &input.cycle_id)?.to_string()),
        copy: Set(document("copy", input.copy)?),
        design_context: Set(input
            .design_context
            .map(|d| document("designContext", d))
            .transpose()?),
        collaboration_log: Set(document("collaborationLog", input.collaboration_log)?),
        status: Set(if input.requires_approval {
            "pending_approval"
        } else {
            "draft"
        }
        .into()),
        quality_score: Set(score),
        requires_approval: Set(Some(input.requires_approval)),
        ..Default::default()
    };
    let row = match insert.insert(db).await {
        Ok(row) => row,
        Err(err) if err.to_string().contains("content_packages_content_id_key") => {
            return Err(ApiError::Conflict(format!(
                "a content package with contentId {content_id} exists"
            )));
        }
        Err(err) => return Err(err.into()),
    };
    record(
        db,
        audit_ctx,
        brand,
        "content_package.create",
        "content_package",
        row.id,
        json!({ "content_id": row.content_id, "status": row.status }),
    )
    .await?;
    Ok(row)
}

/// Approves or rejects a package waiting for approval (managers and above). Approving
/// creates a draft content item from the package's copy (`title`/`headline`, `body`).
pub async fn decide_package(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    audit_ctx: &AuditContext,
    id: Uuid,
    approve: bool,
) -> ApiResult<content_packages::Model> {
    let row = lock_visible(
        db,
        viewer,
        content_packages::Entity::find_by_id(id),
        content_packages::Column::BrandId,
        "content package",
    )
    .await?;
    require_role(viewer, row.brand_id, Role::Manager).await?;
    if row.status != "pending_approval" && row.status != "draft" {
        return Err(ApiError::Conflict(format!(
            "the package is {}; only draft or pending packages are decided",
            row.status
        )));
    }
    let brand = row.brand_id;
    let item = if approve {
        let title = row.copy["title"]
            .as_str()
            .or(row.copy["headline"].as_str())
            .map(|t| t.chars().take(500).collect::<String>());
        let item = content_items::ActiveModel {
            id: Set(Uuid::new_v4()),
            brand_id: Set(brand),
            r#type: Set(row.copy["type"]
                .as_str()
                .unwrap_or("post")
                .chars()
                .take(50)
                .collect()),
            title: Set(title),
            content: Set(row.copy.clone()),
            status: Set("draft".into()),
            platform: Set(row.copy["platform"].as_str().map(String::from)),
            generated_by_agent: Set(Some("content_package".into())),
            generation_metadata: Set(Some(
                json!({ "content_package_id": row.id, "cycle_id": row.cycle_id }),
            )),
            created_by: Set(viewer.user_id()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        Some(item.id)
    } else {
        None
    };
    let mut active = row.into_active_model();
    active.status = Set(if approve { "approved" } else { "rejected" }.into());
    active.decided_by = Set(viewer.user_id());
    active.content_item_id = Set(item);
    let row = active.update(db).await?;
    record(
        db,
        audit_ctx,
        brand,
        if approve {
            "content_package.approve"
        } else {
            "content_package.reject"
        },
        "content_package",
        row.id,
        json!({ "content_item_id": item }),
    )
    .await?;
    Ok(row)
}

pub(crate) async fn record(
    db: &impl ConnectionTrait,
    audit_ctx: &AuditContext,
    brand: Uuid,
    action: &str,
    resource_type: &str,
    id: Uuid,
    metadata: Value,
) -> ApiResult<()> {
    audit::record(
        db,
        audit_ctx,
        AuditEntry {
            brand_id: Some(brand),
            action,
            resource_type,
            resource_id: id.to_string(),
            metadata,
        },
    )
    .await
}
