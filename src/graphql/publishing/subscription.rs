//! Live publish job transitions and connection status changes of one brand, through
//! the same change-capture path as every other subscription (resumable with `after`).

use async_graphql::{Context, ID, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};

use super::types::PublishJobStatus;
use crate::error::{ApiError, ApiResult};
use crate::graphql::ids::{self, NodeKind};
use crate::graphql::subscription::{ChangeOp, Visibility, brand_events, op_of, text_in, uuid_in};
use crate::realtime::events::{ChangeEvent, Topic};

/// A publish job changed status (or was attempted again).
#[derive(SimpleObject)]
pub struct PublishJobEvent {
    /// Pass as `after` to resume after this event.
    cursor: String,
    /// What happened.
    op: ChangeOp,
    /// The job (global id).
    publish_job_id: ID,
    /// The content item it publishes (global id).
    content_item_id: Option<ID>,
    /// The connection it publishes to (global id).
    connection_id: Option<ID>,
    /// The status after the change.
    status: Option<PublishJobStatus>,
    /// The status before the change (null for new jobs).
    previous_status: Option<PublishJobStatus>,
    /// Attempts made so far.
    attempt: i32,
    /// The last failure's code, if any.
    error_code: Option<String>,
    /// When the change committed.
    occurred_at: DateTime<Utc>,
}

impl From<&ChangeEvent> for PublishJobEvent {
    fn from(event: &ChangeEvent) -> Self {
        let status = |field| text_in(event, field).and_then(PublishJobStatus::parse);
        Self {
            cursor: event.seq.to_string(),
            op: op_of(event),
            publish_job_id: ids::encode(NodeKind::PublishJob, event.entity_id.unwrap_or_default()),
            content_item_id: uuid_in(event, "content_item_id")
                .map(|id| ids::encode(NodeKind::ContentItem, id)),
            connection_id: uuid_in(event, "connection_id")
                .map(|id| ids::encode(NodeKind::PlatformConnection, id)),
            status: status("status"),
            previous_status: status("previous_status"),
            attempt: event.payload["attempt"].as_i64().unwrap_or(0) as i32,
            error_code: text_in(event, "error_code").map(String::from),
            occurred_at: event.created_at,
        }
    }
}

/// A connection's status or health changed.
#[derive(SimpleObject)]
pub struct ConnectionStatusEvent {
    /// Pass as `after` to resume after this event.
    cursor: String,
    /// What happened.
    op: ChangeOp,
    /// The connection (global id).
    connection_id: ID,
    /// `active`, `expired`, `disconnected` or `error`.
    status: Option<String>,
    /// `healthy`, `degraded`, `unhealthy` or `unknown`.
    health_status: Option<String>,
    /// The account must be connected again.
    requires_reconnect: bool,
    /// When the change committed.
    occurred_at: DateTime<Utc>,
}

impl From<&ChangeEvent> for ConnectionStatusEvent {
    fn from(event: &ChangeEvent) -> Self {
        Self {
            cursor: event.seq.to_string(),
            op: op_of(event),
            connection_id: ids::encode(
                NodeKind::PlatformConnection,
                event.entity_id.unwrap_or_default(),
            ),
            status: text_in(event, "status").map(String::from),
            health_status: text_in(event, "health_status").map(String::from),
            requires_reconnect: event.payload["requires_reconnect"]
                .as_bool()
                .unwrap_or(false),
            occurred_at: event.created_at,
        }
    }
}

#[derive(Default)]
pub struct PublishingSubscription;

#[Subscription]
impl PublishingSubscription {
    /// Publish job transitions of the brand, in commit order.
    async fn publish_job_updated(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        #[graphql(desc = "Resume after this cursor (replays what was missed).")] after: Option<
            String,
        >,
    ) -> Result<impl Stream<Item = ApiResult<PublishJobEvent>> + use<>, ApiError> {
        let stream = brand_events(
            ctx,
            Topic::PublishJob,
            &brand_id,
            after,
            None,
            Visibility::SameForAll,
        )
        .await?;
        Ok(stream.map(|item| item.map(|event| PublishJobEvent::from(event.as_ref()))))
    }

    /// Status and health changes of the brand's connections.
    async fn connection_status_changed(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        #[graphql(desc = "Resume after this cursor (replays what was missed).")] after: Option<
            String,
        >,
    ) -> Result<impl Stream<Item = ApiResult<ConnectionStatusEvent>> + use<>, ApiError> {
        let stream = brand_events(
            ctx,
            Topic::Connection,
            &brand_id,
            after,
            None,
            Visibility::SameForAll,
        )
        .await?;
        Ok(stream.map(|item| item.map(|event| ConnectionStatusEvent::from(event.as_ref()))))
    }
}
