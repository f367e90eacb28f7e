use async_graphql::{Context, ID, Object};
use chrono::{DateTime, FixedOffset};
use uuid::Uuid;

use crate::auth::Role;
use crate::error::ApiResult;
use crate::graphql::context::RequestContext;
use crate::graphql::ids::{self, NodeKind};
use entity::{brand_members, tenants, users};

/// A customer organisation; brands belong to one tenant.
pub struct Tenant(pub tenants::Model);

/// A customer organisation; brands belong to one tenant.
#[Object]
impl Tenant {
    /// Global id (for `node`).
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::Tenant, self.0.id)
    }
    /// Database id.
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// Organisation name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Subscription plan (`free`, ...).
    async fn plan(&self) -> Option<&str> {
        self.0.plan.as_deref()
    }
    /// Creation time.
    async fn created_at(&self) -> DateTime<FixedOffset> {
        self.0.created_at
    }
}

/// A person who signs in to the platform.
pub struct User(pub users::Model);

impl User {
    /// The user a nullable reference column points at (batched through the users loader).
    pub async fn load(ctx: &Context<'_>, id: Option<Uuid>) -> ApiResult<Option<User>> {
        let Some(id) = id else { return Ok(None) };
        Ok(ctx.loaders()?.users().load_one(id).await?.map(User))
    }
}

/// A person who signs in to the platform.
#[Object]
impl User {
    /// Global id (for `node`).
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::User, self.0.id)
    }
    /// Database id (the JWT `sub`).
    async fn uuid(&self) -> Uuid {
        self.0.id
    }
    /// Name shown in the UI.
    async fn display_name(&self) -> Option<&str> {
        self.0.display_name.as_deref()
    }
}

/// A user's membership in a brand.
pub struct BrandMember(pub brand_members::Model);

/// A user's membership in a brand.
#[Object]
impl BrandMember {
    /// Global id (for `node`).
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeKind::BrandMember, self.0.id)
    }
    /// The member.
    async fn user(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        Ok(ctx
            .loaders()?
            .users()
            .load_one(self.0.user_id)
            .await?
            .map(User))
    }
    /// Their role in the brand.
    async fn role(&self) -> Option<Role> {
        self.0.role.parse().ok()
    }
    /// Since when.
    async fn created_at(&self) -> DateTime<FixedOffset> {
        self.0.created_at
    }
}
