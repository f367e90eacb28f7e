//! Live brand and membership changes of one brand (resumable with `after`).

use async_graphql::{Context, ID, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use uuid::Uuid;

use crate::auth::Role;
use crate::error::{ApiError, ApiResult};
use crate::graphql::subscription::{ChangeOp, Visibility, brand_events, op_of, text_in};
use crate::realtime::events::{ChangeEvent, Topic};

/// The brand changed.
#[derive(SimpleObject)]
pub struct BrandEvent {
    /// Pass as `after` to resume after this event.
    cursor: String,
    /// What happened.
    op: ChangeOp,
    /// Name after the change.
    name: Option<String>,
    /// Slug after the change.
    slug: Option<String>,
    /// Whether the brand is archived now.
    archived: bool,
    /// When the change committed.
    occurred_at: DateTime<Utc>,
}

/// A membership of the brand changed.
#[derive(SimpleObject)]
pub struct MembershipEvent {
    /// Pass as `after` to resume after this event.
    cursor: String,
    /// Added, changed or removed.
    op: ChangeOp,
    /// The member.
    user_id: Option<Uuid>,
    /// The role after the change (before it, for a removal).
    role: Option<Role>,
    /// When the change committed.
    occurred_at: DateTime<Utc>,
}

impl From<&ChangeEvent> for BrandEvent {
    fn from(event: &ChangeEvent) -> Self {
        Self {
            cursor: event.seq.to_string(),
            op: op_of(event),
            name: text_in(event, "name").map(String::from),
            slug: text_in(event, "slug").map(String::from),
            archived: event.payload["archived"].as_bool().unwrap_or(false),
            occurred_at: event.created_at,
        }
    }
}

impl From<&ChangeEvent> for MembershipEvent {
    fn from(event: &ChangeEvent) -> Self {
        Self {
            cursor: event.seq.to_string(),
            op: op_of(event),
            user_id: event.entity_id,
            role: text_in(event, "role").and_then(|r| r.parse().ok()),
            occurred_at: event.created_at,
        }
    }
}

#[derive(Default)]
pub struct WorkspaceSubscription;

#[Subscription]
impl WorkspaceSubscription {
    /// Changes of the brand itself (name, kit, archive).
    async fn brand_updated(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        #[graphql(desc = "Resume after this cursor (replays what was missed).")] after: Option<
            String,
        >,
    ) -> Result<impl Stream<Item = ApiResult<BrandEvent>> + use<>, ApiError> {
        let stream = brand_events(
            ctx,
            Topic::Brand,
            &brand_id,
            after,
            None,
            Visibility::SameForAll,
        )
        .await?;
        Ok(stream.map(|item| item.map(|event| BrandEvent::from(event.as_ref()))))
    }

    /// Members added, changed or removed.
    async fn membership_changed(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        #[graphql(desc = "Resume after this cursor (replays what was missed).")] after: Option<
            String,
        >,
    ) -> Result<impl Stream<Item = ApiResult<MembershipEvent>> + use<>, ApiError> {
        let stream = brand_events(
            ctx,
            Topic::Membership,
            &brand_id,
            after,
            None,
            Visibility::SameForAll,
        )
        .await?;
        Ok(stream.map(|item| item.map(|event| MembershipEvent::from(event.as_ref()))))
    }
}
