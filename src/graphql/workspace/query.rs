//! Search, and the workspace fields of `Brand` and `viewer` (the types only delegate).

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use super::types::{AuditEntry, ClientSettings, Invitation, Milestone, SearchHit};
use crate::auth::Role;
use crate::domain::access::require_role;
use crate::domain::workspace::{search, settings};
use crate::error::{ApiError, ApiResult};
use crate::graphql::connection::{NestedConnection, nested_connection, nested_spec};
use crate::graphql::context::RequestContext;
use crate::graphql::ids::{NodeKind, decode_as};
use crate::graphql::pagination::PageArgs;
use crate::loaders::page::Sort;
use crate::loaders::relations::{AuditFilter, BrandAuditLog};

/// Narrows the audit trail.
#[derive(InputObject, Default)]
pub struct AuditLogFilter {
    /// Only what this user did.
    pub actor_id: Option<Uuid>,
    /// Only this action, e.g. `brand.update`.
    pub action: Option<String>,
    /// Only this kind of thing, e.g. `brand`, `content_item`.
    pub resource_type: Option<String>,
    /// Only about this thing.
    pub resource_id: Option<String>,
    /// At or after this time.
    pub from: Option<DateTime<FixedOffset>>,
    /// Before this time.
    pub to: Option<DateTime<FixedOffset>>,
}

#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Full-text search over the content and media of the brands you can see, best first.
    /// Syntax: words, `"a phrase"`, `or`, `-excluded`.
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        #[graphql(desc = "Only this brand.")] brand_id: Option<ID>,
        #[graphql(default = 20, validator(minimum = 1, maximum = 100))] first: i32,
    ) -> ApiResult<Vec<SearchHit>> {
        let brand = brand_id
            .map(|id| decode_as(NodeKind::Brand, &id))
            .transpose()?;
        let scope = ctx.viewer()?.brand_scope().await?;
        let hits = search::search(ctx.db()?, &scope, brand, &query, first as u64).await?;
        Ok(hits.into_iter().map(SearchHit::from).collect())
    }
}

/// `Brand.auditLog`: owners and admins (and the service role), newest first.
pub async fn audit_log(
    ctx: &Context<'_>,
    brand: Uuid,
    filter: Option<AuditLogFilter>,
    page: PageArgs,
) -> ApiResult<NestedConnection<AuditEntry>> {
    require_role(ctx.viewer()?, brand, Role::Admin).await?;
    let filter = filter.unwrap_or_default();
    let filter = AuditFilter {
        actor: filter.actor_id,
        action: filter.action,
        resource_type: filter.resource_type,
        resource_id: filter.resource_id,
        from: filter.from,
        to: filter.to,
    };
    let spec = nested_spec(ctx, filter, Sort::NEWEST_FIRST, page)?;
    nested_connection::<BrandAuditLog, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_audit_log(),
        |l| l.brand_audit_log_count(),
        AuditEntry,
    )
    .await
}

/// `Brand.milestones`, in the order they were reached.
pub async fn milestones(ctx: &Context<'_>, brand: Uuid) -> ApiResult<Vec<Milestone>> {
    let rows = ctx.loaders()?.brand_milestones().load_one(brand).await?;
    Ok(rows
        .unwrap_or_default()
        .into_iter()
        .map(Milestone::from)
        .collect())
}

/// `Brand.invitations`: owners and admins, newest first.
pub async fn invitations(
    ctx: &Context<'_>,
    brand: Uuid,
    pending_only: bool,
) -> ApiResult<Vec<Invitation>> {
    require_role(ctx.viewer()?, brand, Role::Admin).await?;
    let rows = ctx.loaders()?.brand_invitations().load_one(brand).await?;
    Ok(rows
        .unwrap_or_default()
        .into_iter()
        .filter(|i| !pending_only || i.status == "pending")
        .map(Invitation)
        .collect())
}

/// `viewer.settings(brandId)`: created with the defaults on first read.
pub async fn viewer_settings(ctx: &Context<'_>, brand_id: ID) -> ApiResult<ClientSettings> {
    let brand = decode_as(NodeKind::Brand, &brand_id)?;
    let row = settings::get_or_create(ctx.db()?, ctx.viewer()?, brand).await?;
    Ok(ClientSettings(row))
}

/// `viewer.invitations`: pending invitations addressed to the caller.
pub async fn viewer_invitations(ctx: &Context<'_>) -> ApiResult<Vec<Invitation>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let Some(user) = ctx.viewer()?.user_id() else {
        return Err(ApiError::bad_input(
            "viewer",
            "the service role has no invitations",
        ));
    };
    let rows = entity::brand_invitations::Entity::find()
        .filter(entity::brand_invitations::Column::UserId.eq(user))
        .filter(entity::brand_invitations::Column::Status.eq("pending"))
        .order_by_desc(entity::brand_invitations::Column::CreatedAt)
        .all(ctx.db()?)
        .await?;
    Ok(rows.into_iter().map(Invitation).collect())
}
