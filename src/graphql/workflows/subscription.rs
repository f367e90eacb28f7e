//! Live escalations of a brand and the viewer's own notifications.

use async_graphql::{Context, ID, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};

use crate::error::{ApiError, ApiResult};
use crate::graphql::context::RequestContext;
use crate::graphql::ids::{self, NodeKind};
use crate::graphql::subscription::{Visibility, brand_events, text_in, uuid_in};
use crate::realtime::events::{ChangeEvent, Topic};
use crate::realtime::stream::EventFilter;

/// An approval was escalated.
#[derive(SimpleObject)]
pub struct EscalationRaisedEvent {
    /// Pass as `after` to resume after this event.
    cursor: String,
    /// The escalation (global id).
    escalation_id: ID,
    /// The overdue approval (global id).
    approval_id: Option<ID>,
    /// The level raised.
    level: i32,
    /// When it was raised.
    occurred_at: DateTime<Utc>,
}

/// A notification for the viewer.
#[derive(SimpleObject)]
pub struct NotificationEvent {
    /// Pass as `after` to resume after this event.
    cursor: String,
    /// The notification (global id).
    notification_id: ID,
    /// Its type (see `WorkflowNotification.type`).
    #[graphql(name = "type")]
    kind: String,
    /// Its message.
    message: String,
    /// The workflow it is about (global id), if any.
    workflow_id: Option<ID>,
    /// When it was sent.
    occurred_at: DateTime<Utc>,
}

#[derive(Default)]
pub struct WorkflowSubscription;

#[Subscription]
impl WorkflowSubscription {
    /// Escalations raised in the brand.
    async fn escalation_raised(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        #[graphql(desc = "Resume after this cursor (replays what was missed).")] after: Option<
            String,
        >,
    ) -> Result<impl Stream<Item = ApiResult<EscalationRaisedEvent>> + use<>, ApiError> {
        let filter: EventFilter = Box::new(|event: &ChangeEvent| event.op == "insert");
        let stream = brand_events(
            ctx,
            Topic::Escalation,
            &brand_id,
            after,
            Some(filter),
            Visibility::SameForAll,
        )
        .await?;
        Ok(stream.map(|item| {
            item.map(|event| EscalationRaisedEvent {
                cursor: event.seq.to_string(),
                escalation_id: ids::encode(
                    NodeKind::EscalationEvent,
                    event.entity_id.unwrap_or_default(),
                ),
                approval_id: uuid_in(&event, "approval_id")
                    .map(|id| ids::encode(NodeKind::PostApproval, id)),
                level: event.payload["level"].as_i64().unwrap_or(1) as i32,
                occurred_at: event.created_at,
            })
        }))
    }

    /// The caller's own notifications in the brand, as they are sent (users only).
    async fn notification_received(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        #[graphql(desc = "Resume after this cursor (replays what was missed).")] after: Option<
            String,
        >,
    ) -> Result<impl Stream<Item = ApiResult<NotificationEvent>> + use<>, ApiError> {
        let viewer = ctx.viewer()?;
        viewer.require_authenticated()?;
        let user = viewer.user_id().ok_or_else(|| {
            ApiError::bad_input(
                "brandId",
                "notifications belong to users, not the service role",
            )
        })?;
        let filter: EventFilter =
            Box::new(move |event: &ChangeEvent| uuid_in(event, "user_id") == Some(user));
        let stream = brand_events(
            ctx,
            Topic::Notification,
            &brand_id,
            after,
            Some(filter),
            Visibility::PerViewer,
        )
        .await?;
        Ok(stream.map(|item| {
            item.map(|event| NotificationEvent {
                cursor: event.seq.to_string(),
                notification_id: ids::encode(
                    NodeKind::WorkflowNotification,
                    event.entity_id.unwrap_or_default(),
                ),
                kind: text_in(&event, "type").unwrap_or_default().to_string(),
                message: text_in(&event, "message").unwrap_or_default().to_string(),
                workflow_id: uuid_in(&event, "instance_id")
                    .map(|id| ids::encode(NodeKind::WorkflowInstance, id)),
                occurred_at: event.created_at,
            })
        }))
    }
}
