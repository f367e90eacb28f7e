//! Subscriptions: live approval, content-status and analytics events of one brand, and a
//! shared live `analyticsSummary`. Each event carries a `cursor`; passing it back as
//! `after` (e.g. after a reconnect) replays what was missed, then continues live.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::{Context, Enum, ID, SimpleObject, Subscription};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use uuid::Uuid;

use crate::auth::Principal;
use crate::compile::describe::EventRoot;
use crate::domain::analytics::{Platform, summary_days};
use crate::domain::status::{ApprovalStatus, ContentStatus};
use crate::error::{ApiError, ApiResult};
use crate::graphql::analytics::AnalyticsSummary;
use crate::graphql::audience::{AudienceFeed, AudienceTicket, PlannedRendering, ResumeAfter};
use crate::graphql::context::RequestContext;
use crate::graphql::ids::{self, NodeKind};
use crate::loaders::analytics::SummaryKey;
use crate::realtime::events::{ChangeEvent, Topic};
use crate::realtime::membership::MembershipWatch;
use crate::realtime::stream::{EventFilter, StreamSpec, ending, events};
use crate::realtime::summary::Slot;
use crate::realtime::{Realtime, retention};

/// Every subscription field, merged from the domain modules.
#[derive(async_graphql::MergedSubscription, Default)]
#[graphql(name = "Subscription")]
pub struct SubscriptionRoot(
    CoreSubscription,
    crate::graphql::publishing::PublishingSubscription,
    crate::graphql::workspace::WorkspaceSubscription,
    crate::graphql::workflows::WorkflowSubscription,
    crate::graphql::marketing::MarketingSubscription,
);

/// How many subscriptions one websocket connection holds; part of the connection's data.
#[derive(Clone)]
pub struct SubscriptionBudget {
    used: Arc<AtomicUsize>,
    max: usize,
}

impl SubscriptionBudget {
    pub fn new(max: usize) -> Self {
        Self {
            used: Arc::default(),
            max,
        }
    }

    fn take(&self) -> ApiResult<BudgetGuard> {
        let previous = self.used.fetch_add(1, Ordering::SeqCst);
        if previous >= self.max {
            self.used.fetch_sub(1, Ordering::SeqCst);
            return Err(ApiError::RateLimited(format!(
                "at most {} subscriptions per connection",
                self.max
            )));
        }
        Ok(BudgetGuard(self.used.clone()))
    }
}

/// Returns its subscription to the budget when the stream ends.
struct BudgetGuard(Arc<AtomicUsize>);

impl Drop for BudgetGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The kind of change.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ChangeOp {
    /// Created.
    Insert,
    /// Changed.
    Update,
    /// Removed.
    Delete,
}

pub(crate) fn op_of(event: &ChangeEvent) -> ChangeOp {
    match event.op.as_str() {
        "insert" => ChangeOp::Insert,
        "delete" => ChangeOp::Delete,
        _ => ChangeOp::Update,
    }
}

/// An approval was requested or decided.
#[derive(SimpleObject)]
pub struct ApprovalEvent {
    /// Pass as `after` to resume after this event.
    cursor: String,
    /// What happened.
    op: ChangeOp,
    /// The approval (global id).
    approval_id: ID,
    /// The content item under review (global id).
    post_id: Option<ID>,
    /// The approval's status after the change.
    status: Option<ApprovalStatus>,
    /// Whether the approval is locked.
    locked: bool,
    /// When the change committed.
    occurred_at: DateTime<Utc>,
}

/// A content item changed status.
#[derive(SimpleObject)]
pub struct ContentStatusEvent {
    /// Pass as `after` to resume after this event.
    cursor: String,
    /// What happened.
    op: ChangeOp,
    /// The content item (global id).
    content_item_id: ID,
    /// The status after the change.
    status: Option<ContentStatus>,
    /// The status before the change (null for new items).
    previous_status: Option<ContentStatus>,
    /// When the change committed.
    occurred_at: DateTime<Utc>,
}

/// Metric rows of one platform were written.
#[derive(SimpleObject)]
pub struct AnalyticsEvent {
    /// Pass as `after` to resume after this event.
    cursor: String,
    /// `INSERT` for new rows, `UPDATE` for changed ones.
    op: ChangeOp,
    /// The platform.
    platform: String,
    /// Rows written.
    rows: i64,
    /// Earliest day written.
    #[graphql(name = "from")]
    first_day: Option<NaiveDate>,
    /// Latest day written.
    #[graphql(name = "to")]
    last_day: Option<NaiveDate>,
    /// When the change committed.
    occurred_at: DateTime<Utc>,
}

pub(crate) fn uuid_in(event: &ChangeEvent, field: &str) -> Option<Uuid> {
    event.payload[field]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
}

pub(crate) fn text_in<'a>(event: &'a ChangeEvent, field: &str) -> Option<&'a str> {
    event.payload[field].as_str()
}

impl From<&ChangeEvent> for ApprovalEvent {
    fn from(event: &ChangeEvent) -> Self {
        Self {
            cursor: event.seq.to_string(),
            op: op_of(event),
            approval_id: ids::encode(NodeKind::PostApproval, event.entity_id.unwrap_or_default()),
            post_id: uuid_in(event, "post_id").map(|id| ids::encode(NodeKind::ContentItem, id)),
            status: text_in(event, "status").and_then(ApprovalStatus::parse),
            locked: event.payload["locked"].as_bool().unwrap_or(false),
            occurred_at: event.created_at,
        }
    }
}

impl From<&ChangeEvent> for ContentStatusEvent {
    fn from(event: &ChangeEvent) -> Self {
        Self {
            cursor: event.seq.to_string(),
            op: op_of(event),
            content_item_id: ids::encode(
                NodeKind::ContentItem,
                event.entity_id.unwrap_or_default(),
            ),
            status: text_in(event, "status").and_then(ContentStatus::parse),
            previous_status: text_in(event, "previous_status").and_then(ContentStatus::parse),
            occurred_at: event.created_at,
        }
    }
}

impl From<&ChangeEvent> for AnalyticsEvent {
    fn from(event: &ChangeEvent) -> Self {
        let date = |field| text_in(event, field).and_then(|d| d.parse().ok());
        Self {
            cursor: event.seq.to_string(),
            op: op_of(event),
            platform: text_in(event, "platform").unwrap_or_default().to_string(),
            rows: event.payload["rows"].as_i64().unwrap_or(0),
            first_day: date("from"),
            last_day: date("to"),
            occurred_at: event.created_at,
        }
    }
}

/// Whether every viewer allowed to subscribe sees the same events of an operation; then
/// its subscribers over websockets share one execution (`graphql::audience`).
#[derive(Clone, Copy)]
pub(crate) enum Visibility {
    SameForAll,
    /// Every subscriber of one role in the brand sees the same events: its subscribers
    /// share one compiled rendering per role (these roots describe the events), or,
    /// where the operation has no plan, each renders its own.
    PerRole(&'static [EventRoot]),
    PerViewer,
}

/// Checks access and builds the lossless event stream of one topic of one brand.
pub(crate) async fn brand_events(
    ctx: &Context<'_>,
    topic: Topic,
    brand_id: &ID,
    after: Option<String>,
    filter: Option<EventFilter>,
    visibility: Visibility,
) -> ApiResult<BoxStream<'static, ApiResult<Arc<ChangeEvent>>>> {
    let brand = ids::decode_as(NodeKind::Brand, brand_id)?;
    let realtime = ctx.data::<Realtime>()?;
    let db = ctx.service_db()?.clone();
    if let Some(feed) = ctx.data_opt::<AudienceFeed>() {
        // The audience's execution: every member was admitted by its own.
        let spec = StreamSpec {
            topic,
            brand,
            after: feed.after,
            user: None,
            deadline: None,
            filter,
        };
        let feed = feed.clone();
        return Ok(events(realtime.hub.clone(), db, spec)
            .inspect(move |item| {
                if let Ok(event) = item {
                    feed.track(event);
                }
            })
            .boxed());
    }
    let viewer = ctx.viewer()?;
    let principal = viewer.require_authenticated()?.clone();
    // The service role reads as an owner (`Viewer::role_in`); a role audience needs it.
    let Some(role) = viewer.role_in(brand).await? else {
        return Err(ApiError::NotFound("brand"));
    };
    let guard = match ctx.data_opt::<SubscriptionBudget>() {
        Some(budget) => Some(budget.take()?),
        None => None,
    };
    let resume = ctx.data_opt::<ResumeAfter>().map(|resume| resume.0);
    let cursor = match &after {
        Some(cursor) => Some(
            cursor
                .parse()
                .ok()
                .filter(|seq: &i64| *seq >= 0)
                .ok_or_else(|| ApiError::bad_input("after", "not a valid cursor"))?,
        ),
        None => resume,
    };
    let after = match cursor {
        None => realtime.hub.watermark() - 1,
        Some(seq) => {
            // Every seq below the watermark exists or provably never will; above it only
            // the database knows (another gateway may have handed out the cursor).
            if seq >= realtime.hub.watermark() && seq > retention::newest_seq(&db).await? {
                return Err(ApiError::bad_input(
                    "after",
                    "this cursor is beyond the newest event: pass a cursor this API returned",
                ));
            }
            if seq < retention::pruned_through(&db).await? {
                return Err(ApiError::CursorExpired(
                    "events after this cursor were pruned; reload the state and subscribe without `after`".into(),
                ));
            }
            seq
        }
    };
    let user = match principal {
        Principal::User { id, .. } => Some(id),
        Principal::Service { .. } => None,
    };
    let ticket = ctx.data_opt::<AudienceTicket>();
    // `Some` once joined to an audience, with the role it was joined for where that
    // audience is one role's.
    let shared = match (ticket, visibility) {
        (Some(ticket), Visibility::SameForAll) if cursor.is_none() => {
            ticket.join(after).then_some(None)
        }
        (Some(ticket), Visibility::PerRole(roots)) if cursor.is_none() => {
            let planned = PlannedRendering {
                roots,
                brand,
                role,
                hub: realtime.hub.clone(),
                db: db.clone(),
            };
            ticket
                .join_planned(after, planned)
                .map(|departed| user.map(|_| (role, departed)))
        }
        _ => None,
    };
    let stream = if let Some(watched_role) = shared {
        ending(
            &realtime.hub,
            db,
            brand,
            user,
            principal.deadline(),
            watched_role,
        )
        .boxed()
    } else {
        if let Some(ticket) = ticket {
            ticket.stay_private();
        }
        let spec = StreamSpec {
            topic,
            brand,
            after,
            user,
            deadline: Some(principal.deadline()),
            filter,
        };
        events(realtime.hub.clone(), db, spec).boxed()
    };
    Ok(stream
        .map(move |item| {
            let _held_until_the_stream_ends = &guard;
            item
        })
        .boxed())
}

#[derive(Default)]
pub struct CoreSubscription;

/// Live events, over the websocket endpoint `/graphql/ws`.
#[Subscription]
impl CoreSubscription {
    /// Approvals of the brand's content as they are requested and decided.
    async fn approval_updated(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        #[graphql(desc = "Resume after this cursor (replays what was missed).")] after: Option<
            String,
        >,
    ) -> Result<impl Stream<Item = ApiResult<ApprovalEvent>> + use<>, ApiError> {
        let stream = brand_events(
            ctx,
            Topic::Approval,
            &brand_id,
            after,
            None,
            Visibility::SameForAll,
        )
        .await?;
        Ok(stream.map(|item| item.map(|event| ApprovalEvent::from(event.as_ref()))))
    }

    /// Status changes of the brand's content items.
    async fn content_status_changed(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        #[graphql(desc = "Resume after this cursor (replays what was missed).")] after: Option<
            String,
        >,
    ) -> Result<impl Stream<Item = ApiResult<ContentStatusEvent>> + use<>, ApiError> {
        let stream = brand_events(
            ctx,
            Topic::ContentStatus,
            &brand_id,
            after,
            None,
            Visibility::SameForAll,
        )
        .await?;
        Ok(stream.map(|item| item.map(|event| ContentStatusEvent::from(event.as_ref()))))
    }

    /// Metric writes for the brand (optionally one platform).
    async fn analytics_updated(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        #[graphql(desc = "Only this platform.")] platform: Option<String>,
        #[graphql(desc = "Resume after this cursor (replays what was missed).")] after: Option<
            String,
        >,
    ) -> Result<impl Stream<Item = ApiResult<AnalyticsEvent>> + use<>, ApiError> {
        let platform = platform
            .map(|p| Platform::parse(&p))
            .transpose()?
            .map(Platform::into_inner);
        let filter: Option<EventFilter> = platform.map(|platform| {
            Box::new(move |event: &ChangeEvent| {
                event.payload["platform"].as_str() == Some(platform.as_str())
            }) as Box<dyn Fn(&ChangeEvent) -> bool + Send + Sync>
        });
        let stream = brand_events(
            ctx,
            Topic::Analytics,
            &brand_id,
            after,
            filter,
            Visibility::SameForAll,
        )
        .await?;
        Ok(stream.map(|item| item.map(|event| AnalyticsEvent::from(event.as_ref()))))
    }

    /// The brand's `analyticsSummary`, pushed now and after every change (bursts coalesced).
    /// One computation per (brand, days, platform) is shared by all its subscribers.
    async fn analytics_summary(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        #[graphql(default = 30, desc = "Window length, 1 to 366 days.")] days: i32,
        #[graphql(desc = "Only this platform.")] platform: Option<String>,
    ) -> Result<impl Stream<Item = ApiResult<AnalyticsSummary>> + use<>, ApiError> {
        let brand = ids::decode_as(NodeKind::Brand, &brand_id)?;
        let days = summary_days(days)?;
        let platform = platform
            .map(|p| Platform::parse(&p))
            .transpose()?
            .map(Platform::into_inner);
        let realtime = ctx.data::<Realtime>()?;
        let admitted = AggregateAdmission::check(ctx, brand).await?;
        let key = SummaryKey {
            brand,
            days,
            platform,
        };
        let updates = realtime
            .summaries
            .watch(&realtime.hub, ctx.service_db()?, key);
        Ok(admitted.stream(updates, move |summary| AnalyticsSummary {
            days,
            summary: summary.clone(),
        }))
    }
}

/// A subscriber admitted to a shared live aggregate of one brand: it may see the brand,
/// holds a place in its connection's subscription budget, and watches its membership.
pub(crate) struct AggregateAdmission {
    membership: MembershipWatch,
    deadline: tokio::time::Instant,
    guard: Option<BudgetGuard>,
}

impl AggregateAdmission {
    /// `NOT_FOUND` when the viewer may not see `brand`.
    pub(crate) async fn check(ctx: &Context<'_>, brand: Uuid) -> ApiResult<Self> {
        let viewer = ctx.viewer()?;
        let principal = viewer.require_authenticated()?.clone();
        let realtime = ctx.data::<Realtime>()?;
        // Watch before checking, so a removal between the check and the stream is seen.
        let membership = MembershipWatch::new(
            &realtime.hub,
            ctx.service_db()?.clone(),
            brand,
            viewer.user_id(),
        );
        if !viewer.can_see(brand).await? {
            return Err(ApiError::NotFound("brand"));
        }
        let guard = match ctx.data_opt::<SubscriptionBudget>() {
            Some(budget) => Some(budget.take()?),
            None => None,
        };
        Ok(Self {
            membership,
            deadline: principal.deadline(),
            guard,
        })
    }

    /// The aggregate now and after every change, rendered by `render`; ends with
    /// `UNAUTHENTICATED` when the token expires and `NOT_FOUND` when the member leaves.
    pub(crate) fn stream<V, T>(
        self,
        updates: Slot<V>,
        render: impl Fn(&V) -> T + Send + Sync + 'static,
    ) -> impl Stream<Item = ApiResult<T>> + Send
    where
        V: Send + Sync + 'static,
        T: Send + 'static,
    {
        let Self {
            membership,
            deadline,
            guard,
        } = self;
        let render = Arc::new(render) as Arc<dyn Fn(&V) -> T + Send + Sync>;
        // State: the receiver, the membership watch and the last version sent (None once
        // the stream has ended).
        let stream = futures_util::stream::unfold(
            (updates, membership, Some(0u64), render),
            move |(mut updates, mut membership, last, render)| async move {
                let last = last?;
                loop {
                    let current = updates.borrow_and_update().clone();
                    if let Some(computed) = current
                        && computed.version > last
                    {
                        let rendered = render(&computed.summary);
                        return Some((
                            Ok(rendered),
                            (updates, membership, Some(computed.version), render),
                        ));
                    }
                    tokio::select! {
                        changed = updates.changed() => if changed.is_err() { return None },
                        () = tokio::time::sleep_until(deadline) => {
                            return Some((Err(ApiError::unauthenticated("token expired")), (updates, membership, None, render)));
                        }
                        ended = membership.revoked() => return Some((Err(ended), (updates, membership, None, render))),
                    }
                }
            },
        );
        stream.map(move |item| {
            let _held_until_the_stream_ends = &guard;
            item
        })
    }
}
