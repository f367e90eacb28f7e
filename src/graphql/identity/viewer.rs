use async_graphql::{Context, Object, SimpleObject};
use uuid::Uuid;

use crate::auth::{Principal, Role};
use crate::error::ApiResult;
use crate::graphql::context::RequestContext;
use crate::graphql::identity::User;
use crate::graphql::workflows::{self, ApprovalRequest, WorkflowNotification};
use crate::graphql::workspace::{self, ClientSettings, Invitation};

#[derive(Default)]
pub struct ViewerQuery;

/// The caller as the gateway sees it.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ViewerInfo {
    /// Whether the caller holds the trusted `service_role`.
    is_service_role: bool,
    /// The signed-in user (null for the service role).
    user: Option<User>,
    /// The caller's brand memberships.
    memberships: Vec<Membership>,
}

/// One brand the caller belongs to, and the role held there.
#[derive(SimpleObject)]
pub struct Membership {
    /// Database id of the brand.
    brand_id: Uuid,
    /// Role in that brand.
    role: Role,
}

#[async_graphql::ComplexObject]
impl ViewerInfo {
    /// The caller's settings for a brand (created with the defaults on first read).
    async fn settings(
        &self,
        ctx: &Context<'_>,
        brand_id: async_graphql::ID,
    ) -> ApiResult<ClientSettings> {
        workspace::query::viewer_settings(ctx, brand_id).await
    }
    /// Pending invitations addressed to the caller.
    async fn invitations(&self, ctx: &Context<'_>) -> ApiResult<Vec<Invitation>> {
        workspace::query::viewer_invitations(ctx).await
    }
    /// Pending reviews assigned to the caller: earliest deadline first (none last), then
    /// most urgent, then oldest.
    async fn review_queue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this brand.")] brand_id: Option<async_graphql::ID>,
        #[graphql(default, desc = "Only those past their deadline.")] overdue_only: bool,
        #[graphql(default = 20, desc = "At most this many (1 to 100).")] first: i32,
    ) -> ApiResult<Vec<ApprovalRequest>> {
        workflows::brand_fields::review_queue(ctx, brand_id, overdue_only, first).await
    }
    /// The caller's notifications: unread first, then newest.
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default, desc = "Only unread ones.")] unread_only: bool,
        #[graphql(default = 20, desc = "At most this many (1 to 100).")] first: i32,
    ) -> ApiResult<Vec<WorkflowNotification>> {
        workflows::brand_fields::notifications(ctx, unread_only, first).await
    }
}

#[Object]
impl ViewerQuery {
    /// The caller: user, memberships. `UNAUTHENTICATED` without a token.
    async fn viewer(&self, ctx: &Context<'_>) -> ApiResult<ViewerInfo> {
        let viewer = ctx.viewer()?;
        let principal = viewer.require_authenticated()?;
        let user = match principal {
            Principal::User { id, .. } => ctx.loaders()?.users().load_one(*id).await?.map(User),
            Principal::Service { .. } => None,
        };
        let mut memberships: Vec<Membership> = viewer
            .memberships()
            .await?
            .iter()
            .map(|(brand_id, role)| Membership {
                brand_id: *brand_id,
                role: *role,
            })
            .collect();
        memberships.sort_by_key(|m| m.brand_id);
        Ok(ViewerInfo {
            is_service_role: viewer.is_service(),
            user,
            memberships,
        })
    }
}
