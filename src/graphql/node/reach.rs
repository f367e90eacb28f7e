//! Who may read an object fetched by `node`: the rule each kind's own fields apply.
//! Archived brands are invisible on every path, so everything of theirs is too.

use async_graphql::Context;
use uuid::Uuid;

use crate::auth::Role;
use crate::error::ApiResult;
use crate::graphql::context::RequestContext;
use entity::brands;

/// Who may read an object.
#[derive(Debug, Clone, Copy)]
pub enum Reach {
    /// Whoever can see the brand.
    Brand(Uuid),
    /// Whoever holds at least this role in the brand.
    BrandRole(Uuid, Role),
    /// Only the user it is addressed to, while they can see the brand.
    Recipient { brand: Uuid, user: Uuid },
    /// Whoever can see one of the tenant's brands.
    Tenant(Uuid),
    /// The user themself and whoever shares a visible brand with them.
    User(Uuid),
    /// No field reads it (e.g. a webhook delivery matched to no brand).
    Nobody,
}

/// Whether the request's viewer may read an object reached as `reach`.
pub async fn allows(ctx: &Context<'_>, reach: Reach) -> ApiResult<bool> {
    let viewer = ctx.viewer()?;
    Ok(match reach {
        Reach::Brand(brand) => brand_role(ctx, brand).await?.is_some(),
        Reach::BrandRole(brand, needed) => {
            brand_role(ctx, brand).await?.is_some_and(|r| r >= needed)
        }
        Reach::Recipient { brand, user } => {
            viewer.user_id() == Some(user) && brand_role(ctx, brand).await?.is_some()
        }
        Reach::Tenant(tenant) => {
            viewer.is_service()
                || visible_brands(ctx)
                    .await?
                    .iter()
                    .any(|brand| brand.tenant_id == Some(tenant))
        }
        Reach::User(user) => {
            viewer.is_service() || viewer.user_id() == Some(user) || {
                let brands = visible_brands(ctx).await?;
                let ids = brands.iter().map(|brand| brand.id);
                let members = ctx.loaders()?.brand_members().load_many(ids).await?;
                members.values().flatten().any(|m| m.user_id == user)
            }
        }
        Reach::Nobody => false,
    })
}

/// The viewer's role in `brand`, `None` if it is invisible to them or archived.
async fn brand_role(ctx: &Context<'_>, brand: Uuid) -> ApiResult<Option<Role>> {
    let Some(role) = ctx.viewer()?.role_in(brand).await? else {
        return Ok(None);
    };
    let row = ctx.loaders()?.brands().load_one(brand).await?;
    Ok(row.filter(|row| row.archived_at.is_none()).map(|_| role))
}

/// The brands the (user) viewer belongs to that are not archived.
async fn visible_brands(ctx: &Context<'_>) -> ApiResult<Vec<brands::Model>> {
    let memberships = ctx.viewer()?.memberships().await?;
    let rows = ctx
        .loaders()?
        .brands()
        .load_many(memberships.keys().copied())
        .await?;
    Ok(rows
        .into_values()
        .filter(|row| row.archived_at.is_none())
        .collect())
}
